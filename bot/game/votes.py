"""Step 3: the theme's resources, then "go on to actions?" decided by a vote.

Players vote ``yes``/``no``, typed or in the native poll (the engine turns a poll
answer into the same ``Vote``), and may change their mind while the vote is open:
one vote per person, the latest wins, whichever way it came. The poll is opened
with the question and closed with the result. The
vote is settled as soon as every player has voted, when the step's time runs out, or
when the facilitator moves on with ``Next``. A majority decides; a tie is decided by
the facilitator: a facilitator's vote (a non-player facilitator's vote counts only
as this casting vote), else the opener's own vote as a player, else the rules ask
the facilitator, whose next vote (or ``Next``, meaning "go on") decides.
"""

from __future__ import annotations

from dataclasses import replace

from bot.game import ending
from bot.game.context import Ctx, IllegalMove
from bot.game.effects import EndPoll, PostResources, Say, StartPoll
from bot.game.params import UserRef, duration, params
from bot.game.state import RESOURCES, GameState, VoteResult
from bot.game.timing import time_up, timed


def begin(state: GameState, ctx: Ctx, effects: list):
    """Enter step 3: share the resources and ask the question."""
    new = replace(state, phase=RESOURCES, resources_shared=True, votes=(), casting_vote=None,
                  tie_pending=False, last_activity=None)
    new = timed(new, ctx.now, ctx.settings.resources_seconds, ctx.settings)
    effects = list(effects) + [
        Say("game.step3"),
        PostResources(state.theme or ""),
        Say("game.vote_question", params(time=duration(ctx.settings.resources_seconds))),
        StartPoll(state.players),
    ]
    return new, effects


def tally(state: GameState) -> tuple[int, int]:
    """(yes, no) among the players still in the game."""
    cast = [yes for user, yes in state.votes if user in state.players]
    return sum(cast), len(cast) - sum(cast)


def vote(state: GameState, event, ctx: Ctx):
    user = event.actor
    if user in state.players:
        before = state.vote_of(user)
        kept = tuple(v for v in state.votes if v[0] != user)
        new = replace(state, votes=kept + ((user, event.yes),))
        key = "game.vote_recorded" if before is None else "game.vote_changed"
    elif ctx.facilitator:
        new = replace(state, casting_vote=event.yes)
        key = "game.vote_casting"
    else:
        raise IllegalMove("game.not_a_player")
    if ctx.facilitator and state.tie_pending:
        new = replace(new, casting_vote=event.yes)
    voted = sum(1 for u, _ in new.votes if u in new.players)
    effects = [Say(key, params(user=UserRef(user), voted=voted, total=len(new.players)))]
    return settle_if_complete(new, ctx, effects)


def settle_if_complete(state: GameState, ctx: Ctx, effects: list):
    """Settle when every player has voted or a tie is waiting for the facilitator."""
    everyone = bool(state.players) and all(state.vote_of(p) is not None for p in state.players)
    if everyone or state.tie_pending:
        return settle(state, ctx, effects)
    return state, effects


def settle(state: GameState, ctx: Ctx, effects: list, *, by_next: bool = False):
    """Decide the vote now; on an undecided tie, ask the facilitator and wait."""
    yes, no = tally(state)
    if yes != no:
        go_on, by = yes > no, "majority"
    elif state.casting_vote is not None:
        go_on, by = state.casting_vote, "facilitator"
    elif state.vote_of(state.facilitator) is not None and state.facilitator in state.players:
        go_on, by = state.vote_of(state.facilitator), "facilitator"
    elif by_next:
        go_on, by = True, "facilitator"  # the facilitator chose to go on
    else:
        if state.tie_pending:
            return state, effects
        new = replace(state, tie_pending=True)
        return new, list(effects) + [Say("game.vote_tie", params(
            yes=yes, no=no, facilitator=UserRef(state.facilitator)))]
    new = replace(state, vote=VoteResult(yes, no, go_on, by), tie_pending=False)
    result = params(yes=yes, no=no)
    effects = list(effects) + [EndPoll(yes, no, go_on)]
    if go_on:
        return ending.begin_actions(new, ctx, list(effects) + [Say("game.vote_yes", result)])
    return ending.begin_synthesis(new, ctx, list(effects) + [Say("game.vote_no", result)])


def next_step(state: GameState, event, ctx: Ctx):
    """``Next`` in step 3: the facilitator closes the vote."""
    return settle(state, ctx, [], by_next=True)


def timeout(state: GameState, ctx: Ctx):
    if not ctx.settings.auto_advance:
        return time_up(state, ctx)
    return settle(replace(state, deadline=None, reminder_at=None), ctx, [Say("game.vote_closed")])
