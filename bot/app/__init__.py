"""The wiring of one bot process: ``bot.Bot`` builds the store, transport, engine,
narrator and router and connects them; ``run`` runs it until a signal; ``check``
validates a config and looks at the account read-only (``check-config``); ``logs``
sets up logging without message contents. May import every production package;
never ``devtools``.
"""
