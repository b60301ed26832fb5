"""The .ics text: VTIMEZONE/TZID, RRULE that gives back the bot's own dates, escaping, folding."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events as recurring

from bot.schedule import Recurrence
from bot.schedule.ics import calendar, escape, fold

STAMP = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
RULES = [
    Recurrence((2,), time(14), "Europe/Paris", date(2027, 1, 4), count=40),
    Recurrence((2, 4), time(9, 30), "Europe/Brussels", date(2027, 1, 6), interval=2, until=date(2027, 11, 30)),
    Recurrence((5,), time(18, 45), "America/New_York", date(2027, 2, 1), interval=3, count=12),
    Recurrence((1, 3), time(8), "Asia/Tokyo", date(2027, 1, 1), until=date(2027, 4, 1)),
]


def ics(rule: Recurrence, summary: str = "Réflex'tics — discussion de cas") -> str:
    return calendar(rule, uid="schedule-1-abc@reflextics", summary=summary, description="À l'heure, le bot ouvre.",
                    duration_minutes=90, stamp=STAMP)


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def props(lines: list[str], component: str) -> dict[str, str]:
    """The properties of the first ``component`` (name with parameters → value)."""
    start = lines.index(f"BEGIN:{component}")
    out = {}
    for line in lines[start + 1:lines.index(f"END:{component}", start)]:
        name, _, value = line.partition(":")
        out.setdefault(name, value)
    return out


def expand(dtstart: str, zone: str, rrule: str, limit: int = 400) -> list[datetime]:
    """A small independent reading of a weekly RRULE, as a calendar would do it."""
    parts = dict(p.split("=") for p in rrule.split(";"))
    assert parts["FREQ"] == "WEEKLY" and parts.get("WKST", "MO") == "MO"
    interval = int(parts.get("INTERVAL", 1))
    days = [DAYS.index(d) for d in parts["BYDAY"].split(",")]
    first = datetime.strptime(dtstart, "%Y%m%dT%H%M%S")
    until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc) if "UNTIL" in parts \
        else None
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    week = first.date() - timedelta(days=first.weekday())
    out: list[datetime] = []
    while len(out) < limit:
        for d in sorted(days):
            day = week + timedelta(days=d)
            if day < first.date():
                continue
            moment = datetime.combine(day, first.time(), tzinfo=ZoneInfo(zone))
            if until is not None and moment > until:
                return out
            out.append(moment)
            if count is not None and len(out) == count:
                return out
        week += timedelta(weeks=interval)
    return out


@pytest.mark.parametrize("rule", RULES)
def test_the_rrule_gives_back_the_bot_s_own_dates(rule):
    lines = unfold(ics(rule))
    event = props(lines, "VEVENT")
    dtstart_name = f"DTSTART;TZID={rule.zone}"
    assert dtstart_name in event
    assert props(lines, "VTIMEZONE")["TZID"] == rule.zone
    got = expand(event[dtstart_name], rule.zone, event["RRULE"])
    assert got == list(rule.occurrences())


def test_a_weekly_paris_schedule_in_full():
    rule = Recurrence((2,), time(14), "Europe/Paris", date(2027, 1, 4))
    text = ics(rule)
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    event = props(lines, "VEVENT")
    assert event["DTSTART;TZID=Europe/Paris"] == "20270105T140000"
    assert event["RRULE"] == "FREQ=WEEKLY;BYDAY=TU;WKST=MO"
    assert event["DURATION"] == "PT90M"
    assert event["DTSTAMP"] == "20270104T090000Z"
    assert event["UID"] == "schedule-1-abc@reflextics"
    assert event["SUMMARY"] == "Réflex'tics — discussion de cas"
    # The zone's own rules, so calendars that ignore IANA names (Outlook) get the change dates.
    block = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE") + 1]
    assert block == [
        "BEGIN:VTIMEZONE", "TZID:Europe/Paris", "X-LIC-LOCATION:Europe/Paris",
        "BEGIN:DAYLIGHT", "DTSTART:20270328T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZNAME:CEST", "END:DAYLIGHT",
        "BEGIN:STANDARD", "DTSTART:20271031T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "TZNAME:CET", "END:STANDARD",
        "END:VTIMEZONE",
    ]


def test_until_is_in_utc_and_inclusive():
    rule = Recurrence((2,), time(14), "Europe/Paris", date(2027, 1, 4), until=date(2027, 6, 29))
    event = props(unfold(ics(rule)), "VEVENT")
    assert event["RRULE"] == "FREQ=WEEKLY;BYDAY=TU;WKST=MO;UNTIL=20270629T120000Z"


def test_new_york_uses_its_second_sunday_rule():
    rule = Recurrence((5,), time(18), "America/New_York", date(2027, 1, 1))
    lines = unfold(ics(rule))
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" in lines
    assert "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU" in lines
    assert "TZOFFSETFROM:-0500" in lines and "TZOFFSETTO:-0400" in lines


def test_a_zone_without_daylight_saving():
    rule = Recurrence((1,), time(8), "Asia/Tokyo", date(2027, 1, 1))
    lines = unfold(ics(rule))
    block = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE") + 1]
    assert block == ["BEGIN:VTIMEZONE", "TZID:Asia/Tokyo", "X-LIC-LOCATION:Asia/Tokyo", "BEGIN:STANDARD",
                     "DTSTART:19700101T000000", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "TZNAME:JST",
                     "END:STANDARD", "END:VTIMEZONE"]


def test_a_first_session_in_the_spring_gap_keeps_the_rule_s_time():
    rule = Recurrence((7,), time(2, 30), "Europe/Paris", date(2027, 3, 28), count=3)
    event = props(unfold(ics(rule)), "VEVENT")
    assert event["DTSTART;TZID=Europe/Paris"] == "20270328T023000"


def test_text_is_escaped_and_long_lines_folded_at_75_octets():
    assert escape("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    summary = "Réflex'tics — discussion de cas : éthique, numérique; " * 4
    text = ics(Recurrence((2,), time(14), "Europe/Paris", date(2027, 1, 4)), summary)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    event = props(unfold(text), "VEVENT")
    assert event["SUMMARY"] == escape(summary)
    assert fold("é" * 80).split("\r\n ")[0] == "é" * 37  # never inside a character


@pytest.mark.parametrize("rule", RULES)
def test_a_calendar_library_reads_the_file_and_finds_the_same_sessions(rule):
    # icalendar and recurring-ical-events: the parser and the RRULE expansion that
    # calendar tools in Python use (through python-dateutil), not our own reading.
    cal = icalendar.Calendar.from_ical(ics(rule))
    [event] = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Réflex'tics — discussion de cas"
    assert event.duration == timedelta(minutes=90)
    expected = list(rule.occurrences())
    found = recurring.of(cal).between(expected[0] - timedelta(days=1), expected[-1] + timedelta(days=30))
    starts = sorted(e.decoded("DTSTART") for e in found)
    assert [s.astimezone(timezone.utc) for s in starts] == [o.astimezone(timezone.utc) for o in expected]
    # Wall time in the schedule's zone, across daylight-saving changes.
    assert {s.astimezone(ZoneInfo(rule.zone)).time() for s in starts} == {rule.at}
