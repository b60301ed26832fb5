"""Against a real Synapse: what the bot says it drops or erases is nowhere under its data directory.

Every file there (database, write-ahead log, crypto store, session) is read byte by
byte while the bot runs, and again once it is stopped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.seat import seat
from tests.helpers.disk import data_bytes

pytestmark = pytest.mark.synapse

IDEA_KEPT = ("KEPT-idea " * 60)[:500]
IDEA = IDEA_KEPT + "CUTOFF-tail of a long idea" * 5
FIRST_PARAGRAPH = "REPLACED-paragraph about Madame K."
TURN = "ABORTED-turn about the shared folder"
ALICE_TURN = "ALICE-ERASED-turn"
ALICE_NAME = "Alice Zéphyrine"


def game_rows_bytes(data_dir: Path) -> bytes:
    """The bot's database and its write-ahead log (the crypto store is apart)."""
    db = data_dir / "reflextics.db"
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


async def test_nothing_dropped_or_erased_stays_on_disk(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players
    await alice.client.set_displayname(ALICE_NAME)
    data_dir = t.bot.config.data_dir

    def absent(*texts: str, where=data_bytes) -> None:
        data = where(data_dir)
        for text in texts:
            assert text.encode() not in data, text

    # Game 1: a cut action idea, a replaced summary paragraph.
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!commencer dp-07", "Questions pour le débat")
    turn = await t.says(t.trainer, "!suivant", "À vous")
    first = turn.content["m.mentions"]["user_ids"][0]
    for p in ([alice, bob] if first == alice.user_id else [bob, alice]):
        mark = len(t.trainer.messages)
        await p.send(t.room, ALICE_TURN if p is alice else "BOB-turn")
        await p.send(t.room, "!fini")
        await t.trainer.wait_message(t.room, t.bot_id, "Merci", after=mark)
    await t.says(alice, "!oui", "Vote")
    await t.says(bob, "!oui", "Résultat")
    await t.says(bob, f"!piste equipe {IDEA}", "j'en ai gardé le début", seen_by=[bob])
    absent("CUTOFF-tail")
    assert IDEA_KEPT.encode() in data_bytes(data_dir)
    await t.says(t.trainer, "!fin", "Fin de la partie")
    await t.says(bob, f"!synthese {FIRST_PARAGRAPH}", "est ajouté à la synthèse", seen_by=[bob])
    await t.says(alice, "!synthese KEPT-paragraph", "remplace le précédent", seen_by=[alice])
    absent("REPLACED-paragraph", "Madame K")
    await t.says(t.trainer, "!fin", "KEPT-paragraph")

    # Game 2: aborted; its turns go at once.
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!commencer dp-08", "Questions pour le débat")
    turn = await t.says(t.trainer, "!suivant", "À vous")
    speaker = alice if turn.content["m.mentions"]["user_ids"][0] == alice.user_id else bob
    mark = len(t.trainer.messages)
    await speaker.send(t.room, TURN)
    await speaker.send(t.room, "!fini")
    await t.trainer.wait_message(t.room, t.bot_id, "Merci", after=mark)
    await t.says(t.trainer, "!annuler", "aucune contribution")
    absent("ABORTED-turn")

    # Stopped: the write-ahead log folded in or not, none of it either.
    bot = await make_bot.restart(t.bot)
    await bot.stop()
    absent("CUTOFF-tail", "REPLACED-paragraph", "Madame K", "ABORTED-turn")
    t.bot = await make_bot.start(bot.config)

    # !oublie-moi: Alice's texts, her id and her name leave every game row.
    assert ALICE_TURN.encode() in data_bytes(data_dir)
    await t.says(alice, "!oublie-moi confirmer", "pseudonyme", seen_by=[alice])
    absent(ALICE_TURN)
    absent(alice.user_id, ALICE_NAME, where=game_rows_bytes)
    assert b"BOB-turn" in data_bytes(data_dir)
    await t.bot.stop()
    absent(ALICE_TURN, "CUTOFF-tail", "REPLACED-paragraph", "ABORTED-turn")
    absent(alice.user_id, ALICE_NAME, where=game_rows_bytes)
    # The crypto store keeps her id and device keys (encryption needs them), as !confidentialite says.
    assert alice.user_id.encode() in data_bytes(data_dir / "crypto")
