"""What is due when: reminders, opening within the grace, missed sessions, next wake-up (fake clock)."""

from __future__ import annotations

import ast
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import bot.schedule
from bot.schedule import Marks, Missed, OpenLobby, Recurrence, Remind, next_wake, plan

UTC = timezone.utc
RULE = Recurrence((2,), time(14, 0), "Europe/Paris", date(2027, 3, 1))
SESSION = datetime(2027, 3, 30, 12, 0, tzinfo=UTC)  # Tuesday 14:00 in Paris, summer time
REMINDERS = (1440, 15)
GRACE = timedelta(minutes=30)


def at(delta: timedelta) -> datetime:
    return SESSION + delta


def decide(marks: Marks, now: datetime):
    return plan(RULE, marks, now, REMINDERS, GRACE)


def test_a_week_lived_tick_by_tick_does_everything_once():
    created = datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    marks = Marks(created, created)
    now = created
    done = []
    for _ in range(10):
        step = decide(marks, now)
        done += step.actions
        marks = step.marks
        if step.wake is None or step.wake > SESSION + timedelta(days=1):
            break
        now = step.wake
    assert done == [Remind(SESSION.astimezone(RULE.tz), 1440), Remind(SESSION.astimezone(RULE.tz), 15),
                    OpenLobby(SESSION.astimezone(RULE.tz))]
    # The session stays at 14:00 in Paris, in the first week of summer time.
    assert done[0].occurrence.isoformat() == "2027-03-30T14:00:00+02:00"


def test_asking_again_at_the_same_time_does_nothing_more():
    marks = Marks(at(-timedelta(days=3)), at(-timedelta(days=3)))
    first = decide(marks, at(timedelta(seconds=1)))
    assert [type(a) for a in first.actions] == [OpenLobby]
    again = decide(first.marks, at(timedelta(seconds=1)))
    assert again.actions == ()


def test_late_within_the_grace_opens_beyond_it_is_missed():
    marks = Marks(at(-timedelta(hours=1)), at(-timedelta(hours=1)))
    assert decide(marks, at(timedelta(minutes=29))).actions == (OpenLobby(SESSION.astimezone(RULE.tz)),)
    assert decide(marks, at(timedelta(minutes=31))).actions == (Missed(SESSION.astimezone(RULE.tz)),)


def test_down_for_weeks_reports_only_the_last_missed_session():
    marks = Marks(at(-timedelta(days=15)), at(-timedelta(days=15)))
    step = decide(marks, at(timedelta(hours=2)))
    assert step.actions == (Missed(SESSION.astimezone(RULE.tz)),)


def test_reminders_missed_while_down_become_one_late_reminder():
    marks = Marks(at(-timedelta(days=2)), at(-timedelta(days=2)))
    step = decide(marks, at(-timedelta(minutes=10)))
    assert step.actions == (Remind(SESSION.astimezone(RULE.tz), 15),)
    # The reminders of a session that already passed are not sent at all.
    step = decide(marks, at(timedelta(minutes=10)))
    assert step.actions == (OpenLobby(SESSION.astimezone(RULE.tz)),)


def test_a_schedule_made_after_its_reminder_time_does_not_remind_late():
    created = at(-timedelta(minutes=10))
    step = decide(Marks(created, created), created)
    assert step.actions == ()
    assert step.wake == SESSION


def test_next_wake_goes_to_the_next_reminder_or_session():
    assert next_wake(RULE, at(-timedelta(days=2)), REMINDERS) == at(-timedelta(days=1))
    assert next_wake(RULE, at(-timedelta(hours=2)), REMINDERS) == at(-timedelta(minutes=15))
    assert next_wake(RULE, at(-timedelta(minutes=5)), REMINDERS) == SESSION
    assert next_wake(RULE, SESSION, REMINDERS) == SESSION + timedelta(days=6)
    assert next_wake(RULE, SESSION, ()) == SESSION + timedelta(days=7)
    # Long reminders reach over the following session.
    assert next_wake(RULE, SESSION, (20000,)) == SESSION + timedelta(days=14) - timedelta(minutes=20000)


def test_the_end_of_a_rule_stops_the_wake_ups():
    rule = Recurrence((2,), time(14, 0), "Europe/Paris", date(2027, 3, 1), count=1)
    first = rule.first()
    assert next_wake(rule, first, REMINDERS) is None
    step = plan(rule, Marks(first - timedelta(days=1), first - timedelta(days=1)), first, REMINDERS, GRACE)
    assert step.actions == (OpenLobby(first,),) and step.wake is None


def test_the_pure_package_does_no_io_and_stays_small():
    forbidden = {"asyncio", "nio", "aiosqlite", "apscheduler", "sqlite3", "socket", "threading", "time"}
    for path in sorted(Path(bot.schedule.__file__).parent.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 300, path.name
        for node in ast.walk(ast.parse(source)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
                assert not name.startswith("bot.") or name.startswith(("bot.schedule", "bot.game.folding")), name
