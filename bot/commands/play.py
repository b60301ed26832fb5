"""Typed game commands → game events (and the read-only answers: status, lists).

What a user typed is parsed here (theme or card, level, minutes); what it means for
the game is decided by the pure rules in :mod:`bot.game`, through the engine.
"""

from __future__ import annotations

import random
from typing import Awaitable, Callable

from bot.commands.levels import LEVELS, Levels, parse_level, shown as shown_levels  # noqa: F401  (parse_level: kept importable here)
from bot.commands.parsing import Command
from bot.game.folding import read_int
from bot.game.visible import has_visible, without_format
from bot.decks import DeckError, Library, card_to_dict, parse_card_message
from bot.runtime.engine import Engine
from bot.game import describe, list_actions, rotation
from bot.game.params import count_term
from bot.game.state import SYNTHESIS
from bot.game import events as ev
from bot.game.params import CardRef, ThemeRef
from bot.messages.narration import Narrator, RoomView
from bot.commands.router import Context, Router
from bot.commands.week import BAD_LENGTH, WeekRooms, split_new_args
from bot.game.weekplan import parse_length

# Commands that become one game event with no argument.
SIMPLE = {
    "join": ev.Join, "leave": ev.Leave, "next": ev.Next, "done": ev.Done, "pass": ev.Pass,
    "skip": ev.Skip, "pause": ev.Pause, "resume": ev.Resume, "end": ev.End, "abort": ev.Abort,
}


USAGE_PARAMS = {"game.extend_range": (("minimum", 1), ("maximum", 60))}


