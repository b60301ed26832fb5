"""First contact on a real Synapse: keys before anything, a lost first message, asking
the sender's device for a key, asking the sender to resend, unsigned devices."""

from __future__ import annotations

import time

import pytest

from bot.config import MatrixConfig
from tests.helpers.firstcontact import ToDeviceLog, cross_sign, notices_to, server_keys
from tests.helpers.harness import answering_room, eventually, join_bot

pytestmark = pytest.mark.synapse

# The 10 s promise holds with the shipped default wait.
DEFAULT_KEY_WAIT = MatrixConfig.key_wait_seconds


def _left(t0: float, budget: float = 10.0) -> float:
    return max(0.1, budget - (time.monotonic() - t0))


async def test_keys_are_on_the_server_before_the_bot_is_ready_or_joins_a_room(make_bot, make_player):
    """A peer that meets the bot must find its device keys and a one-time key to open an Olm session."""
    player = await make_player()
    seen: dict[str, tuple[bool, bool]] = {}

    def prepare(bot):
        on_ready, join = bot.on_ready, bot.transport.join

        async def checked_ready():
            seen["ready"] = await server_keys(player, bot.config.matrix.user_id, bot.transport.device_id)
            await on_ready()

        async def checked_join(room_id):
            seen["join"] = await server_keys(player, bot.config.matrix.user_id, bot.transport.device_id)
            return await join(room_id)

        bot.on_ready, bot.transport.join = checked_ready, checked_join

    bot = await make_bot(prepare=prepare)
    await join_bot(player, bot.config.matrix.user_id)
    assert seen == {"ready": (True, True), "join": (True, True)}


async def test_a_client_that_speaks_before_counting_the_bot_is_answered_within_10_s(make_bot, make_player):
    """The first message's key never reaches the bot; the next one is answered at once, and nobody is nagged."""
    bot = await make_bot(matrix={"key_wait_seconds": DEFAULT_KEY_WAIT})
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    t0 = time.monotonic()
    room = await player.create_room(invite=[bot_user])
    lost, _ = await player.send_lost(room, "!aide")  # encrypted for nobody: the bot is not counted yet
    await player.wait_membership(room, bot_user, "join", timeout=_left(t0))
    await player.send(room, "!aide")

    answer = await player.wait_message(room, bot_user, "Commandes", timeout=_left(t0))
    assert answer.decrypted
    late = bot.transport.late
    assert lost in late.pending, "still kept, in case its key comes after all"
    assert lost not in late.unreadable.waiting(), "their last message was read: no 'please resend'"


async def test_a_lone_lost_first_message_gets_a_resend_request_within_10_s(make_bot, make_player):
    """Nothing else is said: the bot asks, with a mention that notifies, for the message again."""
    bot = await make_bot(matrix={"key_wait_seconds": DEFAULT_KEY_WAIT})
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    t0 = time.monotonic()
    room = await player.create_room(invite=[bot_user])
    await player.send_lost(room, "!aide")

    found = await player.wait_until(lambda: notices_to(player.from_user(room, bot_user), player.user_id),
                                    timeout=_left(t0), what="a request to send the message again")
    notice = found[0]
    assert notice.msgtype == "m.text" and notice.decrypted
    assert notice.content["m.mentions"] == {"user_ids": [player.user_id]}
    assert player.localpart in notice.body and "envoyer à nouveau" in notice.body  # the room's language: fr


async def test_a_sender_without_an_olm_session_is_asked_for_the_key_and_its_answer_is_read(make_bot, make_player):
    """No Olm session between the two devices: the bot opens one (m.dummy), then asks for the key."""
    bot = await make_bot()  # key_wait_seconds: 30
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    received = ToDeviceLog(player).install()
    room = await join_bot(player, bot_user)

    _, withheld = await player.send_lost(room, "!aide")  # the player's first message: no Olm session yet
    await player.wait_until(lambda: received.dummies and received.key_requests,
                            what="an m.dummy and a room key request from the bot")
    assert received.dummies == [bot_user]
    request = received.key_requests[0]
    assert (request.sender, request.requesting_device_id) == (bot_user, bot.transport.device_id)
    assert request.session_id == withheld["session_id"] and request.room_id == room
    assert [what for what, *_ in bot.transport.late.recovery.sent] == ["dummy", "key_request"]

    # The sender answers over the session the bot opened, as a client that shared the key would.
    await player.send_room_key(bot_user, bot.transport.device_id, withheld)
    answer = await player.wait_message(room, bot_user, "Commandes")
    assert answer.decrypted and not bot.transport.late.pending


