"""A short week game on a real Synapse: a minute long, every duration set small through the config."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers.harness import Player, unique

pytestmark = pytest.mark.synapse
ROOT = Path(__file__).resolve().parents[2]

# Live-step settings left long (they must not matter); the week's own, small.
GAME = {"card_seconds": 3600, "turn_seconds": 3600, "resources_seconds": 3600, "actions_seconds": 3600,
        "amend_seconds": 3600, "reminder_seconds": 0, "silence_seconds": 0,
        "week_nudge_seconds": 15, "week_progress_seconds": 0}
ROOMS = {"quiet_hours": "none"}  # the test runs at any hour


async def test_a_one_minute_week_game(make_bot, make_player):
    bot = await make_bot(game=GAME, rooms=ROOMS)
    bot_id = bot.config.matrix.user_id
    trainer = await make_player("trainer")
    alice, bob = await make_player("alice"), await make_player("bob")
    room = await trainer.create_room(invite=[bot_id, alice.user_id, bob.user_id])
    await trainer.wait_membership(room, bot_id, "join")
    for p in (alice, bob):
        await p.wait_until(lambda p=p: room in p.client.invited_rooms or room in p.client.rooms, what="the invite")
        await p.client.join(room)
        await trainer.wait_membership(room, p.user_id, "join")

    async def says(player: Player, text: str, expect: str, reader: Player = None) -> object:
        reader = reader or player
        mark = len(reader.from_user(room, bot_id))
        await player.send(room, text)
        return await reader.wait_message(room, bot_id, expect, after=mark)

    plan = await says(trainer, "!nouvelle semaine 60s", "Partie sur la semaine")
    assert "pistes d'action : jusqu'au" in plan.body
    await says(alice, "!rejoindre", "Bienvenue")
    await says(bob, "!rejoindre", "Bienvenue")
    mark = len(bob.from_user(room, bot_id))
    opened = await says(trainer, "!commencer dp-01", "à votre rythme")
    assert "Questions pour le débat" in opened.body

    # Alice answers in two messages, chats in a thread, then says she is done.
    first = await alice.send(room, "Je lis une collecte excessive.")
    await alice.send(room, "Et une finalité floue.")
    await alice.send_content(room, "m.room.message", {
        "msgtype": "m.text", "body": "hors sujet : café ?",
        "m.relates_to": {"rel_type": "m.thread", "event_id": first}})
    await alice.edit(room, first, "Je lis une collecte de données excessive.")
    done = await says(alice, "!fini", "Merci", reader=bob)
    assert "1/2" in done.body and done.content["msgtype"] == "m.notice"

    # Bob says nothing: one nudge, to him alone, that notifies him.
    nudge = await bob.wait_message(room, bot_id, "attendue", after=mark, timeout=60)
    assert nudge.content["msgtype"] == "m.text"
    assert nudge.content["m.mentions"]["user_ids"] == [bob.user_id]
    assert alice.user_id not in nudge.body and "1/2" in nudge.body

    # The round's deadline: on to the vote, which everyone answers.
    vote = await bob.wait_message(room, bot_id, "!oui", after=mark, timeout=60)
    assert "1/2 ont partagé leur lecture" in vote.body
    await says(alice, "!oui", "enregistré")
    await says(bob, "!oui", "pistes d'action")
    await says(alice, "!piste equipe Une charte d'équipe", "Piste n° 1")
    await says(trainer, "!fin", "Fin des échanges")
    draft = await says(alice, "!synthese", "Brouillon")
    assert "Je lis une collecte de données excessive." in draft.body
    assert "Et une finalité floue." in draft.body and "café" not in draft.body
    final = await says(trainer, "!fin", "synthèse définitive", reader=bob)
    assert final is not None
    assert len([m for m in bob.from_user(room, bot_id, mark) if "attendue" in m.body]) == 1


class _BotProcess:
    """``python -m bot --config …`` as a child process, to kill with SIGKILL."""

    def __init__(self, config: Path, log: Path):
        self.config, self.log, self.process = config, log, None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(self.config)], cwd=ROOT,
                                        stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def test_a_week_game_survives_sigkill(synapse, make_player, tmp_path):
    localpart = unique("weekbot")
    await synapse.register(localpart, "secret-" + localpart)
    bot_id = f"@{localpart}:{synapse.server_name}"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "matrix": {"homeserver": synapse.url, "user_id": bot_id, "password": "secret-" + localpart,
                   "sync_timeout_seconds": 2, "backoff_max_seconds": 2},
        "storage": {"data_dir": str(tmp_path / "bot-data")},
        "access": {"invite_servers": [synapse.server_name]},
        "rooms": ROOMS,
        "game": {**GAME, "week_nudge_seconds": 1},
    }))
    bot = _BotProcess(config, tmp_path / "bot.log")
    bot.start()
    try:
        trainer, alice, bob = await make_player("trainer"), await make_player("alice"), await make_player("bob")
        room = await trainer.create_room(invite=[bot_id, alice.user_id, bob.user_id])
        await trainer.wait_membership(room, bot_id, "join", timeout=60)
        for p in (alice, bob):
            await p.wait_until(lambda p=p: room in p.client.invited_rooms or room in p.client.rooms, what="invite")
            await p.client.join(room)
            await trainer.wait_membership(room, p.user_id, "join")

        async def says(player: Player, text: str, expect: str):
            mark = len(trainer.from_user(room, bot_id))
            await player.send(room, text)
            return await trainer.wait_message(room, bot_id, expect, after=mark, timeout=60)

        await says(trainer, "!nouvelle semaine 60s", "Partie sur la semaine")
        await says(alice, "!rejoindre", "Bienvenue")
        await says(bob, "!rejoindre", "Bienvenue")
        await says(trainer, "!commencer dp-01", "à votre rythme")
        await alice.send(room, "Ma lecture, avant la panne.")
        await says(alice, "!fini", "1/2")

        bot.kill()
        await bob.send(room, "Ma lecture, écrite pendant la panne.")
        bot.start()

        # Back: the stored deadline closes the round; Bob's text, written while down, counts.
        vote = await trainer.wait_message(room, bot_id, "!oui", timeout=90)
        assert "2/2 ont partagé leur lecture" in vote.body, vote.body
        await says(alice, "!oui", "enregistré")
        await says(bob, "!oui", "pistes d'action")
        await says(trainer, "!fin", "Fin des échanges")
        draft = await says(alice, "!synthese", "Brouillon")
        assert "Ma lecture, avant la panne." in draft.body and "écrite pendant la panne" in draft.body
        bodies = [m.body for m in trainer.from_user(room, bot_id)]
        assert not {b for b in bodies if bodies.count(b) > 1}, "a message was sent twice"
        assert sum("attendue" in b for b in bodies) <= 1
    finally:
        bot.stop()
