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
from bot.store.trip import in_one_trip

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
        # Events a committed game step already marked handled in its own
        # transaction: the transport need not mark them a second time.
        self._recorded: set[str] = set()
        # Room settings change only through the setters below: read each room once.
        self._settings: dict[str, tuple[str | None, bool]] = {}
        # Ids of events waiting for their room key, once read (None: not known yet).
        self._pending_ids: set[str] | None = None

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
        # One trip to the database thread (the sync token is saved after every sync).
        await in_one_trip(self, lambda db: db.execute(
            "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        ))

    # -- sync token and processed events -----------------------------------------

    async def sync_token(self) -> str | None:
        return await self.get_value("sync_token")

    async def save_sync_token(self, token: str) -> None:
        await self.set_value("sync_token", token)

    async def processed_among(self, event_ids: list[str]) -> set[str]:
        """Those of ``event_ids`` already handled (one query for a whole sync)."""
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):  # under SQLite's variable limit
            chunk = event_ids[start:start + 500]
            query = "SELECT event_id FROM processed_events WHERE event_id IN (%s)" % ",".join("?" * len(chunk))
            found.update(row[0] for row in await fetch_all(self.conn, query, chunk))
        return found

    async def mark_processed(self, room_id: str, event_ids: list[str], db: aiosqlite.Connection | None = None) -> None:
        """Record handled events; pass ``db`` to join a caller's transaction."""
        rows = [(eid, room_id, time.time()) for eid in event_ids]
        if db is not None:
            await db.executemany("INSERT OR IGNORE INTO processed_events VALUES(?, ?, ?)", rows)
            # Almost never waiting for a key: skip the delete unless one was.
            waiting = [e for e in event_ids if self._pending_ids is None or e in self._pending_ids]
            if waiting:
                await db.execute("DELETE FROM pending_events WHERE event_id IN (%s)" % ",".join("?" * len(waiting)),
                                 waiting)
                if self._pending_ids is not None:
                    self._pending_ids.difference_update(waiting)
            return
        # Alone (the transport's mark of an event no game step recorded): one trip.
        waiting = [e for e in event_ids if self._pending_ids is None or e in self._pending_ids]

        def mark(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR IGNORE INTO processed_events VALUES(?, ?, ?)", rows)
            if waiting:
                db.execute("DELETE FROM pending_events WHERE event_id IN (%s)" % ",".join("?" * len(waiting)), waiting)

        await in_one_trip(self, mark)
        if self._pending_ids is not None:
            self._pending_ids.difference_update(waiting)

    def note_recorded(self, event_id: str) -> None:
        """``event_id`` was marked handled inside a transaction that committed."""
        if len(self._recorded) > 10_000:  # only ever a few entries; never let it grow
            self._recorded.clear()
        self._recorded.add(event_id)

    async def mark_handled(self, room_id: str, event_id: str) -> None:
        """Mark an event handled unless a committed step already did."""
        if event_id in self._recorded:
            self._recorded.discard(event_id)
            return
        await self.mark_processed(room_id, [event_id])

    # -- undecryptable events ------------------------------------------------------

    async def add_pending(self, room_id: str, event_id: str, session_id: str, source: dict) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO pending_events VALUES(?, ?, ?, ?, ?)",
                (event_id, room_id, session_id, json.dumps(source), time.time()),
            )
        if self._pending_ids is not None:
            self._pending_ids.add(event_id)

    async def pending(self) -> list[tuple[str, dict]]:
        """(room id, event source) of every event still waiting for its key, oldest first."""
        rows = await fetch_all(self.conn,
                               "SELECT room_id, source, event_id FROM pending_events ORDER BY received_at, rowid")
        self._pending_ids = {row[2] for row in rows}
        return [(row[0], json.loads(row[1])) for row in rows]

    # -- room settings ----------------------------------------------------------------

    async def _room_settings(self, room_id: str) -> tuple[tuple[str, ...] | None, bool]:
        settings = self._settings.get(room_id)
        if settings is None:
            row = await fetch_one(self.conn, "SELECT languages, pseudonymous FROM room_settings WHERE room_id = ?",
                                  (room_id,))
            languages = tuple(row[0].split(",")) if row and row[0] else None
            settings = (languages, bool(row[1])) if row else (None, False)
            self._settings[room_id] = settings
        return settings

    async def room_settings(self, room_id: str) -> tuple[str | None, bool]:
        """(main language or None, pseudonymous) of a room; read once, then kept in memory."""
        languages, pseudonymous = await self._room_settings(room_id)
        return (languages[0] if languages else None), pseudonymous

    async def room_languages(self, room_id: str) -> tuple[str, ...] | None:
        """The room's languages, the main one first, or None when never set."""
        return (await self._room_settings(room_id))[0]

    async def room_language(self, room_id: str) -> str | None:
        languages = await self.room_languages(room_id)
        return languages[0] if languages else None

    async def set_room_languages(self, room_id: str, languages: tuple[str, ...] | list[str]) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO room_settings(room_id, language, languages) VALUES(?, ?, ?) "
                "ON CONFLICT(room_id) DO UPDATE SET language = excluded.language, languages = excluded.languages",
                (room_id, languages[0], ",".join(languages)),
            )
        self._settings.pop(room_id, None)

    async def set_room_language(self, room_id: str, language: str) -> None:
        await self.set_room_languages(room_id, (language,))

    async def room_pseudonymous(self, room_id: str) -> bool:
        return (await self._room_settings(room_id))[1]

    async def set_room_pseudonymous(self, room_id: str, on: bool) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO room_settings(room_id, pseudonymous) VALUES(?, ?) "
                "ON CONFLICT(room_id) DO UPDATE SET pseudonymous = excluded.pseudonymous",
                (room_id, int(on)),
            )
        self._settings.pop(room_id, None)


async def fetch_one(conn: aiosqlite.Connection, sql: str, params=()) -> sqlite3.Row | None:
    """The first row of a query, in one trip to the database thread (not three)."""
    rows = await conn.execute_fetchall(sql, params)
    return rows[0] if rows else None


async def fetch_all(conn: aiosqlite.Connection, sql: str, params=()) -> list[sqlite3.Row]:
    """Every row of a query, in one trip to the database thread."""
    return list(await conn.execute_fetchall(sql, params))


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
