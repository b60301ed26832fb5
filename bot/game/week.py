"""Week games, the rules: everyone answers in any order, the deadlines keep the rhythm.

A week game is a game whose state has a :class:`~bot.game.weekplan.Week`. It runs the
same steps as a live game, with these differences:

- step 1 opens step 2 at once (the card is posted with the invitation to answer);
- step 2 has no single speaker: every player has an open contribution from the start.
  What a player writes **in the room's main timeline, until their done/pass**, is their
  contribution (several messages, edits and deletions honoured as in a live turn).
  Side conversation is kept out by two rules people can see: a reply in a thread is
  conversation, and so is whatever someone writes after their done/pass. The step
  ends when every player is done, at its deadline, or when the facilitator moves on;
- each step ends at its deadline from the week plan, not after a number of seconds;
- whoever has not answered the round or the vote gets **one** nudge per step (a
  message naming only them, sent alone), a configurable time before the deadline,
  never during quiet hours; the room sees progress as counts, at most every
  ``week_progress_seconds``; nobody is ever listed as late;
- there is no pause (a week is not stopped), no skip (nobody holds the floor); the
  facilitator postpones a deadline instead (``Extend`` with days or hours).

The live rules produce a step change; :func:`adapt` then gives it the week's deadline
and words, so the two kinds of game share every other rule.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.game import votes
from bot.game.context import Ctx, IllegalMove
from bot.game.effects import Say
from bot.game.params import UserRef, ZoneCity, params, step_term
from bot.game.state import (ABORTED, ACTIONS, CARD, FINISHED, LEFT, OPEN, PASSED, RESOURCES, ROUND, SPOKEN,
                            SYNTHESIS, TIMEOUT, GameState, Turn)
from bot.game.weekplan import STEPS, Quiet, Week, decent, postpone, propose, when

PHASE_STEP = {ROUND: "round", RESOURCES: "vote", ACTIONS: "actions", SYNTHESIS: "synthesis"}
# Live step messages and their week form (a deadline instead of a duration).
REWORDED = {"game.vote_question": "week.vote_question", "game.actions_invite": "week.actions_invite",
            "game.synthesis_open": "week.synthesis_open"}
NUDGED_STEPS = ("round", "vote")  # the steps everyone is expected to answer
COUNTED_STEPS = ("round", "vote", "actions")  # the steps whose progress the room is told


def new_week(event, ctx: Ctx) -> Week:
    quiet = Quiet(event.quiet_start, event.quiet_end)
    return Week(zone=event.zone, length=event.week_seconds, quiet_start=quiet.start, quiet_end=quiet.end,
                deadlines=propose(ctx.now, event.week_seconds, event.zone, quiet))


def plan_message(week: Week) -> Say:
    """The proposed deadlines, in the room's zone."""
    return Say("week.plan", params(zone=ZoneCity(week.zone), **{step: when(week.deadline(step), week.zone) for step in STEPS}))


# -- counts -------------------------------------------------------------------------------

def _turn_of(state: GameState, user: str) -> tuple[int, Turn] | tuple[None, None]:
    for index, turn in enumerate(state.turns):
        if turn.speaker == user:
            return index, turn
    return None, None


def answered(state: GameState) -> tuple[int, int]:
    """(how many players answered the current step, how many players): counts, never names."""
    total = len(state.players)
    if state.phase == ROUND:
        closed = {t.speaker for t in state.turns if t.status != OPEN}
        return sum(1 for p in state.players if p in closed), total
    if state.phase == RESOURCES:
        return sum(1 for p in state.players if state.vote_of(p) is not None), total
    return len({a.author for a in state.actions if not a.erased and a.author in state.players}), total


def waiting(state: GameState) -> list[str]:
    """Players who have not answered the current step (for their own nudge only)."""
    if state.phase == ROUND:
        closed = {t.speaker for t in state.turns if t.status != OPEN}
        return [p for p in state.players if p not in closed]
    if state.phase == RESOURCES:
        return [p for p in state.players if state.vote_of(p) is None]
    return []


# -- the step clock -----------------------------------------------------------------------

