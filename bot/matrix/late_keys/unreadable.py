"""When to ask a person to send again a message the bot could not read. No I/O.

An undecryptable message waits ``wait_seconds`` for its room key. If it is still
unreadable then, and still the sender's latest message in that room (a later one
the bot could read means they went on, or already sent it again), the sender is
asked to send it again: one notice per person and room every
``interval_seconds``, however many of their messages were lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# Between two "please send that again" to one person in one room.
NOTICE_INTERVAL_SECONDS = 300.0


@dataclass(frozen=True)
class ResendNotice:
    """Tell ``user_id`` in ``room_id`` that their last message(s) could not be read."""

    room_id: str
    user_id: str
    event_ids: tuple[str, ...]


@dataclass
class _Waiting:
    room_id: str
    sender: str
    deadline: float


class UnreadableMessages:
    """Unreadable messages by id, their deadlines, and the notices already given."""

    def __init__(self, wait_seconds: float, clock: Callable[[], float],
                 interval_seconds: float = NOTICE_INTERVAL_SECONDS):
        self.wait_seconds = wait_seconds
        self.interval_seconds = interval_seconds
        self.clock = clock
        self._waiting: dict[str, _Waiting] = {}
        self._noticed: dict[tuple[str, str], float] = {}

    def add(self, room_id: str, sender: str, event_id: str) -> None:
        if event_id not in self._waiting:
            self._waiting[event_id] = _Waiting(room_id, sender, self.clock() + self.wait_seconds)

    def decrypted(self, event_id: str) -> None:
        """Its key came: nothing to ask."""
        self._waiting.pop(event_id, None)

    def read(self, room_id: str, sender: str) -> None:
        """A later message of ``sender`` in the room was read: the lost ones are not their last."""
        for event_id, waiting in list(self._waiting.items()):
            if waiting.room_id == room_id and waiting.sender == sender:
                del self._waiting[event_id]

    def due(self) -> list[ResendNotice]:
        """Notices to give now; the messages they cover stop waiting for one."""
        now = self.clock()
        self._noticed = {k: t for k, t in self._noticed.items() if now - t < self.interval_seconds}
        expired: dict[tuple[str, str], list[str]] = {}
        for event_id, waiting in list(self._waiting.items()):
            if waiting.deadline <= now:
                del self._waiting[event_id]
                expired.setdefault((waiting.room_id, waiting.sender), []).append(event_id)
        notices = []
        for (room_id, sender), event_ids in expired.items():
            last = self._noticed.get((room_id, sender))
            if last is not None and now - last < self.interval_seconds:
                continue  # told a moment ago: never a flood
            self._noticed[(room_id, sender)] = now
            notices.append(ResendNotice(room_id, sender, tuple(event_ids)))
        return notices

    def waiting(self) -> list[str]:
        return list(self._waiting)

    def next_deadline(self) -> float | None:
        return min((w.deadline for w in self._waiting.values()), default=None)
