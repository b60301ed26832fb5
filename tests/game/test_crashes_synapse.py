"""The bot process killed (SIGKILL) in each phase of a game, and deadlines missed while it is down.

One bot process per test, started again after each kill on the same config and data
directory; players are real encrypted clients on the session's Synapse. What players
type while the bot is dead is handled once it is back. Every check counts the bot's
messages: each one must come exactly once.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers.harness import Player
from tests.helpers.bot_process import BotProcess

pytestmark = pytest.mark.synapse

CALM = {"card_seconds": 3600, "turn_seconds": 3600, "resources_seconds": 3600, "actions_seconds": 3600,
        "amend_seconds": 3600, "reminder_seconds": 0, "silence_seconds": 0}


class Game:
    """A room with the bot process, a trainer and players."""

    def __init__(self, bot: BotProcess, room: str, trainer: Player, players: list[Player]):
        self.bot, self.room, self.trainer, self.players = bot, room, trainer, players
        self.bot_id = bot.user_id

    async def says(self, player: Player, text: str, expect: str, watcher: Player | None = None):
        watcher = watcher or self.trainer
        mark = len(watcher.messages)
        await player.send(self.room, text)
        return await watcher.wait_message(self.room, self.bot_id, expect, after=mark, timeout=60)

    def bodies(self) -> list[str]:
        return [m.body for m in self.trainer.from_user(self.room, self.bot_id)]

    def count(self, text: str) -> int:
        return sum(text in b for b in self.bodies())

    async def speaker(self, turn) -> Player:
        by_id = {p.user_id: p for p in self.players}
        return by_id[turn.content["m.mentions"]["user_ids"][0]]


@pytest.fixture
async def bot_process(synapse, tmp_path):
    process = await BotProcess.launch(synapse, tmp_path, CALM)
    yield process
    process.stop()


async def room_with(bot: BotProcess, trainer: Player, players: list[Player]) -> Game:
    room = await trainer.create_room(invite=[bot.user_id] + [p.user_id for p in players])
    await trainer.wait_membership(room, bot.user_id, "join", timeout=60)
    for p in players:
        await p.wait_until(lambda p=p: room in p.client.invited_rooms or room in p.client.rooms, what="invite")
        await p.client.join(room)
        await trainer.wait_membership(room, p.user_id, "join")
    return Game(bot, room, trainer, players)


async def to_the_round(g: Game, card: str):
    await g.says(g.trainer, "!nouvelle", "Nouvelle partie")
    for p in g.players:
        await g.says(p, "!rejoindre", "Bienvenue")
    await g.says(g.trainer, f"!commencer {card}", "Questions pour le débat")
    return await g.says(g.trainer, "!suivant", "À vous")


def move_deadline_back(bot: BotProcess, room: str, minutes: int) -> None:
    """While the process is dead: as if it had stayed down ``minutes`` past the turn's end."""
    db = sqlite3.connect(bot.data_dir / "reflextics.db")
    try:
        [(game_id, text)] = db.execute("SELECT id, state FROM games WHERE room_id = ? AND active = 1",
                                       (room,)).fetchall()
        state = json.loads(text)
        state["turn_deadline"] = (datetime.now(timezone.utc) - timedelta(minutes=minutes)).isoformat()
        db.execute("UPDATE games SET state = ? WHERE id = ?", (json.dumps(state), game_id))
        db.commit()
    finally:
        db.close()


