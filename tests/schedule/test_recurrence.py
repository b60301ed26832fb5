"""Recurrence in the schedule's own zone: DST changes, every N weeks, end date, count, other zones."""

from __future__ import annotations

import os
import time as systime
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import Recurrence, ScheduleError

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc


def tuesdays(**kw) -> Recurrence:
    return Recurrence((2,), time(14, 0), "Europe/Paris", kw.pop("start", date(2027, 1, 1)), **kw)


def test_weekly_tuesday_keeps_14h_local_across_both_2027_changes():
    rule = tuesdays()
    found = rule.between(datetime(2027, 3, 15, tzinfo=UTC), datetime(2027, 11, 10, tzinfo=UTC))
    assert len(found) == 35 and found[0].date() == date(2027, 3, 16) and found[-1].date() == date(2027, 11, 9)
    for occurrence in found:
        local = occurrence.astimezone(PARIS)
        assert (local.isoweekday(), local.hour, local.minute) == (2, 14, 0)
    by_day = {o.date(): o.astimezone(UTC).hour for o in found}
    # Winter time before 28 March and after 31 October: 13:00 UTC; summer time: 12:00 UTC.
    assert by_day[date(2027, 3, 23)] == 13
    assert by_day[date(2027, 3, 30)] == 12
    assert by_day[date(2027, 10, 26)] == 12
    assert by_day[date(2027, 11, 2)] == 13
    # Consecutive sessions are 7 days apart locally, but 167 h or 169 h apart across a change.
    in_utc = [o.astimezone(UTC) for o in found]
    gaps = {(b - a) for a, b in zip(in_utc, in_utc[1:])}
    assert gaps == {timedelta(days=7), timedelta(hours=167), timedelta(hours=169)}


def test_next_after_an_instant_given_in_any_zone():
    rule = tuesdays()
    seen_from_new_york = datetime(2027, 3, 29, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    seen_from_tokyo = seen_from_new_york.astimezone(ZoneInfo("Asia/Tokyo"))
    a, b = rule.next(seen_from_new_york, 2), rule.next(seen_from_tokyo, 2)
    assert a == b
    assert a[0].isoformat() == "2027-03-30T14:00:00+02:00"
    assert a[0].astimezone(ZoneInfo("America/New_York")).hour == 8  # New York changed on 14 March


def test_a_schedule_in_brussels_seen_from_montreal_and_from_a_server_in_auckland(monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    systime.tzset()
    try:
        rule = Recurrence((1, 4), time(9, 30), "Europe/Brussels", date(2027, 10, 25))
        now = datetime(2027, 10, 25, 3, 0, tzinfo=ZoneInfo("America/Montreal"))
        got = rule.next(now, 3)
        assert [o.isoformat() for o in got] == [
            "2027-10-25T09:30:00+02:00", "2027-10-28T09:30:00+02:00", "2027-11-01T09:30:00+01:00"]
        assert all(o.tzinfo is not None for o in got)
    finally:
        monkeypatch.delenv("TZ")
        systime.tzset()
    assert os.environ.get("TZ") is None


def test_every_two_weeks_counts_weeks_from_the_start_week():
    rule = Recurrence((2, 4), time(9, 30), "Europe/Paris", date(2027, 1, 6), interval=2)
    got = [o.date() for o in rule.next(datetime(2027, 1, 1, tzinfo=UTC), 5)]
    # The week of 4 January is week 0, but Tuesday 5 is before the start.
    assert got == [date(2027, 1, 7), date(2027, 1, 19), date(2027, 1, 21), date(2027, 2, 2), date(2027, 2, 4)]
    # Asking from far ahead gives the same weeks (no drift when skipping ahead).
    later = rule.next(datetime(2027, 6, 1, tzinfo=UTC), 2)
    assert [o.date() for o in later] == [date(2027, 6, 8), date(2027, 6, 10)]
    assert (later[0].date() - date(2027, 1, 19)).days % 14 == 0


def test_end_date_is_inclusive_and_ends_the_rule():
    rule = tuesdays(until=date(2027, 2, 2))
    got = list(rule.occurrences())
    assert [o.date() for o in got] == [date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 19), date(2027, 1, 26),
                                       date(2027, 2, 2)]
    assert rule.last() == got[-1]
    assert rule.next(got[-1]) == []


def test_count_counts_from_the_first_session():
    rule = Recurrence((1,), time(10, 0), "Europe/Paris", date(2027, 3, 2), count=6)
    got = list(rule.occurrences())
    assert len(got) == 6 and got[0].date() == date(2027, 3, 8) and got[-1].date() == date(2027, 4, 12)
    assert got[3].utcoffset() == timedelta(hours=2)
    assert rule.next(got[2], 10) == got[3:]
    assert rule.next(got[-1]) == []


def test_count_with_every_three_weeks():
    rule = Recurrence((5,), time(16, 0), "Europe/Paris", date(2027, 1, 1), interval=3, count=3)
    assert [o.date() for o in rule.occurrences()] == [date(2027, 1, 1), date(2027, 1, 22), date(2027, 2, 12)]


def test_a_time_in_the_spring_gap_and_in_the_autumn_repeat():
    gap = Recurrence((7,), time(2, 30), "Europe/Paris", date(2027, 3, 28), count=1).first()
    assert gap.isoformat() == "2027-03-28T03:30:00+02:00"  # 02:30 does not exist that night
    repeat = Recurrence((7,), time(2, 30), "Europe/Paris", date(2027, 10, 31), count=1).first()
    assert repeat.isoformat() == "2027-10-31T02:30:00+02:00"  # the first of the two 02:30


@pytest.mark.parametrize("kwargs, key", [
    ({"until": date(2027, 6, 1), "count": 3}, "schedule.error.until_and_count"),
    ({"count": 0}, "schedule.error.count_range"),
    ({"interval": 60}, "schedule.error.interval_range"),
    ({"until": date(2026, 12, 1)}, "schedule.error.until_past"),
    ({"until": date(2040, 1, 1)}, "schedule.error.until_far"),
])
def test_impossible_rules(kwargs, key):
    with pytest.raises(ScheduleError) as info:
        tuesdays(**kwargs)
    assert info.value.key == key


def test_unknown_zone_and_naive_instants_are_refused():
    with pytest.raises(ScheduleError):
        Recurrence((2,), time(14), "Europe/Bruxelles", date(2027, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        tuesdays().next(datetime(2027, 1, 1))