async def test_a_message_still_unreadable_after_the_wait_gets_one_resend_request(make_bot, make_player):
    bot, player, room = await answering_room(make_bot, make_player, matrix={"key_wait_seconds": 1})
    bot_user = bot.config.matrix.user_id
    late = bot.transport.late

    lost = []
    for body in ("!aide", "!etat"):
        lost.append((await player.send_lost(room, body))[0])
        await eventually(lambda: lost[-1] in late.pending, what="the bot to see the lost message")
    await eventually(lambda: not set(lost) & set(late.unreadable.waiting()), what="both waits to end")
    await player.send(room, "!nimportequoi")  # answered after anything the waits caused
    await player.wait_message(room, bot_user, "nimportequoi")

    notices = notices_to(player.from_user(room, bot_user), player.user_id)
    assert len(notices) == 1, [m.body for m in player.from_user(room, bot_user)]
    assert bot.transport.stats.resend_notices == 1


async def test_a_held_backlog_of_identical_commands_is_answered_once(make_bot, make_player):
    """Ann repeats !aide while Bob's lost message holds the room: one answer for Ann's five."""
    bot, ann, room = await answering_room(make_bot, make_player)  # key_wait_seconds: 30
    bot_user = bot.config.matrix.user_id
    bob = await make_player("bob")
    await ann.invite(room, bob.user_id)
    await bob.join(room)
    await bob.send(room, "!nimportequoi")  # sets up bob's Olm channel with the bot
    await ann.wait_message(room, bot_user, "nimportequoi")
    before = len(ann.from_user(room, bot_user))

    _, withheld = await bob.send_lost(room, "!help")
    for _ in range(5):
        await ann.send(room, "!aide")
    await eventually(lambda: bot.transport.late.queues.queued(room) == 6, what="five !aide held behind !help")

    await bob.send_room_key(bot_user, bot.transport.device_id, withheld)
    await ann.send(room, "!etat")  # a different command is answered on its own, after the backlog
    await ann.wait_count(room, bot_user, before + 3)
    await ann.send(room, "!nimportequoi")
    await ann.wait_message(room, bot_user, "nimportequoi", after=before + 3)
    bodies = [m.body for m in ann.from_user(room, bot_user)[before:]]
    assert "Commands" in bodies[0] and "Commandes" in bodies[1], bodies
    assert sum("Commandes" in b for b in bodies) == 1, bodies
    assert len(bodies) == 4, bodies


async def test_only_cross_signed_senders_ignores_unsigned_devices_after_one_explanation(make_bot, make_player):
    bot = await make_bot(rooms={"only_cross_signed_senders": True})
    bot_user = bot.config.matrix.user_id
    signed = await make_player("signed")
    await cross_sign(signed)
    room = await join_bot(signed, bot_user)
    unsigned = await make_player("unsigned")
    await signed.invite(room, unsigned.user_id)
    await unsigned.join(room)

    await unsigned.send(room, "!aide")
    await unsigned.send(room, "!aide")
    await signed.send(room, "!help")  # handled after the two above: the room's order
    await signed.wait_message(room, bot_user, "Commands")

    from_bot = signed.from_user(room, bot_user)
    explained = notices_to(from_bot, unsigned.user_id)
    assert len(explained) == 1 and unsigned.localpart in explained[0].body
    assert not any("Commandes" in m.body for m in from_bot), "the unsigned device is not read"
    assert len(from_bot) == 2
