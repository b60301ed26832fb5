"""Per-room ordering of incoming events while some wait for their room key.

A Megolm event can arrive before its key. Handling the messages after it at once
would reorder a player's turn ("my thoughts…" then "!fini"), so later events of
the same room wait behind it — but only for a bounded time, after which they go
on and the late event is handled whenever its key arrives. No I/O here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class _Entry:
    event_id: str
    event: Any
    ready: bool
    deadline: float | None


class RoomQueues:
    """Events per room, in timeline order, released from the head when ready."""

    def __init__(self, wait_seconds: float, clock: Callable[[], float]):
        self.wait_seconds = wait_seconds
        self.clock = clock
        self._rooms: dict[str, deque[_Entry]] = {}

    def push(self, room_id: str, event_id: str, event: Any, ready: bool) -> None:
        """Append an event; a not-ready one holds the events behind it."""
        queue = self._rooms.setdefault(room_id, deque())
        if any(e.event_id == event_id for e in queue):
            return
        deadline = None if ready else self.clock() + self.wait_seconds
        queue.append(_Entry(event_id, event, ready, deadline))

    def resolve(self, event_id: str, event: Any) -> bool:
        """Mark a waiting event as decrypted; False when it is no longer queued."""
        for queue in self._rooms.values():
            for entry in queue:
                if entry.event_id == event_id:
                    entry.event, entry.ready, entry.deadline = event, True, None
                    return True
        return False

    def release(self, room_id: str) -> tuple[list[Any], list[str]]:
        """Events ready to handle now, in order, and ids of waiting events given up on.

        An event given up on leaves the queue (it stays pending elsewhere and is
        handled late if its key ever comes), so the room is not blocked forever.
        """
        queue = self._rooms.get(room_id)
        ready: list[Any] = []
        expired: list[str] = []
        now = self.clock()
        while queue:
            head = queue[0]
            if head.ready:
                ready.append(queue.popleft().event)
            elif head.deadline is not None and head.deadline <= now:
                expired.append(queue.popleft().event_id)
            else:
                break
        if queue is not None and not queue:
            del self._rooms[room_id]
        return ready, expired

    def rooms(self) -> list[str]:
        return list(self._rooms)

    def holding(self) -> bool:
        """True while a decrypted event waits behind an undecryptable one."""
        return any(any(e.ready for e in q) for q in self._rooms.values())

    def waiting_ids(self) -> list[str]:
        return [e.event_id for q in self._rooms.values() for e in q if not e.ready]

    def next_deadline(self) -> float | None:
        deadlines = [e.deadline for q in self._rooms.values() for e in q if e.deadline is not None]
        return min(deadlines) if deadlines else None
