"""The bot against a real Synapse with real encrypted clients: rooms, invites, answers."""

from __future__ import annotations

import pytest

from bot.messages.render import Mention, render_template
from tests.helpers.harness import eventually, join_bot

pytestmark = pytest.mark.synapse


async def test_help_in_french_and_english_in_encrypted_room(make_bot, make_player):
    bot = await make_bot()
    trainer = await make_player("trainer")
    room = await join_bot(trainer, bot.config.matrix.user_id)

    await trainer.send(room, "!aide")
    fr = await trainer.wait_message(room, bot.config.matrix.user_id, "Commandes")
    assert fr.decrypted, "the answer must arrive encrypted"
    assert fr.msgtype == "m.notice"
    assert "!rejoindre" in fr.body
    assert "<b>Commandes</b>" in fr.content["formatted_body"]

    await trainer.send(room, "!HELP")
    en = await trainer.wait_message(room, bot.config.matrix.user_id, "Commands")
    assert en.decrypted
    assert "!join" in en.body


async def test_invite_from_a_user_who_is_not_allowed_is_rejected(make_bot, make_player):
    trainer = await make_player("trainer")
    stranger = await make_player("stranger")
    bot = await make_bot(access={"invite_users": [trainer.user_id], "invite_servers": []})
    bot_user = bot.config.matrix.user_id

    refused = await stranger.create_room(invite=[bot_user])
    await stranger.wait_membership(refused, bot_user, "leave")

    # The allowed trainer's invite, made afterwards, is accepted: the bot has
    # seen and decided both, so the refused room's history is complete.
    accepted = await join_bot(trainer, bot_user)
    await trainer.send(accepted, "!help")
    await trainer.wait_message(accepted, bot_user, "Commands")
    assert (refused, bot_user, "join") not in stranger.members


async def test_unencrypted_room_is_left_with_an_explanation(make_bot, make_player):
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user, encrypted=False)

    explanation = await player.wait_message(room, bot_user, "chiffr")  # default language fr
    expected = bot.renderer.render("fr", "unencrypted_room")
    assert explanation.body == expected.body
    assert not explanation.decrypted
    await player.wait_membership(room, bot_user, "leave")
    assert len(player.from_user(room, bot_user)) == 1


async def test_unencrypted_room_is_played_in_when_the_config_allows_it(make_bot, make_player):
    bot = await make_bot(rooms={"require_encryption": False})
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user, encrypted=False)

    await player.send(room, "!help")
    answer = await player.wait_message(room, bot_user, "Commands")
    assert not answer.decrypted
    assert (room, bot_user, "leave") not in player.members
    assert all("chiffr" not in m.body for m in player.from_user(room, bot_user))


async def test_plaintext_message_in_encrypted_room_is_ignored(make_bot, make_player):
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user)

    # Sent as a plain m.room.message, bypassing nio's encryption: anyone with
    # a token could forge such an event into an encrypted room.
    await player.send_raw(room, "m.room.message", {"msgtype": "m.text", "body": "!help"})
    await player.send(room, "!aide")

    # The bot handles a room's events in order, so once the later command is
    # answered the plaintext one has been seen, and ignored.
    await player.wait_message(room, bot_user, "Commandes")
    answers = player.from_user(room, bot_user)
    assert [a.body.count("Commandes") > 0 for a in answers] == [True]
    assert all(a.decrypted for a in answers)


async def test_mention_becomes_a_pill_and_m_mentions_in_an_encrypted_message(make_bot, make_player):
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user)
    await eventually(lambda: room in bot.transport.client.rooms, what="the bot to sync its join")

    rendered = render_template(
        "Your turn, {who}: {text}",
        {"who": Mention(player.user_id, "Ana <b>"), "text": "<b>bold</b> @room **x**"},
    )
    await bot.transport.send(room, rendered.content())
    got = await player.wait_message(room, bot_user, "Your turn")
    assert got.decrypted
    assert got.content["m.mentions"] == {"user_ids": [player.user_id]}
    html = got.content["formatted_body"]
    assert f'<a href="https://matrix.to/#/{player.user_id}">Ana &lt;b&gt;</a>' in html
    assert "&lt;b&gt;bold&lt;/b&gt; @room **x**" in html
    assert "<b>bold" not in html
    assert got.body == "Your turn, Ana <b>: <b>bold</b> @room **x**"
