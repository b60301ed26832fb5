"""Megolm events whose room key comes late.

nio handles to-device events before the timeline of each sync, but a room key
that comes in a *later* sync leaves the message as an undecryptable
``MegolmEvent``. Such events are kept (in memory and in the store) by id, the
room's later events wait behind them for a bounded time (less when the same
sender's next message can be read, see ``ordering.py``), and they are decrypted
and handled as soon as the key arrives — late rather than never. Meanwhile the
sender's device is asked for the key (``recovery.py``), and if none comes in
time the sender is asked to send the message again (``unreadable.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Hashable

from nio import AsyncClient, MegolmEvent, RoomMessageText
from nio.events import Event

from bot.matrix.late_keys.ordering import REPEAT_WINDOW_MS, RoomQueues
from bot.matrix.late_keys.recovery import KeyRecovery
from bot.matrix.late_keys.unreadable import ResendNotice, UnreadableMessages
from bot.store import Store

log = logging.getLogger(__name__)

# An unreadable message older than this when the bot first sees it is history
# (the room's past, seen on joining): nobody is asked for its key or to resend it.
FRESH_SECONDS = 600
# Readable messages remembered to recognise a late one typed again.
RECENT_LIMIT = 10_000


class LateKeys:
    """Events waiting for their room key, the room order they hold up, and what to ask of senders."""

    def __init__(self, store: Store, wait_seconds: float, clock: Callable[[], float] = time.monotonic,
                 recovery: KeyRecovery | None = None, wall: Callable[[], float] = time.time):
        self.store = store
        self.queues = RoomQueues(wait_seconds, clock)
        self.unreadable = UnreadableMessages(wait_seconds, clock)
        self.recovery = recovery or KeyRecovery(clock)
        self.wall = wall
        # Undecryptable events by id, kept until their key comes (also in the store).
        self.pending: dict[str, tuple[str, MegolmEvent]] = {}
        # Ids of backlog events that repeat an earlier one: marked handled, not answered.
        self.repeats: set[str] = set()
        # (room, repeat key) -> server time (ms) of the latest readable message with it:
        # a lost message whose key comes after the person typed it again is a repeat.
        self.recent: dict[tuple[str, Hashable], int] = {}
        # Set when a key arrives or a new wait starts: the deadline loop wakes up.
        self.changed = asyncio.Event()

    async def load(self) -> None:
        """Events still waiting when the bot last stopped."""
        for room_id, source in await self.store.pending():
            event = Event.parse_event(source)
            if isinstance(event, MegolmEvent):
                event.room_id = room_id
                self.pending[event.event_id] = (room_id, event)
                if self._fresh(event):
                    self.unreadable.add(room_id, event.sender, event.event_id)

    def on_room_key(self, _event: Any) -> None:
        self.changed.set()

    async def push(self, client: AsyncClient, room_id: str, event: Event, backlog: bool = False,
                   history: bool = False) -> None:
        """Queue a timeline event; an undecryptable one holds the room's later events.

        ``backlog``: the event piled up while the bot was away (the first sync
        after a start); like the events held behind a waiting one, its repeats
        are answered once. ``history``: said before the bot was invited; if it
        cannot be read it holds nothing and nobody is asked about it.
        """
        event_id = event.event_id
        if isinstance(event, MegolmEvent):
            event.room_id = room_id
            if event_id not in self.pending:
                await self._hold(client, room_id, event, ask=not history)
            if history:
                return
            self.queues.push(room_id, event_id, event, ready=False, sender=event.sender, backlog=backlog)
            self.changed.set()
            return
        # Decrypted by nio in this sync: its key came along (or after a restart).
        self.pending.pop(event_id, None)
        sender = event.sender if getattr(event, "decrypted", False) else None
        if sender is not None:
            self.unreadable.read(room_id, sender)
        key = repeat_key(event)
        if key is not None:
            self._remember(room_id, key, event.server_timestamp or 0)
        self.queues.push(room_id, event_id, event, ready=True, sender=sender, repeat_key=key,
                         timestamp_ms=event.server_timestamp or 0, backlog=backlog)

    def _remember(self, room_id: str, key: Hashable, timestamp_ms: int) -> None:
        self.recent[(room_id, key)] = max(timestamp_ms, self.recent.get((room_id, key), 0))
        if len(self.recent) > RECENT_LIMIT:  # keep only what can still make a repeat
            oldest = self.wall() * 1000 - FRESH_SECONDS * 1000 - REPEAT_WINDOW_MS
            self.recent = {k: t for k, t in self.recent.items() if t >= oldest}

    def _typed_again(self, room_id: str, event: Event) -> bool:
        """Whether the person sent the same words again, soon after, and that was read."""
        key = repeat_key(event)
        later = self.recent.get((room_id, key)) if key is not None else None
        return later is not None and 0 < later - (event.server_timestamp or 0) <= REPEAT_WINDOW_MS

    async def _hold(self, client: AsyncClient, room_id: str, event: MegolmEvent, ask: bool) -> None:
        log.info("Message %s in %s waits for its room key", event.event_id, room_id)
        self.pending[event.event_id] = (room_id, event)
        await self.store.add_pending(room_id, event.event_id, event.session_id, event.source)
        if not ask or not self._fresh(event):
            return
        self.unreadable.add(room_id, event.sender, event.event_id)
        try:
            await self.recovery.ask(client, event)
        except Exception as exc:  # the server is away or said no: the resend notice remains
            log.warning("Asking the sender's device for a room key failed: %s", type(exc).__name__)
        try:
            # Only the bot's own devices are asked; it rarely helps, but costs nothing.
            await client.request_room_key(event)
        except Exception as exc:  # already requested, or the server said no
            log.debug("Room key request not sent: %s", type(exc).__name__)

    def _fresh(self, event: Event) -> bool:
        return self.wall() - (event.server_timestamp or 0) / 1000 <= FRESH_SECONDS

    def release(self, client: AsyncClient) -> list[tuple[str, Event]]:
        """(room id, event) to handle now, in order: decrypted late ones, then queue heads.

        Repeats are among them (so they are marked handled), listed in :attr:`repeats`.
        """
        out: list[tuple[str, Event]] = []
        for event_id, (room_id, event) in list(self.pending.items()):
            try:
                decrypted = client.decrypt_event(event)
            except Exception:  # still no key
                continue
            del self.pending[event_id]
            self.unreadable.decrypted(event_id)
            log.info("Room key for %s arrived; handling it", event_id)
            if not self.queues.resolve(event_id, decrypted, repeat_key(decrypted)):
                # Given up on for ordering earlier (or from before a restart):
                # handle it late rather than never, unless it was typed again.
                if self._typed_again(room_id, decrypted):
                    log.info("Message %s was sent again and answered before its key came", event_id)
                    self.repeats.add(event_id)
                out.append((room_id, decrypted))
        for room_id in self.queues.rooms():
            released = self.queues.release(room_id)
            for event_id in released.expired:
                log.info("Room key for %s still missing; later messages of the room go on", event_id)
            out.extend((room_id, event) for event in released.ready)
            for event in released.repeats:
                log.info("Message %s repeats an earlier one of the backlog; answered once", event.event_id)
                self.repeats.add(event.event_id)
                out.append((room_id, event))
        return out

    def resend_notices(self) -> list[ResendNotice]:
        """Senders to ask, now, to send again what could not be read."""
        return self.unreadable.due()

    def holding(self) -> bool:
        """True while a decrypted event waits, in memory only, behind an undecryptable one."""
        return self.queues.holding()

    def next_deadline(self) -> float | None:
        deadlines = [d for d in (self.queues.next_deadline(), self.unreadable.next_deadline()) if d is not None]
        return min(deadlines, default=None)


def repeat_key(event: Event) -> tuple[str, str] | None:
    """What makes two text messages the same message typed again: sender and words."""
    if isinstance(event, RoomMessageText):
        return event.sender, " ".join(event.body.split()).casefold()
    return None
