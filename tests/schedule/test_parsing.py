"""Typed forms of !planifier / !schedule, in French and English, and their errors."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from bot.schedule import ScheduleError, parse_schedule, schedule_id, subcommand

# Monday 4 January 2027, 09:00 UTC (10:00 in Paris).
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)


def parse(text: str, language: str = "fr"):
    return parse_schedule(text, NOW, "Europe/Paris", language)


@pytest.mark.parametrize("text, weekdays, at, zone, interval, until, count, theme", [
    ("mardi 14:00 Europe/Brussels thème netiquette", (2,), time(14), "Europe/Brussels", 1, None, None, "netiquette"),
    ("every 2 weeks on tue,thu at 9:30 until 2027-06-30", (2, 4), time(9, 30), "Europe/Paris", 2,
     date(2027, 6, 30), None, None),
    ("lundi 10h 6 fois", (1,), time(10), "Europe/Paris", 1, None, 6, None),
    ("tous les jeudis à 18h30 une semaine sur deux jusqu'au 30/06/2027", (4,), time(18, 30), "Europe/Paris", 2,
     date(2027, 6, 30), None, None),
    ("Mardi et Jeudi 14 h 15 europe/brussels", (2, 4), time(14, 15), "Europe/Brussels", 1, None, None, None),
    ("tuesdays 2:30pm America/New_York for 10 sessions", (2,), time(14, 30), "America/New_York", 1, None, 10, None),
    ("mon-fri 8am UTC", (1, 2, 3, 4, 5), time(8), "UTC", 1, None, None, None),
    ("vendredi 16h toutes les 3 semaines theme: protection des données", (5,), time(16), "Europe/Paris", 3,
     None, None, "protection des données"),
    ("every other week wednesday 12:00", (3,), time(12), "Europe/Paris", 2, None, None, None),
    ("chaque mercredi à 12h tous les quinze jours jusqu’au 2027-03-31", (3,), time(12), "Europe/Paris", 2,
     date(2027, 3, 31), None, None),
    ("sat 12am", (6,), time(0), "Europe/Paris", 1, None, None, None),
])
def test_forms(text, weekdays, at, zone, interval, until, count, theme):
    parsed = parse(text)
    rule = parsed.recurrence
    assert (rule.weekdays, rule.at, rule.zone, rule.interval, rule.until, rule.count, parsed.theme) == (
        weekdays, at, zone, interval, until, count, theme)


def test_the_start_is_today_unless_the_time_has_passed():
    assert parse("lundi 11:00").recurrence.start == date(2027, 1, 4)  # 10:00 in Paris now
    late = parse("lundi 10:00 3 fois").recurrence
    assert late.start == date(2027, 1, 5)
    # Three sessions to come, the first next Monday: none is used up by this morning.
    assert [o.date() for o in late.occurrences()] == [date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25)]
    assert parse("monday 10:00 from 2027-02-01", "en").recurrence.start == date(2027, 2, 1)
    assert parse("lundi 10:00 à partir du 01/02/2027").recurrence.start == date(2027, 2, 1)


def test_the_start_date_of_the_day_is_read_in_the_schedule_zone():
    # 23:30 UTC on Monday is already Tuesday in Tokyo.
    now = datetime(2027, 1, 4, 23, 30, tzinfo=timezone.utc)
    rule = parse_schedule("tue 09:00 Asia/Tokyo", now, "Europe/Paris", "en").recurrence
    assert rule.start == date(2027, 1, 5)
    assert rule.next(now)[0].isoformat() == "2027-01-05T09:00:00+09:00"


@pytest.mark.parametrize("text, key, params", [
    ("14:00", "schedule.error.no_weekday", {}),
    ("mardi", "schedule.error.no_time", {}),
    ("mardi 14", "schedule.error.unknown_word", {"word": "14"}),
    ("mardi 25:00", "schedule.error.bad_time", {"time": "25:00"}),
    ("tue 13pm", "schedule.error.bad_time", {"time": "13pm"}),
    ("mardi 14:00 16:00", "schedule.error.two_times", {}),
    ("mardi 14:00 Europe/Bruxelles", "schedule.error.unknown_zone", {"zone": "Europe/Bruxelles"}),
    ("mardi 14:00 Europe/NoWhere", "schedule.error.unknown_zone", {"zone": "Europe/NoWhere"}),
    ("mardi 14:00 demain", "schedule.error.unknown_word", {"word": "demain"}),
    ("mardi 14:00 jusqu'au 31/02/2027", "schedule.error.bad_date", {"date": "31/02/2027"}),
    ("mardi 14:00 jusqu'au", "schedule.error.bad_date", {"date": "…"}),
    ("mardi 14:00 jusqu'au 2027-06-30 5 fois", "schedule.error.until_and_count", {}),
    ("mardi 14:00 0 fois", "schedule.error.count_range", {"maximum": 500}),
    ("mardi 14:00 toutes les 99 semaines", "schedule.error.interval_range", {"maximum": 52}),
    ("mardi 14:00 jusqu'au 2026-12-31", "schedule.error.until_past", {}),
    ("mardi 14:00 à partir du 2026-12-01", "schedule.error.start_past", {}),
    ("mardi 14:00 jusqu'au 2027-01-04", "schedule.error.no_dates", {}),
    ("mardi 14:00 thème", "schedule.error.no_theme", {}),
])
def test_errors(text, key, params):
    with pytest.raises(ScheduleError) as info:
        parse(text)
    assert info.value.key == key
    assert info.value.params == params


def test_day_first_dates_only_in_french():
    assert parse("mardi 14:00 jusqu'au 06/07/2027").recurrence.until == date(2027, 7, 6)
    with pytest.raises(ScheduleError) as info:
        parse("tue 14:00 until 06/07/2027", "en")
    assert info.value.key == "schedule.error.bad_date"
    assert parse("tue 14:00 until 2027-07-06", "en").recurrence.until == date(2027, 7, 6)


def test_subcommands_and_ids():
    assert subcommand("") == ("help", "")
    assert subcommand("liste") == ("list", "")
    assert subcommand("List") == ("list", "")
    assert subcommand("annuler 3") == ("cancel", "3")
    assert subcommand("cancel #3") == ("cancel", "#3")
    assert subcommand("ics n°2") == ("ics", "n°2")
    assert subcommand("mardi 14:00") == ("add", "mardi 14:00")
    assert [schedule_id(t) for t in ("3", "#3", "n°12", "no. 4", "x", "", "3 4")] == [3, 3, 12, 4, None, None, None]
