"""Weekly recurrences kept as local wall time plus an IANA zone.

Every occurrence is built from a local date and the local time in the schedule's
own zone (zoneinfo), then compared as an aware instant. So 14:00 Europe/Paris
stays 14:00 there across the March and October changes, and its UTC instant
moves. A local time that does not exist (the spring gap) is taken with the
offset from before the gap, as RFC 5545 does (02:30 becomes 03:30); an
ambiguous one (the autumn repeat) is its first occurrence, also as RFC 5545.

Weeks run Monday to Sunday. The week of ``start`` is week 0 of an every-N-weeks
rule, and the first occurrence is never before ``start``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_COUNT = 500
MAX_INTERVAL = 52
MAX_DAYS = 3660  # an end date at most about ten years after the start
ODD_LOOKAHEAD_DAYS = 400  # how far ahead a time in a gap or a fold is looked for (a year of changes)


class ScheduleError(ValueError):
    """A schedule that cannot be: a catalogue ``key`` with its ``params``."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


@lru_cache(maxsize=None)
def _zone_names() -> dict[str, str]:
    names = {name.casefold(): name for name in available_timezones()}
    names.setdefault("utc", "UTC")
    return names


def canonical_zone(name: str) -> str | None:
    """The IANA name for ``name`` whatever its case (``europe/paris`` → ``Europe/Paris``), else None."""
    found = _zone_names().get(name.strip().casefold())
    if found is None:
        return None
    try:
        ZoneInfo(found)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return found


@dataclass(frozen=True)
class Recurrence:
    """Weekdays (ISO: 1 = Monday … 7 = Sunday) at a local time in a zone, every ``interval`` weeks."""

    weekdays: tuple[int, ...]
    at: time  # local wall time in ``zone``: deliberately without tzinfo
    zone: str
    start: date
    interval: int = 1
    until: date | None = None  # last local date that may hold an occurrence
    count: int | None = None  # number of occurrences from ``start``

    def __post_init__(self) -> None:
        if not self.weekdays or any(not 1 <= d <= 7 for d in self.weekdays):
            raise ScheduleError("schedule.error.no_weekday")
        if tuple(sorted(set(self.weekdays))) != self.weekdays:
            raise ValueError("weekdays must be sorted and unique")
        if self.at.tzinfo is not None:
            raise ValueError("the time is local to the zone: no tzinfo")
        if canonical_zone(self.zone) != self.zone:
            raise ScheduleError("schedule.error.unknown_zone", zone=self.zone)
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise ScheduleError("schedule.error.interval_range", maximum=MAX_INTERVAL)
        if self.until is not None and self.count is not None:
            raise ScheduleError("schedule.error.until_and_count")
        if self.count is not None and not 1 <= self.count <= MAX_COUNT:
            raise ScheduleError("schedule.error.count_range", maximum=MAX_COUNT)
        if self.until is not None and self.until < self.start:
            raise ScheduleError("schedule.error.until_past")
        if self.until is not None and (self.until - self.start).days > MAX_DAYS:
            raise ScheduleError("schedule.error.until_far")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def local(self, day: date) -> datetime:
        """The occurrence on ``day``: aware, in the zone, with the wall time that really exists."""
        wall = datetime.combine(day, self.at, tzinfo=self.tz)
        # A round trip through UTC turns a time in the spring gap into the
        # real wall time (02:30 → 03:30) and leaves every other time as is.
        return wall.astimezone(timezone.utc).astimezone(self.tz)

    @property
    def finite(self) -> bool:
        return self.until is not None or self.count is not None

    def _monday0(self) -> date:
        return self.start - timedelta(days=self.start.isoweekday() - 1)

    def _from_week(self, week: int) -> Iterator[datetime]:
        monday0 = self._monday0()
        while True:
            base = monday0 + timedelta(weeks=week)
            for weekday in self.weekdays:
                day = base + timedelta(days=weekday - 1)
                if day < self.start:
                    continue
                if self.until is not None and day > self.until:
                    return
                yield self.local(day)
            week += self.interval

    def occurrences(self) -> Iterator[datetime]:
        """Every occurrence from the first, in order (endless without until or count)."""
        found = self._from_week(0)
        return itertools.islice(found, self.count) if self.count is not None else found

    def after(self, instant: datetime) -> Iterator[datetime]:
        """The occurrences strictly after the aware ``instant``, in order."""
        _aware(instant)
        # In UTC: two datetimes of the same zone compare (and subtract) by wall
        # time, which is wrong in the hour that repeats in autumn.
        instant = instant.astimezone(timezone.utc)
        if self.count is not None:
            found: Iterator[datetime] = self.occurrences()
        else:
            # Skip ahead to the weeks around the instant: a weekly rule has
            # no count to keep, so its history need not be walked.
            local_day = instant.astimezone(self.tz).date()
            weeks = (local_day - self._monday0()).days // 7 - 1
            found = self._from_week(max(0, weeks - weeks % self.interval))
        return (o for o in found if o > instant)

    def between(self, lo: datetime, hi: datetime) -> list[datetime]:
        """The occurrences in ``(lo, hi]``."""
        _aware(hi)
        hi = hi.astimezone(timezone.utc)
        return list(itertools.takewhile(lambda o: o <= hi, self.after(lo)))

    def next(self, instant: datetime, n: int = 1) -> list[datetime]:
        """Up to ``n`` occurrences after ``instant``."""
        return list(itertools.islice(self.after(instant), n))

    def odd_time(self, occurrence: datetime) -> str | None:
        """``"gap"`` if the rule's wall time does not exist on that occurrence's day
        (spring forward), ``"fold"`` if it comes twice (autumn), else None."""
        wall = datetime.combine(occurrence.astimezone(self.tz).date(), self.at, tzinfo=self.tz)
        if wall.astimezone(timezone.utc).astimezone(self.tz).time() != self.at:
            return "gap"
        if wall.utcoffset() != wall.replace(fold=1).utcoffset():
            return "fold"
        return None

    def next_odd(self, instant: datetime, days: int = ODD_LOOKAHEAD_DAYS) -> tuple[datetime, str] | None:
        """The next occurrence within ``days`` whose wall time is in a gap or a fold, and which."""
        for occurrence in self.between(instant, instant + timedelta(days=days)):
            kind = self.odd_time(occurrence)
            if kind:
                return occurrence, kind
        return None

    def first(self) -> datetime | None:
        return next(iter(self.occurrences()), None)

    def last(self) -> datetime | None:
        """The final occurrence of a finite rule (None if endless or empty)."""
        if not self.finite:
            return None
        final = None
        for final in self.occurrences():
            pass
        return final


def _aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetime: every instant must carry a time zone")
