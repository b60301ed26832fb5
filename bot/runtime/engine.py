"""The game engine: per room, lock → load → apply the pure rules → save → act.

The database is the source of truth. One applied event is one transaction (state,
event log, the Matrix event marked handled, the messages to send), and the store
cuts the logged event to what the state keeps (what others say during a turn earns
a reminder and is not kept, even in the log). The messages are sent after the
commit, each with a transaction id fixed by the game and the event's rank, then
removed from the outbox. A crash anywhere leaves either nothing
done (the event is handled again) or a saved step whose outbox is sent at the next
start — the homeserver answers a repeated transaction id with the first message,
so nothing is sent twice. Timers are rebuilt from the stored states.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable

from bot.game import GameState, IllegalMove, Settings, apply, event_to_dict, pending_timers
from bot.game import effects as fx
from bot.game.edits import holds, redact
from bot.game.events import Event, TimerFired, Vote
from bot.game.state import ROUND
from bot.messages import poll
from bot.messages.moment import compose
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Rendered
from bot.store.games import GameStore, OutboxItem, Step
from bot.store.syntheses import SynthesisPosts
from bot.runtime.reposting import Reposter
from bot.messages.synthesis_post import SynthesisWriter
from bot.runtime.timers import Timers

log = logging.getLogger(__name__)

Send = Callable[[str, dict, str], Awaitable[str]]
SendFile = Callable[[str, bytes, str, str, str], Awaitable[str]]
SendEvent = Callable[[str, str, dict, str], Awaitable[str]]  # room, event type, content, transaction id
Redact = Callable[[str, str, str], Awaitable[bool]]  # room, event id, transaction id



def reply_tx_id(cause: str, index: int) -> str:
    """A transaction id fixed by what caused the message and its rank.

    Handling the same event again after a crash sends with the same id, and the
    homeserver returns the first message instead of posting a second one.
    """
    return "rx" + hashlib.sha256(f"{cause}\x00{index}".encode()).hexdigest()[:30]


@dataclass
class Outgoing:
    """How the engine reaches the room: the transport's send functions."""

    send: Send
    send_file: SendFile
    send_event: SendEvent | None = None  # other event types (the poll); None: not sent (no Matrix)
    redact: Redact | None = None  # the bot's own events (a synthesis posted again); None: not done
    # A message with the ids of all its parts (one too big goes in several); None: ``send``'s one id.
    send_parts: Callable[[str, dict, str], Awaitable[list[str]]] | None = None

    async def send_all(self, room_id: str, content: dict, tx_id: str) -> list[str]:
        if self.send_parts is not None:
            return [event_id for event_id in await self.send_parts(room_id, content, tx_id) if event_id]
        event_id = await self.send(room_id, content, tx_id)
        return [event_id] if event_id else []


