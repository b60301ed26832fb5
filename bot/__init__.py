"""Réflex'tics: a Matrix bot that narrates the DLiS reflective card game.

The packages, from the pure core up (each may import only those listed before it,
and the standard library; ``tests/project/test_layout.py`` checks it):

- ``game``, ``schedule``, ``decks``: the pure core (rules, recurrence, card decks);
- ``config``: the YAML configuration, typed and validated;
- ``store``, ``matrix``: the adapters (SQLite, matrix-nio);
- ``messages``: what users read (catalogue, rendering, narration);
- ``runtime``: the engine around the rules, timers, the schedules' clock;
- ``commands``: what users type (parsing, routing, the handlers);
- ``app``: the wiring of one bot process;
- ``devtools``: the local homeserver, ``make run``, ``make demo``, the simulated
  client; production code never imports it (only the command line, ``__main__``).
"""

__version__ = "0.1.0"
