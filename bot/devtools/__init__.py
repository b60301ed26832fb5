"""Developer tools, never imported by production code: a throw-away local Synapse
(``homeserver``; ``processes`` watches it from outside), ``make run`` (``local``), ``make demo`` (``demo``, ``people``,
``demo_script``) and the simulated Matrix client (``client``) that the demo, the
tests and the bench share. May import anything.
"""