def _timed(state: GameState, ctx: Ctx, step: str) -> GameState:
    week = state.week
    deadline = week.deadline(step)
    week = replace(week, step_start=ctx.now, nudged=(),
                   nudge_at=_nudge_time(week, step, ctx, deadline),
                   progress_at=progress_time(week, ctx.now, ctx, deadline) if step in COUNTED_STEPS else None)
    return replace(state, week=week, deadline=deadline, turn_deadline=None, reminder_at=None, silence_at=None,
                   paused=None, seq=state.seq + 1)


def _nudge_time(week: Week, step: str, ctx: Ctx, deadline):
    before = ctx.settings.week_nudge_seconds
    if step not in NUDGED_STEPS or before <= 0 or deadline <= ctx.now:
        return None
    at = deadline - timedelta(seconds=before)
    if at <= ctx.now:
        at = ctx.now + (deadline - ctx.now) / 2  # a short step: halfway
    return decent(at, week.zone, week.quiet, deadline)


def progress_time(week: Week, since, ctx: Ctx, deadline):
    every = ctx.settings.week_progress_seconds
    if every <= 0:
        return None
    at = decent(since + timedelta(seconds=every), week.zone, week.quiet, deadline)
    return at if at is not None and at < deadline else None


def adapt(old: GameState, new: GameState, effects: list, ctx: Ctx) -> tuple[GameState, list]:
    """A step change made by the shared rules, given the week's deadline and words."""
    if new.week is None or new.phase == old.phase:
        return new, effects
    effects = list(effects)
    if old.phase == ROUND:
        new = close_turns(new)
    if new.phase == CARD:
        effects = [e for e in effects if not (isinstance(e, Say) and e.key == "game.step1_invite")]
        return begin_round(new, ctx, effects)
    if new.phase in PHASE_STEP:
        new = _timed(new, ctx, PHASE_STEP[new.phase])
        at = when(new.deadline, new.week.zone)
        effects = [Say(REWORDED[e.key], params(when=at)) if isinstance(e, Say) and e.key in REWORDED else e
                   for e in effects]
    elif new.phase in (FINISHED, ABORTED):
        new = replace(new, week=replace(new.week, nudge_at=None, progress_at=None))
    return new, effects


def close_turns(state: GameState) -> GameState:
    """The round is over: what someone wrote counts even without done; silence is a timeout."""
    turns = tuple(replace(t, status=SPOKEN if t.texts else TIMEOUT) if t.status == OPEN else t
                  for t in state.turns)
    return replace(state, turns=turns, current=-1, nudged=())


# -- step 2 -------------------------------------------------------------------------------

def begin_round(state: GameState, ctx: Ctx, effects: list):
    week = state.week
    if week.deadline("round") <= ctx.now + timedelta(seconds=week.length * 0.05):
        # Started after the proposed deadline: the plan starts again from now.
        week = replace(week, deadlines=propose(ctx.now, week.length, week.zone, week.quiet))
        effects = list(effects) + [plan_message(week)]
    new = replace(state, week=week, phase=ROUND, order=state.players, current=-1, nudged=(),
                  turns=tuple(Turn(p) for p in state.players))
    new = _timed(new, ctx, "round")
    return new, list(effects) + [Say("week.round_open", params(when=when(new.deadline, week.zone)))]


def say(state: GameState, event, ctx: Ctx):
    """A player's message in the main timeline before their done: part of their contribution."""
    index, turn = _turn_of(state, event.actor)
    text = event.text.strip()
    if turn is None or turn.status != OPEN or event.in_thread or not text or event.actor not in state.players:
        return state, []  # conversation: not stored
    room = ctx.settings.max_turn_chars - turn.length
    if turn.truncated or room <= 0:
        return state, []
    if len(text) > room:
        text = text[:room]
    turn = replace(turn, texts=turn.texts + (text,), refs=turn.refs + (event.ref,), truncated=len(text) >= room)
    return replace(state, turns=state.turns[:index] + (turn,) + state.turns[index + 1:]), []


