"""Schedules and dates in words: sentences from the catalogue, the words CLDR knows from Babel.

Pure: the caller passes the catalogue lookup for the room's language
(``text(key, **params)``). The sentences come from the catalogue; weekday and month
names, the order of a date, the clock, the list of days ("lundi et jeudi") and a time
zone's city in the room's language ("Wien", "București") come from CLDR, in the
locale the catalogue names (``language.locale``). Dates are always shown in the
schedule's own zone, whatever the server's.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Callable
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names, get_timezone_location
from babel.lists import format_list

from bot.schedule.recurrence import Recurrence

Text = Callable[..., str]


def locale_of(text: Text) -> Locale:
    """The CLDR locale of the language ``text`` speaks (its catalogue's ``language.locale``)."""
    try:
        return Locale.parse(text("language.locale"))
    except (KeyError, UnknownLocaleError, ValueError):
        return Locale.parse("fr")


def clock_time(moment: time | datetime, text: Text | None = None) -> str:
    """``14:00``, or the language's own clock ("2:00 μ.μ.") when ``text`` is given."""
    if text is None:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    at = moment if isinstance(moment, time) else moment.time()
    return format_time(at.replace(tzinfo=None), "short", locale=locale_of(text))


def when(text: Text, moment: datetime, zone: str) -> str:
    """``mardi 9 mars 2027 à 14:00`` for an aware ``moment`` in ``zone``."""
    local = moment.astimezone(ZoneInfo(zone))
    return text("schedule.date", date=date_only(text, local.date()), time=clock_time(local, text))


def soon(text: Text, moment: datetime, zone: str) -> str:
    """``jeudi 4 mars à 18:00``: a moment of the coming days (a deadline), without the year."""
    local = moment.astimezone(ZoneInfo(zone))
    locale = locale_of(text)
    # CLDR's "weekday, day and month" order, with the weekday's whole name ("Mittwoch, 24. März").
    pattern = re.sub(r"E+", "EEEE", locale.datetime_skeletons["MMMMEd"].pattern)
    return text("schedule.date", date=format_date(local.date(), pattern, locale=locale),
                time=clock_time(local, text))


def day_list(text: Text, weekdays: tuple[int, ...]) -> str:
    """``mardi``, ``lundi et jeudi``, ``Montag, Mittwoch und Freitag``."""
    locale = locale_of(text)
    names = get_day_names("wide", locale=locale)
    return format_list([names[d - 1] for d in weekdays], locale=locale)


def rule(text: Text, recurrence: Recurrence, theme_title: str | None = None) -> str:
    """``chaque mardi à 14:00 (Europe/Paris), 6 fois, thème : …``."""
    r = recurrence
    fields = dict(days=day_list(text, r.weekdays), time=clock_time(r.at, text), zone=r.zone)
    out = (text("schedule.rule.weekly", **fields) if r.interval == 1
           else text("schedule.rule.every_weeks", count=r.interval, **fields))
    if r.until is not None:
        out += text("schedule.rule.until", date=date_only(text, r.until))
    if r.count is not None:
        out += text("schedule.rule.count", count=r.count)
    if theme_title:
        out += text("schedule.rule.theme", theme=theme_title)
    return out


def date_only(text: Text, day: date) -> str:
    """``mardi 9 mars 2027``, ``Dienstag, 9. März 2027``: CLDR's full date."""
    return format_date(day, "full", locale=locale_of(text))


def city(zone: str, text: Text | None = None) -> str:
    """``Wien`` for Europe/Vienna in German (CLDR's exemplar city), else from the zone's id."""
    fallback = zone.rsplit("/", 1)[-1].replace("_", " ")
    if text is None:
        return fallback
    try:
        return get_timezone_location(ZoneInfo(zone), locale=locale_of(text), return_city=True) or fallback
    except (LookupError, ValueError):
        return fallback


def odd_time(text: Text, recurrence: Recurrence, occurrence: datetime, kind: str) -> str:
    """The sentence for a session whose typed time falls in a gap or a fold (see ``Recurrence.odd_time``)."""
    local = occurrence.astimezone(ZoneInfo(recurrence.zone))
    return text(f"schedule.odd.{kind}", date=date_only(text, local.date()), typed=clock_time(recurrence.at, text),
                city=city(recurrence.zone, text), time=clock_time(local, text))
