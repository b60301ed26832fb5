"""What happens to a game: events, as frozen dataclasses, and their JSON form.

``actor`` is the Matrix user id of whoever typed the command ("" for the system).
The engine resolves names typed by users (themes, cards, levels) into ids before
building an event, so the rules only see ids. ``event_to_dict``/``event_from_dict``
give the JSON-safe form of the engine's append-only event log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Open:
    """A facilitator opens a lobby, optionally for one theme, in a room language.

    ``week_seconds`` > 0 opens a week game of that length, its deadlines in ``zone``
    and no nudge between ``quiet_start`` and ``quiet_end`` (minutes after midnight).
    """

    actor: str
    facilitator_theme: str | None = None
    language: str = "fr"
    week_seconds: int = 0
    zone: str = ""
    quiet_start: int = 20 * 60
    quiet_end: int = 8 * 60


@dataclass(frozen=True)
class Join:
    """A user joins the game as a player."""

    actor: str


@dataclass(frozen=True)
class Leave:
    """A player leaves the game."""

    actor: str


@dataclass(frozen=True)
class Start:
    """The facilitator starts step 1 with a card already found by the engine.

    ``drawn``: the card was drawn at random (in a theme or the whole deck), not named.
    """

    actor: str
    card_id: str
    theme: str
    drawn: bool = True


@dataclass(frozen=True)
class Next:
    """The facilitator moves on to the next step."""

    actor: str


@dataclass(frozen=True)
class Done:
    """The current speaker ends their turn."""

    actor: str


@dataclass(frozen=True)
class Pass:
    """The current speaker passes their turn."""

    actor: str


@dataclass(frozen=True)
class Skip:
    """The facilitator skips the current speaker."""

    actor: str


@dataclass(frozen=True)
class Say:
    """A message in the room that is not a command.

    ``ref`` is its Matrix event id; ``in_thread``: it was posted in a thread.
    """

    actor: str
    text: str
    ref: str = ""
    in_thread: bool = False


@dataclass(frozen=True)
class Vote:
    """A player answers the step 3 question "go on to actions?"."""

    actor: str
    yes: bool


@dataclass(frozen=True)
class AddAction:
    """A player proposes an action idea at a level (a level id); ``ref``: its Matrix event id."""

    actor: str
    level: str
    text: str
    ref: str = ""


@dataclass(frozen=True)
class Amend:
    """A volunteer's summary paragraph for the synthesis (replaces an earlier one); ``ref``: its event id."""

    actor: str
    text: str
    ref: str = ""


@dataclass(frozen=True)
class Edit:
    """``actor`` edited their message ``ref`` (a Matrix ``m.replace``): its text is now ``text``."""

    actor: str
    ref: str
    text: str


@dataclass(frozen=True)
class Redact:
    """Message ``ref`` was deleted (a Matrix redaction, by its author or a moderator ``actor``)."""

    actor: str
    ref: str


@dataclass(frozen=True)
class Pause:
    """The facilitator stops the clock."""

    actor: str


@dataclass(frozen=True)
class Resume:
    """The facilitator restarts the clock."""

    actor: str


@dataclass(frozen=True)
class Extend:
    """The facilitator gives the current step or turn more minutes."""

    actor: str
    minutes: int


@dataclass(frozen=True)
class End:
    """The facilitator ends the game with a synthesis (again: makes it final)."""

    actor: str


@dataclass(frozen=True)
class Abort:
    """The facilitator stops the game without a synthesis."""

    actor: str


@dataclass(frozen=True)
class TimerFired:
    """A timer armed by an ``ArmTimer`` effect went off."""

    kind: str
    seq: int


EVENT_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Open, Join, Leave, Start, Next, Done, Pass, Skip, Say, Vote, AddAction,
                Amend, Edit, Redact, Pause, Resume, Extend, End, Abort, TimerFired)
}

Event = (Open | Join | Leave | Start | Next | Done | Pass | Skip | Say | Vote | AddAction
         | Amend | Edit | Redact | Pause | Resume | Extend | End | Abort | TimerFired)


def event_to_dict(event: Event) -> dict:
    """The JSON-safe form of ``event``: its fields plus ``"type"``."""
    name = type(event).__name__
    if EVENT_TYPES.get(name) is not type(event):
        raise TypeError(f"not a game event: {event!r}")
    return {"type": name, **asdict(event)}


def event_from_dict(data: dict) -> Event:
    """The event stored as ``data`` by :func:`event_to_dict`."""
    cls = EVENT_TYPES.get(data.get("type", ""))
    if cls is None:
        raise ValueError(f"unknown event type: {data.get('type')!r}")
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names - {"type"}
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
    return cls(**{k: v for k, v in data.items() if k in names})
