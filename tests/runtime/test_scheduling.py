"""The scheduling adapter with a fake clock, a real SQLite store and engine, a recording room.

Restarts are a new Scheduling (and engine) on the same database file; the fake
homeserver answers a repeated transaction id with the first message, as Synapse does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.config import ScheduleConfig
from bot.game import events as ev
from bot.messages.catalogue import placeholders
from tests.helpers.schedule_world import ALICE, BOB, CATALOGUE, CREATED, ROOM, SESSION, TRAINER, UTC, Clock, World


@pytest.fixture
async def world(tmp_path):
    w = World(tmp_path / "bot.db", Clock(CREATED), ScheduleConfig(reminders_minutes_before=(1440, 15)))
    await w.start()
    yield w
    await w.stop()


async def add_tuesdays(world: World) -> str:
    answer = await world.command(TRAINER, "!planifier mardi 14:00")
    assert "Planification n° 1" in answer
    return answer


async def test_add_answers_with_the_next_three_dates_in_the_schedule_zone(world):
    answer = await add_tuesdays(world)
    assert "chaque mardi à 14:00 (Europe/Paris)" in answer
    assert "mardi 30 mars 2027 à 14:00\n• mardi 6 avril 2027 à 14:00\n• mardi 13 avril 2027 à 14:00" in answer
    # A zone far away: its dates are given in its own time, not the room's or the server's.
    answer = await world.command(TRAINER, "!schedule every 2 weeks on tue,thu at 9:30 America/New_York until "
                                          "2027-06-30", "en")
    assert "toutes les 2 semaines, le mardi et jeudi à 09:30 (America/New_York), jusqu'au mercredi 30 juin 2027" \
        in answer
    # Week 0 is the week of the start (Saturday 27 March): its Tuesday and Thursday are past.
    assert "• mardi 6 avril 2027 à 09:30\n• jeudi 8 avril 2027 à 09:30\n• mardi 20 avril 2027 à 09:30" in answer
    # One job per schedule, never dropped when late, and never sleeping more than ten minutes.
    job = world.scheduling.scheduler.get_job("schedule:1")
    assert job.misfire_grace_time is None and job.coalesce
    assert job.next_run_time <= datetime.now(UTC) + timedelta(minutes=10, seconds=5)
    listing = await world.command(ALICE, "!planifier liste")
    assert "n° 1 — chaque mardi à 14:00 (Europe/Paris) — prochaine séance : mardi 30 mars 2027 à 14:00" in listing
    assert "n° 2 —" in listing


async def test_errors_come_with_the_right_form_and_only_facilitators_add_or_cancel(world):
    answer = await world.command(TRAINER, "!planifier mardi 25:00")
    assert "Je ne comprends pas l'heure « 25:00 »" in answer and "Forme : !planifier <jour(s)> <heure>" in answer
    answer = await world.command(TRAINER, "!schedule tue 14:00 theme knitting", "en")
    assert "Thème inconnu : « knitting »" in answer
    assert "Seule la personne qui anime" in await world.command(ALICE, "!planifier mardi 14:00")
    await add_tuesdays(world)
    assert "Seule la personne qui anime" in await world.command(ALICE, "!planifier annuler 1")
    assert "Aucune planification n° 7" in await world.command(TRAINER, "!planifier annuler 7")
    assert "Précisez le numéro" in await world.command(TRAINER, "!planifier annuler")
    assert "Planification n° 1 annulée" in await world.command(TRAINER, "!planifier annuler 1")
    assert "Aucune séance planifiée" in await world.command(TRAINER, "!planifier liste")
    assert "!planifier mardi 14:00 Europe/Brussels thème netiquette" in await world.command(ALICE, "!planifier")
    assert world.scheduling.scheduler.get_job("schedule:1") is None


async def test_a_theme_is_kept_and_named(world):
    answer = await world.command(TRAINER, "!planifier mardi 14:00 Europe/Brussels thème netiquette")
    assert "(Europe/Brussels), thème : " in answer
    world.clock.now = SESSION - timedelta(minutes=15)
    await world.scheduling.tick(1)
    assert "— thème :" in world.server.bodies("Rappel")[0]


async def test_the_ics_file_is_sent_as_text_calendar(world):
    await add_tuesdays(world)
    await world.command(BOB, "!planifier ics 1")
    room, data, filename, mimetype = world.server.files[-1]
    assert (room, filename, mimetype) == (ROOM, "reflextics-1.ics", "text/calendar")
    text = data.decode("utf-8")
    assert "DTSTART;TZID=Europe/Paris:20270330T140000" in text and "RRULE:FREQ=WEEKLY;BYDAY=TU;WKST=MO" in text
    assert "SUMMARY:Réflex'tics — discussion de cas" in text


async def test_reminders_then_the_lobby_on_time_each_once(world):
    await world.play_a_game()
    await add_tuesdays(world)
    s = world.scheduling
    wakes = []
    while True:
        world.clock.now = s.next_wake(await s.schedules.get(1))
        if world.clock.now > SESSION:
            break
        wakes.append(world.clock.now)
        await s.tick(1)
        await s.tick(1)  # a second firing at the same time does nothing
    assert wakes == [SESSION - timedelta(days=1), SESSION - timedelta(minutes=15), SESSION]
    reminders = [c for _, c, _ in world.server.posted if c["body"].startswith("⏰")]
    assert len(reminders) == 2
    assert reminders[0]["body"] == ("⏰ Rappel : discussion de cas le mardi 30 mars 2027 à 14:00. "
                                    f"{ALICE} et {BOB}, nous comptons sur vous !")
    assert reminders[0]["m.mentions"] == {"user_ids": [ALICE, BOB]}
    assert len(world.server.bodies("C'est l'heure")) == 1
    assert len(world.server.bodies("Nouvelle partie")) == 1
    game_id, state = await world.engine.state(ROOM)
    assert state.phase == "lobby" and state.facilitator == TRAINER


async def test_across_the_march_change_the_lobby_opens_at_14h_paris(world):
    world.clock.now = datetime(2027, 3, 20, 8, 0, tzinfo=UTC)
    await add_tuesdays(world)
    s = world.scheduling
    opened = []
    for _ in range(8):
        world.clock.now = s.next_wake(await s.schedules.get(1))
        before = len(world.server.bodies("Nouvelle partie"))
        await s.tick(1)
        if len(world.server.bodies("Nouvelle partie")) > before:
            opened.append(world.clock.now)
            await world.engine.handle(ROOM, ev.Abort(TRAINER), facilitator=True, source_event_id=None)
    assert opened == [datetime(2027, 3, 23, 13, 0, tzinfo=UTC), datetime(2027, 3, 30, 12, 0, tzinfo=UTC)]


@pytest.mark.parametrize("down, up, opened, missed, reminders", [
    # Down 20 minutes before, back 1 minute before: the 15-minute reminder is late, the lobby on time.
    (timedelta(minutes=-20), timedelta(minutes=-1), 0, 0, 2),
    # Down 1 minute before, back 10 minutes after (within the grace): opens late, once.
    (timedelta(minutes=-1), timedelta(minutes=10), 1, 0, 1),
    # Down 1 minute before, back 2 hours after: says it was missed, once.
    (timedelta(minutes=-1), timedelta(hours=2), 0, 1, 1),
])
async def test_a_restart_before_during_and_after_a_session(world, down, up, opened, missed, reminders):
    world.clock.now = SESSION - timedelta(days=2)
    await add_tuesdays(world)
    world.clock.now = SESSION + down
    await world.scheduling.tick(1)  # the last thing the bot did before going down
    await world.stop()
    world.clock.now = SESSION + up
    await world.start()
    assert len(world.server.bodies("Nouvelle partie")) == opened
    assert len(world.server.bodies("n'a pas été ouverte")) == missed
    if missed:
        assert world.server.bodies("n'a pas été ouverte")[0].endswith("Prochaine séance : mardi 6 avril 2027 à 14:00.")
    if up < timedelta(0):
        world.clock.now = SESSION
        await world.scheduling.tick(1)
        assert len(world.server.bodies("Nouvelle partie")) == 1
    # Restarting again, even later, never repeats anything.
    posted = len(world.server.posted)
    world.clock.now = SESSION + timedelta(minutes=20)
    await world.start()
    await world.scheduling.tick(1)
    assert len(world.server.posted) == posted
    # The 24 h reminder, late at the last tick, and the 15-minute one when it was not down then.
    assert len(world.server.bodies("Rappel")) == reminders


async def test_a_running_game_is_not_replaced(world):
    await add_tuesdays(world)
    await world.engine.handle(ROOM, ev.Open(ALICE), facilitator=True, source_event_id=None)
    world.clock.now = SESSION
    await world.scheduling.tick(1)
    assert len(world.server.bodies("Nouvelle partie")) == 1
    assert world.server.bodies("une partie est déjà en cours")
    _, state = await world.engine.state(ROOM)
    assert state.facilitator == ALICE


async def test_a_crash_between_deciding_and_posting_posts_once_after_restart(world):
    await world.play_a_game()
    await add_tuesdays(world)
    world.clock.now = SESSION - timedelta(minutes=15)
    world.server.fail_next = 1
    await world.scheduling._fire(1)  # the reminder is decided and stored, the post fails
    assert world.server.bodies("Rappel") == []
    await world.start()  # the restart sends what was left, with the same transaction id
    assert len(world.server.bodies("Rappel")) == 1
    world.clock.now = SESSION
    world.server.fail_next = 1  # this time the opening message fails: the lobby waits behind it
    await world.scheduling._fire(1)
    assert world.server.bodies("Nouvelle partie") == []
    await world.start()
    await world.start()
    assert len(world.server.bodies("C'est l'heure")) == 1
    assert len(world.server.bodies("Nouvelle partie")) == 1
    # What the homeserver's de-duplication hid: each message was tried again after
    # the failures with its first transaction id, and no two messages shared one
    # (the homeserver would have swallowed the second).
    ids_of: dict[str, set[str]] = {}
    bodies_of: dict[str, set[str]] = {}
    for tx, body in world.server.attempts:
        ids_of.setdefault(body, set()).add(tx)
        bodies_of.setdefault(tx, set()).add(body)
    assert all(len(ids) == 1 for ids in ids_of.values()), ids_of
    assert all(len(bodies) == 1 for bodies in bodies_of.values()), bodies_of
    assert len(world.server.attempts) > len(world.server.posted), "the restarts must have sent something again"


async def test_a_lobby_opened_before_a_crash_is_not_opened_again(world):
    await add_tuesdays(world)
    world.clock.now = SESSION
    s = world.scheduling
    stored = await s.schedules.get(1)
    from bot.schedule import plan
    decided = plan(stored.rule, stored.marks, SESSION, (), timedelta(minutes=30))
    items = await s._items(stored, decided.actions, SESSION)
    await s.schedules.commit(1, decided.marks, items)
    # The lobby was opened, then the process died before the item was marked done.
    await world.engine.handle(ROOM, ev.Open(TRAINER), facilitator=True, source_event_id=None)
    await world.start()
    assert len(world.server.bodies("Nouvelle partie")) == 1
    assert await world.scheduling.schedules.pending() == []


def test_every_schedule_message_exists_in_both_languages_with_the_same_placeholders():
    fr = {k: v for k, v in CATALOGUE.messages["fr"].items() if k.startswith("schedule.")}
    en = {k: v for k, v in CATALOGUE.messages["en"].items() if k.startswith("schedule.")}
    assert set(fr) == set(en) and len(fr) > 40  # weekday and month names now come from CLDR
    for key in fr:
        assert placeholders(fr[key]) == placeholders(en[key]), key
