"""Trainers' direct chats with the bot: which rooms they are, and each trainer's zone.

A direct chat is recorded when the bot accepts an invite marked ``is_direct`` (as
Element sends it): there the bot is the trainer's private dashboard, never a game
table. Nothing typed in it is stored; only the zone a trainer sets with ``!timezone``.
"""

from __future__ import annotations

from bot.store.db import Store
from bot.store.rows import fetch_all, fetch_one


class TrainerStore:
    """Direct rooms and trainers' settings on top of a :class:`Store` (shares its connection)."""

    def __init__(self, store: Store):
        self.store = store
        self._direct: dict[str, str] | None = None  # room -> the person who opened it, once read

    async def direct_rooms(self) -> dict[str, str]:
        if self._direct is None:
            rows = await fetch_all(self.store.conn, "SELECT room_id, user_id FROM direct_rooms")
            self._direct = {r[0]: r[1] for r in rows}
        return self._direct

    async def direct_owner(self, room_id: str) -> str | None:
        """Who opened the direct chat ``room_id`` with the bot (None: not a direct chat)."""
        return (await self.direct_rooms()).get(room_id)

    async def add_direct(self, room_id: str, user_id: str) -> None:
        async with self.store.transaction() as db:
            await db.execute("INSERT OR REPLACE INTO direct_rooms(room_id, user_id) VALUES(?, ?)", (room_id, user_id))
        (await self.direct_rooms())[room_id] = user_id

    async def timezone(self, user_id: str) -> str | None:
        row = await fetch_one(self.store.conn, "SELECT timezone FROM trainer_settings WHERE user_id = ?", (user_id,))
        return row[0] if row else None

    async def set_timezone(self, user_id: str, zone: str) -> None:
        async with self.store.transaction() as db:
            await db.execute("INSERT INTO trainer_settings(user_id, timezone) VALUES(?, ?) "
                             "ON CONFLICT(user_id) DO UPDATE SET timezone = excluded.timezone", (user_id, zone))

    async def forget(self, user_id: str, room_id: str) -> None:
        """``!forget-me`` in the direct chat ``room_id``: the trainer's settings and that chat's record go."""
        async with self.store.transaction() as db:
            await db.execute("DELETE FROM trainer_settings WHERE user_id = ?", (user_id,))
            await db.execute("DELETE FROM direct_rooms WHERE room_id = ?", (room_id,))
        (await self.direct_rooms()).pop(room_id, None)
        await self.store.checkpoint()
