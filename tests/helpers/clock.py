"""A monotonic clock the test moves by hand (what ``time.monotonic`` gives the transport)."""

from __future__ import annotations


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now