def _close_own(state: GameState, actor: str, passing: bool, ctx: Ctx):
    index, turn = _turn_of(state, actor)
    if turn is None or actor not in state.players:
        raise IllegalMove("game.not_a_player")
    if turn.status != OPEN:
        raise IllegalMove("week.already_done")
    status = SPOKEN if turn.texts and not passing else PASSED
    new = replace(state, turns=state.turns[:index] + (replace(turn, status=status),) + state.turns[index + 1:])
    done_, total = answered(new)
    key = "week.turn_passed" if passing else "week.turn_done"
    return finish_if_complete(new, ctx, [Say(key, params(user=UserRef(actor), done=done_, total=total))])


def done(state: GameState, event, ctx: Ctx):
    return _close_own(state, event.actor, False, ctx)


def pass_turn(state: GameState, event, ctx: Ctx):
    return _close_own(state, event.actor, True, ctx)


def finish_if_complete(state: GameState, ctx: Ctx, effects: list):
    if state.players and not waiting(state):
        return votes.begin(state, ctx, list(effects) + [Say("week.round_complete")])
    return state, effects


def round_timeout(state: GameState, ctx: Ctx):
    """The round's deadline: what was written counts, even without done."""
    closed = close_turns(state)
    shared = sum(1 for t in closed.turns if t.status == SPOKEN and t.speaker in closed.players)
    return votes.begin(closed, ctx, [Say("week.round_closed", params(done=shared, total=len(closed.players)))])


def join(state: GameState, event, ctx: Ctx):
    """A player joins during step 2: their contribution is expected like everyone's."""
    user = event.actor
    if user in state.players:
        raise IllegalMove("game.already_joined")
    if len(state.players) >= ctx.settings.max_players:
        raise IllegalMove("game.full", maximum=ctx.settings.max_players)
    index, turn = _turn_of(state, user)
    turns = state.turns + (Turn(user),) if turn is None else \
        state.turns[:index] + (replace(turn, status=OPEN if turn.status == LEFT else turn.status),) + \
        state.turns[index + 1:]
    new = replace(state, players=state.players + (user,), turns=turns,
                  participants=state.participants + (() if user in state.participants else (user,)),
                  order=state.order + (() if user in state.order else (user,)))
    return new, [Say("week.joined", params(user=UserRef(user), when=when(state.deadline, state.week.zone)))]


def leave(state: GameState, event, ctx: Ctx):
    user = event.actor
    if user not in state.players:
        raise IllegalMove("game.not_a_player")
    index, turn = _turn_of(state, user)
    turns = state.turns
    if turn is not None and turn.status == OPEN:
        turns = turns[:index] + (replace(turn, status=LEFT),) + turns[index + 1:]
    new = replace(state, players=tuple(p for p in state.players if p != user), turns=turns)
    return finish_if_complete(new, ctx, [Say("game.left", params(user=UserRef(user)))])


# -- the facilitator's clock ------------------------------------------------------------

def extend(state: GameState, event, ctx: Ctx):
    """Postpone the current step's deadline (and the later ones) by whole days or hours."""
    step = PHASE_STEP.get(state.phase)
    if step is None:
        raise IllegalMove("game.no_clock_now")
    if not 1 <= event.minutes <= 14 * 24 * 60:
        raise IllegalMove("week.extend_range")
    week = postpone(state.week, step, event.minutes * 60)
    deadline = week.deadline(step)
    # Whoever was nudged in this step is not nudged again: the new time is for the others.
    week = replace(week, nudge_at=_nudge_time(week, step, ctx, deadline),
                   progress_at=progress_time(week, ctx.now, ctx, deadline) if step in COUNTED_STEPS else None)
    new = replace(state, week=week, deadline=deadline, seq=state.seq + 1)
    return new, [Say("week.extended", params(step=step_term(state.phase), when=when(deadline, week.zone))),
                 plan_message(week)]


def no_pause(state: GameState, event, ctx: Ctx):
    raise IllegalMove("week.no_pause")


def no_skip(state: GameState, event, ctx: Ctx):
    raise IllegalMove("week.no_skip")
