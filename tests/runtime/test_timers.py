"""Game timers on APScheduler: only what changes is touched, each game's jobs apart."""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from bot.runtime.timers import Timers

TIMEOUT = 5
LATER = datetime.now(timezone.utc) + timedelta(hours=1)


@dataclass(frozen=True)
class Timer:
    kind: str
    seq: int
    at: datetime


@pytest.fixture
async def timers():
    fired: asyncio.Queue = asyncio.Queue()

    async def fire(game_id, kind, seq):
        await fired.put((game_id, kind, seq))

    t = Timers(fire)
    t.start()
    t.fired = fired
    yield t
    t.shutdown()


def jobs(t: Timers) -> dict[str, tuple]:
    return {job.id: job.args for job in t.scheduler.get_jobs()}


async def test_replacing_with_the_same_timers_keeps_the_jobs(timers):
    timers.replace_game(1, [Timer("step", 3, LATER), Timer("reminder", 3, LATER)])
    before = {job.id: job for job in timers.scheduler.get_jobs()}
    timers.replace_game(1, [Timer("reminder", 3, LATER), Timer("step", 3, LATER)])
    after = {job.id: job for job in timers.scheduler.get_jobs()}
    assert after.keys() == before.keys()
    assert all(after[i] is before[i] for i in after)  # not removed and added again


async def test_replacing_changes_moves_and_drops_only_what_differs(timers):
    timers.replace_game(1, [Timer("step", 3, LATER), Timer("silence", 3, LATER)])
    kept = timers.scheduler.get_job("game:1:step")
    timers.replace_game(1, [Timer("step", 3, LATER), Timer("reminder", 4, LATER + timedelta(minutes=1))])
    assert jobs(timers) == {"game:1:step": (1, "step", 3), "game:1:reminder": (1, "reminder", 4)}
    assert timers.scheduler.get_job("game:1:step") is kept
    timers.replace_game(1, [])
    assert jobs(timers) == {}


async def test_cancelling_a_game_leaves_the_others(timers):
    timers.replace_game(1, [Timer("step", 1, LATER)])
    timers.replace_game(2, [Timer("step", 1, LATER), Timer("reminder", 1, LATER)])
    timers.cancel_game(2)
    assert jobs(timers) == {"game:1:step": (1, "step", 1)}
    assert timers.count() == 1
    timers.cancel_game(3)  # nothing armed: nothing to do


async def test_a_timer_due_in_the_past_fires_and_can_be_armed_again(timers):
    past = datetime.now(timezone.utc) - timedelta(minutes=5)
    timers.replace_game(7, [Timer("step", 2, past)])
    assert await asyncio.wait_for(timers.fired.get(), TIMEOUT) == (7, "step", 2)
    assert timers.count() == 0
    # The same timer again (the rules still want it): a new job, not "already armed".
    timers.replace_game(7, [Timer("step", 2, past)])
    assert await asyncio.wait_for(timers.fired.get(), TIMEOUT) == (7, "step", 2)
    timers.cancel_game(7)  # the job has run: cancelling it is harmless


async def test_times_without_a_zone_are_refused(timers):
    with pytest.raises(ValueError):
        timers.replace_game(1, [Timer("step", 1, datetime(2027, 1, 1, 12, 0))])
