"""An iCalendar (RFC 5545) file for a schedule: one recurring event in its own zone.

``DTSTART;TZID=Europe/Paris:…`` with a ``VTIMEZONE`` of that name, built from
zoneinfo's transitions: calendars that know the IANA name use it, the others
(Outlook among them) read the offsets and rules written here. An ``UNTIL`` is in
UTC, as the RFC requires when DTSTART has a TZID. Lines end in CRLF and are
folded at 75 octets; text values are escaped.
"""

from __future__ import annotations

import calendar as month_lengths
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.schedule.recurrence import Recurrence

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SCAN_YEARS = 10  # how far ahead the zone's rules are read for an endless schedule


@dataclass(frozen=True)
class Transition:
    """A change of UTC offset: ``onset`` is the local wall time just before it."""

    onset: datetime  # naive on purpose: RFC 5545 wants the local time, no offset
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def calendar(rule: Recurrence, *, uid: str, summary: str, description: str, duration_minutes: int,
             stamp: datetime) -> str:
    """The whole ``.ics`` text."""
    first = rule.first()
    if first is None:
        raise ValueError("a schedule without any occurrence has no calendar")
    end = rule.last() or first.replace(year=first.year + SCAN_YEARS)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Reflextics//Schedules//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *timezone_component(rule.zone, first, end),
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp)}",
        # The rule's own wall time: a first session in the spring gap must not
        # move every later one by an hour.
        f"DTSTART;TZID={rule.zone}:{first:%Y%m%d}T{rule.at:%H%M%S}",
        f"DURATION:PT{int(duration_minutes)}M",
        f"RRULE:{rrule(rule)}",
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


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


def timezone_component(zone: str, start: datetime, end: datetime) -> list[str]:
    """A VTIMEZONE for ``zone`` valid from ``start``'s year to ``end``'s."""
    tz = ZoneInfo(zone)
    lo = datetime(start.year - 1, 12, 1, tzinfo=timezone.utc)
    hi = datetime(end.year + 1, 1, 1, tzinfo=timezone.utc)
    found = transitions(tz, lo, hi)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone}", f"X-LIC-LOCATION:{zone}"]
    if not found:
        at = start.astimezone(tz)
        offset = at.utcoffset()
        lines += _observance("STANDARD", datetime(1970, 1, 1), offset, offset, at.tzname() or zone)
    groups: dict[tuple, list[Transition]] = {}
    for t in found:
        groups.setdefault((t.daylight, t.offset_from, t.offset_to, t.name), []).append(t)
    for (daylight, offset_from, offset_to, name), items in groups.items():
        kind = "DAYLIGHT" if daylight else "STANDARD"
        yearly = yearly_rule(items)
        if yearly is not None:
            if items[-1].onset.year < hi.year - 1:  # the rule stopped inside the window
                yearly += f";UNTIL={_utc(items[-1].onset - offset_from)}"
            lines += _observance(kind, items[0].onset, offset_from, offset_to, name, yearly)
        else:
            for t in items:
                lines += _observance(kind, t.onset, offset_from, offset_to, name)
    return lines + ["END:VTIMEZONE"]


def transitions(tz: ZoneInfo, lo: datetime, hi: datetime) -> list[Transition]:
    """Every change of ``tz``'s UTC offset between ``lo`` and ``hi``, to the second."""
    out = []
    moment, before = lo, lo.astimezone(tz).utcoffset()
    while moment < hi:
        later = moment + timedelta(days=1)
        after = later.astimezone(tz).utcoffset()
        if after != before:
            a, b = moment, later
            while b - a > timedelta(seconds=1):
                middle = a + (b - a) / 2
                if middle.astimezone(tz).utcoffset() == before:
                    a = middle
                else:
                    b = middle
            local = b.astimezone(tz)
            out.append(Transition((b + before).replace(tzinfo=None), before, after, local.tzname() or "",
                                  bool(local.dst())))
            before = after
        moment = later
    return out


def yearly_rule(items: list[Transition]) -> str | None:
    """``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`` when the onsets follow one rule every year."""
    if len(items) < 2:
        return None
    first = items[0].onset
    for i, t in enumerate(items):
        o = t.onset
        if (o.year != first.year + i or o.month != first.month or o.time() != first.time()
                or o.weekday() != first.weekday()):
            return None
    days = [t.onset for t in items]
    if all(o.day + 7 > month_lengths.monthrange(o.year, o.month)[1] for o in days):
        ordinal = "-1"
    else:
        ordinals = {(o.day - 1) // 7 + 1 for o in days}
        if len(ordinals) != 1:
            return None
        ordinal = str(ordinals.pop())
    byday = ordinal + DAYS[first.weekday()]
    return f"FREQ=YEARLY;BYMONTH={first.month};BYDAY={byday}"


def _observance(kind: str, onset: datetime, offset_from: timedelta, offset_to: timedelta, name: str,
                rule: str | None = None) -> list[str]:
    lines = [f"BEGIN:{kind}", f"DTSTART:{onset.strftime('%Y%m%dT%H%M%S')}",
             f"TZOFFSETFROM:{_offset(offset_from)}", f"TZOFFSETTO:{_offset(offset_to)}"]
    if rule:
        lines.append(f"RRULE:{rule}")
    if name:
        lines.append(f"TZNAME:{escape(name)}")
    return lines + [f"END:{kind}"]


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def escape(text: str) -> str:
    """An RFC 5545 TEXT value."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a character."""
    out, current, size = [], "", 0
    for char in line:
        length = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with a space
        if size + length > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += length
    out.append(current)
    return "\r\n ".join(out)
