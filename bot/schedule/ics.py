"""An iCalendar (RFC 5545) file for a schedule: one recurring event in its own zone.

``DTSTART;TZID=Europe/Paris:…`` with a ``VTIMEZONE`` of that name. The block is
generated from the zone database in the yearly-rule form (:mod:`bot.schedule.vtimezone`:
ical.js misreads icalendar's RDATE form), and covers every session from the first
to the last (ten years for an endless schedule): calendars that know the IANA name
use it, the others (Mozilla's ical.js, Outlook-like readers) read the offsets
written here, so both show the trainer's local time for every session. A session
at a typed time that falls in a spring gap or an autumn fold gets an override with
its instant in UTC (:func:`odd_sessions`). An ``UNTIL`` is in UTC, as the RFC
requires when DTSTART has a TZID. icalendar escapes text and folds lines at 75 octets.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from bot.schedule.recurrence import Recurrence
from bot.schedule.vtimezone import vtimezone

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SCAN_YEARS = 10  # how far ahead the zone's changes are written for an endless schedule


def calendar(rule: Recurrence, *, uid: str, summary: str, description: str, duration_minutes: int,
             stamp: datetime) -> str:
    """The whole ``.ics`` text."""
    first = rule.first()
    if first is None:
        raise ValueError("a schedule without any occurrence has no calendar")
    zone = ZoneInfo(rule.zone)
    first_day = first.astimezone(zone).date()
    last = rule.last()
    last_day = last.astimezone(zone).date() if last else first_day.replace(year=first_day.year + SCAN_YEARS)
    cal = Calendar()
    cal.add("prodid", "-//Reflextics//Schedules//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # From the day before the first session to the day after the last: the block
    # opens with the offset in force at the first one.
    cal.add_component(vtimezone(rule.zone, first_day, last_day))
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc_moment(stamp))
    # The rule's own wall time: a first session in the spring gap must not move
    # every later one by an hour.
    event.add("dtstart", datetime.combine(first_day, rule.at, tzinfo=zone))
    event.add("duration", timedelta(minutes=int(duration_minutes)))
    event.add("rrule", vRecur.from_ical(rrule(rule)))
    event.add("summary", summary)
    event.add("description", description)
    cal.add_component(event)
    for typed, instant in odd_sessions(rule, last_day):
        cal.add_component(_moved(uid, stamp, typed, instant, duration_minutes, summary, description))
    return cal.to_ical().decode("utf-8")


def odd_sessions(rule: Recurrence, last_day: date) -> list[tuple[datetime, datetime]]:
    """Sessions whose wall time is in a spring gap or an autumn fold: (the typed time, the real instant).

    Readers do not agree on such a time: RFC 5545 (3.3.5) reads a time in the gap
    with the offset before it (02:30 is 03:30, as the bot says) and a repeated time
    as the first one, while icalendar and ical.js read the gap with the offset after
    it and ical.js takes the second of a repeated time. So each such session gets
    an override (RECURRENCE-ID: the typed time, as each reader reads it) whose start
    is the instant in UTC, which no reader can read two ways.
    """
    found: list[tuple[datetime, datetime]] = []
    for occurrence in rule.occurrences():
        day = occurrence.astimezone(rule.tz).date()
        if day > last_day:
            break
        if rule.odd_time(occurrence):
            found.append((datetime.combine(day, rule.at, tzinfo=rule.tz), occurrence.astimezone(timezone.utc)))
    return found


def _moved(uid: str, stamp: datetime, typed: datetime, instant: datetime, duration_minutes: int,
           summary: str, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc_moment(stamp))
    event.add("recurrence-id", typed)
    event.add("dtstart", instant)
    event.add("duration", timedelta(minutes=int(duration_minutes)))
    event.add("summary", summary)
    event.add("description", description)
    return event


def rrule(rule: Recurrence) -> str:
    parts = ["FREQ=WEEKLY"]
    if rule.interval > 1:
        parts.append(f"INTERVAL={rule.interval}")
    parts.append("BYDAY=" + ",".join(DAYS[d - 1] for d in rule.weekdays))
    parts.append("WKST=MO")  # weeks start on Monday, as the bot counts them
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    if rule.until is not None:
        parts.append(f"UNTIL={_utc(rule.local(rule.until))}")
    return ";".join(parts)


def _utc_moment(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc)


def _utc(moment: datetime) -> str:
    return _utc_moment(moment).strftime("%Y%m%dT%H%M%SZ")
