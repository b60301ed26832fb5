"""Rooms side by side on a real Synapse: a room stuck on the homeserver holds up no other."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.helpers.harness import TIMEOUT, eventually, join_bot

pytestmark = pytest.mark.synapse


async def timeline_since(bot, token: str, room_id: str) -> list[str]:
    """Event ids a sync from ``token`` gives the bot in ``room_id``: what a restart would fetch."""
    client = bot.transport.client
    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{client.homeserver}/_matrix/client/v3/sync",
            params={"since": token, "timeout": "0"},
            headers={"Authorization": f"Bearer {client.access_token}"},
        ) as resp:
            assert resp.status == 200, await resp.text()
            body = await resp.json()
    room = body.get("rooms", {}).get("join", {}).get(room_id, {})
    return [e["event_id"] for e in room.get("timeline", {}).get("events", [])]


class StuckRoom:
    """Makes the bot's sends into one room wait until released (a slow homeserver)."""

    def __init__(self):
        self.room_id: str | None = None
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    def prepare(self, bot) -> None:
        real_send = bot.transport.send

        async def send(room_id, content, tx_id=None, **kwargs):
            if room_id == self.room_id:
                self.reached.set()
                await self.release.wait()
            return await real_send(room_id, content, tx_id, **kwargs)

        bot.transport.send = send


async def stuck_and_quick_rooms(make_bot, make_player, max_queued: int | None = None):
    """A bot, Alice's room whose answer is stuck on its send (with her !help's id), Bob's room."""
    stuck = StuckRoom()
    bot = await make_bot(prepare=stuck.prepare)
    if max_queued is not None:
        bot.transport.max_queued = max_queued
    alice = await make_player("alice")
    bob = await make_player("bob")
    slow = await join_bot(alice, bot.config.matrix.user_id)
    quick = await join_bot(bob, bot.config.matrix.user_id)
    stuck.room_id = slow
    stuck_id = await alice.send(slow, "!help")
    await asyncio.wait_for(stuck.reached.wait(), TIMEOUT)
    return bot, stuck, (alice, slow, stuck_id), (bob, quick)


async def test_a_room_stuck_on_a_send_holds_up_neither_other_rooms_nor_loses_its_event(make_bot, make_player):
    bot, stuck, (alice, slow, stuck_id), (bob, quick) = await stuck_and_quick_rooms(make_bot, make_player)
    bot_user = bot.config.matrix.user_id

    # Another room is answered while the first one's handler still waits.
    await bob.send(quick, "!help")
    await bob.wait_message(quick, bot_user, "Commands")
    assert not alice.from_user(slow, bot_user), "the stuck room cannot have been answered yet"

    # The saved sync token still covers the stuck event: a crash now would fetch it again.
    token = await bot.store.sync_token()
    assert token is not None
    assert stuck_id in await timeline_since(bot, token, slow)

    stuck.release.set()
    answer = await alice.wait_message(slow, bot_user, "Commands")
    assert answer.decrypted
    assert len(alice.from_user(slow, bot_user)) == 1


async def test_the_bot_stops_fetching_while_too_many_events_wait(make_bot, make_player):
    # One waiting event is already too many.
    bot, stuck, (alice, slow, _), (bob, quick) = await stuck_and_quick_rooms(make_bot, make_player, max_queued=1)
    bot_user = bot.config.matrix.user_id
    # The sync loop parks instead of fetching more behind the stuck event.
    await eventually(lambda: bot.transport.stats.sync_paused >= 1, what="the sync loop to pause")
    assert bot.transport.workers.busy() == 1
    await bob.send(quick, "!help")
    stuck.release.set()
    await alice.wait_message(slow, bot_user, "Commands")
    await bob.wait_message(quick, bot_user, "Commands")  # fetched once the brake let go