class Engine:
    """Runs the games of every room of one bot."""

    def __init__(self, games: GameStore, narrator: Narrator, settings: Settings, outgoing: Outgoing,
                 views: Callable[[str], Awaitable[RoomView]], clock: Callable[[], datetime] | None = None):
        self.games = games
        self.narrator = narrator
        self.settings = settings
        self.outgoing = outgoing
        self.views = views
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        # Timers wait the distance the game clock sees (tests and the week demo inject a clock).
        self.timers = Timers(self._fire, lambda at: (at - self.clock()).total_seconds())
        self.synthesis = SynthesisWriter(narrator)
        self.posted = SynthesisPosts(games.store)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._unsent: set[str] = set()  # rooms whose crash leftovers failed to send at start-up
        # (room, view, event, game id, new state, messages) -> messages: what other features add to a
        # moment before it is saved (the follow-up of action ideas, bot/commands/followup.py).
        self.decorate: Callable[..., Awaitable[list[dict]]] | None = None

    # -- start-up ---------------------------------------------------------------------

    async def send_leftovers(self) -> None:
        """Send what a crash left unsent, each room's messages in order.

        Called once the first sync has filled the rooms and *before* its events are
        handled (what players typed while the bot was down), so that a step's
        messages reach the room before anything later events cause. A room whose
        leftovers cannot be sent now is tried again before its next message.
        """
        rooms: dict[str, list[OutboxItem]] = {}
        for item in await self.games.pending_outbox():
            rooms.setdefault(item.room_id, []).append(item)
        for room_id, items in rooms.items():
            async with self._locks[room_id]:
                try:
                    await self._deliver(items)
                except Exception:
                    log.exception("Could not send the messages a crash left in %s; trying again later", room_id)
                    self._unsent.add(room_id)

    async def _send_unsent(self, room_id: str) -> None:
        """Under the room's lock: the room's leftovers first (raises if they still cannot go)."""
        if room_id in self._unsent:
            await self._deliver([i for i in await self.games.pending_outbox() if i.room_id == room_id])
            self._unsent.discard(room_id)

    async def start(self) -> None:
        """After the first sync was handled: send any leftovers still unsent, re-arm every timer."""
        await self.send_leftovers()
        log.info("Starting the game timers")
        self.timers.start()
        for game in await self.games.active_games():
            self.timers.replace_game(game.id, pending_timers(GameState.from_dict(game.state)))
        log.info("Game engine ready: %d timers armed", self.timers.count())

    def stop(self) -> None:
        self.timers.shutdown()

    def lock(self, room_id: str) -> asyncio.Lock:
        """The room's lock: whoever changes its games holds it."""
        return self._locks[room_id]

    # -- reading --------------------------------------------------------------------

    async def state(self, room_id: str) -> tuple[int | None, GameState]:
        stored = await self.games.active_game(room_id)
        if stored is None:
            return None, GameState()
        return stored.id, GameState.from_dict(stored.state)

    # -- applying events ----------------------------------------------------------------

    async def handle(self, room_id: str, event: Event, *, facilitator: bool, source_event_id: str | None,
                     only_in_round: bool = False) -> bool:
        """Apply ``event`` to the room's game; False when it was refused."""
        async with self._locks[room_id]:
            await self._send_unsent(room_id)
            stored = await self.games.active_game(room_id)
            game_id, state = (stored.id, GameState.from_dict(stored.state)) if stored else (None, GameState())
            if only_in_round and state.phase != ROUND:
                return True  # free chat outside a speaking round: not the game's business
            now = self.clock()
            try:
                outcome = apply(state, event, now, facilitator=facilitator, settings=self.settings)
            except IllegalMove as exc:
                view = await self.views(room_id)
                rendered = self.narrator.message(view, exc.key, exc.params)
                await self._send_reply(room_id, rendered, source_event_id)
                return False
            if outcome.state == state and not outcome.effects:
                return True  # the transport marks the event handled
            view = await self.views(room_id)
            messages = await self._render(room_id, view, outcome.state, outcome.effects)
            if self.decorate is not None:
                messages = await self.decorate(room_id, view, event, game_id, outcome.state, messages)
            over = any(isinstance(e, fx.GameOver) for e in outcome.effects)
            game_id, items = await self.games.commit(Step(
                room_id=room_id, state=outcome.state.to_dict(), active=not over,
                event=event_to_dict(event), at=now, facilitator=facilitator,
                game_id=game_id, source_event_id=source_event_id, effects=messages,
                previous_state=stored.state if stored else None,
            ))
            if over:
                self.timers.cancel_game(game_id)
            else:
                self.timers.replace_game(game_id, pending_timers(outcome.state))
            await self._deliver(items)
            return True

    async def poll_answer(self, room_id: str, sender: str, poll_id: str, answers: tuple[str, ...], *,
                          facilitator: bool, source_event_id: str) -> None:
        """An answer to the vote's poll: the same ``Vote`` as a typed one, if it answers the open poll."""
        yes = poll.vote_of(answers)
        if yes is None or await self.games.poll(room_id) != poll_id:
            return  # a spoiled answer, or an answer to an older poll
        await self.handle(room_id, Vote(sender, yes), facilitator=facilitator, source_event_id=source_event_id)

    async def redact_in_past_games(self, room_id: str, ref: str, cause: str = "") -> None:
        """A deleted message's text out of the room's ended games still stored (the log follows).

        A game whose synthesis was posted gets it redacted and posted again without
        the text (bot/runtime/reposting.py); ``cause`` (the deletion's event id) fixes
        the transaction ids of that.
        """
        async with self._locks[room_id]:
            for game in await self.games.room_games(room_id):
                if game.active:
                    continue  # the game in progress had the Redact event
                state = GameState.from_dict(game.state)
                if not holds(state, ref):
                    continue
                new = redact(state, ref)
                posted = await self.posted.of(game.id)
                if not posted or self.outgoing.redact is None:
                    await self.games.rewrite(game.id, new.to_dict())
                    continue
                reposter = Reposter(self.narrator, self.synthesis, self.outgoing.send_all, self.outgoing.send_file,
                                    self.outgoing.redact)
                new_ids = await reposter.repost(room_id, await self.views(room_id), new, posted,
                                                lambda n, g=game.id: reply_tx_id(f"{cause or ref}:{g}", n))
                await self.games.rewrite(game.id, new.to_dict(),
                                         also=lambda db, g=game.id: self.posted.replace_in(db, g, new_ids))

    async def _fire(self, game_id: int, kind: str, seq: int) -> None:
        stored = await self.games.game(game_id)
        if stored is None or not stored.active:
            return
        try:
            await self.handle(stored.room_id, TimerFired(kind, seq), facilitator=False, source_event_id=None)
        except Exception:
            log.exception("Timer %s of game %d failed", kind, game_id)

    # -- effects ------------------------------------------------------------------------

    async def _render(self, room_id: str, view: RoomView, state: GameState, effects: tuple) -> list[dict]:
        """One message for the transition, then its file or poll event (see bot/messages/moment.py)."""
        open_poll = None
        if any(isinstance(e, fx.EndPoll) for e in effects):
            open_poll = await self.games.poll(room_id)

        def extras(effect) -> list[dict]:
            if isinstance(effect, fx.StartPoll):
                event_type, content = poll.start(self.narrator, view, effect)
                return [{"type": "event", "event_type": event_type, "content": content, "poll": "start"}]
            if isinstance(effect, fx.EndPoll) and open_poll is not None:
                event_type, content = poll.end(self.narrator, view, effect, open_poll)
                return [{"type": "event", "event_type": event_type, "content": content}]
            return []

        entries = compose(self.narrator, view, state, effects, self.synthesis.posts, extras)
        if any(isinstance(e, fx.PostSynthesis) and e.final for e in effects):
            for entry in entries:  # remembered when sent: a later deletion redacts them
                if entry["type"] in ("message", "file"):
                    entry["synthesis"] = True
        return entries

    async def _deliver(self, items: list[OutboxItem]) -> None:
        """Send a step's messages in order, then clear them from the outbox in one go.

        A crash before the clearing sends them all again at the next start, with the
        same transaction ids: the homeserver answers with the first messages.
        """
        for item in items:
            effect = item.effect
            event_ids: list[str] = []
            if effect["type"] == "file":
                event_ids = [await self.outgoing.send_file(item.room_id, effect["text"].encode("utf-8"),
                                                           effect["filename"], effect["mimetype"], item.tx_id)]
            elif effect["type"] == "event":
                if self.outgoing.send_event is None:
                    continue
                event_id = await self.outgoing.send_event(item.room_id, effect["event_type"], effect["content"],
                                                          item.tx_id)
                if effect.get("poll") == "start":
                    # Before the outbox is cleared: after a crash the same transaction id
                    # gives the same event id, recorded then.
                    await self.games.set_poll(item.room_id, event_id)
            elif effect.get("synthesis"):
                event_ids = await self.outgoing.send_all(item.room_id, effect["content"], item.tx_id)
            else:
                await self.outgoing.send(item.room_id, effect["content"], item.tx_id)
            if effect.get("synthesis") and item.game_id is not None:
                # Before the outbox is cleared, as for the poll.
                for event_id in event_ids:
                    if event_id:
                        await self.posted.add(item.game_id, event_id)
        await self.games.outbox_done(*(item.tx_id for item in items))

    async def _send_reply(self, room_id: str, rendered: Rendered, source_event_id: str | None) -> None:
        tx_id = reply_tx_id(source_event_id or f"{room_id}:{self.clock().isoformat()}", 0)
        # A crash before the transport marks the event handled answers it again
        # with the same transaction id: the homeserver keeps the first answer.
        await self.outgoing.send(room_id, rendered.content(), tx_id)

    async def reply(self, room_id: str, rendered: Rendered, source_event_id: str | None) -> None:
        """A read-only answer (status, lists) under the room's lock, in order."""
        async with self._locks[room_id]:
            await self._send_unsent(room_id)
            await self._send_reply(room_id, rendered, source_event_id)
