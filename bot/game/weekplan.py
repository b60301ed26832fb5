"""Week games, the calendar: deadlines proposed from a length, quiet hours, local time.

A week game's deadlines are instants (aware, UTC), but they are *chosen* and *moved*
in the room's zone: a deadline proposed as "Thursday 18:00" is Thursday 18:00 on the
wall clock of that zone, whatever daylight-saving change happens in between, and
"one more day" is the same local time the next day (wall-clock arithmetic), not 24 h.

Quiet hours (default 20:00–08:00 in the room's zone) are when the bot sends no nudge
and no progress count; a proposed deadline is moved out of them (to the end of the
quiet hours) when the game lasts a day or more. A facilitator may still move a
deadline into them on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.game.folding import ascii_digits, digit_sign, fold
from bot.game.params import LocalTime

# The steps of a week game that have a deadline, in order (step 1, the card, opens
# the round at once: reading the situation is part of answering it).
STEPS = ("round", "vote", "actions", "synthesis")
# Where each step ends, as a share of the whole length (Monday 09:00 + 5 days gives
# Wednesday 18:00, Thursday 12:00, Friday 12:00, Friday 16:00).
SHARES = (0.55, 0.73, 0.96, 1.0)
DAY = 86400
END_OF_LAST_DAY = 16  # a length in days ends on its last day at 16:00 local
MAX_LENGTH = 14 * DAY

# Length units as typed, in the five languages (j: jour, z: zi, t: Tag, μ: μέρα).
_UNITS = {
    "j": DAY, "d": DAY, "z": DAY, "t": DAY, "μ": DAY, "jours": DAY, "days": DAY, "zile": DAY, "tage": DAY,
    "h": 3600, "std": 3600, "ω": 3600, "ώ": 3600,
    "min": 60, "m": 60, "s": 1, "sec": 1,
}
_LENGTH = re.compile(r"([0-9]{1,5})\s*([^\d\s]+)")
_CLOCK = re.compile(r"([0-9]{1,2})(?:[:h]([0-9]{2})?)?")
WEEK_WORDS = frozenset(fold(w) for w in ("semaine", "week", "săptămână", "saptamana", "woche", "εβδομάδα"))


@dataclass(frozen=True)
class Quiet:
    """Quiet hours: from ``start`` to ``end``, minutes after local midnight (equal: none)."""

    start: int = 20 * 60
    end: int = 8 * 60

    @property
    def none(self) -> bool:
        return self.start == self.end

    def contains(self, local: datetime) -> bool:
        if self.none:
            return False
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def text(self) -> str:
        return f"{self.start // 60:02d}:{self.start % 60:02d}–{self.end // 60:02d}:{self.end % 60:02d}"


def parse_quiet(text: str) -> Quiet | None:
    """``20:00-08:00``, ``21h-7h30``; ``-``/``0``/``none``… for no quiet hours; None if unreadable."""
    if digit_sign(text):
        return None
    value = ascii_digits(fold(text)).strip()
    if value in ("-", "0", "none", "aucune", "aucun", "niciuna", "keine", "καμία", "καμια", "off"):
        return Quiet(0, 0)
    parts = re.split(r"\s*[-–]\s*", value)
    if len(parts) != 2:
        return None
    minutes = []
    for part in parts:
        m = _CLOCK.fullmatch(part)
        if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
            return None
        minutes.append(int(m.group(1)) * 60 + int(m.group(2) or 0))
    return Quiet(minutes[0], minutes[1])


def parse_length(text: str) -> int | None:
    """``5j``, ``3d``, ``48h``, ``90min``, ``30s`` in seconds (digits of any script); None if unreadable or too long."""
    if digit_sign(text):
        return None  # "⁵j": not a number, however fold would read it
    m = _LENGTH.fullmatch(ascii_digits(fold(text)).strip())
    if not m or m.group(2) not in _UNITS:
        return None
    seconds = int(m.group(1)) * _UNITS[m.group(2)]
    return seconds if 1 <= seconds <= MAX_LENGTH else None


def valid_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Week:
    """A week game's calendar and the bookkeeping of its nudges and progress counts."""

    zone: str
    length: int  # seconds, as asked
    deadlines: tuple[datetime, ...]  # one per STEPS
    quiet_start: int = 20 * 60
    quiet_end: int = 8 * 60
    step_start: datetime | None = None
    nudge_at: datetime | None = None
    nudged: tuple[str, ...] = ()  # nudged in the current step (one nudge per person and step)
    progress_at: datetime | None = None

    @property
    def quiet(self) -> Quiet:
        return Quiet(self.quiet_start, self.quiet_end)

    def deadline(self, step: str) -> datetime:
        return self.deadlines[STEPS.index(step)]

    @classmethod
    def from_dict(cls, data: dict) -> "Week":
        d = dict(data)
        d["deadlines"] = tuple(_aware(t) for t in d["deadlines"])
        for name in ("step_start", "nudge_at", "progress_at"):
            d[name] = _aware(d.get(name)) if d.get(name) else None
        d["nudged"] = tuple(d.get("nudged", ()))
        return cls(**d)


