"""The room's languages (``!langue fr ro``) and the card in another language (``!carte ro``).

A room reads one language, or two: then every narrator message carries both, the
first as the main text. Whatever the room's setting, anyone can ask for the card on
the table in their own language; the answer goes to the room, in that language only.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from bot.commands.router import Context, Router
from bot.game.folding import fold
from bot.game.params import Term
from bot.messages.narration import Narrator, RoomView
from bot.runtime.engine import Engine

# At most two: a third language would make every message too long to read.
MAX_ROOM_LANGUAGES = 2


class LanguageCommands:
    """``!langue`` / ``!lang`` and ``!carte`` / ``!card``."""

    def __init__(self, engine: Engine, narrator: Narrator, views: Callable[[str], Awaitable[RoomView]],
                 is_facilitator: Callable[[str, str], bool],
                 set_languages: Callable[[str, tuple[str, ...]], Awaitable[None]]):
        self.engine = engine
        self.narrator = narrator
        self.views = views
        self.is_facilitator = is_facilitator
        self.set_languages = set_languages

    def register(self, router: Router) -> None:
        router.add("lang", self._lang)
        router.add("card", self._card)

    @property
    def known(self) -> tuple[str, ...]:
        return self.narrator.catalogue.languages

    def _languages(self, words: list[str]) -> tuple[str, ...] | None:
        """The language codes typed ("fr ro", "fr,ro", "fr+ro"), or None when one is unknown."""
        codes = [fold(w) for word in words for w in word.replace(",", " ").replace("+", " ").replace("/", " ").split()]
        codes = list(dict.fromkeys(codes))
        if not codes or len(codes) > MAX_ROOM_LANGUAGES or any(c not in self.known for c in codes):
            return None
        return tuple(codes)

    async def _answer(self, ctx: Context, key: str, params: tuple = ()) -> None:
        view = await self.views(ctx.room_id)
        await self.engine.reply(ctx.room_id, self.narrator.message(view, key, params), ctx.event_id)

    async def _lang(self, ctx: Context) -> None:
        if not self.is_facilitator(ctx.room_id, ctx.sender):
            await self._answer(ctx, "game.facilitator_only")
            return
        languages = self._languages(ctx.command.words)
        if languages is None:
            await self._answer(ctx, "play.lang_usage", (("languages", " ".join(self.known)),))
            return
        await self.set_languages(ctx.room_id, languages)
        view = await self.views(ctx.room_id)
        if len(languages) == 1:
            rendered = self.narrator.message(view, "play.lang_set")
        else:  # each half names both languages in its own words
            rendered = self.narrator.message(view, "safety.langs_set", (
                ("first", Term(f"safety.in.{languages[0]}")), ("second", Term(f"safety.in.{languages[1]}"))))
        await self.engine.reply(ctx.room_id, rendered, ctx.event_id)

    async def _card(self, ctx: Context) -> None:
        """The card on the table, again: in the language asked, else in the room's."""
        view = await self.views(ctx.room_id)
        words = ctx.command.words
        if words:
            asked = self._languages(words[:1])
            if asked is None:
                await self._answer(ctx, "play.card_lang_usage", (("languages", " ".join(self.known)),))
                return
            view = view.only(asked[0])
        _, state = await self.engine.state(ctx.room_id)
        card = view.library.card(state.card_id, view.language) if state.card_id else None
        if card is None:
            await self.engine.reply(ctx.room_id, self.narrator.message(view, "play.no_card"), ctx.event_id)
            return
        await self.engine.reply(ctx.room_id, self.narrator.card(view, card), ctx.event_id)
