"""``!status`` and ``!actions``: where a game is, whose turn, time left, the ideas so far."""

from __future__ import annotations

from datetime import datetime

from bot.game.params import Params, Term, UserRef, count_term, duration, level_term, params, step_term, users
from bot.game.state import ACTIONS, CARD, LEVELS, LOBBY, RESOURCES, ROUND, SYNTHESIS, GameState
from bot.game.timing import seconds_left
from bot.game.nudges import status as week_status


def time_term(state: GameState, now: datetime) -> Term:
    """"3 min left", "paused, 3 min left" or "time is up"."""
    left = seconds_left(state, now)
    if state.paused is not None:
        if left is None:
            return Term("game.time.paused_no_clock")
        return Term("game.time.paused", params(time=duration(left)))
    if left is None:
        return Term("game.time.up")
    return Term("game.time.left", params(time=duration(left)))


def describe(state: GameState, now: datetime) -> tuple[str, Params]:
    """The catalogue key and params answering ``!status`` (names shown, nobody pinged)."""
    phase = state.phase
    in_week = week_status(state)
    if in_week is not None:
        return in_week
    if phase == LOBBY:
        return "game.status.lobby", params(
            facilitator=UserRef(state.facilitator),
            players=users(state.players) or "—", count=len(state.players))
    if phase == ROUND and state.speaker:
        return "game.status.round", params(
            speaker=UserRef(state.speaker), position=state.current + 1,
            total=len(state.order), time=time_term(state, now))
    if phase == RESOURCES:
        voted = sum(1 for p in state.players if state.vote_of(p) is not None)
        return "game.status.resources", params(voted=voted, total=len(state.players),
                                               time=time_term(state, now))
    if phase == ACTIONS:
        return "game.status.actions", params(ideas=count_term("ideas", len(state.actions)), time=time_term(state, now))
    if phase in (CARD, ROUND, SYNTHESIS):
        return "game.status.step", params(step=step_term(phase), time=time_term(state, now))
    return "game.status.none", ()


def list_actions(state: GameState) -> tuple[tuple[str, Params], ...]:
    """``!actions``: message lines (key, params) to render and join, grouped by level."""
    if not state.actions:
        return (("game.actions.none", ()),)
    lines: list[tuple[str, Params]] = [("game.actions.header", params(count=len(state.actions)))]
    for level in LEVELS:
        ideas = [a for a in state.actions if a.level == level]
        if ideas:
            lines.append(("game.actions.level", params(level=level_term(level))))
            lines.extend(("game.actions.item", params(number=a.seq, text=a.text, user=UserRef(a.author)))
                         for a in ideas)
    return tuple(lines)