def event_for(command: Command, sender: str, ref: str = "", levels: Levels = LEVELS) -> ev.Event | str:
    """The game event a typed command stands for, or the catalogue key of its right form.

    Pure, for the commands whose meaning needs nothing but their own words; ``ref`` is
    the Matrix event id of the command (a deleted idea or summary goes with it);
    ``levels``, what may be typed for a level (``shown_levels`` adds the boards' names).
    """
    name = command.name
    if name in SIMPLE:
        return SIMPLE[name](sender)
    if name in ("yes", "no"):
        return ev.Vote(sender, name == "yes")
    if name == "action":
        words = command.args.split(None, 1)
        while words and not has_visible(words[0]):  # an invisible "word" before the level
            words = words[1].split(None, 1) if len(words) > 1 else []
        if not words:
            return "game.action_empty"  # nothing after the name: the usage line
        level, text = levels.split(" ".join(words))
        if level is None:
            return "game.bad_level"
        return ev.AddAction(sender, level, text, ref) if has_visible(text) else "game.action_empty"
    if name == "extend":
        words = command.words
        minutes = read_int(words[0]) if len(words) == 1 and len(words[0]) < 4 else None
        seconds = parse_length(words[0]) if len(words) == 1 and minutes is None else None
        if seconds is not None and seconds % 60 == 0:
            # "1j", "12h", "30min": a week game's postponement (a live game takes 1 to 60 min).
            return ev.Extend(sender, seconds // 60)
        if minutes is None or not 1 <= minutes <= 60:
            return "game.extend_range"
        return ev.Extend(sender, minutes)
    if name == "synthesis":
        return ev.Amend(sender, command.args, ref) if has_visible(command.args) else "game.amend_empty"
    raise ValueError(f"not a simple game command: {name}")


class GamePlay:
    """Registers the game's commands on a router and turns them into events."""

    def __init__(self, engine: Engine, narrator: Narrator, views: Callable[[str], Awaitable[RoomView]],
                 is_facilitator: Callable[[str, str], bool],
                 rng: random.Random | None = None, skipped: tuple = (),
                 cards_changed: Callable[[str], None] = lambda room_id: None,
                 week_rooms: WeekRooms | None = None,
                 played: Callable[[str], Awaitable[dict[str, int]]] | None = None):
        self.week_rooms = week_rooms  # None: week games are not offered
        self.played = played  # the room's cards played so far (card rotation), None: no rotation
        self.skipped = skipped  # custom decks that did not load, with the reason
        self.cards_changed = cards_changed
        self.engine = engine
        self.narrator = narrator
        self.views = views
        self.is_facilitator = is_facilitator
        self.rng = rng or random.SystemRandom()
        # The level names the boards and the catalogue show, whatever a translator made them.
        self.levels = shown_levels(narrator.catalogue, narrator.library)

    async def _library(self, room_id: str) -> Library:
        return (await self.views(room_id)).library

    def register(self, router: Router) -> None:
        for name in SIMPLE:
            router.add(name, self._simple)
        for name, handler in {
            "new": self._new, "start": self._start, "yes": self._simple, "no": self._simple,
            "action": self._simple, "actions": self._actions, "extend": self._simple,
            "synthesis": self._synthesis, "status": self._status, "themes": self._themes,
            "cards": self._cards, "add_card": self._add_card,
        }.items():
            router.add(name, handler)

    # -- helpers ------------------------------------------------------------------

    async def _apply(self, ctx: Context, event: ev.Event) -> None:
        await self.engine.handle(ctx.room_id, event, facilitator=self.is_facilitator(ctx.room_id, ctx.sender),
                                 source_event_id=ctx.event_id)

    async def _answer(self, ctx: Context, key: str, params: tuple = ()) -> None:
        view = await self.views(ctx.room_id)
        await self.engine.reply(ctx.room_id, self.narrator.message(view, key, params), ctx.event_id)

    async def say(self, room_id: str, sender: str, event_id: str, text: str, in_thread: bool = False) -> None:
        """A message that is not a command: part of a turn, or nothing."""
        await self.engine.handle(room_id, ev.Say(sender, text, event_id, in_thread),
                                 facilitator=self.is_facilitator(room_id, sender),
                                 source_event_id=event_id, only_in_round=True)

    async def edited(self, room_id: str, sender: str, ref: str, text: str, event_id: str) -> None:
        """``sender`` edited their message ``ref``: a turn's text changes (see bot/game/edits.py)."""
        await self.engine.handle(room_id, ev.Edit(sender, ref, text), facilitator=False, source_event_id=event_id)

    async def redacted(self, room_id: str, sender: str, ref: str, event_id: str) -> None:
        """Message ``ref`` was deleted: its text leaves the game in progress and every stored one."""
        await self.engine.handle(room_id, ev.Redact(sender, ref), facilitator=False, source_event_id=event_id)
        await self.engine.redact_in_past_games(room_id, ref, event_id)

    # -- handlers -------------------------------------------------------------------

    async def _simple(self, ctx: Context) -> None:
        result = event_for(ctx.command, ctx.sender, ctx.event_id, self.levels)
        if result == "game.extend_range" and (await self.engine.state(ctx.room_id))[1].week is not None:
            result = "week.extend_range"  # a week game is postponed by days or hours
        if isinstance(result, str):
            await self._answer(ctx, result, USAGE_PARAMS.get(result, ()))
            return
        await self._apply(ctx, result)

    async def _new(self, ctx: Context) -> None:
        asked = split_new_args(ctx.command.args) if self.week_rooms else None
        if asked is not None and asked.length == BAD_LENGTH:
            await self._answer(ctx, "week.bad_length")
            return
        words = asked.rest if asked is not None else ctx.command.args
        theme = None
        if (await self.engine.state(ctx.room_id))[0] is not None:
            # A game is open: the rules say so (or that only a facilitator may), not the theme.
            await self._apply(ctx, ev.Open(ctx.sender, None, ctx.language))
            return
        if words:
            found = (await self._library(ctx.room_id)).resolve(words, ctx.language)
            if found is None or found[0] != "theme":
                await self._answer(ctx, "game.unknown_theme")
                return
            theme = found[1]
        if asked is not None and asked.week:
            zone, quiet = await self.week_rooms.settings(ctx.room_id)
            await self._apply(ctx, ev.Open(ctx.sender, theme, ctx.language, asked.length or self.week_rooms.length,
                                           zone, quiet.start, quiet.end))
            return
        await self._apply(ctx, ev.Open(ctx.sender, theme, ctx.language))

    async def _start(self, ctx: Context) -> None:
        _, state = await self.engine.state(ctx.room_id)
        lang = ctx.language
        library = await self._library(ctx.room_id)
        theme = state.requested_theme
        card_id = None
        drawn = True
        if ctx.command.args:
            found = library.resolve(ctx.command.args, lang)
            if found is None:
                await self._answer(ctx, "game.unknown_card")
                return
            kind, value = found
            if kind == "card":
                card_id, drawn = value, False
            else:
                theme = value
        if card_id is None:
            cards = library.cards(lang, theme) if theme else library.cards(lang)
            if not cards:
                await self._answer(ctx, "game.unknown_card")
                return
            if self.played is not None:
                cards = rotation.candidates(cards, await self.played(ctx.room_id))
            card_id = self.rng.choice(cards).id
        card = library.card(card_id, lang)
        await self._apply(ctx, ev.Start(ctx.sender, card_id, card.theme if card else (theme or ""), drawn))

    async def _synthesis(self, ctx: Context) -> None:
        """``!synthesis <text>``: the volunteer's paragraph; alone, in the synthesis window: the draft.

        The draft is shown to whoever asks rather than posted to all, so the room
        receives the synthesis once, final (with its file).
        """
        if ctx.command.args:
            await self._simple(ctx)
            return
        game_id, state = await self.engine.state(ctx.room_id)
        if game_id is None:
            await self._answer(ctx, "game.no_game")
        elif state.phase != SYNTHESIS:
            await self._answer(ctx, "game.no_amend_now")
        else:
            view = await self.views(ctx.room_id)
            draft = self.engine.synthesis.posts(view, state, final=False)[0]
            await self.engine.reply(ctx.room_id, draft, ctx.event_id)

    async def _status(self, ctx: Context) -> None:
        game_id, state = await self.engine.state(ctx.room_id)
        if game_id is None:
            await self._answer(ctx, "game.status.none")
            return
        key, params = describe(state, self.engine.clock())
        await self._answer(ctx, key, params)

    async def _actions(self, ctx: Context) -> None:
        game_id, state = await self.engine.state(ctx.room_id)
        if game_id is None:
            await self._answer(ctx, "game.no_game")
            return
        view = await self.views(ctx.room_id)
        await self.engine.reply(ctx.room_id, self.narrator.lines(view, list_actions(state)), ctx.event_id)

    async def _themes(self, ctx: Context) -> None:
        lang = ctx.language
        view = await self.views(ctx.room_id)
        library = view.library
        lines = [("play.themes_header", ())] + [
            ("play.theme_line", (("number", i), ("theme", ThemeRef(t)),
                                 ("cards", count_term("cards", len(library.cards(lang, t))))))
            for i, t in enumerate(library.themes(), 1)
        ]
        await self.engine.reply(ctx.room_id, self.narrator.lines(view, tuple(lines)), ctx.event_id)

    async def _cards(self, ctx: Context) -> None:
        lang = ctx.language
        view = await self.views(ctx.room_id)
        library = view.library
        theme = None
        if (await self.engine.state(ctx.room_id))[0] is not None:
            # A game is open: the rules say so (or that only a facilitator may), not the theme.
            await self._apply(ctx, ev.Open(ctx.sender, None, ctx.language))
            return
        if ctx.command.args:
            found = library.resolve(ctx.command.args, lang)
            if found is None or found[0] != "theme":
                await self._answer(ctx, "game.unknown_theme")
                return
            theme = found[1]
        themes = [theme] if theme else library.themes()
        lines: list[tuple[str, tuple]] = []
        for t in themes:
            lines.append(("play.cards_theme", (("theme", ThemeRef(t)),)))
            lines += [("play.card_line", (("id", c.id), ("title", CardRef(c.id)))) for c in library.cards(lang, t)]
        lines.append(("play.cards_hint", ()))
        # A translation still to be reviewed by a native speaker of the field says so.
        pending = dict.fromkeys(d.language for d in library.decks if d.review == "pending" and d.language in view.languages)
        lines += [("play.cards_review_pending", (("language", self.narrator.catalogue.text(p, "language.name")),))
                  for p in pending]
        lines += [("deck_skipped", (("file", p.file), ("reason", p.message))) for p in self.skipped]
        await self.engine.reply(ctx.room_id, self.narrator.lines(view, tuple(lines)), ctx.event_id)

    async def _add_card(self, ctx: Context) -> None:
        """A facilitator's own card, typed after the guide's "CARTE SITUATION" template."""
        if not self.is_facilitator(ctx.room_id, ctx.sender):
            await self._answer(ctx, "game.facilitator_only")
            return
        if not ctx.command.args:
            await self._answer(ctx, "deck_card_template")
            return
        library = await self._library(ctx.room_id)
        number = len(await self.engine.games.custom_cards(ctx.room_id)) + 1
        while library.card(f"custom-{number}", ctx.language) is not None:
            number += 1
        try:
            card = parse_card_message(ctx.command.args, ctx.language, f"custom-{number}", library)
        except DeckError as exc:
            problems = exc.problems or ((exc.key, exc.params),)
            view = await self.views(ctx.room_id)
            parts = [self.narrator.message(view, key, tuple(params.items())) for key, params in problems]
            parts.append(self.narrator.message(view, "play.card_rejected"))
            await self.engine.reply(ctx.room_id, self.narrator.renderer.join(parts, "\n"), ctx.event_id)
            return
        await self.engine.games.add_custom_card(ctx.room_id, card.id, ctx.language, card_to_dict(card), ctx.sender)
        self.cards_changed(ctx.room_id)
        await self._answer(ctx, "play.card_added", (("id", card.id), ("title", card.title)))

