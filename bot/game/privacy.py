"""Erasing a person from a room's games (the right to erasure).

Pure: ``!forget-me`` applies :func:`forget` to every stored game of the room (the
store then holds the log to the state, so their texts go from the log too), and a
:class:`Renamer` puts a stable pseudonym, ``erased#N``, where their Matrix id or
display name was, in every stored row of the room: the syntheses still read
("[erased person 1]" spoke, then passed), and nothing identifies them. The number
is the room's next free one: no table links it to the id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from bot.game.log import IDENTIFIERS, kept_texts
from bot.game.state import GameState


def forget(state: GameState, user: str) -> GameState:
    """``state`` without any text ``user`` wrote: turns, action ideas, summary."""
    turns = tuple(replace(t, texts=(), erased=True) if t.speaker == user and (t.texts or t.erased) else t
                  for t in state.turns)
    actions = tuple(replace(a, text="", erased=True) if a.author == user else a for a in state.actions)
    if state.amended_by == user:
        state = replace(state, amendment=None, amended_by=None)
    return replace(state, turns=turns, actions=actions)


def wrote_something(state: GameState, user: str) -> bool:
    """Whether ``state`` still holds any text of ``user``."""
    return (any(t.speaker == user and t.texts for t in state.turns)
            or any(a.author == user and not a.erased for a in state.actions)
            or state.amended_by == user)


# -- pseudonyms: the person's id and name out of every stored row -------------------------

ERASED = "erased#"  # never a Matrix id (those start with "@"): rendered as "[erased person N]"
_ERASED_ID = re.compile(re.escape(ERASED) + r"(\d+)")


def erased_id(number: int) -> str:
    """The stable pseudonym that stands for the ``number``-th person erased in a room."""
    return f"{ERASED}{number}"


def erased_number(user: str) -> int | None:
    """N if ``user`` is the pseudonym of an erased person, else None."""
    found = _ERASED_ID.fullmatch(user)
    return int(found.group(1)) if found else None


def next_erased_number(stored: Iterable[str]) -> int:
    """The next free pseudonym number, given the room's stored rows as text."""
    return max((int(n) for text in stored for n in _ERASED_ID.findall(text)), default=0) + 1


@dataclass(frozen=True)
class Renamer:
    """Puts ``alias`` where ``user`` (a Matrix id) was, ``label`` where texts named them.

    ``label`` is the pseudonym as people read it ("[personne effacée 1]"): texts keep
    no ids, only words. ``name`` is the person's display name, if any.
    """

    user: str
    alias: str
    name: str | None = None
    label: str = ""

    def _pattern(self) -> re.Pattern:
        words = [self.user] + ([self.name] if self.name and len(self.name) >= 3 and self.name != self.user else [])
        return re.compile("|".join(r"(?<!\w)" + re.escape(w) + r"(?!\w)" for w in words), re.IGNORECASE)

    def within(self, text: str) -> str:
        """A free text with the person's id and name replaced (others may have named them)."""
        if self.user.lower() not in text.lower() and not (self.name and self.name.lower() in text.lower()):
            return text
        return self._pattern().sub(lambda _: self.label or self.alias, text)

    def exact(self, value: str) -> str:
        """An identifier: the alias if it is the person's id."""
        return self.alias if value == self.user else value

    def state(self, state: dict) -> dict:
        """A stored game state: ids replaced wherever they are, names inside its texts."""
        texts = kept_texts(state)
        return _walk(state, lambda s: self.within(s) if s in texts else self.exact(s))

    def event(self, event: dict) -> dict:
        """A logged event: identifiers replaced, names inside its texts."""
        return {k: (self.exact(v) if k in IDENTIFIERS else self.within(v)) if isinstance(v, str) else v
                for k, v in event.items()}

    def anything(self, value):
        """A rendered message or any other JSON: every string, ids and names inside."""
        return _walk(value, self.within)


def _walk(value, fn: Callable[[str], str]):
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list | tuple):
        return [_walk(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    return value
