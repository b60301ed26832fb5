"""The event ids of the synthesis the bot posted for each ended game (its message and file).

A deletion after the synthesis was posted takes the deleted text out of the stored
game; the synthesis already in the room must go too, and come again without it
(bot/runtime/reposting.py). Only ids are kept: the text is in the game's state.
"""

from __future__ import annotations

import aiosqlite

from bot.store.db import Store
from bot.store.rows import fetch_all


class SynthesisPosts:
    """Which room events hold a game's posted synthesis."""

    def __init__(self, store: Store):
        self.store = store

    async def add(self, game_id: int, event_id: str) -> None:
        async with self.store.transaction() as db:
            await db.execute("INSERT OR IGNORE INTO synthesis_posts (game_id, event_id) VALUES (?, ?)",
                             (game_id, event_id))

    async def of(self, game_id: int) -> list[str]:
        rows = await fetch_all(self.store.conn, "SELECT event_id FROM synthesis_posts WHERE game_id = ? "
                                                "ORDER BY rowid", (game_id,))
        return [row[0] for row in rows]

    @staticmethod
    async def replace_in(db: aiosqlite.Connection, game_id: int, event_ids: list[str]) -> None:
        """Inside a caller's transaction: the game's synthesis is now ``event_ids``."""
        await db.execute("DELETE FROM synthesis_posts WHERE game_id = ?", (game_id,))
        await db.executemany("INSERT OR IGNORE INTO synthesis_posts (game_id, event_id) VALUES (?, ?)",
                             [(game_id, event_id) for event_id in event_ids])
