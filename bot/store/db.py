"""The SQLite store. All SQL lives here and in migrations, never in handlers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiosqlite

from bot.store.migrations import MIGRATIONS, Migration

log = logging.getLogger(__name__)


class Store:
    """One SQLite file; open with :meth:`open`, close with :meth:`close`."""

    def __init__(self, path: Path, migrations: list[Migration] = MIGRATIONS):
        self.path = path
        self.migrations = migrations
        self.db: aiosqlite.Connection | None = None
        # One connection for every task (sync loop, timers, schedules): without
        # this, a second BEGIN while a transaction is open fails, or worse, its
        # statements land in the other task's transaction.
        self._write = asyncio.Lock()

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
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
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
        """Everything inside commits together or not at all; one transaction at a time."""
        async with self._write:
            await self.conn.execute("BEGIN IMMEDIATE")
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
                async with self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
                    busy = (await cur.fetchone())[0]
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
        async with self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set_value(self, key: str, value: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- sync token and processed events -----------------------------------------

    async def sync_token(self) -> str | None:
        return await self.get_value("sync_token")

    async def save_sync_token(self, token: str) -> None:
        await self.set_value("sync_token", token)

    async def is_processed(self, event_id: str) -> bool:
        async with self.conn.execute(
            "SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)
        ) as cur:
            return await cur.fetchone() is not None

    async def processed_among(self, event_ids: list[str]) -> set[str]:
        """Those of ``event_ids`` already handled (one query for a whole sync)."""
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):  # under SQLite's variable limit
            chunk = event_ids[start:start + 500]
            async with self.conn.execute(
                "SELECT event_id FROM processed_events WHERE event_id IN (%s)" % ",".join("?" * len(chunk)), chunk
            ) as cur:
                found.update(row[0] for row in await cur.fetchall())
        return found

    async def mark_processed(self, room_id: str, event_ids: list[str], db: aiosqlite.Connection | None = None) -> None:
        """Record handled events; pass ``db`` to join a caller's transaction."""
        rows = [(eid, room_id, time.time()) for eid in event_ids]
        if db is not None:
            await db.executemany("INSERT OR IGNORE INTO processed_events VALUES(?, ?, ?)", rows)
            await db.execute("DELETE FROM pending_events WHERE event_id IN (%s)" % ",".join("?" * len(event_ids)), event_ids)
            return
        async with self.transaction() as tx:
            await self.mark_processed(room_id, event_ids, tx)

    # -- undecryptable events ------------------------------------------------------

    async def add_pending(self, room_id: str, event_id: str, session_id: str, source: dict) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO pending_events VALUES(?, ?, ?, ?, ?)",
                (event_id, room_id, session_id, json.dumps(source), time.time()),
            )

    async def pending(self) -> list[tuple[str, dict]]:
        """(room id, event source) of every event still waiting for its key, oldest first."""
        async with self.conn.execute(
            "SELECT room_id, source FROM pending_events ORDER BY received_at, rowid"
        ) as cur:
            rows = await cur.fetchall()
        return [(row[0], json.loads(row[1])) for row in rows]

    # -- room settings ----------------------------------------------------------------

    async def room_language(self, room_id: str) -> str | None:
        async with self.conn.execute(
            "SELECT language FROM room_settings WHERE room_id = ?", (room_id,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set_room_language(self, room_id: str, language: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO room_settings(room_id, language) VALUES(?, ?) "
                "ON CONFLICT(room_id) DO UPDATE SET language = excluded.language",
                (room_id, language),
            )

    async def room_pseudonymous(self, room_id: str) -> bool:
        async with self.conn.execute(
            "SELECT pseudonymous FROM room_settings WHERE room_id = ?", (room_id,)
        ) as cur:
            row = await cur.fetchone()
        return bool(row[0]) if row else False

    async def set_room_pseudonymous(self, room_id: str, on: bool) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO room_settings(room_id, pseudonymous) VALUES(?, ?) "
                "ON CONFLICT(room_id) DO UPDATE SET pseudonymous = excluded.pseudonymous",
                (room_id, int(on)),
            )


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
