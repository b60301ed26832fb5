"""Reading what a trainer typed after ``!planifier`` / ``!schedule``: French or English,
and the days, numbers of sessions, "until", "every N weeks" and sub-commands of
Romanian, German and Greek too.

Pure: the text and the current instant in, a :class:`Recurrence` (and the theme as
typed) out, or a :class:`ScheduleError` naming what was not understood. Words may
come in any order; accents and case do not matter::

    mardi 14:00 Europe/Brussels thème netiquette
    every 2 weeks on tue,thu at 9:30 until 2027-06-30
    lundi 10h 6 fois
    montags 10 Uhr sechsmal   /   luni 10:00 de 20 de ori   /   Δευτέρα 10:00 6 φορές
    tous les jeudis à 18h30 une semaine sur deux jusqu'au 30/06/2027
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.game.folding import digit_sign, fold, read_int
from bot.schedule.recurrence import Recurrence, ScheduleError, canonical_zone

WEEKDAYS = {
    1: ("lundi", "lun", "monday", "mon"),
    2: ("mardi", "mar", "tuesday", "tue", "tues"),
    3: ("mercredi", "mer", "wednesday", "wed"),
    4: ("jeudi", "jeu", "thursday", "thu", "thur", "thurs"),
    5: ("vendredi", "ven", "friday", "fri"),
    6: ("samedi", "sam", "saturday", "sat"),
    7: ("dimanche", "dim", "sunday", "sun"),
}
# Romanian, German and Greek names (folded when looked up).
WEEKDAYS_MORE = {
    1: ("luni", "montag", "mo", "δευτέρα"),
    2: ("marți", "dienstag", "di", "τρίτη"),
    3: ("miercuri", "mittwoch", "mi", "τετάρτη"),
    4: ("joi", "donnerstag", "do", "πέμπτη"),
    5: ("vineri", "freitag", "fr", "παρασκευή"),
    6: ("sâmbătă", "samstag", "sa", "σάββατο"),
    7: ("duminică", "sonntag", "so", "κυριακή"),
}
_DAY = {fold(word): day for table in (WEEKDAYS, WEEKDAYS_MORE) for day, words in table.items() for word in words}
# Numbers written out, one to twelve, in the five languages (folded: Greek final ς is σ).
_NUMBER_WORDS = {
    1: "un une one unu una ein eine eins ενα μια μια",
    2: "deux two doi doua zwei δυο",
    3: "trois three trei drei τρια τρεισ",
    4: "quatre four patru vier τεσσερα τεσσερισ",
    5: "cinq five cinci funf πεντε",
    6: "six sase sechs εξι",
    7: "sept seven sapte sieben επτα εφτα",
    8: "huit eight opt acht οκτω οχτω",
    9: "neuf nine noua neun εννεα εννια",
    10: "dix ten zece zehn δεκα",
    11: "onze eleven unsprezece elf εντεκα",
    12: "douze twelve doisprezece zwolf δωδεκα",
}
NUMBERS = {word: n for n, words in _NUMBER_WORDS.items() for word in words.split()}
_NUMBER = r"(\d+|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + ")"
# What follows a number of sessions: "6 fois", "6 times", "de 6 ori", "de 20 de ori",
# "6 φορές", "6-mal", "sechsmal", "6x", "6 Termine".
_COUNT_UNITS = (r"fois|times|x|×|seances|sessions|occurrences|rencontres|reunions|ori|sesiuni|sedinte|intalniri"
                r"|mal|sitzungen|termine|treffen|φορεσ|φορα|συνεδριεσ|συναντησεισ")
# Words that only make a sentence read well.
FILLERS = {"tous", "toutes", "les", "le", "la", "l", "chaque", "every", "each", "on", "at", "a", "de",
           "du", "the", "et", "and", "pour", "for", "pendant", "des", "en", "in", "zone", "fuseau", "heure",
           "la", "ora", "pe", "si", "um", "uhr", "am", "jeden", "jede", "und", "στις", "καθε", "την", "τη", "και"}
SUBCOMMANDS = {
    "list": ("liste", "list", "lister", "voir", "lista", "λίστα"),
    "cancel": ("annuler", "cancel", "supprimer", "delete", "remove", "stop",
               "anulează", "șterge", "abbrechen", "stornieren", "löschen", "loeschen", "ακύρωση", "διαγραφή"),
    "ics": ("ics", "ical", "calendrier", "calendar", "agenda", "kalender", "ημερολόγιο"),
    "help": ("aide", "help", "?", "ajutor", "hilfe", "βοήθεια"),
}
_SUB = {fold(word): name for name, words in SUBCOMMANDS.items() for word in words}

# Phrases rewritten into one keyword before the words are read (on folded text).
_PHRASES = [
    (r"\bjusqu\S*|\buntil\b|\btill\b|\bthrough\b|\bpana(?: la| pe)?\b|\bbis(?: zum| am)?\b|\bεωσ\b|\bμεχρι\b",
     " until "),
    (r"\ba partir (?:du|de|d')|\bdes le\b|\bstarting(?: on| from)?\b|\bfrom\b|\bbeginning\b", " from "),
    (r"\bevery other week\b|\b(?:bi-?weekly|fortnightly)\b|\bevery fortnight\b"
     r"|\btous les (?:quinze|15) jours\b", " every 2 weeks "),
    (r"\bune semaine sur (\w+)", r" every \1 weeks "),
    (r"\b(?:toutes les|tous les|every|(?:la )?fiecare|alle|καθε)\s+(\w+)\s+(?:de\s+)?(?:semaines|weeks|saptamani|wochen|εβδομαδεσ)\b",
     r" every \1 weeks "),
    (r"\b(?:every|each) week\b|\bchaque semaine\b|\btoutes les semaines\b|\bweekly\b|\bhebdo\w*"
     r"|\bjede woche\b|\bwochentlich\b|\b(?:in )?fiecare saptamana\b|\bsaptamanal\b|\bκαθε εβδομαδα\b", " "),
    (r"\bonce\b|\bune (?:seule )?fois\b|\bo (?:singura )?data\b|\bμια (?:μονο )?φορα\b", " count 1 "),
    (r"\btwice\b", " count 2 "),
    (r"(?<![\w-])(?:de )?" + _NUMBER + r"(?:\s*-\s*|\s*)(?:de\s+)?(?:" + _COUNT_UNITS + r")(?![\w-])", r" count \1 "),
    (r"\b(\d{1,2})\s*h\s*(\d{2})\b", r" \1:\2 "),
    (r"\b(\d{1,2})\s*h\b", r" \1:00 "),
    (r"\b(\d{1,2})\s*uhr\b", r" \1:00 "),
    (r"\b(\d{1,2}(?::\d{2})?)\s+(am|pm)\b", r"\1\2"),
    (r"[,;&]", " "),
]
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_THEME = re.compile(r"(?:^|\s)(?:th[eèé]me|theme|topic|sujet|tem[aă]|thema|θ[εέ]μα)\s*:?(?:\s+|$)(.*)$", re.I | re.S)
_ID = re.compile(r"^(?:n°|no\.?|nr\.?|#)?\s*(\d{1,9})$", re.I)


@dataclass(frozen=True)
class Parsed:
    """A schedule to add: its rule, and its theme as typed (resolved by the caller)."""

    recurrence: Recurrence
    theme: str | None = None


def subcommand(args: str) -> tuple[str, str]:
    """``("add" | "list" | "cancel" | "ics" | "help", the rest)`` for the text after the command."""
    head, _, rest = args.strip().partition(" ")
    if not head:
        return "help", ""
    name = _SUB.get(fold(head))
    return (name, rest.strip()) if name else ("add", args.strip())


def schedule_id(text: str) -> int | None:
    """The number in ``3``, ``#3``, ``n°3``; None otherwise."""
    found = _ID.match(text.strip())
    return int(found.group(1)) if found else None


