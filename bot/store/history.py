"""A room's history between sessions: finished games, their action ideas' follow-up.

``room_history`` holds one row per finished game, written in the transaction of its
last step (:func:`finished_row`, written in the step's own trip): dates, the card's id and counts, never a text or
a Matrix id, so it outlives the purge of the game's texts and card rotation still
knows what was played. ``action_followups`` holds what became of each action idea;
its note (text) and the note's author go with the game's texts, the status stays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from bot.store.db import Store
from bot.store.rows import fetch_all, fetch_one

STATUSES = ("in_progress", "done", "dropped")


@dataclass(frozen=True)
class HistoryEntry:
    """One finished game of a room, as the history lists it."""

    game_id: int
    room_id: str
    number: int  # the room's n-th finished game
    card_id: str | None
    theme: str | None
    started_at: datetime | None
    ended_at: float
    players: int
    levels: dict[str, int] = field(default_factory=dict)  # action ideas per level
    erased_at: float | None = None  # when the game's texts were purged
    done: int = 0  # of its ideas, how many were reported done since

    @property
    def actions(self) -> int:
        return sum(self.levels.values())


@dataclass(frozen=True)
class Followup:
    """What became of one action idea (``seq``) of a finished game."""

    game_id: int
    seq: int
    status: str
    note: str | None
    noted_by: str | None
    reported_in: int | None
    updated_at: float = 0.0


# A finished game's history row, its number the room's next; run in the step's own trip.
INSERT_FINISHED = (
    "INSERT OR IGNORE INTO room_history(game_id, room_id, number, card_id, theme, started_at, ended_at, "
    "players, levels) SELECT ?, ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ?, ?, ? "
    "FROM room_history WHERE room_id = ?"
)


def finished_row(room_id: str, state: dict, now: float) -> tuple | None:
    """The values of INSERT_FINISHED after the game id, or None when the game did not finish.

    Dates, the card's id and counts only, never a text or a name.
    """
    if state.get("phase") != "finished":
        return None
    levels: dict[str, int] = {}
    for action in state.get("actions", ()):
        levels[action["level"]] = levels.get(action["level"], 0) + 1
    players = len(state.get("participants") or state.get("players") or ())
    return (room_id, state.get("card_id"), state.get("theme"), state.get("started") or state.get("created"),
            now, players, json.dumps(levels), room_id)


async def on_purge(db, game_id: int, now: float, keep_records: bool) -> None:
    """Inside the purge of a game's texts: the follow-up notes go; the record stays or goes with it."""
    if keep_records:
        await db.execute("UPDATE room_history SET erased_at = ? WHERE game_id = ?", (now, game_id))
        await db.execute("UPDATE action_followups SET note = NULL, noted_by = NULL, note_ref = NULL "
                         "WHERE game_id = ?", (game_id,))
    else:
        await db.execute("DELETE FROM room_history WHERE game_id = ?", (game_id,))
        await db.execute("DELETE FROM action_followups WHERE game_id = ?", (game_id,))


_ENTRY = ("SELECT h.game_id, h.room_id, h.number, h.card_id, h.theme, h.started_at, h.ended_at, h.players, "
          "h.levels, h.erased_at, (SELECT COUNT(*) FROM action_followups f WHERE f.game_id = h.game_id "
          "AND f.status = 'done') FROM room_history h")


class HistoryStore:
    """History and follow-up queries on top of a :class:`Store` (shares its connection)."""

    def __init__(self, store: Store):
        self.store = store

    async def room(self, room_id: str) -> list[HistoryEntry]:
        """The room's finished games, oldest first."""
        rows = await fetch_all(self.store.conn, _ENTRY + " WHERE h.room_id = ? ORDER BY h.number", (room_id,))
        return [_entry(r) for r in rows]

    async def entry(self, room_id: str, number: int) -> HistoryEntry | None:
        row = await fetch_one(self.store.conn, _ENTRY + " WHERE h.room_id = ? AND h.number = ?", (room_id, number))
        return _entry(row) if row else None

    async def played_cards(self, room_id: str) -> dict[str, int]:
        """How many times each card was played to the end in the room."""
        rows = await fetch_all(self.store.conn, "SELECT card_id, COUNT(*) FROM room_history WHERE room_id = ? "
                               "AND card_id IS NOT NULL GROUP BY card_id", (room_id,))
        return {r[0]: r[1] for r in rows}

    # -- follow-up ------------------------------------------------------------------

    async def followups(self, room_id: str) -> dict[tuple[int, int], Followup]:
        """What became of the room's ideas so far, by (game id, idea number)."""
        rows = await fetch_all(self.store.conn, "SELECT game_id, seq, status, note, noted_by, reported_in, "
                               "updated_at FROM action_followups WHERE room_id = ?", (room_id,))
        return {(r[0], r[1]): Followup(*r) for r in rows}

    async def set_followup(self, room_id: str, game_id: int, seq: int, status: str, note: str | None,
                           noted_by: str, reported_in: int | None, now: float, ref: str = "") -> None:
        """What became of idea ``seq`` of ``game_id``; ``ref`` is the command's event (its deletion takes the note)."""
        assert status in STATUSES
        async with self.store.transaction() as db:
            await db.execute(
                "INSERT INTO action_followups(game_id, seq, room_id, status, note, noted_by, note_ref, reported_in, "
                "updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(game_id, seq) DO UPDATE SET "
                "status = excluded.status, note = excluded.note, noted_by = excluded.noted_by, "
                "note_ref = excluded.note_ref, reported_in = excluded.reported_in, updated_at = excluded.updated_at",
                (game_id, seq, room_id, status, note, noted_by if note else None, ref if note else None,
                 reported_in, now),
            )

    async def redact_note(self, room_id: str, ref: str) -> None:
        """The message that gave a note was deleted: the note goes (the status stays)."""
        async with self.store.transaction() as db:
            cur = await db.execute("UPDATE action_followups SET note = NULL, noted_by = NULL, note_ref = NULL "
                                   "WHERE room_id = ? AND note_ref = ?", (room_id, ref))
            changed = cur.rowcount
        if changed:
            await self.store.checkpoint()

    async def forget(self, room_id: str, user: str, rename: Callable[[str], str] = lambda text: text) -> None:
        """``!forget-me``: the person's notes go (the status stays); others' notes name them no more."""
        async with self.store.transaction() as db:
            await db.execute("UPDATE action_followups SET note = NULL, noted_by = NULL, note_ref = NULL "
                             "WHERE room_id = ? AND noted_by = ?", (room_id, user))
            rows = await fetch_all(db, "SELECT game_id, seq, note FROM action_followups "
                                   "WHERE room_id = ? AND note IS NOT NULL", (room_id,))
            await db.executemany("UPDATE action_followups SET note = ? WHERE game_id = ? AND seq = ?",
                                 [(rename(note), game_id, seq) for game_id, seq, note in rows if rename(note) != note])
        await self.store.checkpoint()


def _entry(row) -> HistoryEntry:
    started = datetime.fromisoformat(row[5]) if row[5] else None
    return HistoryEntry(row[0], row[1], row[2], row[3], row[4], started, row[6], row[7], json.loads(row[8]),
                        row[9], row[10])
