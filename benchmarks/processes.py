"""Process handling for `make bench`: both bots as child processes (CPU and memory read from
/proc), and the bot's log read as it grows."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from benchmarks.common import ROOT, cpu_seconds, log_time, memory_kb
from bot.devtools.child import ChildProcess


class Proc(ChildProcess):
    """A child process (run from the checkout) whose CPU time and memory are read from /proc."""

    def __init__(self, name: str, argv: list[str], log_path: Path, stdout=None):
        super().__init__(name, argv, log_path, cwd=ROOT, stdout=stdout)

    def cpu(self) -> float:
        self.check_alive()
        return cpu_seconds(self.pid)

    def rss_kb(self) -> int:
        self.check_alive()
        return memory_kb(self.pid)["VmRSS"]


class BotLog:
    """Reads the bot's log file as it grows; lines carry their own millisecond timestamps."""

    def __init__(self, path: Path):
        self.path = path

    def offset(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def lines(self, since: int = 0) -> list[str]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as fh:
            fh.seek(since)
            return fh.read().decode("utf-8", "replace").splitlines()

    async def wait(self, needle: str, since: int, timeout: float = 180, proc: Proc | None = None) -> tuple[str, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines(since):
                if needle in line:
                    return line, log_time(line) or time.time()
            if proc is not None and proc.popen is not None and proc.popen.poll() is not None:
                raise RuntimeError(f"the bot exited (code {proc.popen.returncode}); see {self.path}")
            await asyncio.sleep(0.02)  # the bot writes the line; we poll its file, with a deadline
        raise TimeoutError(f"no {needle!r} in {self.path} within {timeout} s")
