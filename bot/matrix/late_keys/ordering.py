"""Per-room ordering of incoming events while some wait for their room key.

A Megolm event can arrive before its key. Handling the messages after it at once
would reorder a player's turn ("my thoughts…" then "!fini"), so later events of
the same room wait behind it — but only for a bounded time, after which they go
on and the late event is handled whenever its key arrives. No I/O here.

Two things end a wait early. A later message *from the same sender* that could
be read means that sender's client has moved on to a newer session: to-device
messages from one device arrive in order, so the old key is not coming (the
first-contact race: a client encrypts its first message before it counts the
bot as a member). And a backlog released at once (events that waited, or that
piled up while the bot was down) answers a person's repeated identical message
once: they typed it again because the bot seemed dead, not to be answered twice.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Hashable, NamedTuple

# Identical messages from one person closer together than this (in a backlog)
# are one message sent again, not two.
REPEAT_WINDOW_MS = 120_000


@dataclass
class _Entry:
    event_id: str
    event: Any
    ready: bool
    deadline: float | None
    sender: str | None = None
    # (sender, text) for a text message, compared with the backlog's others.
    repeat_key: Hashable | None = None
    timestamp_ms: int = 0
    backlog: bool = False  # queued behind a waiting event, or part of a catch-up


class Released(NamedTuple):
    """What :meth:`RoomQueues.release` lets go of."""

    ready: list[Any]  # events to handle now, in order
    expired: list[str]  # ids of waiting events given up on for ordering
    repeats: list[Any]  # backlog events that repeat an earlier one of ``ready``


class RoomQueues:
    """Events per room, in timeline order, released from the head when ready."""

    def __init__(self, wait_seconds: float, clock: Callable[[], float]):
        self.wait_seconds = wait_seconds
        self.clock = clock
        self._rooms: dict[str, deque[_Entry]] = {}

    def push(self, room_id: str, event_id: str, event: Any, ready: bool, *, sender: str | None = None,
             repeat_key: Hashable | None = None, timestamp_ms: int = 0, backlog: bool = False) -> None:
        """Append an event; a not-ready one holds the events behind it.

        A ready event from ``sender`` ends the wait of that sender's earlier
        not-ready events: they leave the order (see the module docstring).
        """
        queue = self._rooms.setdefault(room_id, deque())
        if any(e.event_id == event_id for e in queue):
            return
        now = self.clock()
        if ready and sender is not None:
            for entry in queue:
                if not entry.ready and entry.sender == sender:
                    entry.deadline = now
        deadline = None if ready else now + self.wait_seconds
        held = backlog or any(not e.ready for e in queue)
        queue.append(_Entry(event_id, event, ready, deadline, sender, repeat_key, timestamp_ms, held))

    def resolve(self, event_id: str, event: Any, repeat_key: Hashable | None = None) -> bool:
        """Mark a waiting event as decrypted; False when it is no longer queued."""
        for queue in self._rooms.values():
            for entry in queue:
                if entry.event_id == event_id:
                    entry.event, entry.ready, entry.deadline = event, True, None
                    entry.repeat_key = repeat_key
                    return True
        return False

    def release(self, room_id: str) -> Released:
        """Events ready to handle now, in order, ids of waiting events given up on, and repeats.

        An event given up on leaves the queue (it stays pending elsewhere and is
        handled late if its key ever comes), so the room is not blocked forever.
        """
        queue = self._rooms.get(room_id)
        out = Released([], [], [])
        last_seen: dict[Hashable, int] = {}  # repeat key -> timestamp of its latest occurrence
        now = self.clock()
        while queue:
            head = queue[0]
            if head.ready:
                entry = queue.popleft()
                key = entry.repeat_key
                previous = last_seen.get(key) if key is not None else None
                if key is not None:
                    last_seen[key] = entry.timestamp_ms
                if entry.backlog and previous is not None and entry.timestamp_ms - previous <= REPEAT_WINDOW_MS:
                    out.repeats.append(entry.event)
                else:
                    out.ready.append(entry.event)
            elif head.deadline is not None and head.deadline <= now:
                out.expired.append(queue.popleft().event_id)
            else:
                break
        if queue is not None and not queue:
            del self._rooms[room_id]
        return out

    def rooms(self) -> list[str]:
        return list(self._rooms)

    def queued(self, room_id: str) -> int:
        """Events of the room waiting to be released, the waiting ones and the ones behind them."""
        return len(self._rooms.get(room_id, ()))

    def holding(self) -> bool:
        """True while a decrypted event waits behind an undecryptable one."""
        return any(any(e.ready for e in q) for q in self._rooms.values())

    def waiting_ids(self) -> list[str]:
        return [e.event_id for q in self._rooms.values() for e in q if not e.ready]

    def next_deadline(self) -> float | None:
        deadlines = [e.deadline for q in self._rooms.values() for e in q if e.deadline is not None]
        return min(deadlines) if deadlines else None
