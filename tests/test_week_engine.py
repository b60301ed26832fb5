"""Week games through the engine and a real SQLite store: typed commands, a restart, a deadline missed while down."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.commands.parsing import parse
from bot.commands.play import event_for
from bot.commands.week import BAD_LENGTH, split_new_args
from bot.decks import load_library
from bot.game import Settings
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.runtime.engine import Engine, Outgoing
from bot.store import Store
from bot.store.games import GameStore

ROOM = "!week:example.org"
FAC, ALICE, BOB = "@trainer:example.org", "@alice:example.org", "@bob:example.org"
LIBRARY = load_library(())[0]
NARRATOR = Narrator(Catalogue.load(default_language="fr"), LIBRARY)
PARIS = ZoneInfo("Europe/Paris")


class Room:
    """Records what reaches the room and wakes whoever waits for a text."""

    def __init__(self):
        self.bodies: list[str] = []
        self.changed = asyncio.Event()

    async def send(self, room_id: str, content: dict, tx_id: str) -> str:
        self.bodies.append(content["body"])
        self.changed.set()
        return "$" + tx_id

    async def send_file(self, room_id, data, filename, mimetype, tx_id) -> str:
        return await self.send(room_id, {"body": filename}, tx_id)

    async def wait_for(self, text: str, since: int = 0, timeout: float = 10) -> str:
        async def found():
            while True:
                for body in self.bodies[since:]:
                    if text in body:
                        return body
                self.changed.clear()
                await self.changed.wait()
        return await asyncio.wait_for(found(), timeout)


async def engine_on(path, room: Room, now: datetime) -> Engine:
    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user: user.split(":")[0][1:], LIBRARY)

    store = await Store.open(path)
    return Engine(GameStore(store), NARRATOR, Settings(), Outgoing(room.send, room.send_file), view,
                  clock=lambda: now)


def test_typed_forms_of_a_week_game():
    assert split_new_args("semaine 5j netiquette") == split_new_args("netiquette week 5j")
    args = split_new_args("Săptămână 3z")
    assert (args.week, args.length, args.rest) == (True, 3 * 86400, "")
    assert split_new_args("semaine dans5jours").rest == "dans5jours"
    assert split_new_args("semaine 99j").length == BAD_LENGTH
    assert split_new_args("netiquette") == split_new_args("netiquette")
    assert not split_new_args("netiquette").week
    assert event_for(parse("!prolonger 1j"), FAC) == ev.Extend(FAC, 1440)
    assert event_for(parse("!verlängern 12h"), FAC) == ev.Extend(FAC, 720)
    assert event_for(parse("!prolonger 5"), FAC) == ev.Extend(FAC, 5)
    assert event_for(parse("!prolonger demain"), FAC) == "game.extend_range"
    assert parse("!semaine").name == parse("!woche").name == parse("!εβδομάδα").name == "week"


async def test_a_restart_after_a_missed_deadline_tells_it_once_and_moves_on(tmp_path):
    room = Room()
    monday = datetime(2027, 3, 22, 9, 0, tzinfo=PARIS).astimezone(timezone.utc)
    engine = await engine_on(tmp_path / "db", room, monday)
    engine.timers.start()
    await engine.handle(ROOM, ev.Open(FAC, None, "fr", 5 * 86400, "Europe/Paris"), facilitator=True,
                        source_event_id=None)
    assert "mercredi 24 mars à 18:00" in room.bodies[-1] and "vendredi 26 mars à 16:00" in room.bodies[-1]
    for user in (ALICE, BOB):
        await engine.handle(ROOM, ev.Join(user), facilitator=False, source_event_id=None)
    await engine.handle(ROOM, ev.Start(FAC, "dp-01", "data_protection"), facilitator=True, source_event_id=None)
    await engine.handle(ROOM, ev.Say(ALICE, "Ma lecture de la situation.", "$a1"), facilitator=False,
                        source_event_id="$a1", only_in_round=True)
    assert sorted(job.id.rsplit(":", 1)[1] for job in engine.timers.scheduler.get_jobs()) == [
        "nudge", "progress", "step"]
    engine.timers.shutdown()  # the process dies (nothing is closed cleanly)

    # Back on Wednesday 21:00, three hours after the round's deadline, in quiet hours.
    mark = len(room.bodies)
    wednesday = datetime(2027, 3, 24, 21, 0, tzinfo=PARIS).astimezone(timezone.utc)
    engine = await engine_on(tmp_path / "db", room, wednesday)
    await engine.start()
    body = await room.wait_for("jeudi 25 mars à 12:00", since=mark)
    async with engine.lock(ROOM):
        pass  # the round's nudge and count, fired at start-up too, had the room's lock before us
    later = room.bodies[mark:]
    assert sum("Le bot était arrêté" in b for b in later) == 1, later
    assert "1/2 ont partagé leur lecture" in body
    _, state = await engine.state(ROOM)
    assert state.phase == "resources" and state.turns[0].texts == ("Ma lecture de la situation.",)
    # The vote's own nudge and count are armed from the stored state, nothing in the night.
    kinds = sorted(job.id.rsplit(":", 1)[1] for job in engine.timers.scheduler.get_jobs())
    assert kinds == ["nudge", "step"], kinds
    assert not any("attendue" in b or "📊" in b for b in later)
    engine.stop()
    await engine.games.store.close()
