"""The bot as Element sees it: matrix-js-sdk with Rust crypto (tests/foreign/client.mjs)."""

from __future__ import annotations

import pytest
from tests.helpers.foreign_client import shared_room

pytestmark = pytest.mark.synapse


async def test_two_cross_signed_clients_exchange_messages_without_shields(make_foreign):
    alice = await make_foreign("alice", only_signed=True)
    bob = await make_foreign("bob", only_signed=True)
    assert (await alice.device_status(alice.user_id, alice.device_id))["cross_signing_verified"]
    room = await shared_room(alice, bob)

    sent = await alice.send_text(room, "hello bob", mentions=[bob.user_id],
                                 html=f'hello <a href="https://matrix.to/#/{bob.user_id}">bob</a>')
    got = await bob.wait_message(room, alice.user_id, "hello bob")
    assert got.event_id == sent
    assert got.encrypted and not got.utd
    # Cross-signed device of a user seen for the first time (TOFU): no shield at all.
    assert (got.shield_colour, got.shield_reason) == ("NONE", None)
    assert got.push == {"notify": True, "highlight": True}  # the mention, read after decryption
    status = await bob.device_status(alice.user_id, alice.device_id)
    assert status["signed_by_owner"] and not status["cross_signing_verified"]  # not verified by bob
    assert (await bob.user_status(alice.user_id))["known"]

    # Edits, reactions and redactions come through decrypted (redactions are clear).
    edit = await alice.edit(room, sent, "hello again")
    got_edit = await bob.wait_for(lambda e: e.event_id == edit, what="the edit")
    assert got_edit.content["m.new_content"]["body"] == "hello again" and got_edit.shield_colour == "NONE"
    reaction = await alice.react(room, sent, "👍")
    got_reaction = await bob.wait_for(lambda e: e.event_id == reaction, what="the reaction")
    assert got_reaction.type == "m.reaction" and got_reaction.content["m.relates_to"]["key"] == "👍"
    redaction = await alice.redact(room, reaction)
    await bob.wait_for(lambda e: e.event_id == redaction and e.redacts == reaction, what="the redaction")

    # An unsigned device is excluded both ways: bob's messages reach alice.
    answer = await bob.send_text(room, "hi alice")
    assert (await alice.wait_for(lambda e: e.event_id == answer, what="bob's answer")).body == "hi alice"


async def test_element_user_sees_no_red_shield_on_bot_messages(make_bot, make_foreign):
    bot = await make_bot()
    bot_user, bot_device = bot.config.matrix.user_id, bot.transport.client.device_id
    alice = await make_foreign("alice")  # cross-signed, all devices (Element's default today)
    room = await alice.create_room(invite=[bot_user])
    await alice.wait_membership(room, bot_user, "join")

    await alice.send_text(room, "!aide")
    answer = await alice.wait_message(room, bot_user, "Commandes")
    assert not answer.utd
    status = await alice.device_status(bot_user, bot_device)
    assert (status["signed_by_owner"], answer.shield) == (True, {"colour": "NONE", "reason": None})


async def test_bot_answers_an_element_user_who_excludes_insecure_devices(make_bot, make_foreign):
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    alice = await make_foreign("alice", only_signed=True)
    room = await alice.create_room(invite=[bot_user])
    await alice.wait_membership(room, bot_user, "join")

    await alice.send_text(room, "!aide")
    # alice shares room keys only with devices their owner signed: the bot's is.
    answer = await alice.wait_message(room, bot_user, "Commandes", timeout=20)
    assert not answer.utd, f"bot answer undecryptable: {answer.utd_reason}"
    assert answer.shield_colour == "NONE", f"bot answer shield {answer.shield}"
