"""Week games, what users type: ``!new week 5d``, and the room's zone and quiet hours (``!week``).

A room's time zone and quiet hours are room settings (the store's key/value table),
read when a week game opens: each game keeps its own copy in its state, so changing
them never moves the deadlines of a game already announced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Awaitable, Callable

from bot.commands.router import Context
from bot.game.folding import fold
from bot.game.weekplan import WEEK_WORDS, Quiet, parse_length, parse_quiet, valid_zone
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Rendered, bilingual
from bot.runtime.engine import Engine
from bot.store import Store

BAD_LENGTH = -1
_LENGTH_SHAPE = re.compile(r"\d+\s*\D+")


@dataclass(frozen=True)
class WeekArgs:
    """What ``!new`` was given: a week game or not, its length (seconds, 0: the default), the rest."""

    week: bool
    length: int
    rest: str


def split_new_args(args: str) -> WeekArgs:
    """``semaine 5j netiquette`` → a week of 5 days on the theme "netiquette" (any order)."""
    week, length, rest = False, 0, []
    for word in args.split():
        if fold(word) in WEEK_WORDS:
            week = True
        elif _LENGTH_SHAPE.fullmatch(fold(word)):
            parsed = parse_length(word)
            length = parsed if parsed is not None else BAD_LENGTH
        else:
            rest.append(word)
    if length and not week:
        rest = args.split()  # a length without the week word: not ours, let the theme lookup answer
        length = 0
    return WeekArgs(week, length, " ".join(rest))


def help_message(ctx: Context, languages: tuple[str, ...]) -> Rendered:
    """``!help``: the bot's help, then the week games' paragraph (its own catalogue file), per language."""
    # Then the commands between sessions (between.yaml), in the same message.
    parts = [ctx.renderer.join([ctx.renderer.render(lang, key, prefix=ctx.prefix)
                                for key in ("help", "week.help", "between.help")]) for lang in languages]
    return bilingual(parts, [ctx.renderer.catalogue.text(lang, "language.name") for lang in languages])


# Words before "semaine"/"week" that make it part of the recurrence ("chaque semaine",
# "une semaine sur deux"), not the week-game marker.
_RECURRENCE_BEFORE = frozenset(fold(w) for w in (
    "chaque", "every", "each", "les", "toutes", "tous", "par", "per", "une", "un", "one", "a", "jede", "jeden",
    "pro", "fiecare", "pe", "o", "καθε", "ανα", "μια", "1", "2", "3", "4"))


def split_schedule_week(args: str) -> tuple[str, int | None]:
    """``lundi 09:00 semaine 5j`` → (``lundi 09:00``, 5 days); "semaine" alone: 0 (the default
    length); no marker: None; a bad length: :data:`BAD_LENGTH`."""
    words = args.split()
    for i, word in enumerate(words):
        if fold(word) in WEEK_WORDS and (i == 0 or fold(words[i - 1]) not in _RECURRENCE_BEFORE):
            length, used = 0, 1
            if i + 1 < len(words) and _LENGTH_SHAPE.fullmatch(fold(words[i + 1])):
                parsed = parse_length(words[i + 1])
                length, used = (parsed if parsed is not None else BAD_LENGTH), 2
            return " ".join(words[:i] + words[i + used:]), length
    return args, None


class WeekRooms:
    """Each room's zone and quiet hours for week games, with the configured defaults."""

    def __init__(self, store: Store, zone: str, quiet: Quiet, length: int):
        self.store = store
        self.zone = zone
        self.quiet = quiet
        self.length = length

    @classmethod
    def from_config(cls, store: Store, config) -> "WeekRooms":
        """The defaults: the schedules' zone, the rooms' quiet hours, the game's length."""
        return cls(store, config.schedule.default_timezone, parse_quiet(config.rooms.quiet_hours) or Quiet(),
                   config.game.week_length_seconds)

    @staticmethod
    def key(room_id: str) -> str:
        return f"week:{room_id}"

    async def settings(self, room_id: str) -> tuple[str, Quiet]:
        stored = await self.store.get_value(self.key(room_id))
        if not stored:
            return self.zone, self.quiet
        data = json.loads(stored)
        return data["zone"], Quiet(data["quiet_start"], data["quiet_end"])

    async def save(self, room_id: str, zone: str, quiet: Quiet) -> None:
        await self.store.set_value(self.key(room_id), json.dumps(
            {"zone": zone, "quiet_start": quiet.start, "quiet_end": quiet.end}))


class WeekCommands:
    """``!week``: show the room's week settings; a facilitator changes them (zone and/or quiet hours)."""

    def __init__(self, rooms: WeekRooms, engine: Engine, narrator: Narrator,
                 views: Callable[[str], Awaitable[RoomView]], is_facilitator: Callable[[str, str], bool]):
        self.rooms = rooms
        self.engine = engine
        self.narrator = narrator
        self.views = views
        self.is_facilitator = is_facilitator

    def register(self, router) -> None:
        router.add("week", self.handle)

    async def _answer(self, ctx: Context, key: str, **params) -> None:
        view = await self.views(ctx.room_id)
        await self.engine.reply(ctx.room_id, self.narrator.message(view, key, tuple(params.items())), ctx.event_id)

    def _quiet_text(self, quiet: Quiet, lang: str) -> str:
        return self.narrator.catalogue.text(lang, "week.quiet_none") if quiet.none else quiet.text()

    async def handle(self, ctx: Context) -> None:
        zone, quiet = await self.rooms.settings(ctx.room_id)
        if not ctx.command.args:
            await self._answer(ctx, "week.settings", zone=zone, quiet=self._quiet_text(quiet, ctx.language))
            return
        if not self.is_facilitator(ctx.room_id, ctx.sender):
            await self._answer(ctx, "game.facilitator_only")
            return
        others = []
        for word in ctx.command.words:
            if "/" in word or word.upper() == "UTC":
                if not valid_zone(word):
                    await self._answer(ctx, "week.bad_setting", word=word[:60])
                    return
                zone = "UTC" if word.upper() == "UTC" else word
            else:
                others.append(word)
        if others:
            parsed = parse_quiet("".join(others))
            if parsed is None:
                await self._answer(ctx, "week.bad_setting", word=" ".join(others)[:60])
                return
            quiet = parsed
        await self.rooms.save(ctx.room_id, zone, quiet)
        await self._answer(ctx, "week.settings_saved", zone=zone, quiet=self._quiet_text(quiet, ctx.language))
