"""The homeserver going away and rate limits: the bot waits, recovers, loses nothing."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.helpers.harness import eventually, join_bot

pytestmark = pytest.mark.synapse


async def test_bot_recovers_by_itself_when_synapse_restarts(make_synapse, make_bot, make_player):
    server = await make_synapse()
    bot = await make_bot(server=server)  # backoff capped at 2 s by the test config
    bot_user = bot.config.matrix.user_id
    player = await make_player(server=server)
    room = await join_bot(player, bot_user)
    await player.send(room, "!help")
    await player.wait_message(room, bot_user, "Commands")

    stats = bot.transport.stats
    failures_before = stats.sync_failures
    down_at = time.monotonic()
    server.stop()
    # Three failed syncs in a row take 0.5 + 1 + 2 s of backoff: the server stays
    # down for a few seconds, and the bot has noticed it.
    await eventually(lambda: stats.sync_failures >= failures_before + 4, timeout=30,
                     what="the bot to fail four syncs")
    assert not bot._run_task.done(), "the sync loop must survive the homeserver going away"
    await server.start()
    down_for = time.monotonic() - down_at

    await player.send(room, "!aide")
    answer = await player.wait_message(room, bot_user, "Commandes", timeout=60)
    assert answer.decrypted
    assert not bot._run_task.done()
    failures = stats.sync_failures - failures_before
    # No busy loop: with delays 0.5, 1, 2, 2 … s there is at most one try per
    # 0.5 s of outage (plus the one that found it down and the one cut off).
    assert failures <= down_for / 0.5 + 2, (failures, down_for)
    assert stats.longest_backoff <= bot.config.matrix.backoff_max_seconds


async def test_rate_limited_answers_all_arrive(make_synapse, make_bot, make_player):
    # Strict limits for messages (Synapse's default is 0.2/s, burst 10). Each
    # player has its own bucket, so three players sending two commands each at
    # once stay within theirs, while the bot must answer six times at once.
    server = await make_synapse(rc_message={"per_second": 1, "burst_count": 2})
    bot = await make_bot(server=server)
    bot_user = bot.config.matrix.user_id
    players = [await make_player(f"p{i}", server=server) for i in range(3)]
    room = await players[0].create_room(invite=[bot_user, players[1].user_id, players[2].user_id])
    await asyncio.gather(players[1].join(room), players[2].join(room))
    await players[0].wait_membership(room, bot_user, "join")

    await asyncio.gather(*(
        p.send(room, command) for p in players for command in ("!help", "!aide")
    ))
    answers = await players[0].wait_count(room, bot_user, 6, timeout=60)
    assert bot.transport.stats.rate_limited > 0, "the test must actually hit the limit"
    # The room's events are handled and answered in order: once the answer to a
    # later command is in, a duplicate from a retried send would be in too.
    await players[0].send(room, "!etat")
    await players[0].wait_message(room, bot_user, "Aucune partie", after=0)
    answers = players[0].from_user(room, bot_user)
    assert sorted("Commandes" in a.body for a in answers[:6]) == [False] * 3 + [True] * 3
    assert len(answers) == 7, [a.body[:30] for a in answers]
    assert len({a.event_id for a in answers}) == 7


async def test_a_send_repeated_with_its_transaction_id_posts_one_message(make_bot, make_player):
    """What makes a replay after a crash harmless: same tx_id, same event, no second message."""
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user)
    await eventually(lambda: room in bot.transport.client.rooms, what="the bot to sync its join")

    content = bot.renderer.render("en", "unknown_command", command="x", prefix="!").content()
    first = await bot.transport.send(room, content, tx_id="replayed-tx-1")
    again = await bot.transport.send(room, content, tx_id="replayed-tx-1")
    assert again == first
    await bot.transport.send(room, bot.renderer.render("en", "help", prefix="!").content(), tx_id="next-tx")
    await player.wait_message(room, bot_user, "Commands")
    assert [m.event_id for m in player.from_user(room, bot_user)][:1] == [first]
    assert len(player.from_user(room, bot_user)) == 2
