"""A bilingual room (French + Romanian) plays a whole game on a real Synapse."""

from __future__ import annotations

import re

import pytest
from nio.crypto.attachments import decrypt_attachment

from bot.messages.languagecheck import foreign_language
from tests.helpers.seat import seat

pytestmark = pytest.mark.synapse

SECOND = "── Română ──"  # the line above the Romanian part of every message


def parts(body: str) -> tuple[str, str]:
    """The French and the Romanian part of a bilingual message body."""
    assert SECOND in body, f"not bilingual: {body[:200]!r}"
    first, _, second = body.partition(SECOND)
    return first, second


async def test_a_bilingual_game_french_and_romanian(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players

    switched = await t.says(t.trainer, "!langue fr ro", "bilingue")
    start = {p.localpart: len(p.messages) - 1 for p in t.everyone}  # from the switch on
    assert "bilingvă" in switched.body
    # Each half names both languages in its own words (it said "aussi en français" before).
    assert "en français et en roumain" in switched.body and "în franceză și în română" in switched.body
    assert "<hr><blockquote>" in switched.content["formatted_body"]

    await t.says(t.trainer, "!nouvelle", "Un joc nou de Réflex'tics")
    # Romanian and English command words are understood in this room.
    await t.says(alice, "!intră", "Bun venit")
    await t.says(bob, "!join", "Bienvenue")

    card = await t.says(t.trainer, "!începe dp-01", "Questions pour le débat")
    french, romanian = parts(card.body)
    assert "Collecte des données" in french and "Colectarea datelor" in romanian
    assert "Întrebări pentru dezbatere" in romanian

    marks = t.mark()
    await t.says(t.trainer, "!urmatorul", "Ordinea")
    turn = await alice.wait_message(t.room, t.bot_id, "Este rândul dumneavoastră", after=marks[alice.localpart])
    first = turn.content["m.mentions"]["user_ids"][0]
    speaker, other = (alice, bob) if first == alice.user_id else (bob, alice)
    assert "À vous" in turn.body

    await speaker.send(t.room, "Consider că minimizarea datelor nu este respectată.")
    marks = t.mark()
    await speaker.send(t.room, "!gata")  # Romanian "done"
    await other.wait_message(t.room, t.bot_id, "Este rândul", after=marks[other.localpart])
    await other.send(t.room, "I wonder who can read the file.")
    marks = t.mark()
    await other.send(t.room, "!done")  # English "done"
    resources = await alice.wait_message(t.room, t.bot_id, "Resursele temei", after=marks[alice.localpart])
    assert "Ressources du thème" in resources.body
    await alice.wait_message(t.room, t.bot_id, "!da", after=marks[alice.localpart])

    await t.says(alice, "!da", "Votul lui")
    await t.says(bob, "!yes", "Rezultat: 2 da, 0 nu")
    board = await alice.wait_message(t.room, t.bot_id, "Tabla sistemelor")
    assert "Plateau des systèmes" in board.body

    await t.says(alice, "!idee echipa O întâlnire lunară despre instrumentele noastre", "Ideea de acțiune nr. 1")
    await t.says(bob, "!action policy Advocate a national guide", "Piste n° 2")

    # Anyone may ask for the card in their own language: that answer is in it alone.
    english = await t.says(bob, "!carte en", "Questions for the debate", seen_by=[bob])
    assert "Data collection" in english.body and SECOND not in english.body

    # The game's end opens the amend window (the draft is shown on request, issue 14).
    ending = await t.says(t.trainer, "!sfarsit", "Sfârșitul jocului")
    assert "Fin de la partie" in ending.body
    draft = await t.says(bob, "!sinteză", "Ciornă", seen_by=[bob])
    assert "Tour de parole · Runda de cuvânt" in draft.body
    marks = t.mark()
    await t.trainer.send(t.room, "!fin")
    final = await bob.wait_message(t.room, t.bot_id, "Runda de cuvânt", after=marks[bob.localpart])
    assert "Tour de parole · Runda de cuvânt" in final.body
    assert "Consider că minimizarea" in final.body and "who can read the file" in final.body

    file_msg = await bob.wait_until(
        lambda: next((m for m in t.bot_messages(bob) if m.msgtype == "m.file"), None), what="the synthesis file")
    assert re.fullmatch(r"reflextics-synthese-sinteza-\d{4}-\d{2}-\d{2}\.md", file_msg.body), file_msg.body
    resp = await bob.client.download(mxc=file_msg.content["file"]["url"])
    info = file_msg.content["file"]
    document = decrypt_attachment(resp.body, info["key"]["k"], info["hashes"]["sha256"], info["iv"]).decode()
    assert document.startswith("# Synthèse de la partie Réflex'tics · Sinteza jocului Réflex'tics")
    assert "## Pistes d'action · Idei de acțiune" in document

    # Every message the bot posted since the switch holds both languages, the
    # Romanian part really Romanian — except the card asked for in English. The
    # synthesis words each label in both ("Tour de parole · Runda de cuvânt"), so
    # that what people wrote appears once.
    said = [m for m in t.bot_messages(bob, after=start[bob.localpart]) if m.msgtype != "m.file"]
    assert len(said) >= 15  # one message per moment (issue 14): a whole game in under twenty
    for message in said:
        if message.body == english.body:
            continue
        if message.body.startswith("# Synthèse"):
            assert message.body.startswith("# Synthèse de la partie Réflex'tics · Sinteza jocului Réflex'tics")
            continue
        french, romanian = parts(message.body)
        assert foreign_language(romanian, "ro") is None, romanian[:200]
        if "poll" not in message.msgtype:  # not the poll (msgtype: its event type), whose text has no HTML
            assert "<blockquote>" in message.content["formatted_body"]
