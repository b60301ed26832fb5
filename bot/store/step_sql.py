"""The statements of one game step, run together in the database thread (see ``trip.py``).

Everything Python computes (JSON, the log's cut, the rows marking the event handled)
is prepared in the event loop first, into a :class:`StepRows`; :func:`write_step`
only runs the statements, so the thread holds the GIL as briefly as it can.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from bot.game.log import loggable
from bot.store.history import INSERT_FINISHED


@dataclass(frozen=True)
class StepRows:
    room_id: str
    game_id: int | None  # None: a new game
    state_json: str
    active: bool
    now: float
    at: str  # the event's time, ISO
    facilitator: bool
    event_json: str
    known_seq: int | None  # the game's next event rank, when the store knows it
    recheck_log: frozenset[str] | None  # the texts the state keeps, when the log must be cut to them
    effects_json: list[str]
    marked: list[tuple]  # processed_events rows
    waiting: list[str]  # event ids whose wait for a room key this step ends
    finished: tuple | None = None  # the room's history row of a game this step finishes (history.finished_row)


def tx_id(game_id: int, seq: int, index: int) -> str:
    """Fixed by the game, the event's rank and the effect's rank: a re-run after a crash reuses it."""
    return f"g{game_id}e{seq}x{index}"


def write_step(db: sqlite3.Connection, r: StepRows) -> tuple[int, int]:
    """The step's statements; (game id, event rank). The caller commits, or rolls back if this raises."""
    ended_at = None if r.active else r.now
    if r.game_id is None:
        game_id = db.execute(
            "INSERT INTO games(room_id, state, active, created_at, updated_at, ended_at) VALUES(?, ?, ?, ?, ?, ?)",
            (r.room_id, r.state_json, int(r.active), r.now, r.now, ended_at),
        ).lastrowid
    else:
        game_id = r.game_id
        db.execute("UPDATE games SET state = ?, active = ?, updated_at = ?, ended_at = ? WHERE id = ?",
                   (r.state_json, int(r.active), r.now, ended_at, game_id))
    seq = r.known_seq or db.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM game_events WHERE game_id = ?", (game_id,)).fetchone()[0]
    db.execute("INSERT INTO game_events(game_id, seq, at, facilitator, event) VALUES(?, ?, ?, ?, ?)",
               (game_id, seq, r.at, int(r.facilitator), r.event_json))
    if r.recheck_log is not None:
        hold_log(db, game_id, r.recheck_log)
    if r.effects_json:
        db.executemany("INSERT INTO outbox(game_id, room_id, effect, tx_id) VALUES(?, ?, ?, ?)",
                       [(game_id, r.room_id, text, tx_id(game_id, seq, index))
                        for index, text in enumerate(r.effects_json)])
    if r.finished is not None:
        db.execute(INSERT_FINISHED, (game_id, *r.finished))
    if r.marked:
        db.executemany("INSERT OR IGNORE INTO processed_events VALUES(?, ?, ?)", r.marked)
    if r.waiting:
        db.execute("DELETE FROM pending_events WHERE event_id IN (%s)" % ",".join("?" * len(r.waiting)), r.waiting)
    return game_id, seq


def hold_log(db: sqlite3.Connection, game_id: int, kept: frozenset[str]) -> None:
    """Cut every logged event of the game to the texts ``kept`` (games.py's ``_hold_log_to``, in the thread)."""
    changed = []
    for seq, text in db.execute("SELECT seq, event FROM game_events WHERE game_id = ?", (game_id,)).fetchall():
        event = json.loads(text)
        cut = loggable(event, kept)
        if cut != event:
            changed.append((json.dumps(cut, ensure_ascii=False), game_id, seq))
    if changed:
        db.executemany("UPDATE game_events SET event = ? WHERE game_id = ? AND seq = ?", changed)
