"""The SQLite adapter (aiosqlite): the database is the source of truth.

Queries live here, schema changes in ``migrations.py``. May import the pure core;
nothing above it.
"""

from bot.store.db import Store

__all__ = ["Store"]
