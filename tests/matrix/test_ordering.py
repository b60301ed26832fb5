"""Unit tests of the small pure pieces of the transport: room ordering, backoff, retries."""

from __future__ import annotations

import asyncio

import pytest
from nio import RoomSendError, RoomSendResponse

from bot.matrix.late_keys.ordering import RoomQueues
from bot.matrix.retry import Backoff, ConnectionStats, MatrixError, Retrier
from tests.helpers.clock import Clock


def test_events_behind_a_waiting_one_keep_their_order():
    clock = Clock()
    q = RoomQueues(30, clock)
    q.push("!r", "$1", "one", ready=True)
    q.push("!r", "$2", None, ready=False)
    q.push("!r", "$3", "three", ready=True)
    q.push("!other", "$4", "four", ready=True)

    assert q.release("!r") == (["one"], [], [])
    assert q.holding(), "three waits, in memory only, behind $2"
    assert q.release("!r") == ([], [], [])
    assert q.release("!other") == (["four"], [], []), "other rooms are not held up"

    assert q.resolve("$2", "two")
    assert q.release("!r") == (["two", "three"], [], [])
    assert not q.holding() and q.rooms() == []


def test_the_wait_gives_up_at_its_deadline_and_the_room_goes_on():
    clock = Clock()
    q = RoomQueues(30, clock)
    q.push("!r", "$1", None, ready=False)
    q.push("!r", "$2", "two", ready=True)
    assert q.next_deadline() == 130.0
    clock.now = 129.9
    assert q.release("!r") == ([], [], [])
    clock.now = 130.0
    assert q.release("!r") == (["two"], ["$1"], [])
    assert not q.resolve("$1", "one"), "given up: the caller handles it late"


def test_a_pushed_event_is_queued_once_and_waiting_ids_are_listed():
    q = RoomQueues(30, Clock())
    q.push("!r", "$1", None, ready=False)
    q.push("!r", "$1", None, ready=False)
    q.push("!r", "$2", None, ready=False)
    assert q.waiting_ids() == ["$1", "$2"]
    assert q.next_deadline() == 130.0
    assert q.resolve("$2", "two")
    assert q.release("!r") == ([], [], []), "$2 is ready but behind $1"


def test_backoff_doubles_up_to_its_cap_and_resets():
    b = Backoff(cap=5)
    assert [b.next_delay() for _ in range(6)] == [0.5, 1, 2, 4, 5, 5]
    b.reset()
    assert b.next_delay() == 0.5


class FakeTransportResponse:
    def __init__(self, status: int) -> None:
        self.status = status


def error(status: int, errcode: str, retry_after_ms: int | None = None) -> RoomSendError:
    err = RoomSendError("refused", errcode, retry_after_ms, "!r")
    err.transport_response = FakeTransportResponse(status)
    return err


@pytest.fixture
def retrier(monkeypatch):
    """A Retrier whose sleeps are recorded instead of slept."""
    stats = ConnectionStats()
    r = Retrier(backoff_max=2, stopping=asyncio.Event(), stats=stats)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        stats.longest_backoff = max(stats.longest_backoff, seconds)

    monkeypatch.setattr(r, "sleep", sleep)
    r.slept = slept
    return r


def answers(*items):
    queue = list(items)

    async def attempt():
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    return attempt


async def test_rate_limit_waits_what_the_server_asked(retrier):
    ok = RoomSendResponse("$ok", "!r")
    resp = await retrier.request("Sending", answers(error(429, "M_LIMIT_EXCEEDED", 1500), ok), attempts=3)
    assert resp is ok
    assert retrier.slept == [1.5]
    assert retrier.stats.rate_limited == 1


async def test_rate_limits_do_not_use_up_the_attempts(retrier):
    ok = RoomSendResponse("$ok", "!r")
    limited = [error(429, "M_LIMIT_EXCEEDED", 100) for _ in range(5)]
    assert await retrier.request("Sending", answers(*limited, ok), attempts=2) is ok
    assert retrier.slept == [0.1] * 5


async def test_connection_errors_and_5xx_back_off_with_a_cap(retrier):
    ok = RoomSendResponse("$ok", "!r")
    attempt = answers(OSError("down"), OSError("down"), error(502, "M_UNKNOWN"), OSError("down"), ok)
    assert await retrier.request("Sending", attempt, attempts=5) is ok
    assert retrier.slept == [0.5, 1, 2, 2]


async def test_a_refusal_is_returned_without_retrying(retrier):
    refused = error(403, "M_FORBIDDEN")
    assert await retrier.request("Sending", answers(refused), attempts=5) is refused
    assert retrier.slept == []


async def test_no_answer_at_all_after_the_attempts_is_an_error(retrier):
    with pytest.raises(MatrixError, match="unreachable"):
        await retrier.request("Sending", answers(OSError(), OSError()), attempts=2)
