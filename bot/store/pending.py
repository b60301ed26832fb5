"""Events waiting for their room key, kept across restarts until handled.

Part of ``Store`` (``db.py``), which gives the connection and transactions.
"""

from __future__ import annotations

import json
import time

import aiosqlite

from bot.store.rows import fetch_all


class PendingEvents:
    def __init__(self) -> None:
        super().__init__()
        # Ids of events waiting for their room key, once read (None: not known yet).
        self._pending_ids: set[str] | None = None

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


    async def _drop_pending(self, db: aiosqlite.Connection, event_ids: list[str]) -> None:
        """In the caller's transaction: ``event_ids`` are handled, none waits for its key any more."""
        # Almost never waiting for a key: skip the delete unless one was.
        waiting = [e for e in event_ids if self._pending_ids is None or e in self._pending_ids]
        if waiting:
            await db.execute("DELETE FROM pending_events WHERE event_id IN (%s)" % ",".join("?" * len(waiting)),
                             waiting)
            if self._pending_ids is not None:
                self._pending_ids.difference_update(waiting)
