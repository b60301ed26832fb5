"""What a schedule has to do now: remind, open the lobby, or report a missed session.

Pure: a rule, what was already done (:class:`Marks`) and the current instant in; the
actions, the new marks and the next instant worth waking up for out. The adapter
stores the new marks in the same transaction as the messages the actions become,
so nothing is done twice, whenever and however often it asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.schedule.recurrence import Recurrence


@dataclass(frozen=True)
class Marks:
    """Done so far: every occurrence up to ``handled``, every reminder up to ``reminded``."""

    handled: datetime
    reminded: datetime


@dataclass(frozen=True)
class Remind:
    """Post a reminder of ``occurrence``, ``minutes`` before it (or later, if the bot was down)."""

    occurrence: datetime
    minutes: float


@dataclass(frozen=True)
class OpenLobby:
    """Open the game's lobby for ``occurrence`` (on time, or late within the grace)."""

    occurrence: datetime


@dataclass(frozen=True)
class Missed:
    """``occurrence`` passed beyond the grace while the bot was down; say so."""

    occurrence: datetime


@dataclass(frozen=True)
class Plan:
    """What to do now, the marks once done, and when to look again (None: never)."""

    actions: tuple
    marks: Marks
    wake: datetime | None


def plan(rule: Recurrence, marks: Marks, now: datetime, reminders: tuple[float, ...],
         grace: timedelta) -> Plan:
    """Decide at ``now``; ``reminders`` are minutes before each occurrence."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    # All arithmetic in UTC: a datetime of a zone minus a timedelta moves its
    # wall time, which lands in the wrong place across a daylight-saving change.
    now = now.astimezone(timezone.utc)
    actions: list = []
    past = rule.between(marks.handled, now)
    if past:
        # Only the latest one matters: older ones were missed too, and one
        # message about the last is enough.
        latest = past[-1]
        late = now - latest.astimezone(timezone.utc)
        actions.append(OpenLobby(latest) if late <= grace else Missed(latest))
    longest = timedelta(minutes=max(reminders, default=0))
    for occurrence in rule.after(now):
        at = occurrence.astimezone(timezone.utc)
        if at - longest > now:
            break
        due = [m for m in reminders if marks.reminded < at - timedelta(minutes=m) <= now]
        if due:
            # Late after a restart, several may be due: the closest says it all.
            actions.append(Remind(occurrence, min(due)))
    new = Marks(max(marks.handled, now), max(marks.reminded, now))
    return Plan(tuple(actions), new, next_wake(rule, now, reminders))


def next_wake(rule: Recurrence, now: datetime, reminders: tuple[float, ...]) -> datetime | None:
    """The first instant (UTC) after ``now`` at which an occurrence or a reminder falls."""
    now = now.astimezone(timezone.utc)
    longest = timedelta(minutes=max(reminders, default=0))
    best: datetime | None = None
    for occurrence in rule.after(now):
        at = occurrence.astimezone(timezone.utc)
        instants = [at] + [at - timedelta(minutes=m) for m in reminders]
        later = [i for i in instants if i > now]
        if later and (best is None or min(later) < best):
            best = min(later)
        if at - longest > now:
            break  # every later occurrence and its reminders come after this one's
    return best
