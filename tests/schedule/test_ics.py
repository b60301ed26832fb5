"""The .ics text: VTIMEZONE/TZID, RRULE that gives back the bot's own dates, escaping, folding,
and a reader that knows only the file's VTIMEZONE (not the zone's name)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events as recurring

from bot.schedule import Recurrence
from bot.schedule.ics import calendar

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
    assert event["DURATION"] == "PT1H30M"
    assert event["DTSTAMP"] == "20270104T090000Z"
    assert event["UID"] == "schedule-1-abc@reflextics"
    assert event["SUMMARY"] == "Réflex'tics — discussion de cas"
    # The zone's changes from the zone database, from before the first session on,
    # so calendars that ignore IANA names get the right offsets.
    block = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE") + 1]
    assert block[1] == "TZID:Europe/Paris"
    starts = [line for line in block if line.startswith("DTSTART:")]
    assert starts[0] <= "DTSTART:20270105T000000"  # in force at the first session
    # Onsets in the local time they end (RFC 5545), as yearly rules that go on (ten years
    # and more): ical.js misread the DTSTART + RDATE form (tests/test_schedule_icaljs.py).
    assert "DTSTART:20270328T020000" in starts and "DTSTART:20271031T030000" in starts
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in block and "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in block
    assert not any(line.startswith("RDATE:") for line in block)
    assert "TZOFFSETTO:+0200" in block and "TZOFFSETTO:+0100" in block


def test_until_is_in_utc_and_inclusive():
    rule = Recurrence((2,), time(14), "Europe/Paris", date(2027, 1, 4), until=date(2027, 6, 29))
    event = props(unfold(ics(rule)), "VEVENT")
    assert set(event["RRULE"].split(";")) == {"FREQ=WEEKLY", "BYDAY=TU", "WKST=MO", "UNTIL=20270629T120000Z"}


def test_new_york_uses_its_second_sunday_rule():
    rule = Recurrence((5,), time(18), "America/New_York", date(2027, 1, 1))
    lines = unfold(ics(rule))
    assert "DTSTART:20270314T020000" in lines and "DTSTART:20271107T020000" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in lines and "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in lines
    assert "TZOFFSETFROM:-0500" in lines and "TZOFFSETTO:-0400" in lines


def test_a_zone_without_daylight_saving():
    rule = Recurrence((1,), time(8), "Asia/Tokyo", date(2027, 1, 1))
    lines = unfold(ics(rule))
    block = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE") + 1]
    observances = [line for line in block if line.startswith("BEGIN:") and line != "BEGIN:VTIMEZONE"]
    assert observances == ["BEGIN:STANDARD"]
    assert "TZOFFSETFROM:+0900" in block and "TZOFFSETTO:+0900" in block and "TZNAME:JST" in block


def test_a_first_session_in_the_spring_gap_keeps_the_rule_s_time():
    rule = Recurrence((7,), time(2, 30), "Europe/Paris", date(2027, 3, 28), count=3)
    event = props(unfold(ics(rule)), "VEVENT")
    assert event["DTSTART;TZID=Europe/Paris"] == "20270328T023000"


def test_text_is_escaped_and_long_lines_folded_at_75_octets():
    summary = "Réflex'tics — discussion de cas : éthique, numérique; " * 4
    text = ics(Recurrence((2,), time(14), "Europe/Paris", date(2027, 1, 4)), summary)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    event = props(unfold(text), "VEVENT")
    assert event["SUMMARY"] == summary.replace(",", "\\,").replace(";", "\\;")
    [parsed] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == summary


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


# Schedules whose first three sessions straddle a change of offset (the last
# one typed as in the report: created on 1 December, every 8 weeks, Tuesday 14:00).
STRADDLING = [
    Recurrence((2,), time(14), "Europe/Brussels", date(2027, 3, 15), count=3),
    Recurrence((2,), time(14), "Europe/Brussels", date(2026, 12, 1), interval=8, count=6),
    Recurrence((7,), time(9, 30), "America/Montreal", date(2027, 10, 24), count=3),
    Recurrence((4,), time(19), "Australia/Sydney", date(2027, 3, 25), count=3),
    Recurrence((4,), time(19), "Australia/Sydney", date(2027, 9, 23), count=3),
]


@pytest.mark.parametrize("rule", STRADDLING, ids=lambda r: f"{r.zone}-{r.start}")
def test_a_reader_with_only_the_file_s_vtimezone_gives_the_typed_time(rule):
    expected = list(rule.occurrences())
    offsets = {o.utcoffset() for o in expected[:3]}
    assert len(offsets) == 2 or rule.interval > 1  # they do straddle a change
    # A zone name no library knows: the reader can only use the VTIMEZONE block.
    # (One name per file: icalendar keeps the zones it read by name.)
    text = ics(rule).replace(rule.zone, f"Reflextics/Only-This-File-{uuid.uuid4().hex}")
    cal = icalendar.Calendar.from_ical(text)
    [vtimezone] = cal.walk("VTIMEZONE")
    tz = vtimezone.to_tz()
    found = recurring.of(cal).between(expected[0] - timedelta(days=1), expected[-1] + timedelta(days=1))
    starts = sorted(e.decoded("DTSTART") for e in found)
    assert len(starts) == len(expected)
    for got, want in zip(starts, expected):
        assert got.astimezone(timezone.utc) == want.astimezone(timezone.utc)
        assert got.astimezone(tz).time() == rule.at
        # And by hand: the wall time with the block's offset for that instant.
        assert (want.astimezone(timezone.utc) + tz.utcoffset(got.replace(tzinfo=None))).time() == rule.at
