"""The bot process killed with SIGKILL in the middle of a game, then started again."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.helpers.harness import TIMEOUT, Player
from tests.helpers.bot_process import BotProcess

pytestmark = pytest.mark.synapse



@pytest.fixture
async def bot_process(synapse, tmp_path):
    process = await BotProcess.launch(synapse, tmp_path, {
        "turn_seconds": 300, "reminder_seconds": 0, "silence_seconds": 0, "card_seconds": 3600,
        "resources_seconds": 3600, "amend_seconds": 3600})
    yield process
    process.stop()


async def test_sigkill_in_the_speaking_round_resumes_at_the_same_speaker(bot_process, make_player):
    bot_id = bot_process.user_id
    trainer = await make_player("trainer")
    players = [await make_player(f"p{i}") for i in range(3)]
    room = await trainer.create_room(invite=[bot_id] + [p.user_id for p in players])
    await trainer.wait_membership(room, bot_id, "join", timeout=60)
    for p in players:
        await p.wait_until(lambda p=p: room in p.client.invited_rooms or room in p.client.rooms, what="invite")
        await p.client.join(room)
        await trainer.wait_membership(room, p.user_id, "join")

    async def says(player: Player, text: str, expect: str, who: Player | None = None):
        watcher = who or trainer
        mark = len(watcher.messages)
        await player.send(room, text)
        return await watcher.wait_message(room, bot_id, expect, after=mark)

    await says(trainer, "!nouvelle", "Nouvelle partie")
    for p in players:
        await says(p, "!rejoindre", "Bienvenue")
    await says(trainer, "!commencer dp-04", "Questions pour le débat")
    turn = await says(trainer, "!suivant", "À vous")
    by_id = {p.user_id: p for p in players}
    order = [by_id[turn.content["m.mentions"]["user_ids"][0]]]
    await order[0].send(room, "Premier tour : la question du consentement.")
    turn = await says(order[0], "!fini", "À vous")
    order.append(by_id[turn.content["m.mentions"]["user_ids"][0]])
    await order[1].send(room, "Deuxième tour : qui a accès aux données ?")
    turn = await says(order[1], "!fini", "À vous")
    third = by_id[turn.content["m.mentions"]["user_ids"][0]]
    status = await says(third, "!etat", "il reste")
    before = _seconds_left(status.body)

    bot_process.kill()
    # Said while the bot is down: handled once it is back.
    await third.send(room, "Troisième tour, écrit pendant la panne.")
    bot_process.start()

    status = await says(third, "!etat", "il reste", who=third)
    assert "3/3" in status.body and third.localpart in status.body, status.body
    after = _seconds_left(status.body)
    assert 0 < after <= before, (before, after)  # the same turn's remaining time, not a fresh one

    await says(third, "!fini", "Ressources du thème")
    for p in players:
        await p.send(room, "!non")
    await trainer.wait_message(room, bot_id, "Fin de la partie")
    await says(trainer, "!fin", "définitive")
    synthesis = next(m for m in reversed(trainer.from_user(room, bot_id)) if "Premier tour" in m.body)
    for text in ("Premier tour : la question du consentement.", "Deuxième tour : qui a accès aux données ?",
                 "Troisième tour, écrit pendant la panne."):
        assert text in synthesis.body

    bodies = [m.body for m in trainer.from_user(room, bot_id)]
    duplicates = {b for b in bodies if bodies.count(b) > 1}
    assert not duplicates, f"sent twice: {duplicates}"
    # Each turn was announced once.
    assert sum(1 for b in bodies if "🎙️" in b) == 3


def _seconds_left(body: str) -> int:
    match = re.search(r"il reste (?:(\d+) min)?\s*(?:(\d+) s)?", body)
    assert match and (match.group(1) or match.group(2)), body
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


class Crash(Exception):
    """Stands for the process dying at that exact point."""


async def test_crash_between_commit_and_send_delivers_each_message_once(make_bot, make_player):
    from tests.helpers.seat import seat

    t = await seat(make_bot, make_player, **{})
    bot = t.bot
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    for p in t.players:
        await t.says(p, "!rejoindre", "Bienvenue")

    # 1. Dies after the step is saved, before the card is sent.
    real_send = bot.engine.outgoing.send

    async def dying_send(room_id, content, tx_id):
        if "Questions pour le débat" in content.get("body", ""):
            raise Crash()
        return await real_send(room_id, content, tx_id)

    bot.engine.outgoing.send = dying_send
    await t.trainer.send(t.room, "!commencer dp-05")
    await eventually_outbox(bot, nonempty=True)
    bot = await make_bot.restart(bot)
    await t.trainer.wait_message(t.room, t.bot_id, "Questions pour le débat")

    # 2. Dies after sending, before the outbox is cleared: the restart sends again
    # with the same transaction ids and the homeserver keeps the first messages.
    real_done = bot.engine.games.outbox_done

    async def dying_done(*item_ids):
        raise Crash()

    bot.engine.games.outbox_done = dying_done
    mark = len(t.trainer.messages)
    await t.trainer.send(t.room, "!suivant")
    await t.trainer.wait_message(t.room, t.bot_id, "Ordre de passage", after=mark)
    await eventually_outbox(bot, nonempty=True)
    bot.engine.games.outbox_done = real_done
    bot = await make_bot.restart(bot)
    await eventually_outbox(bot, nonempty=False)
    # A later answer proves the restarted bot is past its start-up flush.
    await t.says(t.trainer, "!etat", "tour de parole", seen_by=[t.trainer])

    bodies = [m.body for m in t.bot_messages(t.trainer)]
    assert sum("Questions pour le débat" in b for b in bodies) == 1
    assert sum("Ordre de passage" in b for b in bodies) == 1
    assert sum("🎙️" in b for b in bodies) == 1


async def eventually_outbox(bot, nonempty: bool, timeout: float = TIMEOUT) -> None:
    """Wait until the bot's outbox is (non-)empty: it is written in the step's transaction."""
    async def check():
        while bool(await bot.engine.games.pending_outbox()) != nonempty:
            await asyncio.sleep(0.05)  # polling the database with a deadline, not racing an event
    await asyncio.wait_for(check(), timeout)


async def test_after_a_crash_a_steps_unsent_messages_come_before_what_later_events_cause(make_bot, make_player):
    """Issue 18: the crash left a step's messages unsent and players typed while the bot was down.

    The first sync brings their messages; the step's messages must reach the room
    before anything those messages cause.
    """
    from tests.helpers.seat import seat

    t = await seat(make_bot, make_player)
    bot = t.bot
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    for p in t.players:
        await t.says(p, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!commencer dp-05", "Questions pour le débat")

    # Step 2 is saved (order and first speaker), then the process dies before sending it.
    real_send = bot.engine.outgoing.send

    async def dying_send(room_id, content, tx_id):
        raise Crash()

    bot.engine.outgoing.send = dying_send
    await t.trainer.send(t.room, "!suivant")
    await eventually_outbox(bot, nonempty=True)
    _, state = await bot.engine.state(t.room)
    by_id = {p.user_id: p for p in t.players}
    first, second = by_id[state.order[0]], by_id[state.order[1]]
    bot.engine.outgoing.send = real_send
    await bot.stop()

    # While it is down, the first speaker (told by nobody yet) speaks and ends the turn.
    mark, seen = len(t.trainer.messages), len(second.messages)
    await first.send(t.room, "Dit pendant la panne.")
    await first.send(t.room, "!fini")
    await second.send(t.room, "!etat")
    bot = t.bot = await make_bot.start(bot.config)

    # One message per moment: step 2 (the order, then the first turn), then the turn change.
    await t.trainer.wait_until(
        lambda: sum("🎙️" in m.body for m in t.bot_messages(t.trainer, mark)) >= 2, what="two turns")
    status = await second.wait_message(t.room, t.bot_id, "tour de parole : c'est à", after=seen)
    bodies = [m.body for m in t.bot_messages(t.trainer, mark)]
    order = next(i for i, b in enumerate(bodies) if "Ordre de passage" in b)
    turns = [i for i, b in enumerate(bodies) if "🎙️" in b]
    assert order == turns[0] < turns[1], bodies
    announced = [bodies[i].split("🎙️", 1)[1] for i in turns]
    assert first.localpart in announced[0] and second.localpart in announced[1], bodies
    assert order < bodies.index(status.body), bodies
    await eventually_outbox(bot, nonempty=False)
