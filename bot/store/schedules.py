"""Schedules in SQLite: the rule as local time plus zone, the marks, the outbox.

A schedule's rule is stored as typed: weekdays, the local wall time, the IANA zone,
the local start and end dates. Never as UTC instants, which would drift by an
hour at each daylight-saving change. :meth:`ScheduleStore.commit` writes the new
marks (what is done) and the messages still to send in one transaction, so a
restart neither repeats nor loses a reminder or an opening.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.schedule import Marks, Recurrence
from bot.store.db import Store
from bot.store.rows import fetch_all, fetch_one


@dataclass(frozen=True)
class StoredSchedule:
    id: int
    room_id: str
    created_by: str
    rule: Recurrence
    theme: str | None
    marks: Marks
    created_at: datetime
    week_seconds: int = 0  # 0: it opens a live game; else a week game of this length


@dataclass(frozen=True)
class ScheduleItem:
    """Something still to do for a schedule: a message to send or a lobby to open."""

    id: int
    schedule_id: int
    room_id: str
    kind: str  # "message" (payload: content) or "open" (payload: actor, theme, language, after_game)
    payload: dict
    tx_id: str


_COLUMNS = ("id, room_id, created_by, weekdays, local_time, timezone, start_date, interval_weeks, "
            "until_date, occurrences, theme, created_at, handled_until, reminded_until, week_seconds")


class ScheduleStore:
    """Schedule queries on top of a :class:`Store` (shares its connection)."""

    def __init__(self, store: Store):
        self.store = store

    async def add(self, room_id: str, created_by: str, rule: Recurrence, theme: str | None,
                  now: datetime, week_seconds: int = 0) -> int:
        stamp = _instant(now)
        async with self.store.transaction() as db:
            cur = await db.execute(
                "INSERT INTO schedules(room_id, created_by, weekdays, local_time, timezone, start_date, "
                "interval_weeks, until_date, occurrences, theme, created_at, handled_until, reminded_until, "
                "week_seconds) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (room_id, created_by, ",".join(map(str, rule.weekdays)), rule.at.strftime("%H:%M"), rule.zone,
                 rule.start.isoformat(), rule.interval, rule.until.isoformat() if rule.until else None,
                 rule.count, theme, stamp, stamp, stamp, week_seconds),
            )
            return cur.lastrowid

    async def get(self, schedule_id: int) -> StoredSchedule | None:
        row = await fetch_one(
            self.store.conn, f"SELECT {_COLUMNS} FROM schedules WHERE id = ? AND cancelled = 0", (schedule_id,),
        )
        return _schedule(row) if row else None

    async def in_room(self, room_id: str) -> list[StoredSchedule]:
        rows = await fetch_all(
            self.store.conn, f"SELECT {_COLUMNS} FROM schedules WHERE room_id = ? AND cancelled = 0 ORDER BY id",
            (room_id,),
        )
        return [_schedule(r) for r in rows]

    async def active(self) -> list[StoredSchedule]:
        rows = await fetch_all(self.store.conn, f"SELECT {_COLUMNS} FROM schedules WHERE cancelled = 0 ORDER BY id")
        return [_schedule(r) for r in rows]

    async def cancel(self, schedule_id: int, room_id: str) -> bool:
        """Cancel a schedule of ``room_id``, with whatever it had still to do; False if none."""
        async with self.store.transaction() as db:
            cur = await db.execute(
                "UPDATE schedules SET cancelled = 1 WHERE id = ? AND room_id = ? AND cancelled = 0",
                (schedule_id, room_id),
            )
            if cur.rowcount:
                await db.execute("DELETE FROM schedule_outbox WHERE schedule_id = ?", (schedule_id,))
            return cur.rowcount > 0

    async def commit(self, schedule_id: int, marks: Marks, items: list[tuple[str, dict, str]]) -> list[ScheduleItem]:
        """Record ``marks`` and queue ``items`` (kind, payload, tx id) together."""
        out = []
        async with self.store.transaction() as db:
            room_id = (await fetch_one(db, "SELECT room_id FROM schedules WHERE id = ?", (schedule_id,)))[0]
            await db.execute(
                "UPDATE schedules SET handled_until = ?, reminded_until = ? WHERE id = ?",
                (_instant(marks.handled), _instant(marks.reminded), schedule_id),
            )
            for kind, payload, tx_id in items:
                cur = await db.execute(
                    "INSERT INTO schedule_outbox(schedule_id, room_id, kind, payload, tx_id) VALUES(?, ?, ?, ?, ?)",
                    (schedule_id, room_id, kind, json.dumps(payload, ensure_ascii=False), tx_id),
                )
                out.append(ScheduleItem(cur.lastrowid, schedule_id, room_id, kind, payload, tx_id))
        return out

    async def pending(self) -> list[ScheduleItem]:
        rows = await fetch_all(
            self.store.conn, "SELECT id, schedule_id, room_id, kind, payload, tx_id FROM schedule_outbox ORDER BY id",
        )
        return [ScheduleItem(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    async def done(self, item_id: int) -> None:
        async with self.store.transaction() as db:
            await db.execute("DELETE FROM schedule_outbox WHERE id = ?", (item_id,))

    # -- what the room's games say ------------------------------------------------------

    async def latest_game_id(self, room_id: str) -> int:
        """The id of the room's newest game (0 when none): a lobby opened since raises it."""
        row = await fetch_one(self.store.conn, "SELECT COALESCE(MAX(id), 0) FROM games WHERE room_id = ?", (room_id,))
        return row[0]

    async def usual_players(self, room_id: str, games: int = 3) -> list[str]:
        """Who played the room's last ``games`` games, the most regular first."""
        rows = await fetch_all(
            self.store.conn, "SELECT state FROM games WHERE room_id = ? ORDER BY id DESC LIMIT ?", (room_id, games),
        )
        seen: dict[str, int] = {}
        for (text,) in rows:
            state = json.loads(text)
            people = set()
            for name in ("players", "participants"):
                value = state.get(name)
                if isinstance(value, list):  # a purged game keeps only a count
                    people.update(v for v in value if isinstance(v, str))
            for user in people:
                seen[user] = seen.get(user, 0) + 1
        return sorted(seen, key=lambda u: (-seen[u], u))


def _instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.isoformat()


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime in the schedules table: {text!r}")
    return moment


def _schedule(row) -> StoredSchedule:
    rule = Recurrence(
        weekdays=tuple(int(d) for d in row[3].split(",")),
        at=time.fromisoformat(row[4]),
        zone=row[5],
        start=date.fromisoformat(row[6]),
        interval=row[7],
        until=date.fromisoformat(row[8]) if row[8] else None,
        count=row[9],
    )
    return StoredSchedule(row[0], row[1], row[2], rule, row[10], Marks(_aware(row[12]), _aware(row[13])),
                          _aware(row[11]), row[14])