def parse_schedule(text: str, now: datetime, default_zone: str, language: str = "en") -> Parsed:
    """The schedule in ``text``; ``now`` (aware) dates it. Raises :class:`ScheduleError`."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    sign = digit_sign(text)
    if sign is not None:  # "14⁵" is no time and "⁵ fois" no count (folding would read them as 5)
        raise ScheduleError("schedule.error.unknown_word", word=sign[:40])
    theme = None
    found = _THEME.search(text)
    if found:
        theme = found.group(1).strip()
        text = text[:found.start()]
        if not theme:
            raise ScheduleError("schedule.error.no_theme")
    words = _words(text)
    weekdays: set[int] = set()
    at: time | None = None
    zone: str | None = None
    interval, count, until, start = 1, None, None, None
    i = 0
    while i < len(words):
        word = words[i]
        after = words[i + 1] if i + 1 < len(words) else ""
        if word == "every" and i + 2 < len(words) and words[i + 2] == "weeks":
            interval = _number(after)
            i += 3
            continue
        if word == "count" and after:
            count = _number(after)
            i += 2
            continue
        if word in ("until", "from"):
            day = _date(after, language)
            if word == "until":
                until = day
            else:
                start = day
            i += 2
            continue
        i += 1
        if word in FILLERS:
            continue
        days = _weekdays(word)
        if days:
            weekdays.update(days)
            continue
        parsed_time = _time(word)
        if parsed_time is not None:
            if at is not None:
                raise ScheduleError("schedule.error.two_times")
            at = parsed_time
            continue
        if "/" in word or word in ("utc", "gmt"):
            zone = canonical_zone(word)
            if zone is None:
                raise ScheduleError("schedule.error.unknown_zone", zone=_as_typed(text, word)[:60])
            continue
        raise ScheduleError("schedule.error.unknown_word", word=word[:40])
    if not weekdays:
        raise ScheduleError("schedule.error.no_weekday")
    if at is None:
        raise ScheduleError("schedule.error.no_time")
    return Parsed(_recurrence(weekdays, at, zone or default_zone, interval, count, until, start, now), theme)


def _recurrence(weekdays: set[int], at: time, zone: str, interval: int, count: int | None,
                until: date | None, start: date | None, now: datetime) -> Recurrence:
    local_now = now.astimezone(ZoneInfo(zone))
    today = local_now.date()
    if start is None:
        # A count starts with the first session still to come, not one earlier today.
        start = today if local_now.time() < at else today + timedelta(days=1)
    elif start < today:
        raise ScheduleError("schedule.error.start_past")
    rule = Recurrence(tuple(sorted(weekdays)), at, zone, start, interval, until, count)
    if not rule.next(now):
        raise ScheduleError("schedule.error.no_dates")
    return rule


def _words(text: str) -> list[str]:
    folded = fold(text).replace("’", "'").replace("`", "'")
    for pattern, replacement in _PHRASES:
        folded = re.sub(pattern, replacement, folded)
    return folded.split()


def _as_typed(text: str, word: str) -> str:
    """The token of ``text`` that folds to ``word``, as the trainer typed it (case kept)."""
    return next((token for token in text.split() if fold(token) == word), word)


def _number(word: str) -> int:
    value = read_int(word) if read_int(word) is not None else NUMBERS.get(word)
    if value is None:
        raise ScheduleError("schedule.error.unknown_word", word=word[:40])
    return value


def _weekdays(word: str) -> list[int]:
    """``mardi``, ``tuesdays``, ``mon-fri``; [] when ``word`` is not a weekday."""
    if "-" in word:
        first, _, last = word.partition("-")
        a, b = _weekday(first), _weekday(last)
        if a is None or b is None:
            return []
        return list(range(a, b + 1)) if a <= b else list(range(a, 8)) + list(range(1, b + 1))
    day = _weekday(word)
    return [day] if day is not None else []


def _weekday(word: str) -> int | None:
    word = word.strip(".")
    if word in _DAY:
        return _DAY[word]
    if word.endswith("s") and word[:-1] in _DAY and len(word) > 4:  # plurals: mardis, tuesdays
        return _DAY[word[:-1]]
    return None


def _time(word: str) -> time | None:
    found = _TIME.match(word)
    if not found or (found.group(2) is None and found.group(3) is None):
        return None  # a bare number is not a time: "14" could be anything
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ScheduleError("schedule.error.bad_time", time=word)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError("schedule.error.bad_time", time=word)
    return time(hour, minute)


def _date(word: str, language: str) -> date:
    try:
        if _ISO_DATE.match(word):
            return date.fromisoformat(word)
        found = _DAY_FIRST.match(word)
        # Day first except in English, where 06/07 could be either.
        if found and language in ("fr", "ro", "de", "el"):
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    except ValueError:
        pass
    raise ScheduleError("schedule.error.bad_date", date=word[:40] or "…")
