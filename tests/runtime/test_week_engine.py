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


def test_the_week_marker_of_a_schedule():
    from bot.commands.week import split_schedule_week
    assert split_schedule_week("lundi 09:00 semaine") == ("lundi 09:00", 0)
    assert split_schedule_week("lundi 09:00 semaine 3j thème netiquette") == ("lundi 09:00 thème netiquette",
                                                                               3 * 86400)
    assert split_schedule_week("lundi 09:00 chaque semaine") == ("lundi 09:00 chaque semaine", None)
    assert split_schedule_week("lundi 09:00 une semaine sur deux") == ("lundi 09:00 une semaine sur deux", None)
    assert split_schedule_week("montag 9:00 woche 99t")[1] == BAD_LENGTH


async def test_a_schedule_opens_a_week_game_in_its_zone(tmp_path):
    from bot.commands.router import Context, Router
    from bot.commands.schedules import ScheduleCommands
    from bot.commands.week import WeekRooms
    from bot.config import ScheduleConfig
    from bot.game.weekplan import Quiet
    from bot.messages.render import Renderer
    from bot.runtime.scheduling import Scheduling
    from bot.store.schedules import ScheduleStore

    room = Room()
    now = [datetime(2027, 3, 21, 12, 0, tzinfo=PARIS).astimezone(timezone.utc)]  # Sunday noon
    store = await Store.open(tmp_path / "db")

    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user: user.split(":")[0][1:], LIBRARY)

    engine = Engine(GameStore(store), NARRATOR, Settings(), Outgoing(room.send, room.send_file), view,
                    clock=lambda: now[0])
    rooms = WeekRooms(store, "Europe/Paris", Quiet(), 5 * 86400)
    await rooms.save(ROOM, "Europe/Bucharest", Quiet(21 * 60, 7 * 60))
    scheduling = Scheduling(ScheduleStore(store), engine, view, lambda r, u: u == FAC, Outgoing(room.send,
                            room.send_file), ScheduleConfig(reminders_minutes_before=()), clock=lambda: now[0],
                            week_rooms=rooms)
    router = Router("!")
    router.add("schedule", ScheduleCommands(scheduling).handle)
    ctx = Context(ROOM, FAC, "$c1", parse("!planifier lundi 09:00 Europe/Bucharest semaine 3j"), "fr", "!",
                  Renderer(NARRATOR.catalogue), room.send)
    await router.dispatch(ctx)
    assert "partie sur la semaine (3 j)" in room.bodies[-1], room.bodies[-1]
    stored = (await scheduling.schedules.in_room(ROOM))[0]
    assert stored.week_seconds == 3 * 86400
    now[0] = datetime(2027, 3, 22, 9, 0, tzinfo=ZoneInfo("Europe/Bucharest")).astimezone(timezone.utc)
    await scheduling.tick(stored.id)
    _, state = await engine.state(ROOM)
    assert state.phase == "lobby" and state.week is not None
    assert (state.week.zone, state.week.quiet_start, state.week.length) == ("Europe/Bucharest", 21 * 60, 3 * 86400)
    # The zone is named by its city in the room's language (CLDR): Bucarest in French.
    assert "heure de Bucarest" in room.bodies[-1] and "mercredi 24 mars à 16:00" in room.bodies[-1]
    scheduling.stop()
    engine.stop()
    await store.close()


async def test_the_rooms_zone_and_quiet_hours(tmp_path):
    from bot.commands.router import Context, Router
    from bot.commands.week import WeekCommands, WeekRooms
    from bot.game.weekplan import Quiet
    from bot.messages.render import Renderer

    room = Room()
    store = await Store.open(tmp_path / "db")

    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user: user.split(":")[0][1:], LIBRARY)

    engine = Engine(GameStore(store), NARRATOR, Settings(), Outgoing(room.send, room.send_file), view)
    rooms = WeekRooms(store, "Europe/Paris", Quiet(), 5 * 86400)
    router = Router("!")
    WeekCommands(rooms, engine, NARRATOR, view, lambda r, u: u == FAC).register(router)

    async def typed(sender: str, body: str) -> str:
        await router.dispatch(Context(ROOM, sender, f"${len(room.bodies)}", parse(body), "fr", "!",
                                      Renderer(NARRATOR.catalogue), room.send))
        return room.bodies[-1]

    assert "fuseau Europe/Paris, heures calmes 20:00–08:00" in await typed(ALICE, "!semaine")
    assert "Seule la personne qui anime" in await typed(ALICE, "!semaine Europe/Athens")
    assert "Je ne comprends pas « Mars/Olympus »" in await typed(FAC, "!semaine Mars/Olympus")
    assert "Je ne comprends pas « tard »" in await typed(FAC, "!semaine tard")
    assert await rooms.settings(ROOM) == ("Europe/Paris", Quiet())
    assert "fuseau Europe/Athens, heures calmes 21:00–07:30" in await typed(FAC, "!woche Europe/Athens 21:00 - 7h30")
    assert await rooms.settings(ROOM) == ("Europe/Athens", Quiet(21 * 60, 7 * 60 + 30))
    assert "heures calmes aucune" in await typed(FAC, "!semaine aucune")
    assert (await rooms.settings(ROOM))[1].none
    await store.close()


def test_help_and_privacy_say_what_a_week_game_is_and_keeps():
    from bot.commands.router import Context
    from bot.commands.week import help_message
    from bot.messages.render import Renderer

    renderer = Renderer(NARRATOR.catalogue)
    for lang, words in {"fr": ("nouvelle semaine", "dans un fil"), "en": ("new week", "in a thread"),
                        "ro": ("nou săptămână", "fir de discuție"), "de": ("neu woche", "Thread"),
                        "el": ("νέο εβδομάδα", "νήμα")}.items():
        ctx = Context(ROOM, ALICE, "$h", parse("!aide"), lang, "!", renderer, None)
        body = help_message(ctx, (lang,)).body
        assert "Réflex'tics" in body.splitlines()[0] and len(body) > 1500  # the whole help, then the week's
        assert all(w in body for w in words), (lang, body[-400:])
        # The privacy notice's week paragraph: retention counts from the game's end.
        assert NARRATOR.catalogue.text(lang, "week.privacy")
    assert "à partir de la fin de la partie" in NARRATOR.catalogue.text("fr", "week.privacy")
