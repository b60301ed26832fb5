"""The SQLite store: one connection, its migrations and transactions, a key/value table.

All SQL lives in this package and in migrations, never in handlers. The small
repositories every part of the bot uses through ``Store`` are apart, one per
concern: handled events and the sync token (``handled.py``), events waiting for
their room key (``pending.py``), room settings (``rooms.py``); games and schedules
have their own stores on top of it (``games.py``, ``schedules.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiosqlite

from bot.store.handled import HandledEvents
from bot.store.integrity import require_whole
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.pending import PendingEvents
from bot.store.rooms import RoomSettings
from bot.store.rows import fetch_one

log = logging.getLogger(__name__)


class Store(HandledEvents, PendingEvents, RoomSettings):
    """One SQLite file; open with :meth:`open`, close with :meth:`close`."""

    def __init__(self, path: Path, migrations: list[Migration] = MIGRATIONS):
        self.path = path
        self.migrations = migrations
        self.db: aiosqlite.Connection | None = None
        # One connection for every task (sync loop, timers, schedules): without
        # this, a second BEGIN while a transaction is open fails, or worse, its
        # statements land in the other task's transaction.
        self._write = asyncio.Lock()
        super().__init__()

    @classmethod
    async def open(cls, path: Path) -> "Store":
        store = cls(path)
        await store._connect()
        return store

    async def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Created readable by the bot's user only: it holds game texts.
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        else:
            # Never run on a damaged file (it would go unnoticed until a read fails).
            await asyncio.to_thread(require_whole, self.path)
        connection = aiosqlite.connect(self.path)
        # aiosqlite's worker thread is not a daemon: a store left open by a
        # crash (or a failed test) would keep the process alive forever.
        connection._thread.daemon = True
        self.db = await connection
        self.db.row_factory = aiosqlite.Row
        await self.db.execute("PRAGMA journal_mode=WAL")
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.chmod(side, 0o600)  # they hold the same data as the file
        await self.db.execute("PRAGMA synchronous=NORMAL")
        await self.db.execute("PRAGMA foreign_keys=ON")
        # The bot reads a few indexed rows per event (the room's game, one event
        # id): SQLite's default 2 MiB page cache is mostly idle memory, and the
        # operating system caches the file anyway.
        await self.db.execute("PRAGMA cache_size=-512")
        # Deleted rows are overwritten, not left in free pages: purged game texts
        # must not be recoverable from the file.
        await self.db.execute("PRAGMA secure_delete=ON")
        await self._migrate()

    async def close(self) -> None:
        if self.db is not None:
            await self.db.close()
            self.db = None

    @property
    def conn(self) -> aiosqlite.Connection:
        assert self.db is not None, "store is not open"
        return self.db

    async def schema_version(self) -> int:
        row = await fetch_one(self.conn, "PRAGMA user_version")
        return int(row[0])

    async def _migrate(self) -> None:
        current = await self.schema_version()
        # Sorted: features append their migrations independently.
        for migration in sorted(self.migrations, key=lambda m: m.version):
            if migration.version <= current:
                continue
            log.info("Migrating the database to version %d: %s", migration.version, migration.description)
            await self.conn.execute("BEGIN")
            try:
                for statement in _statements(migration.sql):
                    await self.conn.execute(statement)
                await self.conn.execute(f"PRAGMA user_version = {int(migration.version)}")
                await self.conn.commit()
            except Exception:
                await self.conn.rollback()
                raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Everything inside commits together or not at all; one transaction at a time.

        sqlite3 opens the transaction itself before the first write, which saves a
        trip to aiosqlite's thread; with one connection and this lock, no other
        writer can come in between.
        """
        async with self._write:
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            else:
                await self.conn.commit()

    async def checkpoint(self, attempts: int = 50) -> bool:
        """Fold the write-ahead log into the file and empty it (no old page copies left).

        A statement still reading on this connection makes SQLite refuse for a
        moment ("table is locked"): try again shortly, a bounded number of times.
        """
        for _ in range(attempts):
            try:
                busy = (await fetch_one(self.conn, "PRAGMA wal_checkpoint(TRUNCATE)"))[0]
                if not busy:
                    return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            await asyncio.sleep(0.1)
        log.warning("Could not truncate the write-ahead log; it will be at the next checkpoint")
        return False

    # -- key/value -------------------------------------------------------------

    async def get_value(self, key: str) -> str | None:
        row = await fetch_one(self.conn, "SELECT value FROM kv WHERE key = ?", (key,))
        return row[0] if row else None

    async def set_value(self, key: str, value: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )



def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
