"""Privacy against a real Synapse: retention, erasure, pseudonyms, logs, access, files."""

from __future__ import annotations

import logging
import os
import stat
import time

import pytest
from nio import RoomGetStateEventResponse

from tests.helpers.seat import Table, seat

pytestmark = pytest.mark.synapse

ALICE_TURN = "ALICE-SECRET-turn about Madame K. <a href='https://evil.example'>x</a> <img src=x> @room"
BOB_TURN = "BOB-SECRET-turn on the shared folder"
ALICE_IDEA = "ALICE-SECRET-idea monthly review"
BOB_IDEA = "BOB-SECRET-idea data map"
CHATTER = "CHATTER-SECRET free chat outside the turns"


def db_bytes(bot) -> bytes:
    """The SQLite file and its journal, as an attacker with the disk would read them."""
    path = bot.config.data_dir / "reflextics.db"
    data = path.read_bytes()
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            data += side.read_bytes()
    return data


async def play_game(t: Table, *, pseudonyms: bool = False):
    """A short game with turns and ideas; returns the final synthesis message."""
    alice, bob = t.players
    if pseudonyms:
        await t.says(t.trainer, "!pseudonymes oui", "Participant·e 1", seen_by=[t.trainer])
    await t.trainer.send(t.room, CHATTER)
    await t.says(t.trainer, "!nouvelle", "confidentialite")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!commencer dp-07", "Questions pour le débat")
    turn = await t.says(t.trainer, "!suivant", "À vous")
    first = turn.content["m.mentions"]["user_ids"][0]
    order = [alice, bob] if first == alice.user_id else [bob, alice]
    for p in order:
        mark = len(t.trainer.messages)
        await p.send(t.room, ALICE_TURN if p is alice else BOB_TURN)
        await p.send(t.room, "!fini")
        await t.trainer.wait_message(t.room, t.bot_id, "Merci", after=mark)
    await t.says(alice, "!oui", "Vote")
    await t.says(bob, "!oui", "Résultat")
    await t.says(alice, f"!piste equipe {ALICE_IDEA}", "Piste n° 1")
    await t.says(bob, f"!piste politique {BOB_IDEA}", "Piste n° 2")
    await t.says(t.trainer, "!fin", "Fin de la partie")
    mark = len(t.trainer.messages)
    await t.trainer.send(t.room, "!fin")
    return await t.trainer.wait_message(t.room, t.bot_id, "SECRET-idea", after=mark)


async def test_retention_purge_and_forget_me_leave_no_text_in_the_file(make_bot, make_player, caplog):
    caplog.set_level(logging.INFO)
    t = await seat(make_bot, make_player)
    alice, bob = t.players
    final = await play_game(t)
    html = final.content["formatted_body"]
    # User HTML and mentions stay inert in the synthesis.
    assert "<img" not in html and "<a href='https://evil" not in html and "&lt;img src=x&gt;" in html
    assert final.content["m.mentions"] == {}
    assert CHATTER.encode() not in db_bytes(t.bot), "free chat must never be stored"

    # The log of a whole game at INFO holds none of what players typed.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("SECRET-turn", "SECRET-idea", "CHATTER-SECRET", "Madame K"):
        assert secret not in logged

    # Forget me: one step to confirm, then Alice's texts are gone from the file.
    await t.says(alice, "!oublie-moi", "oublie-moi confirmer", seen_by=[alice])
    assert b"ALICE-SECRET" in db_bytes(t.bot)
    await t.says(alice, "!oublie-moi confirmer", "contributions sont effacées", seen_by=[alice])
    data = db_bytes(t.bot)
    assert b"ALICE-SECRET" not in data and b"Madame K" not in data
    assert b"BOB-SECRET" in data  # only hers

    # Retention: a day past the limit, the daily purge removes every text.
    purged = await t.bot.privacy.purge_expired(now=time.time() + 31 * 86400)
    assert len(purged) == 1
    data = db_bytes(t.bot)
    for secret in (b"SECRET-turn", b"SECRET-idea", b"CHATTER-SECRET"):
        assert secret not in data
    [game] = await t.bot.engine.games.room_games(t.room) or [None]
    assert game is None  # nothing left to show but the record
    async with t.bot.store.conn.execute("SELECT state, purged FROM games") as cur:
        rows = await cur.fetchall()
    assert [r[1] for r in rows] == [1]
    assert "turns" in rows[0][0] and "@" not in rows[0][0]  # counts only, no Matrix ids


