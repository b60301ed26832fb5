"""Explanations the bot gives a person once per room, remembered across restarts."""

from __future__ import annotations

import time

from bot.store.db import Store
from bot.store.rows import fetch_one


class UnsignedNotices:
    """Who was told that their unsigned device is not read (rooms.only_cross_signed_senders)."""

    def __init__(self, store: Store):
        self.store = store

    async def first_time(self, room_id: str, user_id: str) -> bool:
        """Note that ``user_id`` is told in ``room_id``; False when they were told before."""
        async with self.store.transaction() as db:
            if await fetch_one(db, "SELECT 1 FROM unsigned_told WHERE room_id = ? AND user_id = ?",
                               (room_id, user_id)) is not None:
                return False
            await db.execute("INSERT INTO unsigned_told (room_id, user_id, told_at) VALUES (?, ?, ?)",
                             (room_id, user_id, time.time()))
            return True
