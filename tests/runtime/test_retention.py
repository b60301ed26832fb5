"""Retention: which ended games the purge takes, the start-up/hourly loop, what stays, what !purger deletes.

The engine and the privacy commands on a real SQLite file (tests.helpers.retention); a real bot:
test_retention_synapse.py.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.commands.privacy import PURGE_EVERY_SECONDS
from bot.config import PrivacyConfig
from tests.helpers.retention import ALICE, FAC, OTHER, ROOM, Rooms, Sleeps


async def test_the_purge_takes_games_ended_before_the_retention_and_no_other(tmp_path):
    rooms = await Rooms(tmp_path, PrivacyConfig(retention_days=30)).open()
    old = await rooms.finished_game(ROOM, "OLD-turn")
    recent = await rooms.finished_game(ROOM, "RECENT-turn")
    running = await rooms.game_in_progress(OTHER, "RUNNING-turn")
    await rooms.ended_days_ago(old, 31)
    await rooms.ended_days_ago(recent, 29)

    assert await rooms.privacy.purge_expired() == [old]
    rows = await rooms.rows()
    assert rows[old][0] == 1 and "OLD-turn" not in rows[old][1]
    assert rows[recent][0] == 0 and "RECENT-turn" in rows[recent][1]
    assert rows[running][0] == 0 and "RUNNING-turn" in rows[running][1]
    assert await rooms.logged(old) == 0 and await rooms.logged(recent) > 0
    await rooms.close()
    assert not rooms.on_disk("OLD-turn") and rooms.on_disk("RECENT-turn")


@pytest.mark.parametrize("keep", [True, False])
async def test_what_stays_of_a_purged_game(tmp_path, keep):
    rooms = await Rooms(tmp_path, PrivacyConfig(retention_days=30, keep_game_records=keep)).open()
    game = await rooms.finished_game(ROOM, "GONE-turn")
    await rooms.ended_days_ago(game, 40)
    assert await rooms.privacy.purge_expired() == [game]
    rows = await rooms.rows()
    if keep:
        # A record that it happened: dates and counts, no text, no Matrix id.
        purged, state = rows[game]
        assert purged == 1 and '"turns": 2' in state and "@" not in state and "GONE" not in state
    else:
        assert game not in rows
    assert await rooms.logged(game) == 0
    await rooms.close()
    assert not rooms.on_disk("GONE-turn")


async def test_the_retention_loop_purges_at_start_up_then_every_hour(tmp_path):
    sleeps = Sleeps()
    rooms = await Rooms(tmp_path, PrivacyConfig(retention_days=30), sleep=sleeps).open()
    expired = await rooms.finished_game(ROOM, "EXPIRED-turn")
    later = await rooms.finished_game(ROOM, "LATER-turn")
    await rooms.ended_days_ago(expired, 31)

    rooms.privacy.start()
    # The first purge runs at once (a purge due while the bot was down happens now),
    # then the loop waits an hour.
    assert await asyncio.wait_for(sleeps.asked.get(), 10) == PURGE_EVERY_SECONDS
    rows = await rooms.rows()
    assert rows[expired][0] == 1 and rows[later][0] == 0

    await rooms.ended_days_ago(later, 31)  # an hour later, the second game is due too
    sleeps.wake.set()
    assert await asyncio.wait_for(sleeps.asked.get(), 10) == PURGE_EVERY_SECONDS
    assert (await rooms.rows())[later][0] == 1
    await rooms.close()


async def test_purge_command_deletes_this_rooms_ended_games_only(tmp_path):
    rooms = await Rooms(tmp_path, PrivacyConfig(retention_days=30, keep_game_records=False)).open()
    ended = await rooms.finished_game(ROOM, "ENDED-here")
    elsewhere = await rooms.finished_game(OTHER, "ENDED-elsewhere")
    running = await rooms.game_in_progress(ROOM, "RUNNING-here")

    assert "Seule la personne qui anime" in await rooms.command(ROOM, ALICE, "!purger")
    assert ended in await rooms.rows()
    answer = await rooms.command(ROOM, FAC, "!purger")
    assert "1" in answer and "en cours" in answer, answer  # one game purged; the running one is kept
    rows = await rooms.rows()
    assert ended not in rows
    assert "ENDED-elsewhere" in rows[elsewhere][1]
    assert "RUNNING-here" in rows[running][1]
    await rooms.close()
    assert not rooms.on_disk("ENDED-here") and rooms.on_disk("ENDED-elsewhere")
