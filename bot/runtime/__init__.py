"""The imperative shell around the pure rules.

``engine``: per room, under a lock, load the state, apply the event, save, then
carry out the effects (messages through the outbox, timers); ``timers``: the
APScheduler jobs rebuilt from stored deadlines; ``scheduling``: recurring sessions
at run time. May import the core, the configuration, the store and ``messages``;
not ``commands`` or ``app``. Talks to Matrix only through the callables it is given.
"""
