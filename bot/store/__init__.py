"""Persistence in SQLite (aiosqlite): the database is the source of truth."""

from bot.store.db import Store

__all__ = ["Store"]