async def test_forgotten_contributions_show_as_removed_and_pseudonyms(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players
    await t.says(alice, "!oublie-moi confirmer", "0 partie", seen_by=[alice])
    await t.says(t.trainer, "!pseudonymes peut-etre", "pseudonymes oui", seen_by=[t.trainer])
    # Alice erases herself during the game: the synthesis shows the gap.
    final = await play_game_with_forget(t)
    body = final.body
    assert "supprimé à la demande de la personne" in body
    assert "ALICE-SECRET" not in body and "BOB-SECRET-turn" in body
    # Pseudonyms: no names, no Matrix ids.
    assert alice.localpart not in body and bob.localpart not in body and "@" not in body
    assert "Participant·e 1" in body and "Participant·e 2" in body


async def play_game_with_forget(t: Table):
    alice = t.players[0]
    await t.says(t.trainer, "!pseudonymes oui", "Participant·e 1", seen_by=[t.trainer])
    original_fin = t.trainer.send

    async def send(room, body):
        if body == "!fin" and not getattr(send, "done", False):
            send.done = True
            await t.says(alice, "!oublie-moi confirmer", "contributions sont effacées", seen_by=[alice])
        return await original_fin(room, body)

    t.trainer.send = send
    try:
        return await play_game(t)
    finally:
        t.trainer.send = original_fin


async def test_only_facilitators_steer(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players
    for command in ("!nouvelle", "!purger", "!pseudonymes oui", "!planifier mardi 14:00"):
        await t.says(alice, command, "Seule la personne qui anime", seen_by=[alice])
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    for command in ("!commencer", "!fin", "!annuler", "!suivant", "!pause"):
        await t.says(alice, command, "Seule la personne qui anime", seen_by=[alice])

    # The trainer makes Bob a moderator (power level 50): now he can.
    resp = await t.trainer.client.room_get_state_event(t.room, "m.room.power_levels")
    assert isinstance(resp, RoomGetStateEventResponse)
    content = dict(resp.content)
    content["users"] = {**content.get("users", {}), bob.user_id: 50}
    await t.trainer.client.room_put_state(t.room, "m.room.power_levels", content)
    # No wait needed: Bob's next command comes after the change in the room's
    # timeline, and the bot handles the timeline in order.
    await t.says(bob, "!commencer dp-08", "Questions pour le débat")
    await t.says(bob, "!annuler", "annulée")
    await t.says(bob, "!purger", "C'est fait", seen_by=[bob])


async def test_flood_from_one_user_is_throttled(make_bot, make_player):
    t = await seat(make_bot, make_player, sections={"privacy": {"commands_per_minute": 5}})
    alice, bob = t.players
    mark = len(alice.messages)
    for _ in range(12):
        await alice.send(t.room, "!etat")
    await alice.wait_message(t.room, t.bot_id, "beaucoup de commandes", after=mark)
    # Another user is still answered at once, after all of Alice's flood was handled.
    await t.says(bob, "!etat", "Aucune partie", seen_by=[alice, bob])
    answers = [m for m in t.bot_messages(alice, mark) if "Aucune partie" in m.body]
    assert len(answers) == 5 + 1  # Alice's five allowed, then Bob's
    warnings = [m for m in t.bot_messages(alice, mark) if "beaucoup de commandes" in m.body]
    assert len(warnings) == 1


async def test_data_files_are_private(make_bot):
    bot = await make_bot()
    data_dir = bot.config.data_dir
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    for path in [data_dir / "reflextics.db", *(data_dir / "crypto").iterdir(), data_dir / "session.json"]:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
