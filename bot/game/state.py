"""The state of one room's game: frozen dataclasses and their JSON form.

Everything that affects the rules lives here, and only what the synthesis and the
timers need: free chat is never stored. Datetimes are aware (UTC in practice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime

from bot.game.weekplan import Week

IDLE, LOBBY, CARD, ROUND, RESOURCES, ACTIONS, SYNTHESIS, FINISHED, ABORTED = (
    "idle", "lobby", "card", "round", "resources", "actions", "synthesis", "finished", "aborted")
PHASES = (IDLE, LOBBY, CARD, ROUND, RESOURCES, ACTIONS, SYNTHESIS, FINISHED, ABORTED)
ACTIVE = (LOBBY, CARD, ROUND, RESOURCES, ACTIONS, SYNTHESIS)  # a game is going on
TIMED = (CARD, ROUND, RESOURCES, ACTIONS, SYNTHESIS)  # phases with a clock

# The guide's four themes; trainers' decks may add more, so the rules accept any
# id-shaped theme and leave it to the engine to check it against the decks.
THEMES = ("data_protection", "digital_tools", "netiquette", "ethics")
THEME_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
LEVELS = ("individual", "team", "organisation", "policy")

OPEN, SPOKEN, PASSED, SKIPPED, TIMEOUT, LEFT = "open", "spoken", "passed", "skipped", "timeout", "left"
TURN_STATUSES = (OPEN, SPOKEN, PASSED, SKIPPED, TIMEOUT, LEFT)

STATE_VERSION = 1


def is_theme_id(value: object) -> bool:
    return isinstance(value, str) and THEME_ID.fullmatch(value) is not None


@dataclass(frozen=True)
class Turn:
    """One speaking turn: the speaker's messages and how the turn ended.

    ``refs[i]`` is the Matrix event id of ``texts[i]`` ("" if unknown), so that an
    edit replaces that text and a redaction removes it (:mod:`bot.game.edits`).
    """

    speaker: str
    texts: tuple[str, ...] = ()
    status: str = OPEN
    truncated: bool = False  # the contribution reached the length limit
    erased: bool = False  # removed at the speaker's request (!forget-me)
    refs: tuple[str, ...] = ()

    @property
    def length(self) -> int:
        return sum(len(t) for t in self.texts)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


@dataclass(frozen=True)
class Action:
    """An action idea at one of the four levels; ``seq`` numbers them from 1."""

    level: str
    text: str
    author: str
    seq: int
    erased: bool = False  # removed at the author's request (!forget-me), or its message deleted
    ref: str = ""  # the Matrix event id of the command that proposed it


@dataclass(frozen=True)
class Paused:
    """The clock stopped at ``at`` with ``remaining`` seconds on the step or turn."""

    at: datetime
    remaining: float | None


@dataclass(frozen=True)
class VoteResult:
    """How step 3 was decided; ``decided_by`` is "majority" or "facilitator"."""

    yes: int
    no: int
    go_on: bool
    decided_by: str


@dataclass(frozen=True)
class GameState:
    """A room's game. ``seq`` changes whenever the timers must be re-armed."""

    phase: str = IDLE
    facilitator: str = ""  # who opened the game
    language: str = "fr"
    requested_theme: str | None = None  # the theme asked for at !new
    theme: str | None = None  # the card's theme
    card_id: str | None = None
    players: tuple[str, ...] = ()  # in join order
    participants: tuple[str, ...] = ()  # everyone who played since the start
    order: tuple[str, ...] = ()  # speaking order of step 2
    current: int = -1  # index of the current speaker in ``order``
    turns: tuple[Turn, ...] = ()
    nudged: tuple[str, ...] = ()  # reminded not to speak out of turn, this turn
    prompts: int = 0  # narrator prompts posted so far (they rotate)
    votes: tuple[tuple[str, bool], ...] = ()
    casting_vote: bool | None = None  # a facilitator's vote when not a player
    tie_pending: bool = False
    vote: VoteResult | None = None
    resources_shared: bool = False
    actions: tuple[Action, ...] = ()
    amendment: str | None = None
    amended_by: str | None = None
    amendment_ref: str = ""  # the Matrix event id of the summary's command
    paused: Paused | None = None
    deadline: datetime | None = None  # end of the current step
    turn_deadline: datetime | None = None  # end of the current turn
    reminder_at: datetime | None = None
    silence_at: datetime | None = None
    last_activity: datetime | None = None  # of the current speaker (or the turn's start)
    seq: int = 0
    created: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    week: Week | None = None  # a week game's calendar (None: a live game)

    @property
    def running(self) -> bool:
        return self.phase in ACTIVE

    @property
    def speaker(self) -> str | None:
        """The current speaker in step 2, if any."""
        turn = self.current_turn
        return turn.speaker if turn else None

    @property
    def current_turn(self) -> Turn | None:
        """The live round's open turn (a week game has no single speaker: none)."""
        if self.week is None and self.phase == ROUND and self.turns and self.turns[-1].status == OPEN:
            return self.turns[-1]
        return None

    def vote_of(self, user: str) -> bool | None:
        return dict(self.votes).get(user)

    def with_turn(self, turn: Turn) -> "GameState":
        """This state with its last turn replaced."""
        return replace(self, turns=self.turns[:-1] + (turn,))

    def to_dict(self) -> dict:
        """A JSON-safe dict (see :meth:`from_dict`)."""
        out: dict = {"v": STATE_VERSION}
        for f in fields(self):
            out[f.name] = _dump(getattr(self, f.name))
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "GameState":
        if data.get("v") != STATE_VERSION:
            raise ValueError(f"unsupported game state version: {data.get('v')!r}")
        d = dict(data)
        d.pop("v")
        for name in ("deadline", "turn_deadline", "reminder_at", "silence_at",
                     "last_activity", "created", "started", "ended"):
            d[name] = _time(d.get(name))
        for name in ("players", "participants", "order", "nudged"):
            d[name] = tuple(d.get(name, ()))
        d["turns"] = tuple(
            Turn(t["speaker"], tuple(t["texts"]), t["status"], t["truncated"], t.get("erased", False),
                 _refs(t.get("refs", ()), len(t["texts"])))
            for t in d.get("turns", ())
        )
        d["actions"] = tuple(Action(**a) for a in d.get("actions", ()))
        d["votes"] = tuple((u, bool(y)) for u, y in d.get("votes", ()))
        d["vote"] = VoteResult(**d["vote"]) if d.get("vote") else None
        d["week"] = Week.from_dict(d["week"]) if d.get("week") else None
        p = d.get("paused")
        d["paused"] = Paused(_time(p["at"]), p["remaining"]) if p else None
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown game state fields: {sorted(unknown)}")
        return cls(**d)


def _dump(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _dump(getattr(value, f.name)) for f in fields(value)}
    return value


def _refs(refs, count: int) -> tuple[str, ...]:
    """One ref per text (states saved before refs existed have none: "")."""
    refs = tuple(refs)[:count]
    return refs + ("",) * (count - len(refs))


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"naive datetime in game state: {value!r}")
    return parsed
