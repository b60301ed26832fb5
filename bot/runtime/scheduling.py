"""Recurring sessions at run time: APScheduler jobs, reminders, lobbies opened on time.

The database is the source of truth; APScheduler only holds, per schedule, one job
at the next instant worth looking (a reminder or a session), rebuilt from the
stored rules at start-up. Whatever fires, :meth:`Scheduling.tick` asks the pure
:func:`bot.schedule.plan` what is due at the clock's time, stores the new marks and
the messages in one transaction, then carries them out with transaction ids fixed
by the schedule, the occurrence and the kind: a restart never repeats one.

A job due while the bot was down runs at start-up (no misfire grace, coalesced):
the plan, not APScheduler, decides whether the session still opens (less than
``grace_minutes`` late) or is reported missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.config import ScheduleConfig
from bot.runtime.engine import Engine, Outgoing
from bot.game import UserRef
from bot.game import events as ev
from bot.messages.narration import PerLanguage, RoomView
from bot.runtime.engine import reply_tx_id
from bot.schedule import Missed, OpenLobby, Remind, next_wake, plan
from bot.schedule import wording
from bot.store.schedules import ScheduleItem, ScheduleStore, StoredSchedule

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Jobs wait on the event loop's monotonic clock, which stands still while the
# machine sleeps: looking again at least this often bounds how late a session
# found after a suspend can be.
LONGEST_WAIT = timedelta(minutes=10)


def tx_id(schedule_id: int, occurrence: datetime, kind: str) -> str:
    """Fixed by the schedule, the occurrence (its local time and zone) and what is said."""
    return reply_tx_id(f"sched:{schedule_id}:{occurrence.isoformat()}:{kind}", 0)


class Scheduling:
    """Schedules of every room of one bot: commands, jobs, reminders, openings."""

    def __init__(self, schedules: ScheduleStore, engine: Engine, views: Callable[[str], Awaitable[RoomView]],
                 is_facilitator: Callable[[str, str], bool], outgoing: Outgoing, config: ScheduleConfig,
                 clock: Clock | None = None, members: Callable[[str], set[str] | None] = lambda room_id: None,
                 week_rooms=None):
        self.schedules = schedules
        self.engine = engine
        self.narrator = engine.narrator
        self.views = views
        self.is_facilitator = is_facilitator
        self.outgoing = outgoing
        self.config = config
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.members = members  # the room's members, to remind only those still there (None: unknown)
        self.week_rooms = week_rooms  # rooms' zone and quiet hours for week games (None: not offered)
        self.scheduler = AsyncIOScheduler(
            timezone=timezone.utc,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """After the engine's start: finish what a crash left, catch up, arm every job."""
        if not self.scheduler.running:
            self.scheduler.start()
        for item in await self.schedules.pending():
            try:
                async with self._locks[item.schedule_id]:
                    await self._deliver(item)
            except Exception:
                log.exception("Schedule %d: a message left by the last run failed again", item.schedule_id)
        active = await self.schedules.active()
        for stored in active:
            await self._fire(stored.id)
        log.info("Scheduling ready: %d schedules, %d jobs", len(active), len(self.scheduler.get_jobs()))

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    # -- jobs ---------------------------------------------------------------------------

    @staticmethod
    def job_id(schedule_id: int) -> str:
        return f"schedule:{schedule_id}"

    def arm(self, schedule_id: int, wake: datetime | None) -> None:
        """One job per schedule at ``wake`` (clock time) or sooner, replacing the previous one."""
        if wake is None:
            self.unarm(schedule_id)
            return
        # Jobs run on real time; the clock may be another (tests shift it), so
        # the job keeps the distance the clock sees.
        run_at = datetime.now(timezone.utc) + min(max(wake - self.clock(), timedelta(0)), LONGEST_WAIT)
        self.scheduler.add_job(self._fire, DateTrigger(run_date=run_at, timezone=timezone.utc),
                               args=(schedule_id,), id=self.job_id(schedule_id), replace_existing=True)

    def unarm(self, schedule_id: int) -> None:
        job = self.scheduler.get_job(self.job_id(schedule_id))
        if job is not None:
            job.remove()

    async def cancel(self, schedule_id: int, room_id: str) -> bool:
        async with self._locks[schedule_id]:
            self.unarm(schedule_id)
            return await self.schedules.cancel(schedule_id, room_id)

    def next_wake(self, stored: StoredSchedule) -> datetime | None:
        return next_wake(stored.rule, self.clock(), self.config.reminders_minutes_before)

    async def _fire(self, schedule_id: int) -> None:
        try:
            await self.tick(schedule_id)
        except Exception:
            log.exception("Schedule %d failed", schedule_id)

    async def tick(self, schedule_id: int) -> datetime | None:
        """Do what is due for the schedule now, then arm its next job (returned: when)."""
        async with self._locks[schedule_id]:
            stored = await self.schedules.get(schedule_id)
            if stored is None:  # cancelled
                self.unarm(schedule_id)
                return None
            now = self.clock()
            decided = plan(stored.rule, stored.marks, now, self.config.reminders_minutes_before,
                           timedelta(minutes=self.config.grace_minutes))
            try:
                if decided.actions:
                    items = await self._items(stored, decided.actions, now)
                    for item in await self.schedules.commit(stored.id, decided.marks, items):
                        await self._deliver(item)
            finally:
                self.arm(stored.id, decided.wake)
            return decided.wake

    # -- what is said ---------------------------------------------------------------------

    def text(self, view: RoomView) -> Callable[..., str]:
        return self.text_in(view.language)

    def text_in(self, lang: str) -> Callable[..., str]:
        catalogue = self.narrator.catalogue
        return lambda key, **params: catalogue.text(lang, key, **params)

    def worded(self, build: Callable[[str, Callable[..., str]], str]) -> PerLanguage:
        """``build(lang, text)`` in each language of the room (a bilingual room words dates twice)."""
        return PerLanguage(lambda lang: build(lang, self.text_in(lang)))

    async def _items(self, stored: StoredSchedule, actions: tuple, now: datetime) -> list[tuple[str, dict, str]]:
        view = await self.views(stored.room_id)
        text = self.text(view)
        zone = stored.rule.zone

        def message(key: str, occurrence: datetime, kind: str, **params) -> tuple[str, dict, str]:
            rendered = self.narrator.message(view, key, tuple(params.items()))
            return "message", {"content": rendered.content()}, tx_id(stored.id, occurrence, kind)

        items = []
        for action in actions:
            when_text = wording.when(text, action.occurrence, zone)
            when = self.worded(lambda lang, t, o=action.occurrence: wording.when(t, o, zone))
            if isinstance(action, Remind):
                theme = (self.worded(lambda lang, t: t("schedule.theme_suffix",
                                                       theme=view.library.theme_title(stored.theme, lang)))
                         if stored.theme else "")
                players = await self._players(stored.room_id)
                key = "schedule.reminder_players" if players else "schedule.reminder"
                extra = {"players": tuple(UserRef(p) for p in players)} if players else {}
                items.append(message(key, action.occurrence, f"remind{action.minutes:g}", when=when, theme=theme,
                                     **extra))
            elif isinstance(action, OpenLobby):
                items.append(message("schedule.opening", action.occurrence, "opening", id=stored.id))
                items.append(("open", {
                    "actor": stored.created_by, "theme": stored.theme, "language": view.language,
                    "after_game": await self.schedules.latest_game_id(stored.room_id), "id": stored.id,
                    "when": when_text, "occurrence": action.occurrence.isoformat(),
                    "week": stored.week_seconds, "zone": zone,
                }, tx_id(stored.id, action.occurrence, "busy")))
            elif isinstance(action, Missed):
                upcoming = stored.rule.next(now)
                if upcoming:
                    items.append(message("schedule.missed_next", action.occurrence, "missed", when=when,
                                         id=stored.id,
                                         next=self.worded(lambda lang, t: wording.when(t, upcoming[0], zone))))
                else:
                    items.append(message("schedule.missed", action.occurrence, "missed", when=when, id=stored.id))
        return items

    async def _players(self, room_id: str) -> list[str]:
        players = await self.schedules.usual_players(room_id)
        present = self.members(room_id)
        return [p for p in players if present is None or p in present]

    async def _deliver(self, item: ScheduleItem) -> None:
        if item.kind == "open":
            await self._open(item)
        else:
            await self.outgoing.send(item.room_id, item.payload["content"], item.tx_id)
        await self.schedules.done(item.id)

    async def _open(self, item: ScheduleItem) -> None:
        p = item.payload
        if await self.schedules.latest_game_id(item.room_id) > p["after_game"]:
            return  # opened already: by this item before a crash, or by someone since
        _, state = await self.engine.state(item.room_id)
        if state.running:
            view = await self.views(item.room_id)
            rendered = self.narrator.message(view, "schedule.busy", (("when", p["when"]), ("id", p["id"])))
            await self.outgoing.send(item.room_id, rendered.content(), item.tx_id)
            return
        event = ev.Open(actor=p["actor"], facilitator_theme=p["theme"], language=p["language"])
        if p.get("week") and self.week_rooms is not None:
            # A week game in the schedule's zone (where its sessions are said), the room's quiet hours.
            _, quiet = await self.week_rooms.settings(item.room_id)
            event = ev.Open(p["actor"], p["theme"], p["language"], p["week"], p["zone"], quiet.start, quiet.end)
        await self.engine.handle(item.room_id, event, facilitator=True, source_event_id=None)
