"""Games in SQLite: state, append-only event log, outbox, custom cards.

One game step is one transaction (:meth:`GameStore.commit`): the new state (which
holds the deadlines the timers are rebuilt from), the event that caused it, the id
of the Matrix event it came from, and the messages still to send. So after a crash, at any point, the
database says exactly what happened and what remains to do.

The log never holds more than the state (:mod:`bot.game.log`): every event is cut
to the texts its state keeps before it is written, and when a step lets go of a
text (a replaced summary, an aborted game, an erasure) the game's whole log is
held to the same rule in the same transaction, then the write-ahead log is folded
in so no old copy stays on disk.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable

import aiosqlite

from bot.game.log import kept_texts, lets_go, loggable
from bot.store.db import Store
from bot.store.history import finished_row, on_purge
from bot.store.rows import fetch_all, fetch_one
from bot.store.step_sql import StepRows, tx_id, write_step
from bot.store.trip import in_one_trip


@dataclass(frozen=True)
class StoredGame:
    id: int
    room_id: str
    state: dict
    active: bool


@dataclass(frozen=True)
class OutboxItem:
    game_id: int | None
    room_id: str
    effect: dict
    tx_id: str


@dataclass
class Step:
    """Everything one applied event changes, written in one transaction."""

    room_id: str
    state: dict
    active: bool
    event: dict
    at: datetime
    facilitator: bool
    game_id: int | None = None  # None: a new game
    source_event_id: str | None = None  # the Matrix event handled, marked processed
    effects: list[dict] = field(default_factory=list)
    # The state before the step (None: unknown, so the log is checked in full).
    previous_state: dict | None = None


class GameStore:
    """Game queries on top of a :class:`Store` (shares its connection)."""

    def __init__(self, store: Store):
        self.store = store
        # The next event rank of each game in progress, once read (one writer: this store).
        self._next_seq: dict[int, int] = {}
        # Each room's game in progress (None: none), once read; kept by the writes
        # below, the only ones to the games table. Saves a trip per event.
        self._active: dict[str, StoredGame | None] = {}

    async def active_game(self, room_id: str) -> StoredGame | None:
        if room_id in self._active:
            return self._active[room_id]
        row = await fetch_one(
            self.store.conn,
            "SELECT id, room_id, state, active FROM games WHERE room_id = ? AND active = 1 ORDER BY id DESC LIMIT 1",
            (room_id,),
        )
        game = _game(row) if row else None
        self._active[room_id] = game
        return game

    async def game(self, game_id: int) -> StoredGame | None:
        row = await fetch_one(self.store.conn, "SELECT id, room_id, state, active FROM games WHERE id = ?", (game_id,))
        return _game(row) if row else None

    async def commit(self, step: Step) -> tuple[int, list[OutboxItem]]:
        """Write one step; returns the game id and the outbox items to carry out.

        One transaction in one trip to the database thread (``trip.py``): the
        state, the logged event, the outbox and the handled mark are all prepared
        here, and the statements run together there.
        """
        now = time.time()
        state_json = json.dumps(step.state, ensure_ascii=False)
        kept = kept_texts(step.state)
        event_json = json.dumps(loggable(step.event, kept), ensure_ascii=False)
        recheck = step.game_id is not None and (step.previous_state is None
                                                 or lets_go(step.previous_state, step.state))
        known_seq = self._next_seq.get(step.game_id) if step.game_id is not None else None
        effects_json = [json.dumps(effect, ensure_ascii=False) for effect in step.effects]
        marked, waiting = self._handled_mark(step)

        rows = StepRows(room_id=step.room_id, game_id=step.game_id, state_json=state_json, active=step.active,
                        now=now, at=step.at.isoformat(), facilitator=step.facilitator, event_json=event_json,
                        known_seq=known_seq, recheck_log=kept if recheck else None, effects_json=effects_json,
                        marked=marked, waiting=waiting,
                        finished=None if step.active else finished_row(step.room_id, step.state, now))
        game_id, seq = await in_one_trip(self.store, lambda db: write_step(db, rows))
        # Committed: only this store writes the game's events, so its next rank is known.
        if step.active:
            self._next_seq[game_id] = seq + 1
            self._active[step.room_id] = StoredGame(game_id, step.room_id, step.state, True)
        else:
            self._next_seq.pop(game_id, None)
            self._active[step.room_id] = None
        if step.source_event_id:
            self.store.note_recorded(step.source_event_id)
            self.store.no_longer_waiting(waiting)
        if recheck:
            await self.store.checkpoint()
        items = [OutboxItem(game_id, step.room_id, effect, tx_id(game_id, seq, index))
                 for index, effect in enumerate(step.effects)]
        return game_id, items

    def _handled_mark(self, step: Step) -> tuple[list[tuple], list[str]]:
        """The rows that mark the step's Matrix event handled, and the key wait it ends (Store.mark_processed)."""
        if not step.source_event_id:
            return [], []
        event_id = step.source_event_id
        waiting = self.store.waiting_among([event_id])
        return [(event_id, step.room_id, time.time())], waiting

    async def set_poll(self, room_id: str, event_id: str) -> None:
        """The event id of the room's latest vote poll (one per room: answers must relate to it)."""
        await self.store.set_value(f"poll:{room_id}", event_id)

    async def poll(self, room_id: str) -> str | None:
        return await self.store.get_value(f"poll:{room_id}")

    async def active_games(self) -> list[StoredGame]:
        rows = await fetch_all(
            self.store.conn, "SELECT id, room_id, state, active FROM games WHERE active = 1 ORDER BY id",
        )
        return [_game(r) for r in rows]

    async def pending_outbox(self) -> list[OutboxItem]:
        rows = await fetch_all(
            self.store.conn, "SELECT game_id, room_id, effect, tx_id FROM outbox WHERE done = 0 ORDER BY id",
        )
        return [OutboxItem(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    async def outbox_done(self, *tx_ids: str) -> None:
        # The effect's text is not kept once carried out: only the game state
        # (what the synthesis needs) stays. The outbox only ever holds a few rows.
        if tx_ids:
            rows = [(t,) for t in tx_ids]
            await in_one_trip(self.store, lambda db: db.executemany("DELETE FROM outbox WHERE tx_id = ?", rows))

    async def events(self, game_id: int) -> list[tuple[str, bool, dict]]:
        """(time, facilitator, event) of a game, in order (``!forget-me`` looks for a person's acts)."""
        rows = await fetch_all(
            self.store.conn, "SELECT at, facilitator, event FROM game_events WHERE game_id = ? ORDER BY seq",
            (game_id,),
        )
        return [(r[0], bool(r[1]), json.loads(r[2])) for r in rows]

    # -- privacy ----------------------------------------------------------------------

    async def room_games(self, room_id: str) -> list[StoredGame]:
        """Every game of the room whose texts are still stored, oldest first."""
        rows = await fetch_all(
            self.store.conn, "SELECT id, room_id, state, active FROM games WHERE room_id = ? AND purged = 0 ORDER BY id",
            (room_id,),
        )
        return [_game(r) for r in rows]

    async def rewrite(self, game_id: int, state: dict, rename: Callable[[dict], dict] | None = None,
                      also: Callable[[aiosqlite.Connection], Awaitable[None]] | None = None) -> None:
        """Save ``state`` (e.g. without someone's texts); the log follows it.

        ``rename`` rewrites each logged event first (a person's id for a pseudonym);
        ``also`` writes more in the same transaction.
        """
        async with self.store.transaction() as db:
            await db.execute("UPDATE games SET state = ? WHERE id = ?", (json.dumps(state, ensure_ascii=False), game_id))
            await _hold_log_to(db, game_id, kept_texts(state), rename)
            if also is not None:
                await also(db)
        for room_id, game in list(self._active.items()):
            if game is not None and game.id == game_id:
                del self._active[room_id]  # read again from the file
        await self.store.checkpoint()

    async def rename_in_room(self, room_id: str, user: str, rename_id: Callable[[str], str],
                             rename_any: Callable[[object], object]) -> None:
        """Outside the games: the room's messages still to send, its cards and schedules.

        The person's messages still waiting for a room key are dropped: they asked
        to be forgotten, and a message decrypted later would bring their words back.
        """
        async with self.store.transaction() as db:
            for table, column in (("outbox", "effect"), ("schedule_outbox", "payload")):
                rows = await fetch_all(db, f"SELECT id, {column} FROM {table} WHERE room_id = ?", (room_id,))
                await db.executemany(f"UPDATE {table} SET {column} = ? WHERE id = ?", [
                    (json.dumps(rename_any(json.loads(value)), ensure_ascii=False), row_id) for row_id, value in rows])
            for table in ("custom_cards", "schedules"):
                await db.execute(f"UPDATE {table} SET created_by = ? WHERE room_id = ? AND created_by = ?",
                                 (rename_id(user), room_id, user))
            await db.execute("DELETE FROM pending_events WHERE room_id = ? AND json_extract(source, '$.sender') = ?",
                             (room_id, user))
            await db.execute("DELETE FROM unsigned_told WHERE room_id = ? AND user_id = ?", (room_id, user))
        await self.store.checkpoint()

    async def purge(self, *, ended_before: float | None = None, game_ids: list[int] | None = None,
                    keep_records: bool = True, now: float | None = None) -> list[int]:
        """Remove the texts of ended games (all those ended before a time, or the given ones).

        With ``keep_records`` a game keeps only a record that it happened (dates and
        counts, no text, no Matrix ids); otherwise it is deleted altogether.
        """
        query = "SELECT id, state, created_at, ended_at FROM games WHERE active = 0 AND purged = 0"
        args: list = []
        if ended_before is not None:
            query += " AND ended_at < ?"
            args.append(ended_before)
        if game_ids is not None:
            query += " AND id IN (%s)" % ",".join("?" * len(game_ids)) if game_ids else " AND 0"
            args.extend(game_ids)
        rows = await fetch_all(self.store.conn, query, args)
        if not rows:
            return []
        async with self.store.transaction() as db:
            for game_id, state_json, created_at, ended_at in rows:
                await db.execute("DELETE FROM game_events WHERE game_id = ?", (game_id,))
                if keep_records:
                    record = _record(json.loads(state_json), created_at, ended_at)
                    await db.execute("UPDATE games SET state = ?, purged = 1 WHERE id = ?",
                                     (json.dumps(record), game_id))
                else:
                    await db.execute("DELETE FROM games WHERE id = ?", (game_id,))
                await on_purge(db, game_id, time.time() if now is None else now, keep_records)
        await self.store.checkpoint()
        return [r[0] for r in rows]

    # -- custom cards ---------------------------------------------------------------

    async def add_custom_card(self, room_id: str, card_id: str, language: str, card: dict, author: str) -> None:
        async with self.store.transaction() as db:
            await db.execute(
                "INSERT OR REPLACE INTO custom_cards VALUES(?, ?, ?, ?, ?, ?)",
                (room_id, card_id, language, json.dumps(card, ensure_ascii=False), author, time.time()),
            )

    async def custom_cards(self, room_id: str) -> list[dict]:
        rows = await fetch_all(
            self.store.conn, "SELECT card FROM custom_cards WHERE room_id = ? ORDER BY created_at", (room_id,),
        )
        return [json.loads(r[0]) for r in rows]


async def _hold_log_to(db, game_id: int, kept: frozenset[str], rename: Callable[[dict], dict] | None = None) -> None:
    """Cut every logged event of the game to the texts ``kept`` (the log's one rule)."""
    rows = await fetch_all(db, "SELECT seq, event FROM game_events WHERE game_id = ?", (game_id,))
    changed = []
    for seq, text in rows:
        event = json.loads(text)
        cut = loggable(rename(event) if rename else event, kept)
        if cut != event:
            changed.append((json.dumps(cut, ensure_ascii=False), game_id, seq))
    if changed:
        await db.executemany("UPDATE game_events SET event = ? WHERE game_id = ? AND seq = ?", changed)


def _game(row) -> StoredGame:
    return StoredGame(row[0], row[1], json.loads(row[2]), bool(row[3]))


def _record(state: dict, created_at: float, ended_at: float | None) -> dict:
    """What stays of a purged game: that it happened, when, and how big it was."""
    return {
        "purged": True,
        "phase": state.get("phase"),
        "created_at": created_at,
        "ended_at": ended_at,
        "players": len(state.get("players", ())),
        "turns": len(state.get("turns", ())),
        "actions": len(state.get("actions", ())),
    }
