"""A room's history: ``!history`` lists its finished games, ``!synthesis <n°>`` reposts one.

The list comes from ``room_history`` (dates, card, counts: it outlives the texts);
a synthesis is rebuilt from the game's stored state while the retention keeps it,
with the room's current language(s) and pseudonym setting, and posted again with
its file. Once purged, the bot says when it was erased.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot.commands.router import Context, Handler, Router
from bot.game import GameState
from bot.game.folding import read_int
from bot.game.params import CardRef, Term, count_term, params
from bot.messages.catalogue import Catalogue
from bot.messages.markdown import plain, to_html
from bot.messages.render import Rendered
from bot.messages.narration import Narrator, PerLanguage, RoomView
from bot.runtime.engine import Engine, reply_tx_id
from bot.store.history import HistoryEntry, HistoryStore

DAY_FORMATS = {"fr": "%d/%m/%Y", "en": "%Y-%m-%d", "ro": "%d.%m.%Y", "el": "%d/%m/%Y", "de": "%d.%m.%Y"}
# "!synthesis 3" or "!synthesis n°3" / "#3": a past game's number, never a summary paragraph.
NUMBER = re.compile(r"(?:n°|no\.?|nr\.?|αρ\.?|#)?\s*(\w{1,6})", re.I)
MAX_LISTED = 30  # the latest games; older ones stay reachable by number
# (room, game id, view) -> a Markdown section added below a game's synthesis, or None.
Section = Callable[[str, int, RoomView], Awaitable["str | None"]]


def local_day(moment: datetime | float | None, zone: str) -> PerLanguage:
    """A date as people in ``zone`` read it, in each language's usual form."""
    if moment is None:
        return PerLanguage(lambda lang: "?")
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    local = moment.astimezone(ZoneInfo(zone))
    return PerLanguage(lambda lang: local.strftime(DAY_FORMATS.get(lang, DAY_FORMATS["en"])))


def past_number(args: str) -> int | None:
    """The game number in ``!synthesis <n°>``, or None when the text is a summary paragraph."""
    match = NUMBER.fullmatch(args.strip())
    return read_int(match.group(1)) if match else None  # any script's digits, as people type them


def phrase(catalogue: Catalogue, prefix: str, key: str, **values: object) -> PerLanguage:
    """Catalogue text ``key`` worded in each language, its own per-language values included.

    For a parameter of a parameter that depends on the language (a date in a clause):
    the narrator words only a message's own parameters per language.
    """
    return PerLanguage(lambda lang: catalogue.text(lang, key, prefix=prefix, **{
        name: value.words(lang) if isinstance(value, PerLanguage) else value for name, value in values.items()}))


def history_line(entry: HistoryEntry, zone: str, catalogue: Catalogue, prefix: str) -> tuple[str, tuple]:
    kept = (phrase(catalogue, prefix, "between.history_erased", date=local_day(entry.erased_at, zone))
            if entry.erased_at is not None else Term("between.history_kept", params(number=entry.number)))
    return ("between.history_line", params(
        number=entry.number, date=local_day(entry.started_at or entry.ended_at, zone),
        card=CardRef(entry.card_id) if entry.card_id else "?",
        players=count_term("history_players", entry.players),
        ideas=count_term("history_ideas", entry.actions), done=count_term("history_done", entry.done),
        kept=kept))


class HistoryCommands:
    """``!history`` and the number form of ``!synthesis``."""

    def __init__(self, history: HistoryStore, engine: Engine, narrator: Narrator,
                 views: Callable[[str], Awaitable[RoomView]], section: Section | None = None):
        self.section = section  # what the final synthesis had below it (the follow-up of action ideas)
        self.history = history
        self.engine = engine
        self.narrator = narrator
        self.views = views

    def register(self, router: Router) -> None:
        router.add("history", self._history)
        draft_or_amend = router.handlers.get("synthesis")
        router.add("synthesis", lambda ctx: self._synthesis(ctx, draft_or_amend))

    async def _answer(self, ctx: Context, key: str, values: tuple = ()) -> None:
        view = await self.views(ctx.room_id)
        await self.engine.reply(ctx.room_id, self.narrator.message(view, key, values), ctx.event_id)

    async def _history(self, ctx: Context) -> None:
        view = await self.views(ctx.room_id)
        entries = await self.history.room(ctx.room_id)
        if not entries:
            await self._answer(ctx, "between.history_none")
            return
        lines = [("between.history_header", params(count=len(entries)))]
        lines += [history_line(e, view.timezone, self.narrator.catalogue, view.prefix)
                  for e in entries[-MAX_LISTED:]]
        await self.engine.reply(ctx.room_id, self.narrator.lines(view, tuple(lines)), ctx.event_id)

    async def _synthesis(self, ctx: Context, draft_or_amend: Handler | None) -> None:
        number = past_number(ctx.command.args) if ctx.command.args else None
        if number is None:
            if draft_or_amend is not None:
                await draft_or_amend(ctx)
            return
        await self.repost(ctx, number)

    async def repost(self, ctx: Context, number: int) -> None:
        view = await self.views(ctx.room_id)
        entry = await self.history.entry(ctx.room_id, number)
        if entry is None:
            await self._answer(ctx, "between.synthesis_unknown", params(number=number))
            return
        stored = await self.engine.games.game(entry.game_id)
        if entry.erased_at is not None or stored is None or stored.state.get("purged"):
            await self._answer(ctx, "between.synthesis_erased", params(
                number=number, date=local_day(entry.started_at or entry.ended_at, view.timezone),
                erased=local_day(entry.erased_at, view.timezone)))
            return
        message, document = self.engine.synthesis.posts(view, GameState.from_dict(stored.state), final=True)
        extra = await self.section(ctx.room_id, entry.game_id, view) if self.section else None
        if extra:
            message = self.narrator.renderer.join([message, Rendered(
                "\n".join(plain(line) for line in extra.splitlines()), to_html(extra))])
            document = {**document, "text": document["text"].rstrip("\n") + "\n\n" + extra}
        await self.engine.reply(ctx.room_id, message, ctx.event_id)
        await self.engine.outgoing.send_file(ctx.room_id, document["text"].encode("utf-8"), document["filename"],
                                             document["mimetype"], reply_tx_id(ctx.event_id, 1))
