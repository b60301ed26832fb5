"""Handled events and the sync token: what the bot has already answered, and where its sync resumes.

Part of ``Store`` (``db.py``), which gives the connection and transactions.
"""

from __future__ import annotations

import time

import aiosqlite

from bot.store.rows import fetch_all


class HandledEvents:
    def __init__(self) -> None:
        super().__init__()
        # Events a committed game step already marked handled in its own
        # transaction: the transport need not mark them a second time.
        self._recorded: set[str] = set()

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
            await self._drop_pending(db, event_ids)  # handled: no longer waiting for a key
            return
        async with self.transaction() as tx:
            await self.mark_processed(room_id, event_ids, tx)

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
