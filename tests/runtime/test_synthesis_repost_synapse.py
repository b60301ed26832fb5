"""Against a real Synapse: a turn deleted after the synthesis was posted leaves the room's synthesis too.

The bot redacts its synthesis message and file, and posts the synthesis again
without the deleted text, once, with one line saying why.
"""

from __future__ import annotations

import pytest
from nio import RedactionEvent
from nio.crypto.attachments import decrypt_attachment

from bot.messages.catalogue import Catalogue
from tests.helpers.seat import seat

pytestmark = pytest.mark.synapse

SECRET = "SECRET-turn about Madame K. deleted after the synthesis"
KEPT = "KEPT-turn of the other speaker"
WHY = Catalogue.load().text("fr", "safety.synthesis_reposted")


async def says(room: str, bot_id: str, player, text: str, expect: str, seen_by):
    marks = {p.localpart: len(p.messages) for p in seen_by}
    await player.send(room, text)
    got = None
    for p in seen_by:
        got = await p.wait_message(room, bot_id, expect, after=marks[p.localpart])
    return got


async def file_text(player, message) -> str:
    info = message.content["file"]
    resp = await player.client.download(mxc=info["url"])
    return decrypt_attachment(resp.body, info["key"]["k"], info["hashes"]["sha256"], info["iv"]).decode()


async def test_a_turn_deleted_after_the_synthesis_redacts_it_and_posts_it_again_once(make_bot, make_player):
    table = await seat(make_bot, make_player)
    bot, room, trainer, (alice, bob) = table.bot, table.room, table.trainer, table.players
    bot_id = bot.config.matrix.user_id
    everyone = [trainer, alice, bob]
    redacted: list[str] = []

    async def on_redaction(_room, event: RedactionEvent) -> None:
        if event.sender == bot_id:
            redacted.append(event.redacts)

    trainer.client.add_event_callback(on_redaction, RedactionEvent)

    await says(room, bot_id, trainer, "!nouvelle", "Nouvelle partie", everyone)
    await says(room, bot_id, alice, "!rejoindre", "Bienvenue", everyone)
    await says(room, bot_id, bob, "!rejoindre", "Bienvenue", everyone)
    await says(room, bot_id, trainer, "!commencer dp-02", "Questions pour le débat", everyone)
    turn = await says(room, bot_id, trainer, "!suivant", "À vous", everyone)
    first, second = (alice, bob) if turn.content["m.mentions"]["user_ids"][0] == alice.user_id else (bob, alice)
    secret = await first.send(room, SECRET)
    await says(room, bot_id, first, "!fini", "À vous", [second])
    await second.send(room, KEPT)
    await says(room, bot_id, second, "!fini", "Ressources du thème", everyone)
    await says(room, bot_id, alice, "!non", "enregistré", [alice])
    await says(room, bot_id, bob, "!non", "Fin de la partie", everyone)
    mark = len(trainer.messages)
    final = await says(room, bot_id, trainer, "!fin", "synthèse définitive", [trainer])
    assert SECRET in final.body and KEPT in final.body
    old_file = await trainer.wait_until(lambda: next(
        (m for m in trainer.from_user(room, bot_id, mark) if m.msgtype == "m.file"), None), what="the synthesis file")
    assert SECRET in await file_text(trainer, old_file)

    mark = len(trainer.messages)
    await first.redact(room, secret)
    again = await trainer.wait_message(room, bot_id, WHY, after=mark)
    assert again.body.startswith(WHY) and again.decrypted
    assert SECRET not in again.body and "Madame K" not in again.body and KEPT in again.body
    new_file = await trainer.wait_until(lambda: next(
        (m for m in trainer.from_user(room, bot_id, mark) if m.msgtype == "m.file"), None), what="the new file")
    document = await file_text(trainer, new_file)
    assert SECRET not in document and KEPT in document
    assert new_file.body == old_file.body  # the same file name
    await trainer.wait_until(lambda: {final.event_id, old_file.event_id} <= set(redacted),
                             what="the old synthesis message and file redacted")
    for event_id in (final.event_id, old_file.event_id):
        resp = await trainer.client.room_get_event(room, event_id)
        assert "body" not in resp.event.source.get("content", {}), "the homeserver dropped its content"

    # Once: the bot's own redactions coming back do not start it again. A command
    # handled after them is answered, and still one synthesis came again.
    await says(room, bot_id, alice, "!aide", "Commandes", [trainer])
    after = trainer.from_user(room, bot_id, mark)
    assert sum(WHY in m.body for m in after) == 1
    assert sum(m.msgtype == "m.file" for m in after) == 1
    assert set(redacted) == {final.event_id, old_file.event_id}

    # A second deletion after that redacts the reposted synthesis in turn.
    mark = len(trainer.messages)
    kept = next(m for m in second.from_user(room, second.user_id) if m.body == KEPT)
    await second.redact(room, kept.event_id)
    third = await trainer.wait_message(room, bot_id, WHY, after=mark)
    assert KEPT not in third.body
    await trainer.wait_until(lambda: {again.event_id, new_file.event_id} <= set(redacted),
                             what="the reposted synthesis redacted in turn")
