"""What the rules ask the engine to do: effects, as frozen dataclasses.

The engine runs them in order after saving the new state. Messages are catalogue
keys with parameters (see :mod:`bot.game.params`); the card, resources, board,
prompts and synthesis are content the engine takes from the deck and the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.game.params import Params, params

# Timer kinds: the end of a step (card, resources, actions, synthesis window), the
# end of a speaking turn, the reminder before either ends, and the silence prompt;
# in a week game, the next nudge of someone who has not answered and the progress count.
TIMER_KINDS = ("step", "turn", "reminder", "silence", "nudge", "progress")


class _Message:
    """What Say and Reply share: a catalogue key and its parameters."""

    params: Params

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class Say(_Message):
    """Post catalogue message ``key`` with ``params`` in the room."""

    key: str
    params: Params = ()


@dataclass(frozen=True)
class Reply(_Message):
    """Answer the sender of the event (``to``) with catalogue message ``key``, in the room."""

    key: str
    params: Params = ()
    to: str = ""


@dataclass(frozen=True)
class PostCard:
    """Post the situation card ``card_id`` (title, theme, situation, questions)."""

    card_id: str


@dataclass(frozen=True)
class PostResources:
    """Post the resources of ``theme`` (step 3)."""

    theme: str


@dataclass(frozen=True)
class PostBoard:
    """Post the systems board: the four levels and their questions (step 4)."""


@dataclass(frozen=True)
class PostPrompt:
    """Post narrator prompt number ``index`` (the engine takes it modulo its list) to ``speaker``."""

    index: int
    speaker: str = ""


@dataclass(frozen=True)
class PostSynthesis:
    """Post the synthesis built from the state: the final one comes with its file."""

    final: bool


@dataclass(frozen=True)
class StartPoll:
    """Open the vote's native poll ("go on to actions?", answers ``yes``/``no``), asking ``players``."""

    players: tuple[str, ...]


@dataclass(frozen=True)
class EndPoll:
    """Close the vote's poll with its result (``go_on`` None: closed without a decision)."""

    yes: int
    no: int
    go_on: bool | None


@dataclass(frozen=True)
class ArmTimer:
    """Deliver ``TimerFired(kind, seq)`` at ``at``; replaces this game's earlier timer of that kind."""

    kind: str
    at: datetime
    seq: int


@dataclass(frozen=True)
class CancelTimers:
    """Drop every pending timer of this game (the ArmTimer effects that follow re-arm)."""


@dataclass(frozen=True)
class GameOver:
    """The game ended: ``outcome`` is "finished" (with synthesis) or "aborted"."""

    outcome: str


Effect = (Say | Reply | PostCard | PostResources | PostBoard | PostPrompt | PostSynthesis | StartPoll | EndPoll
          | ArmTimer | CancelTimers | GameOver)


def cut_and_tell(text: str, room: int, author: str, key: str, maximum: int | None = None) -> tuple[str, list[Reply]]:
    """A user's text cut to ``room`` characters, and the reply ``key`` telling its author (none if it fits).

    The reply names ``maximum`` when given: the whole allowance of which ``room`` is
    what is left (a turn written in several messages); else ``room``.
    """
    if len(text) <= room:
        return text, []
    return text[:room], [Reply(key, params(maximum=room if maximum is None else maximum), to=author)]
