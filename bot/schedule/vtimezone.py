"""A VTIMEZONE block in the yearly-rule form, from the zone database.

icalendar writes a zone's changes as one DTSTART and a list of RDATEs per kind of
change. Mozilla's ical.js (Thunderbird's and Nextcloud Calendar's web stack) skips
the first onset of such a block when it has RDATEs, so a 2027 summer session showed
an hour late there. Most calendars publish zones as yearly rules instead
(``RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU``), which every reader tried reads right:
this module writes that form. The changes come from ``zoneinfo``; changes that
follow one rule in consecutive years become one block with that rule (an ``UNTIL``
when the rule stops within the span), any other change a block of its own onset.
"""

from __future__ import annotations

import calendar as months
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_STEP = timedelta(hours=3)  # no zone changes its offset twice within three hours


@dataclass(frozen=True)
class Change:
    """One change of a zone's offset (or name), at a UTC instant."""

    at: datetime
    before: timedelta
    after: timedelta
    name: str
    dst: bool

    @property
    def onset(self) -> datetime:
        """The local wall time of the change, read with the offset it ends (RFC 5545 DTSTART)."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def kind(self) -> tuple:
        onset = self.onset
        return (self.dst, self.before, self.after, self.name, onset.month, onset.time(), onset.weekday())

    def bydays(self) -> set[str]:
        """The ways BYDAY can name this day within its month ("2SU", "-1SU")."""
        onset = self.onset
        day = DAYS[onset.weekday()]
        found = {f"{(onset.day - 1) // 7 + 1}{day}"}
        if onset.day + 7 > months.monthrange(onset.year, onset.month)[1]:
            found.add(f"-1{day}")
        return found


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.dst() or timedelta(0), local.tzname() or ""


def changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[Change]:
    """Every change of ``zone`` between two UTC instants, found to the second."""
    out: list[Change] = []
    moment, state = start, _state(zone, start)
    while moment < end:
        later = min(moment + _STEP, end)
        after = _state(zone, later)
        if after != state:
            low, high = moment, later  # the change is in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            out.append(Change(high.replace(microsecond=0), state[0], after[0], after[2], bool(after[1])))
        moment, state = later, after
    return out


def _blocks(found: list[Change]) -> list[list[Change]]:
    """The changes grouped as yearly rules: same kind, consecutive years, one BYDAY for all."""
    blocks: list[list[Change]] = []
    open_by_kind: dict[tuple, list[Change]] = {}
    for change in found:
        block = open_by_kind.get(change.kind)
        if (block is not None and change.onset.year == block[-1].onset.year + 1
                and set.intersection(*(c.bydays() for c in block), change.bydays())):
            block.append(change)
            continue
        block = [change]
        blocks.append(block)
        open_by_kind[change.kind] = block
    return blocks


def _byday(block: list[Change]) -> str:
    common = set.intersection(*(c.bydays() for c in block))
    last = [b for b in common if b.startswith("-1")]
    return last[0] if last else sorted(common)[0]


def vtimezone(name: str, first_day: date, last_day: date) -> Timezone:
    """The VTIMEZONE of zone ``name`` for sessions between two local days (inclusive)."""
    zone = ZoneInfo(name)
    start = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(last_day + timedelta(days=2), time(0), tzinfo=zone).astimezone(timezone.utc)
    tz = Timezone()
    tz.add("tzid", name)
    # The offset in force when the span opens, as a block that changes nothing.
    offset, dst, tzname = _state(zone, start)
    tz.add_component(_observance(dst != timedelta(0), start.astimezone(zone).replace(tzinfo=None),
                                 offset, offset, tzname))
    found = changes(zone, start, end)
    for block in _blocks(found):
        first, last = block[0], block[-1]
        component = _observance(first.dst, first.onset, first.before, first.after, first.name)
        if len(block) > 1:
            rule = {"freq": "YEARLY", "bymonth": first.onset.month, "byday": _byday(block)}
            # A rule still in force at the end of the span goes on; one that stopped says when.
            if last.at + timedelta(days=366) <= end or any(c.at > last.at and c.kind == last.kind for c in found):
                rule["until"] = last.at
            component.add("rrule", vRecur(rule))
        tz.add_component(component)
    return tz


def _observance(daylight: bool, onset: datetime, before: timedelta, after: timedelta, name: str):
    component = TimezoneDaylight() if daylight else TimezoneStandard()
    component.add("dtstart", onset)
    component.add("tzoffsetfrom", before)
    component.add("tzoffsetto", after)
    if name:
        component.add("tzname", name)
    return component
