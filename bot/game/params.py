"""Message parameters: plain values, or markers only the engine can turn into text.

Effects carry a catalogue key and parameters. A parameter value is a ``str`` or an
``int``, or one of the markers below, because the core knows neither the catalogue,
the deck nor display names:

- :class:`UserRef` — a user, named by the engine (whether the message notifies them is
  decided by the renderer's one rule, ``bot/messages/notify.py``, not here);
- a ``tuple`` of :class:`UserRef` — a comma-separated list of them;
- :class:`Term` — another catalogue text in the room's language (level and step names,
  durations); its own params may hold markers too;
- :class:`ThemeRef` / :class:`CardRef` — a theme's or a card's title from the deck;
- :class:`LocalTime` / :class:`ZoneCity` — a moment on a zone's wall clock and a zone's
  city, in the room's language (CLDR's words, through the messages layer).

:func:`resolve` does that walk given the engine's lookups, so it stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

Params = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class UserRef:
    """A Matrix user named in a message."""

    user_id: str


@dataclass(frozen=True)
class Term:
    """A catalogue text (``key`` with its own ``params``) used as a parameter."""

    key: str
    params: Params = ()


@dataclass(frozen=True)
class ThemeRef:
    """A theme's title, looked up in the deck by the engine."""

    theme: str


@dataclass(frozen=True)
class CardRef:
    """A card's title, looked up in the deck by the engine."""

    card_id: str


@dataclass(frozen=True)
class LocalTime:
    """A moment said on the wall clock of ``zone``: "jeudi 4 mars à 18:00"."""

    at: datetime
    zone: str


@dataclass(frozen=True)
class ZoneCity:
    """A time zone named by its city in the room's language ("Wien", "București")."""

    zone: str


def params(**values: Any) -> Params:
    """Keyword arguments as the frozen pairs effects carry."""
    return tuple(values.items())


def users(user_ids) -> tuple[UserRef, ...]:
    return tuple(UserRef(u) for u in user_ids)


def duration(seconds: float) -> Term:
    """A length of time as a catalogue term ("3 min", "1 min 30 s", "45 s")."""
    total = max(0, int(round(seconds)))
    minutes, secs = divmod(total, 60)
    if minutes and secs:
        return Term("game.duration.min_sec", params(minutes=minutes, seconds=secs))
    if minutes:
        return Term("game.duration.min", params(minutes=minutes))
    return Term("game.duration.sec", params(seconds=secs))


def count_term(kind: str, count: int) -> Term:
    """"no cards", or ``game.count.<kind>`` in the plural form the language gives ``count``."""
    if count == 0:
        return Term(f"game.count.{kind}.none")
    return Term(f"game.count.{kind}", params(count=count))


def level_term(level: str) -> Term:
    return Term(f"game.level.{level}")


def step_term(phase: str) -> Term:
    return Term(f"game.step.{phase}")


def resolve(
    values: Params,
    *,
    text: Callable[..., str],
    user: Callable[[UserRef], Any],
    user_list: Callable[[tuple[Any, ...]], Any],
    theme: Callable[[str], str],
    card: Callable[[str], str],
    moment: Callable[[LocalTime], str] = lambda m: m.at.isoformat(),
    city: Callable[[ZoneCity], str] = lambda z: z.zone,
) -> dict[str, Any]:
    """``values`` as a dict ready for the renderer.

    ``text(key, **params)`` is the catalogue text in the room's language; ``user`` turns
    a :class:`UserRef` into what the renderer takes (e.g. a ``Mention`` or a name) and
    ``user_list`` joins several of those.
    """

    def one(value: Any) -> Any:
        if isinstance(value, UserRef):
            return user(value)
        if isinstance(value, tuple):
            return user_list(tuple(one(v) for v in value))
        if isinstance(value, Term):
            inner = {k: one(v) for k, v in value.params}
            return text(value.key, **inner)
        if isinstance(value, ThemeRef):
            return theme(value.theme)
        if isinstance(value, CardRef):
            return card(value.card_id)
        if isinstance(value, LocalTime):
            return moment(value)
        if isinstance(value, ZoneCity):
            return city(value)
        return value

    return {name: one(value) for name, value in values}