async def test_sigkill_in_the_vote_the_actions_and_a_pause_and_a_turn_that_ends_while_down(
        bot_process, make_player):
    trainer = await make_player("trainer")
    alice, bob = await make_player("alice"), await make_player("bob")
    a = await room_with(bot_process, trainer, [alice, bob])
    b = await room_with(bot_process, trainer, [alice, bob])

    # Room A to the vote, one vote of two cast; room B in its first turn.
    first = await a.speaker(await to_the_round(a, "dp-04"))
    await first.send(a.room, "Une lecture de la situation.")
    second = await a.speaker(await a.says(first, "!fini", "À vous"))
    await a.says(second, "!passe", "!oui")
    await a.says(alice, "!oui", "enregistré (")  # "Vote d'alice…" (elision) or "Vote de bob…"
    speaker_b = await b.speaker(await to_the_round(b, "net-02"))

    # 1. Killed during the vote. While it is down, Bob votes, and room B's turn runs out.
    bot_process.kill()
    await bob.send(a.room, "!oui")
    move_deadline_back(bot_process, b.room, minutes=10)
    bot_process.start()
    await trainer.wait_message(a.room, a.bot_id, "Plateau des systèmes", timeout=60)
    assert a.count("Résultat : 2 oui, 0 non") == 1 and a.count("enregistré (") == 2
    # Room B: the missed deadline is told, then the turn ends and the next one starts.
    late = await trainer.wait_message(b.room, b.bot_id, "Le bot était arrêté", timeout=60)
    assert speaker_b.localpart in late.body and "10 min" in late.body, late.body
    await trainer.wait_until(lambda: sum("🎙️" in x for x in b.bodies()) == 2, what="room B's next turn")
    bodies_b = b.bodies()
    # One message per moment: the word may open the message that gives the next turn.
    told, next_turn = bodies_b.index(late.body), [i for i, x in enumerate(bodies_b) if "🎙️" in x][1]
    assert told < next_turn or (told == next_turn and late.body.index("Le bot était arrêté") < late.body.index("🎙️"))
    assert b.count("Le bot était arrêté") == 1

    # 2. Killed in the actions step, one idea noted; the second is typed while it is down.
    await a.says(alice, "!piste equipe Un point mensuel sur nos outils", "Piste n° 1")
    bot_process.kill()
    await bob.send(a.room, "!piste politique Un guide national des messageries")
    bot_process.start()
    await trainer.wait_message(a.room, a.bot_id, "Piste n° 2", timeout=60)
    listing = await a.says(trainer, "!pistes", "Pistes d'action")
    assert "Un point mensuel" in listing.body and "Un guide national" in listing.body
    assert a.count("Piste n° 1") == 1 and a.count("Piste n° 2") == 1

    # 3. Killed while paused: still paused after the restart, the time left unchanged.
    await a.says(trainer, "!pause", "Partie en pause")
    before = await a.says(trainer, "!etat", "pistes d'action")
    bot_process.kill()
    bot_process.start()
    after = await a.says(trainer, "!etat", "pistes d'action")
    assert _time_left(after.body) == _time_left(before.body), (before.body, after.body)
    assert "en pause" in after.body, after.body
    await a.says(trainer, "!suivant", "reprendre d'abord")  # still paused: refused
    resumed = await a.says(trainer, "!reprendre", "C'est reparti")
    assert _time_left(resumed.body) == _time_left(before.body)
    assert a.count("Partie en pause") == 1 and a.count("C'est reparti") == 1

    # Nothing the bot said in either room came twice (status answers aside).
    for game in (a, b):
        said = [x for x in game.bodies() if "Étape 4 — pistes d'action :" not in x]
        assert len(said) == len(set(said)), [x for x in said if said.count(x) > 1]


async def test_sigkill_in_the_amend_window_and_while_the_synthesis_file_goes(bot_process, make_player):
    trainer = await make_player("trainer")
    alice, bob = await make_player("alice"), await make_player("bob")
    g = await room_with(bot_process, trainer, [alice, bob])
    first = await g.speaker(await to_the_round(g, "eth-02"))
    await first.send(g.room, "Le dilemme tient au secret partagé.")
    second = await g.speaker(await g.says(first, "!fini", "À vous"))
    await g.says(second, "!passe", "!oui")
    await g.says(alice, "!non", "enregistré (")
    await g.says(bob, "!non", "Fin de la partie")
    await g.says(alice, "!synthese Paragraphe d'Alice, remplacé ensuite.", "votre paragraphe est ajouté")

    # 1. Killed in the amend window; Bob replaces the paragraph and the trainer ends
    # the game while the bot is down.
    bot_process.kill()
    await bob.send(g.room, "!synthese Paragraphe de Bob, le bon.")
    await trainer.send(g.room, "!fin")
    bot_process.start()
    final = await trainer.wait_message(g.room, g.bot_id, "Paragraphe de Bob", timeout=60)
    # 2. Killed as soon as the final synthesis is read: the file may not be sent yet.
    bot_process.kill()
    bot_process.start()
    await trainer.wait_until(
        lambda: [m for m in trainer.from_user(g.room, g.bot_id) if m.msgtype == "m.file"], timeout=60,
        what="the synthesis file")
    # A later answer: the restarted bot is past its start-up sends.
    await g.says(trainer, "!etat", "Aucune partie")

    assert "Paragraphe d'Alice" not in final.body and "Le dilemme tient au secret partagé." in final.body
    messages = trainer.from_user(g.room, g.bot_id)
    assert sum(m.msgtype == "m.file" for m in messages) == 1
    assert sum("Paragraphe de Bob" in m.body for m in messages if m.msgtype != "m.file") == 1
    assert g.count("Voici la synthèse définitive") == 1
    assert g.count("votre paragraphe remplace") == 1


def _time_left(body: str) -> int:
    """The last "N min M s" (or "N min", "M s") in ``body``, in seconds."""
    found = re.findall(r"(\d+) min(?: (\d+) s)?|(\d+) s", body)
    assert found, body
    minutes, seconds, only_seconds = found[-1]
    return int(minutes or 0) * 60 + int(seconds or only_seconds or 0)
