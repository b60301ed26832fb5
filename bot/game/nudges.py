"""Week games: the nudges of who has not answered, the room's progress counts, ``!status``.

Counts, never names: the room reads "4/6 have answered", and each person who has
not answered the round or the vote gets one message naming only them, sent alone
(one timer firing per person, each its own transition, so that no message ever
lists several latecomers). Nothing is sent during the room's quiet hours: a timer
that fires then (late, after a restart) waits for the morning, or is dropped if the
deadline comes first.
"""

from __future__ import annotations

from dataclasses import replace

from bot.game.context import Ctx
from bot.game.effects import Say
from bot.game.params import UserRef, count_term, params, step_term
from bot.game.state import ACTIONS, RESOURCES, ROUND, SYNTHESIS, GameState
from bot.game.week import PHASE_STEP, answered, progress_time, waiting
from bot.game.weekplan import decent, when


def _out_of_quiet(state: GameState, ctx: Ctx, slot: str):
    """A timer that fires in quiet hours (late, after a restart) waits for the morning."""
    week = state.week
    later = decent(ctx.now, week.zone, week.quiet, state.deadline)
    if later == ctx.now:
        return None
    return replace(state, week=replace(week, **{slot: later})), []


def nudge(state: GameState, ctx: Ctx):
    """One person who has not answered is reminded, alone in their message; the next one right after."""
    week = state.week
    if state.deadline is None or ctx.now >= state.deadline:
        return replace(state, week=replace(week, nudge_at=None)), []
    moved = _out_of_quiet(state, ctx, "nudge_at")
    if moved is not None:
        return moved
    left = [p for p in waiting(state) if p not in week.nudged]
    if not left:
        return replace(state, week=replace(week, nudge_at=None)), []
    user = left[0]
    week = replace(week, nudged=week.nudged + (user,), nudge_at=ctx.now if len(left) > 1 else None)
    done_, total = answered(state)
    key = "week.nudge" if state.phase == ROUND else "week.nudge_vote"
    return replace(state, week=week), [Say(key, params(user=UserRef(user), done=done_, total=total,
                                                       when=when(state.deadline, week.zone)))]


def progress(state: GameState, ctx: Ctx):
    """The room's progress as counts, then the next count a period later (if before the deadline)."""
    week = state.week
    if state.deadline is None or ctx.now >= state.deadline:
        return replace(state, week=replace(week, progress_at=None)), []
    moved = _out_of_quiet(state, ctx, "progress_at")
    if moved is not None:
        return moved
    new = replace(state, week=replace(week, progress_at=progress_time(week, ctx.now, ctx, state.deadline)))
    at = when(state.deadline, week.zone)
    done_, total = answered(state)
    if state.phase == ROUND:
        return new, [Say("week.progress_round", params(done=done_, total=total, when=at))]
    if state.phase == RESOURCES:
        return new, [Say("week.progress_vote", params(done=done_, total=total, when=at))]
    return new, [Say("week.progress_ideas", params(ideas=_ideas(state), when=at))]


def _ideas(state: GameState):
    """The count of action ideas still standing (an erased person's are gone), as a plural term."""
    return count_term("ideas", sum(1 for a in state.actions if not a.erased))


def status(state: GameState) -> tuple[str, tuple] | None:
    """``!status`` in a week game's timed step: the step, its deadline and the counts."""
    if state.week is None or state.phase not in PHASE_STEP or state.deadline is None:
        return None
    at = when(state.deadline, state.week.zone)
    if state.phase == SYNTHESIS:
        return "week.status_synthesis", params(when=at)
    if state.phase == ACTIONS:
        return "week.status_ideas", params(ideas=_ideas(state), when=at)
    done_, total = answered(state)
    return "week.status", params(step=step_term(state.phase), when=at, done=done_, total=total)
