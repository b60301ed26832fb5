"""Step 2, the speaking round: turns, contributions, reminders and narrator prompts.

Each player speaks in turn, without interruption. What the current speaker types
(several messages) is their turn's contribution; others who speak during a turn get
one gentle reminder per turn. When the speaker stays silent for a while, the
narrator relaunches with one of the guide's prompts.

Threads: the speaker's message counts wherever they post it, the room or a thread
(the floor is theirs; Element may have a thread open). Others writing *in a thread*
are having a side conversation that does not interrupt the round: no reminder, and,
like all free chat, nothing stored. Reply fallbacks (the quoted lines a client adds
above a reply) are removed by the Matrix adapter before the text gets here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.game import votes
from bot.game.context import Ctx, IllegalMove
from bot.game.effects import PostPrompt, Reply, Say, cut_and_tell
from bot.game.params import UserRef, duration, params, users
from bot.game.state import PASSED, ROUND, SKIPPED, SPOKEN, TIMEOUT, GameState, Turn
from bot.game.timing import EARLY_TOLERANCE, time_up, timed
from bot.game.visible import has_visible


def begin(state: GameState, ctx: Ctx, effects: list | None = None):
    """Leave step 1: announce the order and give the floor to the first speaker."""
    effects = list(effects or [])
    order = state.players
    new = replace(state, phase=ROUND, order=order, current=-1, nudged=())
    effects.append(Say("game.step2", params(order=users(order))))
    return advance(new, ctx, effects)


def advance(state: GameState, ctx: Ctx, effects: list):
    """Give the floor to the next speaker still in the game, or end the round."""
    for index in range(state.current + 1, len(state.order)):
        speaker = state.order[index]
        if speaker in state.players:
            return _start_turn(state, ctx, effects, index, speaker)
    return votes.begin(replace(state, current=-1, nudged=()), ctx, effects)


def _start_turn(state: GameState, ctx: Ctx, effects: list, index: int, speaker: str):
    s = ctx.settings
    new = timed(state, ctx.now, s.turn_seconds, s, turn=True)
    new = replace(new, current=index, turns=state.turns + (Turn(speaker),), nudged=(),
                  last_activity=ctx.now, silence_at=_silence_after(new, ctx.now, s.silence_seconds))
    effects.append(Say("game.turn_start", params(
        speaker=UserRef(speaker), position=index + 1, total=len(state.order),
        time=duration(s.turn_seconds))))
    return new, effects


def _silence_after(state: GameState, since, seconds: int):
    """When to prompt if nothing is said from ``since``; None if the turn ends first."""
    if seconds <= 0:
        return None
    at = since + timedelta(seconds=seconds)
    if state.turn_deadline is not None and at >= state.turn_deadline:
        return None
    return at


def _close(state: GameState, status: str) -> GameState:
    turn = state.current_turn
    return state if turn is None else state.with_turn(replace(turn, status=status))


def say(state: GameState, event, ctx: Ctx):
    """A plain message during step 2: the speaker's contribution, or a reminder to others."""
    turn = state.current_turn
    text = event.text.strip()
    if turn is None or not has_visible(text):
        return state, []  # nothing a reader could see: neither a contribution nor out of turn
    if event.actor != turn.speaker:
        if ctx.facilitator or event.actor in state.nudged or event.in_thread:
            return state, []
        new = replace(state, nudged=state.nudged + (event.actor,))
        return new, [Reply("game.out_of_turn", params(
            user=UserRef(event.actor), speaker=UserRef(turn.speaker)), to=event.actor)]
    room = ctx.settings.max_turn_chars - turn.length
    if turn.truncated or room <= 0:
        return state, []  # already told: the contribution is full
    text, effects = cut_and_tell(text, room, event.actor, "game.turn_text_cut", ctx.settings.max_turn_chars)
    if len(text) >= room:
        # Full, whether cut here or not: the next message of the turn is refused
        # the same way.
        turn = replace(turn, truncated=True)
    turn = replace(turn, texts=turn.texts + (text,), refs=turn.refs + (event.ref,))
    return replace(state.with_turn(turn), last_activity=ctx.now), effects


def _own_turn(state: GameState, actor: str) -> Turn:
    turn = state.current_turn
    if turn is None or turn.speaker != actor:
        raise IllegalMove("game.not_your_turn", speaker=UserRef(turn.speaker) if turn else "")
    return turn


def done(state: GameState, event, ctx: Ctx):
    turn = _own_turn(state, event.actor)
    status = SPOKEN if turn.texts else PASSED
    new = _close(state, status)
    return advance(new, ctx, [Say("game.turn_done", params(speaker=UserRef(turn.speaker)))])


def pass_turn(state: GameState, event, ctx: Ctx):
    turn = _own_turn(state, event.actor)
    new = _close(state, PASSED)
    return advance(new, ctx, [Say("game.turn_passed", params(speaker=UserRef(turn.speaker)))])


def skip(state: GameState, event, ctx: Ctx):
    turn = state.current_turn
    new = _close(state, SKIPPED)
    return advance(new, ctx, [Say("game.turn_skipped", params(speaker=UserRef(turn.speaker)))])


def finish_early(state: GameState, event, ctx: Ctx):
    """``Next`` during the round: the facilitator closes it and goes on to step 3."""
    new = _close(state, SKIPPED)
    return votes.begin(replace(new, current=-1, nudged=()), ctx, [Say("game.round_closed")])


def close_open_turn(state: GameState) -> GameState:
    """The round is interrupted (the game ends): an open turn counts as skipped."""
    return _close(state, SKIPPED)


def turn_timeout(state: GameState, ctx: Ctx):
    if not ctx.settings.auto_advance:
        return time_up(state, ctx)
    turn = state.current_turn
    new = _close(state, TIMEOUT)
    return advance(new, ctx, [Say("game.turn_timeout", params(speaker=UserRef(turn.speaker)))])


def silence(state: GameState, ctx: Ctx):
    """The silence timer: prompt if the speaker said nothing for the whole delay."""
    turn = state.current_turn
    if turn is None:
        return replace(state, silence_at=None), []
    quiet_since = state.last_activity or ctx.now
    due = quiet_since + timedelta(seconds=ctx.settings.silence_seconds)
    if due > ctx.now + EARLY_TOLERANCE:
        # The speaker spoke meanwhile: wait for a full delay after their last message.
        return replace(state, silence_at=_silence_after(state, quiet_since, ctx.settings.silence_seconds)), []
    new = replace(state, prompts=state.prompts + 1, last_activity=ctx.now,
                  silence_at=_silence_after(state, ctx.now, ctx.settings.silence_seconds))
    return new, [PostPrompt(state.prompts, turn.speaker)]

