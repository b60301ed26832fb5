"""Retention with a real bot: what expired while it was down is purged as soon as it starts."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import PrivacyConfig
from tests.helpers.retention import ROOM, Rooms


@pytest.mark.synapse
async def test_a_bot_purges_what_expired_while_it_was_down_as_soon_as_it_starts(make_bot, tmp_path):
    data_dir = tmp_path / "bot-data"
    data_dir.mkdir(mode=0o700)
    rooms = await Rooms(data_dir, PrivacyConfig()).open()
    game = await rooms.finished_game(ROOM, "EXPIRED-while-down")
    await rooms.ended_days_ago(game, 31)
    await rooms.close()

    bot = await make_bot(data_dir=data_dir)

    async def purged() -> bool:
        async with bot.store.conn.execute("SELECT purged FROM games WHERE id = ?", (game,)) as cur:
            return (await cur.fetchone())[0] == 1

    async def wait() -> None:
        while not await purged():
            await asyncio.sleep(0.05)  # polling the database with a deadline

    await asyncio.wait_for(wait(), 30)
