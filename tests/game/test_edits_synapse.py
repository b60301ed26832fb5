"""Against a real Synapse: edits and deletions of a turn, and reply fallbacks, as the synthesis and the disk see them."""

from __future__ import annotations

import pytest

from tests.helpers.harness import eventually
from tests.helpers.seat import seat
from tests.helpers.disk import data_bytes

pytestmark = pytest.mark.synapse

TYPO = "ORIGINAL-typo situtaion"
EDITED = "EDITED the situation of collection"
DELETED = "DELETED-secret about Madame K."
QUOTED = "QUOTED-words of someone else"
LATER = "LATER-deleted turn of the second speaker"


async def test_an_edited_turn_shows_its_new_text_and_a_deleted_one_is_nowhere(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players
    data_dir = t.bot.config.data_dir
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!commencer dp-02", "Questions pour le débat")
    turn = await t.says(t.trainer, "!suivant", "À vous")
    first = alice if turn.content["m.mentions"]["user_ids"][0] == alice.user_id else bob
    second = bob if first is alice else alice

    typo = await first.send(t.room, TYPO)
    await first.edit(t.room, typo, EDITED)
    secret = await first.send(t.room, DELETED)
    await first.redact(t.room, secret)
    # A reply: the quoted fallback is someone else's words, never the turn's.
    await first.reply(t.room, typo, second.user_id, QUOTED, "REPLY-own words")
    marks = t.mark()
    await first.send(t.room, "!fini")
    await second.wait_message(t.room, t.bot_id, "À vous", after=marks[second.localpart])
    later = await second.send(t.room, LATER)
    await t.says(second, "!fini", "Ressources du thème")
    await t.says(alice, "!non", "enregistré")
    await t.says(bob, "!non", "Fin de la partie")
    draft = await t.says(alice, "!synthese", "Brouillon", seen_by=[alice])
    assert EDITED in draft.body and "REPLY-own words" in draft.body
    for gone in (TYPO, DELETED, QUOTED):
        assert gone not in draft.body
    final = await t.says(t.trainer, "!fin", "synthèse définitive")
    assert EDITED in final.body and LATER in final.body
    for gone in (TYPO, DELETED, QUOTED):
        assert gone not in final.body, gone
    # Nothing of the deleted message, nor of the text before the edit, under the data directory.
    data = data_bytes(data_dir)
    for gone in (TYPO, DELETED, "Madame K", QUOTED):
        assert gone.encode() not in data, gone
    assert EDITED.encode() in data

    # Deleted after the game: the stored game (and its log) lose it too.
    await second.redact(t.room, later)
    await eventually(lambda: LATER.encode() not in data_bytes(data_dir), what="the deleted turn gone from disk")
    assert EDITED.encode() in data_bytes(data_dir)
