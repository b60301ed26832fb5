"""Rooms handled side by side: each room's events in order, different rooms at once.

A game step waits for its messages to reach the homeserver (about a tenth of a
second each when it is busy). Handled one room after another, fifty busy games
made an answer in a quiet room wait for seconds. Here each room has its own queue
and, while the queue holds work, one task: a room's events stay in timeline order
(a turn's words before its ``!fini``), other rooms do not wait for it, and the sync
loop goes on fetching while handlers run.

The sync token may only be saved once every event it covers was handled (so a
crash replays, never loses). Events are grouped by the sync batch that brought
them; a batch's token is handed to ``save`` once the batch is sealed (everything
it brought was queued) and it and every earlier batch are done. No Matrix here.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Batch:
    """The events one sync (or one key arrival) made ready, and the token after them."""

    token: str | None
    remaining: int = 0
    sealed: bool = False


@dataclass(eq=False)
class _Room:
    queue: deque = field(default_factory=deque)  # (event id, item, batch)
    ids: set = field(default_factory=set)
    task: asyncio.Task | None = None


class RoomWorkers:
    """Per-room ordered queues with one task each, and the token they allow to save."""

    def __init__(self, handle: Callable[[str, Any], Awaitable[None]],
                 save: Callable[[str], Awaitable[None]]):
        self._handle = handle
        self._save = save
        self._rooms: dict[str, _Room] = {}
        self._batches: deque[Batch] = deque()
        self._advancing = asyncio.Lock()
        self._idle = asyncio.Event()
        self._idle.set()
        self._drained = asyncio.Event()  # set each time an event is done
        self._closing = False
        # Ids handled while a batch was open: its "already handled?" check may
        # have run before they were marked, so they must not be queued again.
        self._open = 0
        self._recent: set[str] = set()

    # -- feeding ----------------------------------------------------------------------

    def batch(self, token: str | None) -> Batch:
        """Open a batch; :meth:`seal` it once all its events were submitted."""
        batch = Batch(token)
        self._batches.append(batch)
        self._open += 1
        return batch

    def submit(self, batch: Batch, room_id: str, event_id: str, item: Any) -> bool:
        """Queue ``item`` behind the room's earlier events; False if already queued."""
        if self._closing:
            return False
        room = self._rooms.get(room_id)
        if room is None:
            room = self._rooms[room_id] = _Room()
        if event_id in room.ids or event_id in self._recent:
            return False  # a backfilled event the timeline brings again
        room.ids.add(event_id)
        room.queue.append((event_id, item, batch))
        batch.remaining += 1
        if room.task is None:
            self._idle.clear()
            room.task = asyncio.create_task(self._work(room_id, room), name=f"room-worker:{room_id}")
        return True

    async def seal(self, batch: Batch) -> None:
        """No more events for ``batch``: its token may be saved once they are handled."""
        batch.sealed = True
        self._open -= 1
        if not self._open:
            self._recent.clear()
        await self._advance()

    # -- state ----------------------------------------------------------------------

    def busy(self) -> int:
        """Events queued or being handled, all rooms together."""
        return sum(len(room.queue) for room in self._rooms.values())

    async def wait_below(self, limit: int) -> None:
        """Until fewer than ``limit`` events are queued: the sync loop's brake.

        Handlers that cannot send (the homeserver rate-limits or refuses) must not
        let the loop pile up events in memory without end; they wait on the
        homeserver, the loop waits on them.
        """
        while self.busy() >= limit and not self._closing:
            self._drained.clear()
            await self._drained.wait()

    async def wait_idle(self) -> None:
        """Until every queued event was handled."""
        await self._idle.wait()

    async def close(self) -> None:
        """Finish the events being handled now; drop the rest (the token was not saved)."""
        self._closing = True
        self._drained.set()
        tasks = [room.task for room in self._rooms.values() if room.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- inside -----------------------------------------------------------------------

    async def _work(self, room_id: str, room: _Room) -> None:
        try:
            while room.queue and not self._closing:
                event_id, item, batch = room.queue[0]
                try:
                    await self._handle(room_id, item)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # A handler's bug must not stop the room or lose its next events.
                    log.exception("Handling an event in %s failed", room_id)
                room.queue.popleft()
                room.ids.discard(event_id)
                self._drained.set()
                if self._open:
                    self._recent.add(event_id)
                batch.remaining -= 1
                if batch.remaining == 0:
                    await self._advance()
        finally:
            room.task = None
            if not room.queue and self._rooms.get(room_id) is room:
                del self._rooms[room_id]
            if all(r.task is None for r in self._rooms.values()):
                self._idle.set()

    async def _advance(self) -> None:
        # Under a lock, so tokens are saved in the order the syncs brought them.
        async with self._advancing:
            token = None
            while self._batches and self._batches[0].sealed and self._batches[0].remaining == 0:
                token = self._batches.popleft().token or token
            if token is not None and not self._closing:
                try:
                    await self._save(token)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("Could not save the sync token")
