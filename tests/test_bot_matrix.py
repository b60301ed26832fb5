"""The bot against a real Synapse with real encrypted clients."""

from __future__ import annotations

import pytest

from tests.harness import join_bot

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