def _aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"naive datetime in a week plan: {value!r}")
    return parsed


def propose(now: datetime, length: int, zone: str, quiet: Quiet) -> tuple[datetime, ...]:
    """The deadlines of a game opened at ``now`` lasting ``length`` seconds, in UTC."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if length >= DAY and length % DAY == 0:
        days = length // DAY
        end = (local + timedelta(days=days - 1)).replace(hour=END_OF_LAST_DAY, minute=0, second=0, microsecond=0)
        if end.astimezone(timezone.utc) - now < timedelta(seconds=length / 2):
            end = (local + timedelta(days=days)).replace(hour=END_OF_LAST_DAY, minute=0, second=0, microsecond=0)
        end_utc = end.astimezone(timezone.utc)
    else:
        end_utc = now + timedelta(seconds=length)
    span = end_utc - now
    out: list[datetime] = []
    for share in SHARES:
        at = now + span * share
        if span >= timedelta(days=1):
            at = _round_hour(at.astimezone(tz))
            if quiet.contains(at):
                at = _quiet_end(at, quiet)
            at = at.astimezone(timezone.utc)
        elif span >= timedelta(hours=1):
            at = at.replace(second=0, microsecond=0)
        previous = out[-1] if out else now
        if at <= previous:
            at = previous + max(span * 0.05, timedelta(seconds=1))
        out.append(at.astimezone(timezone.utc))
    return tuple(out)


def _round_hour(local: datetime) -> datetime:
    base = local.replace(minute=0, second=0, microsecond=0)
    return base + timedelta(hours=1) if local.minute >= 30 else base


def _quiet_end(local: datetime, quiet: Quiet) -> datetime:
    """The end of the quiet hours ``local`` is in (the same night's morning)."""
    end = local.replace(hour=quiet.end // 60, minute=quiet.end % 60, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)


def decent(at: datetime, zone: str, quiet: Quiet, before: datetime) -> datetime | None:
    """``at``, or, when it falls in quiet hours, the end of those quiet hours.

    None when that morning is not before ``before`` (then nothing is sent: better
    no nudge than one at night).
    """
    local = at.astimezone(ZoneInfo(zone))
    if not quiet.contains(local):
        return at
    morning = _quiet_end(local, quiet).astimezone(timezone.utc)
    if morning < before:
        return morning
    return None


def shift(at: datetime, seconds: int, zone: str) -> datetime:
    """``at`` moved by ``seconds``: whole days on the zone's wall clock, the rest as elapsed time."""
    days, rest = divmod(seconds, DAY)
    local = at.astimezone(ZoneInfo(zone)) + timedelta(days=days)  # same tzinfo: wall-clock arithmetic
    return local.astimezone(timezone.utc) + timedelta(seconds=rest)


def postpone(week: Week, step: str, seconds: int) -> Week:
    """``step``'s deadline and every later one moved by ``seconds`` (the rhythm is kept)."""
    first = STEPS.index(step)
    deadlines = tuple(shift(d, seconds, week.zone) if i >= first else d for i, d in enumerate(week.deadlines))
    return replace(week, deadlines=deadlines)


def when(at: datetime, zone: str) -> LocalTime:
    """``jeudi 4 mars à 18:00``: a deadline in words, in the room's zone (CLDR's words)."""
    return LocalTime(at, zone)
