"""Opening a game, players joining and leaving, and the start of step 1."""

from __future__ import annotations

from dataclasses import replace

from bot.game import round as speaking
from bot.game import votes, week
from bot.game.context import Ctx, IllegalMove
from bot.game.effects import PostCard, Say
from bot.game.params import ThemeRef, UserRef, duration, params
from bot.game.state import CARD, LEFT, LOBBY, RESOURCES, ROUND, GameState, is_theme_id
from bot.game.timing import timed
from bot.game.weekplan import MAX_LENGTH, valid_zone


def open_game(state: GameState, event, ctx: Ctx):
    theme = event.facilitator_theme
    if theme is not None and not is_theme_id(theme):
        raise IllegalMove("game.unknown_theme")
    # A fresh game, but seq keeps growing so the last game's timers stay stale.
    new = GameState(
        phase=LOBBY,
        facilitator=event.actor,
        language=event.language,
        requested_theme=theme,
        created=ctx.now,
        seq=state.seq + 1,
    )
    lobby = params(facilitator=UserRef(event.actor), minimum=ctx.settings.min_players,
                   maximum=ctx.settings.max_players)
    said = [Say("game.lobby_opened", lobby) if theme is None else
            Say("game.lobby_opened_theme", lobby + params(theme=ThemeRef(theme)))]
    if event.week_seconds:
        if not valid_zone(event.zone) or not 1 <= event.week_seconds <= MAX_LENGTH:
            raise IllegalMove("week.bad_length")
        new = replace(new, week=week.new_week(event, ctx))
        said.append(week.plan_message(new.week))
    return new, said


def join(state: GameState, event, ctx: Ctx):
    user = event.actor
    if user in state.players:
        raise IllegalMove("game.already_joined")
    if len(state.players) >= ctx.settings.max_players:
        raise IllegalMove("game.full", maximum=ctx.settings.max_players)
    new = replace(state, players=state.players + (user,))
    if state.phase == LOBBY:
        return new, [_welcome(user, len(new.players), ctx.settings.min_players)]
    if user not in new.participants:
        new = replace(new, participants=new.participants + (user,))
    if state.phase == ROUND and user not in state.order:
        # Late joiners speak last; someone who left and came back keeps their place.
        new = replace(new, order=new.order + (user,))
        return new, [Say("game.joined_late_round", params(user=UserRef(user), position=len(new.order)))]
    return new, [Say("game.joined_late", params(user=UserRef(user)))]


def _welcome(user: str, count: int, minimum: int) -> Say:
    """Who joined, and how far the lobby is from the minimum (said once it is reached)."""
    if count == 1:
        return Say("game.joined_first", params(user=UserRef(user), minimum=minimum))
    if count < minimum:
        return Say("game.joined_waiting", params(user=UserRef(user), count=count, minimum=minimum))
    if count == minimum:
        return Say("game.joined_ready", params(user=UserRef(user), count=count))
    return Say("game.joined_more", params(user=UserRef(user), count=count))


def leave(state: GameState, event, ctx: Ctx):
    user = event.actor
    if user not in state.players:
        raise IllegalMove("game.not_a_player")
    new = replace(state, players=tuple(p for p in state.players if p != user))
    effects: list = [Say("game.left", params(user=UserRef(user)))]
    if state.phase == ROUND and state.speaker == user:
        new = new.with_turn(replace(new.turns[-1], status=LEFT))
        return speaking.advance(new, ctx, effects)
    if state.phase == RESOURCES:
        new = replace(new, votes=tuple(v for v in new.votes if v[0] != user))
        return votes.settle_if_complete(new, ctx, effects)
    return new, effects


def start(state: GameState, event, ctx: Ctx):
    if len(state.players) < ctx.settings.min_players:
        raise IllegalMove("game.not_enough_players", minimum=ctx.settings.min_players,
                          count=len(state.players))
    if not is_theme_id(event.theme):
        raise IllegalMove("game.unknown_theme")
    if not event.card_id:
        raise IllegalMove("game.unknown_card")
    new = replace(state, phase=CARD, card_id=event.card_id, theme=event.theme, started=ctx.now,
                  participants=state.players)
    new = timed(new, ctx.now, ctx.settings.card_seconds, ctx.settings)
    return new, [
        Say("game.step1_drawn" if event.drawn else "game.step1_chosen"),
        PostCard(event.card_id),
        Say("game.step1_invite", params(time=duration(ctx.settings.card_seconds))),
    ]
