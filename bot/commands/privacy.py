"""Privacy in practice: what is stored, retention, erasure, pseudonyms, throttling.

The RGPD's golden rules the guide teaches, applied to the bot itself: it says what
it keeps (``!privacy``), deletes game texts after ``privacy.retention_days``, lets a
person erase their own contributions (``!forget-me``), lets a facilitator purge
ended games now (``!purge``) and write syntheses without names (``!pseudonyms``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from typing import Awaitable, Callable

from bot.game.folding import fold
from bot.config import PrivacyConfig
from bot.runtime.engine import Engine
from bot.game import GameState
from bot.game.params import Term, params
from bot.game.privacy import Renamer, erased_id, forget, next_erased_number
from bot.messages.narration import Narrator, RoomView
from bot.commands.router import Context, Router
from bot.store import Store

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600
# Folded words of every language (French, English, Romanian, German, Greek).
CONFIRM_WORDS = {"confirmer", "confirm", "oui", "yes", "da", "confirma", "ja", "bestatigen", "bestaetigen",
                 "ναι", "επιβεβαιωση"}
ON_WORDS = {"oui", "yes", "on", "activer", "1", "da", "ja", "ein", "ναι"}
OFF_WORDS = {"non", "no", "off", "desactiver", "0", "nu", "nein", "aus", "οχι"}


class Throttle:
    """At most ``limit`` commands per user per minute; warns once per burst."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic, window: float = 60.0):
        self.limit = limit
        self.clock = clock
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._warned: set[str] = set()

    def check(self, user: str) -> str:
        """"ok" to handle the command, "warn" to say so once, "drop" to ignore it."""
        now = self.clock()
        seen = self._seen.setdefault(user, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.discard(user)
            return "ok"
        if user in self._warned:
            return "drop"
        self._warned.add(user)
        return "warn"


class Privacy:
    """The privacy commands and the retention job."""

    def __init__(self, config: PrivacyConfig, store: Store, engine: Engine, narrator: Narrator,
                 views: Callable[[str], Awaitable[RoomView]], is_facilitator: Callable[[str, str], bool],
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.config = config
        self.clock = clock  # seconds since the epoch, as the store's ended_at
        self.sleep = sleep
        self.store = store
        self.engine = engine
        self.narrator = narrator
        self.views = views
        self.is_facilitator = is_facilitator
        self._task: asyncio.Task | None = None
        # What else a person's erasure reaches (the follow-up notes of bot/store/history.py):
        # called with the room, the person, and what turns their id or name in a text into the pseudonym.
        self.forget_hooks: list[Callable[[str, str, Callable[[str], str]], Awaitable[None]]] = []

    def register(self, router: Router) -> None:
        router.add("privacy", self._privacy)
        router.add("forget_me", self._forget_me)
        router.add("purge", self._purge)
        router.add("pseudonyms", self._pseudonyms)

    # -- retention --------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._retention_loop(), name="retention")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def purge_expired(self, now: float | None = None) -> list[int]:
        """Purge every game that ended more than ``retention_days`` ago."""
        now = self.clock() if now is None else now
        cutoff = now - self.config.retention_days * 86400
        purged = await self.engine.games.purge(ended_before=cutoff, keep_records=self.config.keep_game_records,
                                               now=now)
        if purged:
            log.info("Retention: purged the texts of %d ended games", len(purged))
        return purged

    async def _retention_loop(self) -> None:
        # Runs at start-up too: a purge due while the bot was down happens now.
        while True:
            try:
                await self.purge_expired()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Retention purge failed; will try again")
            await self.sleep(PURGE_EVERY_SECONDS)

    # -- commands -----------------------------------------------------------------------

    async def _answer(self, ctx: Context, key: str, **params) -> None:
        view = await self.views(ctx.room_id)
        await self.engine.reply(ctx.room_id, self.narrator.message(view, key, tuple(params.items())), ctx.event_id)

    async def _privacy(self, ctx: Context) -> None:
        days = self.config.retention_days
        after = self.narrator.catalogue.text(
            ctx.language, "privacy.after_records" if self.config.keep_game_records else "privacy.after_nothing")
        view = await self.views(ctx.room_id)
        # What a week game keeps (week.yaml) and what is kept between sessions (between.yaml), after the notice.
        notice = (("days", Term("privacy.days", params(count=f"{days:g}"))), ("after", after))
        lines = (("privacy.notice", notice), ("week.privacy", ()), ("between.privacy", ()))
        await self.engine.reply(ctx.room_id, self.narrator.lines(view, lines), ctx.event_id)

    async def _forget_me(self, ctx: Context) -> None:
        if fold(ctx.command.args) not in CONFIRM_WORDS:
            await self._answer(ctx, "privacy.forget_confirm")
            return
        count = await self.forget(ctx.room_id, ctx.sender)
        await self._answer(ctx, "privacy.forgotten", count=count)

    async def forget(self, room_id: str, user: str) -> int:
        """Erase ``user`` from every stored game of the room; how many games they were in.

        Their texts go; their Matrix id and display name, wherever the room's rows
        hold them (other people's texts included), become one pseudonym.
        """
        view = await self.views(room_id)
        name = view.display_name(user)
        async with self.engine.lock(room_id):
            games = await self.engine.games.room_games(room_id)
            stored = [json.dumps(g.state, ensure_ascii=False) for g in games]
            alias = erased_id(next_erased_number(stored))
            renamer = Renamer(user, alias, name if name != user else None, self.narrator.person(view, alias))
            changed = 0
            for game, text in zip(games, stored):
                events = await self.engine.games.events(game.id)
                was_in = user in text or any(e.get("actor") == user for _, _, e in events)
                state = renamer.state(forget(GameState.from_dict(game.state), user).to_dict())
                if was_in or state != game.state:  # others may have named them
                    await self.engine.games.rewrite(game.id, state, renamer.event)
                changed += was_in
            await self.engine.games.rename_in_room(room_id, user, renamer.exact, renamer.anything)
            for hook in self.forget_hooks:
                await hook(room_id, user, renamer.within)
        log.info("Erased a user from %d games of %s", changed, room_id)
        return changed

    async def _purge(self, ctx: Context) -> None:
        if not self.is_facilitator(ctx.room_id, ctx.sender):
            await self._answer(ctx, "game.facilitator_only")
            return
        async with self.engine.lock(ctx.room_id):
            ids = [g.id for g in await self.engine.games.room_games(ctx.room_id) if not g.active]
            purged = await self.engine.games.purge(game_ids=ids, keep_records=self.config.keep_game_records,
                                                   now=self.clock())
        running = (await self.engine.state(ctx.room_id))[0] is not None
        await self._answer(ctx, "privacy.purged_running" if running else "privacy.purged", count=len(purged))

    async def _pseudonyms(self, ctx: Context) -> None:
        if not self.is_facilitator(ctx.room_id, ctx.sender):
            await self._answer(ctx, "game.facilitator_only")
            return
        word = fold(ctx.command.args)
        if word not in ON_WORDS | OFF_WORDS:
            await self._answer(ctx, "privacy.pseudonyms_usage")
            return
        on = word in ON_WORDS
        await self.store.set_room_pseudonymous(ctx.room_id, on)
        await self._answer(ctx, "privacy.pseudonyms_on" if on else "privacy.pseudonyms_off")
