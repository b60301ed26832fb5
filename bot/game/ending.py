"""Step 4 (action ideas), the synthesis window, and the end of a game.

After ``End`` (or a "no" vote) the game enters the ``synthesis`` phase: the room is
told how to see the draft (it is not posted, so the text is posted once, final), and
any player may send a volunteer's summary with ``Amend`` (a later one replaces it). The facilitator's ``End`` (or ``Next``) again, or the end of the
window, makes the synthesis final. ``Abort`` stops without a synthesis and drops
the contributions, since nothing will need them.
"""

from __future__ import annotations

from dataclasses import replace

from bot.game.context import Ctx, IllegalMove
from bot.game.effects import EndPoll, GameOver, PostBoard, PostSynthesis, Say, cut_and_tell
from bot.game.visible import has_visible
from bot.game.params import UserRef, duration, level_term, params
from bot.game.state import (ABORTED, ACTIONS, FINISHED, LEVELS, RESOURCES, SKIPPED, SYNTHESIS, Action, GameState)
from bot.game.timing import time_up, timed, untimed


def begin_actions(state: GameState, ctx: Ctx, effects: list):
    new = timed(replace(state, phase=ACTIONS), ctx.now, ctx.settings.actions_seconds, ctx.settings)
    return new, list(effects) + [
        Say("game.step4"),
        PostBoard(),
        Say("game.actions_invite", params(time=duration(ctx.settings.actions_seconds))),
    ]


def _may_write(state: GameState, actor: str, ctx: Ctx) -> None:
    if actor not in state.players and actor not in state.participants and not ctx.facilitator:
        raise IllegalMove("game.not_a_player")


def add_action(state: GameState, event, ctx: Ctx):
    _may_write(state, event.actor, ctx)
    if event.level not in LEVELS:
        raise IllegalMove("game.bad_level")
    text = event.text.strip()
    if not has_visible(text):
        raise IllegalMove("game.action_empty")
    text, told = cut_and_tell(text, ctx.settings.max_action_chars, event.actor, "game.action_text_cut")
    effects: list = list(told)
    action = Action(event.level, text, event.actor, len(state.actions) + 1, ref=event.ref)
    new = replace(state, actions=state.actions + (action,))
    effects.insert(0, Say("game.action_added", params(
        user=UserRef(event.actor), level=level_term(event.level), number=action.seq)))
    return new, effects


def begin_synthesis(state: GameState, ctx: Ctx, effects: list):
    turn = state.current_turn
    if turn is not None:
        state = state.with_turn(replace(turn, status=SKIPPED))
    new = replace(state, phase=SYNTHESIS, current=-1, nudged=(), last_activity=None, tie_pending=False)
    new = timed(new, ctx.now, ctx.settings.amend_seconds, ctx.settings)
    # The draft is not posted: it would be the final text twice. "!synthesis" alone shows it.
    return new, list(effects) + [Say("game.synthesis_open", params(time=duration(ctx.settings.amend_seconds)))]


def amend(state: GameState, event, ctx: Ctx):
    _may_write(state, event.actor, ctx)
    text = event.text.strip()
    if not has_visible(text):
        raise IllegalMove("game.amend_empty")
    text, effects = cut_and_tell(text, ctx.settings.max_amend_chars, event.actor, "game.amend_text_cut")
    key = "game.amended" if state.amendment is None else "game.amend_replaced"
    new = replace(state, amendment=text, amended_by=event.actor, amendment_ref=event.ref)
    return new, [Say(key, params(user=UserRef(event.actor)))] + effects


def finalize(state: GameState, ctx: Ctx, effects: list | None = None):
    new = replace(untimed(state), phase=FINISHED, ended=ctx.now)
    return new, list(effects or []) + [Say("game.finished"), PostSynthesis(final=True), GameOver("finished")]


def closing_poll(state: GameState) -> list:
    """The vote's poll closes, undecided, when the game leaves step 3 another way."""
    return [EndPoll(0, 0, None)] if state.phase == RESOURCES else []


def end(state: GameState, event, ctx: Ctx):
    """``End``: to the synthesis window; in it, make the synthesis final."""
    if state.phase == SYNTHESIS:
        return finalize(state, ctx)
    return begin_synthesis(state, ctx, closing_poll(state))


def next_in_actions(state: GameState, event, ctx: Ctx):
    return begin_synthesis(state, ctx, [])


def next_in_synthesis(state: GameState, event, ctx: Ctx):
    return finalize(state, ctx)


def abort(state: GameState, event, ctx: Ctx):
    new = replace(untimed(state), phase=ABORTED, ended=ctx.now, turns=(), votes=(), casting_vote=None,
                  tie_pending=False, vote=None, actions=(), amendment=None, amended_by=None,
                  current=-1, nudged=(), last_activity=None)
    return new, [Say("game.aborted")] + closing_poll(state) + [GameOver("aborted")]


def actions_timeout(state: GameState, ctx: Ctx):
    if not ctx.settings.auto_advance:
        return time_up(state, ctx)
    return begin_synthesis(state, ctx, [Say("game.actions_time_over")])


def synthesis_timeout(state: GameState, ctx: Ctx):
    if not ctx.settings.auto_advance:
        return time_up(state, ctx)
    return finalize(state, ctx)
