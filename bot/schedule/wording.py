"""Schedules and dates in words, from catalogue texts (``text(key, **params)``).

Pure: the caller passes the catalogue lookup for the room's language, so every
word a user reads (weekday and month names included) comes from the catalogue.
Dates are always shown in the schedule's own zone, whatever the server's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from bot.schedule.recurrence import Recurrence

Text = Callable[..., str]


def clock_time(moment) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def when(text: Text, moment: datetime, zone: str) -> str:
    """``mardi 9 mars 2027 à 14:00`` for an aware ``moment`` in ``zone``."""
    local = moment.astimezone(ZoneInfo(zone))
    return text("schedule.date", weekday=text(f"schedule.weekday.{local.isoweekday()}"), day=local.day,
                month=text(f"schedule.month.{local.month}"), year=local.year, time=clock_time(local))


def day_list(text: Text, weekdays: tuple[int, ...]) -> str:
    names = [text(f"schedule.weekday.{d}") for d in weekdays]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + text("schedule.and") + names[-1]


def rule(text: Text, recurrence: Recurrence, theme_title: str | None = None) -> str:
    """``chaque mardi à 14:00 (Europe/Paris), 6 fois, thème : …``."""
    r = recurrence
    fields = dict(days=day_list(text, r.weekdays), time=clock_time(r.at), zone=r.zone)
    out = (text("schedule.rule.weekly", **fields) if r.interval == 1
           else text("schedule.rule.every_weeks", weeks=r.interval, **fields))
    if r.until is not None:
        out += text("schedule.rule.until", date=date_only(text, r.until))
    if r.count is not None:
        out += text("schedule.rule.count", count=r.count)
    if theme_title:
        out += text("schedule.rule.theme", theme=theme_title)
    return out


def date_only(text: Text, day) -> str:
    return text("schedule.day", weekday=text(f"schedule.weekday.{day.isoweekday()}"), day=day.day,
                month=text(f"schedule.month.{day.month}"), year=day.year)


def city(zone: str) -> str:
    """``Paris`` for Europe/Paris, ``Buenos Aires`` for America/Argentina/Buenos_Aires."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def odd_time(text: Text, recurrence: Recurrence, occurrence: datetime, kind: str) -> str:
    """The sentence for a session whose typed time falls in a gap or a fold (see ``Recurrence.odd_time``)."""
    local = occurrence.astimezone(ZoneInfo(recurrence.zone))
    return text(f"schedule.odd.{kind}", date=date_only(text, local.date()), typed=clock_time(recurrence.at),
                city=city(recurrence.zone), time=clock_time(local))
