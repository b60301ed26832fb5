"""The trainer's room without Matrix (issue 26, item 3): figures per room, agenda, exports, room names.

The reports on a real SQLite file, games played through the engine with a fake clock.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from icalendar import Calendar

from bot.commands.parsing import parse
from bot.commands.trainer import TrainerRoom, pick_room
from bot.commands.trainer_reports import Reports, RoomInfo, slug
from bot.decks import load_library
from bot.game import Settings
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.runtime.engine import Engine, Outgoing
from bot.schedule import Recurrence
from bot.schedule.agenda import merge_calendars, upcoming
from bot.schedule.ics import calendar
from bot.store import Store
from bot.store.games import GameStore
from bot.store.history import HistoryStore
from bot.store.schedules import ScheduleStore
from bot.store.trainers import TrainerStore

NORTH, SOUTH = "!north:example.org", "!south:example.org"
FAC, ALICE, BOB = "@trainer:example.org", "@alice:example.org", "@bob:example.org"
CATALOGUE = Catalogue.load(default_language="fr")
LIBRARY = load_library(())[0]
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)  # a Monday
ROOMS = [RoomInfo(NORTH, "Équipe Nord", frozenset({FAC})), RoomInfo(SOUTH, "Sud", frozenset({FAC}))]


@pytest.fixture
async def reports(tmp_path):
    store = await Store.open(tmp_path / "reflextics.db")
    narrator = Narrator(CATALOGUE, LIBRARY)
    clock = [NOW]

    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user: user.split(":")[0][1:].capitalize(), LIBRARY,
                        pseudonymous=room_id == SOUTH, timezone="Europe/Paris")

    async def send(room_id, content, tx_id):
        return "$" + tx_id

    async def send_file(room_id, data, filename, mimetype, tx_id):
        return "$" + tx_id

    engine = Engine(GameStore(store), narrator, Settings(), Outgoing(send, send_file), view, clock=lambda: clock[0])
    schedules = ScheduleStore(store)
    r = Reports(HistoryStore(store), schedules, engine, narrator, view, 90)
    r.clock = clock
    yield r
    engine.stop()
    await store.close()


async def play(reports: Reports, room: str, players: tuple[str, ...], ideas: tuple[tuple[str, str], ...]) -> None:
    engine = reports.engine

    async def do(event, facilitator=False):
        reports.clock[0] += timedelta(seconds=5)
        assert await engine.handle(room, event, facilitator=facilitator, source_event_id=None)

    await do(ev.Open(FAC, None, "fr"), True)
    for p in players:
        await do(ev.Join(p))
    await do(ev.Start(FAC, "dp-03", "data_protection"), True)
    await do(ev.Next(FAC), True)
    for _ in players:
        await do(ev.Say((await engine.state(room))[1].speaker, "Un tour de parole"))
        await do(ev.Done((await engine.state(room))[1].speaker))
    for p in players:
        await do(ev.Vote(p, True))
    for level, text in ideas:
        await do(ev.AddAction(players[0], level, text))
    await do(ev.End(FAC), True)
    await do(ev.End(FAC), True)


async def test_rooms_give_figures_per_room_and_never_a_person(reports):
    await play(reports, NORTH, (ALICE, BOB), (("team", "Charte"), ("policy", "Plaidoyer")))
    await play(reports, NORTH, (ALICE, BOB, "@carol:example.org"), (("team", "Formation"),))
    await reports.engine.handle(SOUTH, ev.Open(FAC, None, "fr"), facilitator=True, source_event_id=None)
    view = RoomView("fr", "!", lambda u: u, LIBRARY, timezone="Europe/Paris")
    lines = await reports.rooms(view, ROOMS, NOW)
    text = "\n".join(CATALOGUE.text("fr", key, prefix="!", **{
        k: (CATALOGUE.text("fr", v.key, **dict(v.params)) if hasattr(v, "key") else v) for k, v in values})
        for key, values in lines if key == "between.rooms_counts")
    assert "2 séances tenues" in text and "participant·es par séance : 2, 3" in text
    assert "équipe 2" in text and "politique 1" in text and "individuel 0" in text
    for key, values in lines:
        for _, value in values:
            assert "alice" not in str(value).lower() and "@" not in str(value)


async def test_export_is_every_kept_synthesis_and_pseudonymous_rooms_stay_so(reports):
    await play(reports, SOUTH, (ALICE, BOB), (("team", "Idée du sud"),))
    await play(reports, SOUTH, (ALICE, BOB), ())
    view = RoomView("fr", "!", lambda u: u, LIBRARY, timezone="Europe/Paris")
    text, filename, count = await reports.export(view, ROOMS[1], NOW)
    assert count == 2 and filename == "sud-2027-03-01.md"
    assert text.count("# Synthèse") == 2 and "Idée du sud" in text and "Participant·e 1" in text
    assert "Alice" not in text and "alice" not in text
    lines, files = await reports.latest_syntheses(view, ROOMS)
    assert [key for key, _ in lines] == ["between.syntheses_header", "between.syntheses_none",
                                         "between.syntheses_line"]
    assert len(files) == 1 and files[0][1].startswith("sud-") and "Alice" not in files[0][0]
    assert await reports.export(view, ROOMS[0], NOW) is None


async def test_agenda_lists_the_next_sessions_across_rooms_and_one_calendar_has_them_all(reports):
    paris = Recurrence((2,), time(14), "Europe/Paris", date(2027, 1, 4))
    athens = Recurrence((3,), time(10), "Europe/Athens", date(2027, 1, 4), count=20)
    await reports.schedules.add(NORTH, FAC, paris, None, NOW)
    await reports.schedules.add(SOUTH, FAC, athens, None, NOW)
    view = RoomView("fr", "!", lambda u: u, LIBRARY, timezone="Europe/Bucharest")
    lines, ics = await reports.agenda(view, ROOMS, NOW)
    rooms = [dict(values)["room"] for key, values in lines if key == "between.agenda_line"]
    assert rooms[:4] == ["Équipe Nord", "Sud", "Équipe Nord", "Sud"] and len(rooms) == 10
    cal = Calendar.from_ical(ics)
    assert len([c for c in cal.walk("VEVENT")]) == 2
    assert sorted(str(c["tzid"]) for c in cal.walk("VTIMEZONE")) == ["Europe/Athens", "Europe/Paris"]
    assert "Réflex'tics — Sud" in ics


def test_upcoming_merges_in_time_order_and_merge_keeps_each_zone_once():
    a = Recurrence((1,), time(9), "Europe/Paris", date(2027, 1, 4))
    b = Recurrence((1,), time(9), "Europe/Athens", date(2027, 1, 4))  # an hour earlier than Paris
    found = upcoming([("a", a), ("b", b)], NOW, 3)
    assert [key for key, _ in found] == ["b", "a", "b"]
    assert found[0][1] < found[1][1] < found[2][1]
    one = calendar(a, uid="a@x", summary="A", description="", duration_minutes=60, stamp=NOW)
    two = calendar(a, uid="b@x", summary="B", description="", duration_minutes=60, stamp=NOW)
    merged = Calendar.from_ical(merge_calendars([one, two]))
    assert len(list(merged.walk("VEVENT"))) == 2 and len(list(merged.walk("VTIMEZONE"))) == 1


def test_a_room_is_named_by_its_number_its_name_or_one_part_of_it():
    rooms = [RoomInfo("!a", "Équipe Nord", frozenset()), RoomInfo("!b", "Équipe Sud", frozenset())]
    assert pick_room(rooms, "2").room_id == "!b" and pick_room(rooms, "3") is None
    assert pick_room(rooms, "٢").room_id == "!b" and pick_room(rooms, "⁵") is None  # never a crash
    assert pick_room(rooms, "equipe nord").room_id == "!a" and pick_room(rooms, "SUD").room_id == "!b"
    assert pick_room(rooms, "équipe") is None  # two rooms: ambiguous
    assert slug("Équipe Nord", "!a") == "equipe-nord" and slug("💬", "!a").startswith("room-")


@pytest.mark.parametrize("typed, header", [
    ("!salons", "Les salons que vous animez"), ("!rooms", "The rooms you facilitate"),
    ("!camere", "Camerele pe care le facilitați"), ("!räume", "Die Räume, die Sie moderieren"),
    ("!αίθουσες", "Οι αίθουσες που συντονίζετε"),
])
async def test_the_trainers_room_answers_in_the_language_of_the_command(reports, typed, header):
    sent: list[str] = []

    async def send(room_id, content, tx_id):
        sent.append(content["body"])
        return "$" + tx_id

    async def send_file(room_id, data, filename, mimetype, tx_id):
        return "$" + tx_id

    def room(user_is_facilitator: bool) -> TrainerRoom:
        return TrainerRoom(TrainerStore(reports.history.store), reports, reports.narrator, rooms=lambda: ROOMS,
                           is_facilitator=lambda room_id, user: user_is_facilitator, send=send,
                           send_file=send_file, prefix="!", default_language="fr", default_timezone="Europe/Paris",
                           clock=lambda: NOW)

    await room(True).handle("!dm", FAC, "$1", parse(typed))
    assert sent[-1].startswith("🗂️") and header in sent[-1] and "Équipe Nord" in sent[-1]
    await room(False).handle("!dm", FAC, "$2", parse(typed))  # facilitates nothing now: the help only
    assert header not in sent[-1] and "Réflex'tics" in sent[-1]
