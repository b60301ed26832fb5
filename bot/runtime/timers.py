"""Game timers on APScheduler: a cache of the deadlines stored in the database.

The database is the source of truth (``game_timers``); jobs are rebuilt from it
at start-up. A job due while the bot was down runs as soon as it is re-armed:
APScheduler's default misfire grace of 1 s would silently drop it, so the grace
is unlimited and late runs are coalesced. A timer that lost its meaning (its
step was left) is ignored by the rules through its sequence number.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.game.effects import TIMER_KINDS

log = logging.getLogger(__name__)

Fire = Callable[[int, str, int], Awaitable[None]]  # game id, kind, seq
Delay = Callable[[datetime], float]  # seconds of real time until a moment of the game clock


class Timers:
    """Arms one-shot jobs that call ``fire(game_id, kind, seq)`` at their time."""

    def __init__(self, fire: Fire, delay: Delay | None = None):
        self.fire = fire
        # Jobs wait on real time; the game clock may be another (tests and the demo
        # inject one), so a job waits the distance that clock sees.
        self.delay = delay or (lambda at: (at - datetime.now(timezone.utc)).total_seconds())
        self._planned: dict[tuple[int, str], datetime] = {}  # the game-clock time of each armed job
        self._running: set[asyncio.Task] = set()
        self.scheduler = AsyncIOScheduler(
            timezone=timezone.utc,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

    def start(self) -> None:
        """Needs a running event loop."""
        if not self.scheduler.running:
            self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    @staticmethod
    def job_id(game_id: int, kind: str) -> str:
        # One job per game and kind: arming a kind again replaces the old one.
        return f"game:{game_id}:{kind}"

    def arm(self, game_id: int, kind: str, seq: int, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("timer times must carry a time zone")
        now = datetime.now(timezone.utc)
        run_date = now + timedelta(seconds=max(0.0, self.delay(at)))
        self._planned[(game_id, kind)] = at
        self.scheduler.add_job(
            self._launch,
            DateTrigger(run_date=run_date, timezone=timezone.utc),
            args=(game_id, kind, seq),
            id=self.job_id(game_id, kind),
            replace_existing=True,
        )

    async def _launch(self, game_id: int, kind: str, seq: int) -> None:
        """Start the firing as its own task and return at once.

        A firing may arm the same game's timer of the same kind again, due at once (a
        week game's next nudge): were this job still running, APScheduler would skip
        the new one (one running instance per job id) and drop it.
        """
        task = asyncio.create_task(self.fire(game_id, kind, seq), name=f"timer {game_id}:{kind}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def cancel_game(self, game_id: int) -> None:
        for kind in TIMER_KINDS:
            self._remove(game_id, kind)

    def _remove(self, game_id: int, kind: str) -> None:
        self._planned.pop((game_id, kind), None)
        try:
            self.scheduler.remove_job(self.job_id(game_id, kind))
        except JobLookupError:
            pass  # none armed, or it has just run

    def replace_game(self, game_id: int, timers) -> None:
        """Make the game's jobs exactly ``timers`` (``ArmTimer``-like: kind, at, seq).

        Each game has at most one job per kind, found by its id: a step touches only
        the jobs that differ, never the other games' ones.
        """
        wanted = {timer.kind: timer for timer in timers}
        for kind in TIMER_KINDS:
            timer = wanted.get(kind)
            job = self.scheduler.get_job(self.job_id(game_id, kind))
            if timer is None:
                if job is not None:
                    self._remove(game_id, kind)
            elif job is None or job.args[2] != timer.seq or self._planned.get((game_id, kind)) != timer.at:
                self.arm(game_id, kind, timer.seq, timer.at)

    def count(self) -> int:
        return len(self.scheduler.get_jobs())
