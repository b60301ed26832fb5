"""Talking to a homeserver that may be away or busy: capped backoff, rate limits.

Connection errors are retried with capped exponential backoff (never a busy
loop); ``M_LIMIT_EXCEEDED`` waits the ``retry_after_ms`` the server asked for;
5xx answers back off like connection errors. Counters in :class:`ConnectionStats`
let an operator (and the tests) see how the connection is doing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, TypeVar

import aiohttp
from nio import ErrorResponse, SyncError

log = logging.getLogger(__name__)

NET_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, OSError)
T = TypeVar("T")
RATE_LIMITED_TRIES = 100


class MatrixError(Exception):
    """The homeserver refused something the bot cannot go on without."""


@dataclass
class ConnectionStats:
    """Counters of the connection's troubles since the start."""

    syncs: int = 0
    sync_failures: int = 0
    longest_backoff: float = 0.0
    rate_limited: int = 0
    key_uploads: int = 0
    events_recovered: int = 0  # skipped by a limited sync and paged back to
    empty_key_counts: int = 0  # syncs in which the server held none of our one-time keys
    sync_paused: int = 0  # times the loop waited for queued events before fetching more
    resend_notices: int = 0  # senders asked to send again a message that stayed unreadable


@dataclass
class Backoff:
    """Capped exponential backoff: 0.5 s, 1 s, 2 s … up to ``cap``."""

    cap: float
    base: float = 0.5
    attempt: int = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


def describe(exc: BaseException) -> str:
    """An exception in one line: its type and what it says (a timeout says nothing)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _error_of(resp: Any) -> ErrorResponse | None:
    return resp if isinstance(resp, ErrorResponse) else None


class Retrier:
    """Retries requests; every wait ends at once when ``stopping`` is set."""

    def __init__(self, backoff_max: float, stopping: asyncio.Event, stats: ConnectionStats, homeserver: str = ""):
        self.backoff_max = backoff_max
        self.stopping = stopping
        self.stats = stats
        # Named in every warning: a typo in matrix.homeserver shows at once.
        self.homeserver = homeserver or "the homeserver"

    def backoff(self) -> Backoff:
        return Backoff(self.backoff_max)

    async def sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when stopping."""
        self.stats.longest_backoff = max(self.stats.longest_backoff, seconds)
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    async def until_reachable(self, func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run a request, retrying connection errors (only) until it gets an answer."""
        backoff = self.backoff()
        while True:
            try:
                return await func(*args, **kwargs)
            except NET_ERRORS as exc:
                if self.stopping.is_set():
                    raise
                delay = backoff.next_delay()
                log.warning("Homeserver %s unreachable (%s); retrying in %.1f s", self.homeserver, describe(exc), delay)
                await self.sleep(delay)

    async def request(self, what: str, attempt: Callable[[], Awaitable[T]], attempts: int,
                      error_of: Callable[[T], ErrorResponse | None] = _error_of) -> T:
        """Try up to ``attempts`` times through connection errors and 5xx; wait out rate limits.

        A rate limit is not a failure: the server says when to come back, so it
        does not use up an attempt (up to ``RATE_LIMITED_TRIES`` of them).
        Returns the last answer (which may be an error the caller decides on);
        raises :class:`MatrixError` when no attempt got an answer at all.
        """
        backoff = self.backoff()
        resp: T | None = None
        failures = limited = 0
        while failures < max(1, attempts) and limited < RATE_LIMITED_TRIES:
            try:
                resp = await attempt()
            except NET_ERRORS as exc:
                if self.stopping.is_set():
                    raise
                failures += 1
                delay = backoff.next_delay()
                log.warning("%s failed: %s unreachable (%s); retrying in %.1f s", what, self.homeserver,
                            describe(exc), delay)
                await self.sleep(delay)
                continue
            error = error_of(resp)
            if error is None:
                return resp
            retry_ms = getattr(error, "retry_after_ms", None)
            if error.status_code == "M_LIMIT_EXCEEDED" or retry_ms:
                limited += 1
                self.stats.rate_limited += 1
                delay = (retry_ms or 1000) / 1000
                log.warning("%s rate limited; trying again in %.1f s", what, delay)
                await self.sleep(delay)
                continue
            status = getattr(getattr(error, "transport_response", None), "status", 0) or 0
            if status >= 500:
                failures += 1
                delay = backoff.next_delay()
                log.warning("%s: server error %s; retrying in %.1f s", what, status, delay)
                await self.sleep(delay)
                continue
            return resp
        if resp is None:
            raise MatrixError(f"{what} failed: homeserver unreachable after {attempts} attempts")
        return resp


def sync_delay(failure: SyncError | Exception, backoff: Backoff, homeserver: str = "the homeserver") -> float:
    """How long to wait after a failed sync; raises when retrying cannot help."""
    if isinstance(failure, SyncError):
        if failure.status_code == "M_UNKNOWN_TOKEN":
            raise MatrixError("the homeserver no longer accepts the bot's access token")
        retry_ms = getattr(failure, "retry_after_ms", None)
        delay = retry_ms / 1000 if retry_ms else backoff.next_delay()
        log.warning("Sync error %s; retrying in %.1f s", failure.status_code, delay)
        return delay
    delay = backoff.next_delay()
    if isinstance(failure, NET_ERRORS):
        log.warning("Sync failed: %s unreachable (%s); retrying in %.1f s", homeserver, describe(failure), delay)
    else:
        log.error("Sync failed unexpectedly (%s); retrying in %.1f s", type(failure).__name__, delay)
    return delay
