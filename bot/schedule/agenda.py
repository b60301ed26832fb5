"""A trainer's agenda across rooms: the next sessions of several schedules, one calendar file.

Pure. :func:`upcoming` merges the schedules' next occurrences in time order;
:func:`merge_calendars` puts several schedules' ``.ics`` texts (each made by
:func:`bot.schedule.ics.calendar`) into one, each zone's ``VTIMEZONE`` once.
"""

from __future__ import annotations

import heapq
from datetime import datetime
from itertools import islice
from typing import Hashable, Iterable

from icalendar import Calendar

from bot.schedule.recurrence import Recurrence


def upcoming(schedules: Iterable[tuple[Hashable, Recurrence]], now: datetime,
             limit: int = 10) -> list[tuple[Hashable, datetime]]:
    """The next ``limit`` sessions after ``now`` of all ``schedules``, earliest first, with their key."""
    def stream(index: int, key: Hashable, rule: Recurrence):
        # A function, not a generator expression in a loop: each stream keeps its own key.
        return ((moment, index, key) for moment in rule.after(now))

    streams = [stream(index, key, rule) for index, (key, rule) in enumerate(schedules)]
    return [(key, moment) for moment, _, key in islice(heapq.merge(*streams), limit)]


def merge_calendars(texts: Iterable[str]) -> str:
    """One ``VCALENDAR`` with every event of ``texts``; a zone used by several, once."""
    merged = Calendar()
    merged.add("prodid", "-//Reflextics//Agenda//EN")
    merged.add("version", "2.0")
    merged.add("calscale", "GREGORIAN")
    merged.add("method", "PUBLISH")
    zones: set[str] = set()
    for text in texts:
        for component in Calendar.from_ical(text).subcomponents:
            if component.name == "VTIMEZONE":
                tzid = str(component.get("tzid"))
                if tzid in zones:
                    continue
                zones.add(tzid)
            merged.add_component(component)
    return merged.to_ical().decode("utf-8")
