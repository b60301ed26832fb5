"""The rules: ``apply(state, event, now)`` gives the next state and the effects.

Everything that decides what a game does lives in this package and nothing here does
I/O. Transitions are listed in :data:`TRANSITIONS` (event type -> phase -> handler);
an event with no entry for the current phase, or refused by its handler, raises
:class:`IllegalMove` and the caller keeps its state unchanged, since states are
immutable. Timers never raise: a stale one (older ``seq``, not planned any more, or
arriving while paused) is simply ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from bot.game import edits, ending, lobby, nudges, timing, votes, week
from bot.game import round as speaking
from bot.game.context import Ctx, IllegalMove
from bot.game.effects import GameOver
from bot.game.events import (Abort, AddAction, Amend, Done, Edit, End, Event, Extend, Join, Leave, Next, Open, Pass,
                             Pause, Redact, Resume, Say, Skip, Start, TimerFired, Vote)
from bot.game.settings import Settings
from bot.game.state import (ABORTED, ACTIONS, CARD, FINISHED, IDLE, LOBBY, RESOURCES, ROUND, SYNTHESIS, TIMED,
                            GameState)

__all__ = ["IllegalMove", "Outcome", "apply", "TRANSITIONS"]

Handler = Callable[[GameState, Event, Ctx], tuple[GameState, list]]
PLAYING = (CARD, ROUND, RESOURCES, ACTIONS)


def _either(live: Handler, in_week: Handler) -> Handler:
    """``live`` in a live game, ``in_week`` in a week game (see bot/game/week.py)."""
    return lambda s, e, c: (live if s.week is None else in_week)(s, e, c)


def _join(s, e, c):
    return week.join(s, e, c) if s.week is not None and s.phase == ROUND else lobby.join(s, e, c)


def _leave(s, e, c):
    return week.leave(s, e, c) if s.week is not None and s.phase == ROUND else lobby.leave(s, e, c)


GOING = (LOBBY,) + TIMED  # a game is going on

TRANSITIONS: dict[type, dict[str, Handler]] = {
    Open: {p: lobby.open_game for p in (IDLE, FINISHED, ABORTED)},
    Join: {p: _join for p in (LOBBY,) + PLAYING},
    Leave: {p: _leave for p in GOING},
    Start: {LOBBY: lobby.start},
    Next: {
        CARD: lambda s, e, c: speaking.begin(s, c),
        ROUND: speaking.finish_early,
        RESOURCES: votes.next_step,
        ACTIONS: ending.next_in_actions,
        SYNTHESIS: ending.next_in_synthesis,
    },
    Done: {ROUND: _either(speaking.done, week.done)},
    Pass: {ROUND: _either(speaking.pass_turn, week.pass_turn)},
    Skip: {ROUND: _either(speaking.skip, week.no_skip)},
    Say: {ROUND: _either(speaking.say, week.say)},
    Vote: {RESOURCES: votes.vote},
    AddAction: {ACTIONS: ending.add_action},
    Amend: {SYNTHESIS: ending.amend},
    # Until the game is final (a deletion also reaches games already over: edits.redact).
    Edit: {p: edits.edit for p in (ROUND, RESOURCES, ACTIONS, SYNTHESIS)},
    Redact: {p: edits.redaction for p in GOING},
    Pause: {p: _either(timing.pause, week.no_pause) for p in TIMED},
    Resume: {p: _either(timing.resume, week.no_pause) for p in TIMED},
    Extend: {p: _either(timing.extend, week.extend) for p in TIMED},
    End: {p: ending.end for p in TIMED},
    Abort: {p: ending.abort for p in GOING},
}

# Why an event is refused in a phase that has no transition for it.
NOT_NOW: dict[type, dict[str, str] | str] = {
    Open: "game.already_running",
    Join: "game.join_closed",
    Start: "game.already_started",
    Next: {LOBBY: "game.next_in_lobby"},
    Done: "game.no_turn_now",
    Pass: "game.no_turn_now",
    Skip: "game.no_turn_now",
    Vote: "game.no_vote_now",
    AddAction: "game.no_actions_now",
    Amend: "game.no_amend_now",
    Pause: "game.no_clock_now",
    Resume: "game.not_paused",
    Extend: "game.no_clock_now",
    End: {LOBBY: "game.end_in_lobby"},
}

# What people write or change without asking the game: never refused.
QUIET = (Say, Edit, Redact)
FACILITATOR_ONLY = (Open, Start, Next, Skip, Pause, Resume, Extend, End, Abort)
# Moves the game forward, which would fight a stopped clock.
BLOCKED_WHILE_PAUSED = (Next, Done, Pass, Skip)

TIMER_HANDLERS: dict[str, dict[str, Callable[[GameState, Ctx], tuple[GameState, list]]]] = {
    "step": {
        CARD: lambda s, c: speaking.begin(s, c) if c.settings.auto_advance else timing.time_up(s, c),
        RESOURCES: votes.timeout,
        ACTIONS: ending.actions_timeout,
        SYNTHESIS: ending.synthesis_timeout,
        ROUND: week.round_timeout,  # only a week game's round has a step deadline
    },
    "turn": {ROUND: speaking.turn_timeout},
    "reminder": {p: timing.remind for p in TIMED},
    "silence": {ROUND: speaking.silence},
    # Week games only (their timers exist only in a state with a week plan).
    "nudge": {p: nudges.nudge for p in (ROUND, RESOURCES)},
    "progress": {p: nudges.progress for p in (ROUND, RESOURCES, ACTIONS)},
}


@dataclass(frozen=True)
class Outcome:
    """The state after an event and the effects to run, in order."""

    state: GameState
    effects: tuple


def apply(state: GameState, event: Event, now: datetime, *, facilitator: bool = False,
          settings: Settings = Settings()) -> Outcome:
    """Apply ``event`` at ``now``; ``facilitator`` says whether its sender steers games.

    Raises :class:`IllegalMove` (state unchanged) when the event makes no sense now.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    ctx = Ctx(now, facilitator, settings)
    if isinstance(event, TimerFired):
        return _timer(state, event, ctx)
    kind = type(event)
    if kind not in TRANSITIONS:
        raise TypeError(f"not a game event: {event!r}")
    handler = TRANSITIONS[kind].get(state.phase)
    if kind in QUIET and handler is None:
        # Chat outside the round, an edit or a deletion when there is nothing to change:
        # neither an error nor stored.
        return Outcome(state, ())
    if kind is not Open and state.phase not in GOING:
        raise IllegalMove("game.no_game")
    if kind in FACILITATOR_ONLY and not facilitator:
        raise IllegalMove("game.facilitator_only")
    if handler is None:
        reason = NOT_NOW[kind]
        raise IllegalMove(reason if isinstance(reason, str) else reason[state.phase])
    if state.paused is not None and kind in BLOCKED_WHILE_PAUSED:
        raise IllegalMove("game.paused_first")
    new, effects = handler(state, event, ctx)
    new, effects = week.adapt(state, new, effects, ctx)
    return Outcome(new, _with_timers(state, new, effects, None))


def _timer(state: GameState, event: TimerFired, ctx: Ctx) -> Outcome:
    at = timing.planned_at(state, event.kind, event.seq)
    handler = TIMER_HANDLERS.get(event.kind, {}).get(state.phase)
    if at is None or handler is None or ctx.now + timing.EARLY_TOLERANCE < at:
        return Outcome(state, ())  # stale, or early because it was re-armed later
    new, effects = handler(state, ctx)
    new, effects = week.adapt(state, new, effects, ctx)
    late = ctx.now - at
    if event.kind in ("step", "turn") and late > timedelta(seconds=ctx.settings.late_seconds):
        # The deadline passed while the bot was down: its timer fires at once on
        # restart, and the room hears why the game moves on now.
        effects = [timing.late_word(state, late), *effects]
    return Outcome(new, _with_timers(state, new, effects, (event.kind, event.seq)))


def _with_timers(old: GameState, new: GameState, effects: list, fired) -> tuple:
    """``effects`` with the timer changes, placed before any GameOver."""
    timers = timing.timer_effects(old, new, fired)
    head = [e for e in effects if not isinstance(e, GameOver)]
    tail = [e for e in effects if isinstance(e, GameOver)]
    return tuple(head) + timers + tuple(tail)

