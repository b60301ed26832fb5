"""Restarts on the same data directory: same device, nothing lost, nothing twice."""

from __future__ import annotations

import shutil

import pytest
from nio import DevicesResponse

from tests.helpers.harness import SendSpy, answering_room, join_bot

pytestmark = pytest.mark.synapse


async def test_restart_keeps_the_device_and_does_not_answer_twice(make_bot, make_player):
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    device = bot.transport.device_id
    player = await make_player()
    room = await join_bot(player, bot_user)
    await player.send(room, "!help")
    await player.wait_message(room, bot_user, "Commands")

    spy = SendSpy()
    bot = await make_bot.restart(bot, prepare=spy.install)

    assert bot.transport.device_id == device
    devices = await bot.transport.client.devices()
    assert isinstance(devices, DevicesResponse)
    assert [d.id for d in devices.devices] == [device], "a restart must not create a new device"

    # The player keeps its Megolm session, so the restarted bot decrypts with
    # the inbound session it kept in its crypto store.
    await player.send(room, "!aide")
    answer = await player.wait_message(room, bot_user, "Commandes")
    assert answer.decrypted
    # Events are handled in order, so the old !help, had it been replayed,
    # would have been handled before this answer was sent.
    assert [c["body"][:20] for c in spy.in_room(room)] == [answer.body[:20]]
    bodies = [m.body for m in player.from_user(room, bot_user)]
    assert len(bodies) == 2 and "Commands" in bodies[0] and "Commandes" in bodies[1]


async def test_commands_sent_while_the_bot_is_down_are_answered_once(make_bot, make_player):
    bot, player, room = await answering_room(make_bot, make_player)
    bot_user = bot.config.matrix.user_id

    await bot.stop()
    await player.send(room, "!aide")
    await player.send(room, "!nimportequoi")

    spy = SendSpy()
    bot = await make_bot.start(bot.config, prepare=spy.install)
    await player.wait_message(room, bot_user, "Commandes")
    await player.wait_message(room, bot_user, "nimportequoi")

    # A command sent after the restart is answered after any replay would be.
    await player.send(room, "!help")
    after = len(player.from_user(room, bot_user))
    await player.wait_until(lambda: len(player.from_user(room, bot_user)) > after, what="the last answer")
    bodies = [m.body for m in player.from_user(room, bot_user)]
    assert len(bodies) == 4, bodies
    assert "Commands" in bodies[0] and "Commandes" in bodies[1] and "nimportequoi" in bodies[2]
    assert "Commands" in bodies[3]
    assert len(spy.in_room(room)) == 3


async def test_lost_crypto_store_means_a_new_device_and_the_old_one_deleted(make_bot, make_player):
    """Same device id with new identity keys would be refused forever: log in as a new device."""
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    old_device = bot.transport.device_id
    player = await make_player()
    room = await join_bot(player, bot_user)
    await bot.stop()

    shutil.rmtree(bot.transport.files.crypto_dir)
    bot = await make_bot.start(bot.config)

    new_device = bot.transport.device_id
    assert new_device != old_device and new_device.startswith(bot.config.matrix.device_id)
    devices = await bot.transport.client.devices()
    assert [d.id for d in devices.devices] == [new_device]
    await player.send(room, "!aide")
    answer = await player.wait_message(room, bot_user, "Commandes")
    assert answer.decrypted


async def test_a_long_gap_is_paged_back_and_every_command_answered_once(make_bot, make_player):
    """More events than a sync returns came while the bot was down: it pages back to them."""
    bot, player, room = await answering_room(make_bot, make_player)
    bot_user = bot.config.matrix.user_id
    await bot.stop()

    await player.send(room, "!aide")
    for i in range(15):  # Synapse gives 10 timeline events per room in a sync
        await player.send(room, f"chatter {i}")
    await player.send(room, "!nimportequoi")

    bot = await make_bot.start(bot.config)
    await player.wait_message(room, bot_user, "nimportequoi")
    bodies = [m.body for m in player.from_user(room, bot_user)]
    assert len(bodies) == 3 and "Commandes" in bodies[1], bodies
    assert bot.transport.stats.events_recovered >= 1


async def test_what_was_said_before_the_bot_joined_is_not_answered(make_bot, make_player):
    bot = await make_bot(rooms={"require_encryption": False})
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await player.create_room(encrypted=False)
    await player.send(room, "!help")
    for i in range(12):
        await player.send(room, f"chatter {i}")
    await player.invite(room, bot_user)
    await player.wait_membership(room, bot_user, "join")

    await player.send(room, "!aide")
    await player.wait_message(room, bot_user, "Commandes")
    assert len(player.from_user(room, bot_user)) == 1
    assert bot.transport.stats.events_recovered == 0
