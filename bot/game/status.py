"""``!status``: where a game is, whose turn it is and how much time is left."""

from __future__ import annotations

from datetime import datetime

from bot.game.params import Params, Term, UserRef, duration, params, step_term, users
from bot.game.state import ACTIONS, CARD, LOBBY, RESOURCES, ROUND, SYNTHESIS, GameState
from bot.game.timing import seconds_left


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
    if phase == LOBBY:
        return "game.status.lobby", params(
            facilitator=UserRef(state.facilitator, ping=False),
            players=users(state.players, ping=False) or "—", count=len(state.players))
    if phase == ROUND and state.speaker:
        return "game.status.round", params(
            speaker=UserRef(state.speaker, ping=False), position=state.current + 1,
            total=len(state.order), time=time_term(state, now))
    if phase == RESOURCES:
        voted = sum(1 for p in state.players if state.vote_of(p) is not None)
        return "game.status.resources", params(voted=voted, total=len(state.players),
                                               time=time_term(state, now))
    if phase == ACTIONS:
        return "game.status.actions", params(count=len(state.actions), time=time_term(state, now))
    if phase in (CARD, ROUND, SYNTHESIS):
        return "game.status.step", params(step=step_term(phase), time=time_term(state, now))
    return "game.status.none", ()
