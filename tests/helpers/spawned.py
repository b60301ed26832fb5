"""A child process started the way people start the bot, its output read as it comes.

Each in its own process group, so a test can check that nothing of it is left.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

from tests.helpers.paths import ROOT

PYTHON = [sys.executable, "-m", "bot"]
TIMEOUT = 120


class Output:
    """A child process's merged output, read by a thread; waits for a line by pattern."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.lines.append(None)  # end of output
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> re.Match:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if line is None:
                        raise AssertionError(f"exited ({self.process.wait()}) before {pattern!r}:\n{self.text()}")
                    match = regex.search(line)
                    if match:
                        return match
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {pattern!r} within {timeout} s:\n{self.text()}")
                self._changed.wait(left)

    def text(self) -> str:
        self._reader.join(5) if self.process.poll() is not None else None
        return "\n".join(line for line in self.lines if line is not None)


def spawn(args: list[str], **kwargs) -> tuple[subprocess.Popen, Output]:
    # Its own process group, so the test can check that nothing of it is left.
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, **kwargs)
    return process, Output(process)


def finish(process: subprocess.Popen, sig: signal.Signals | None = None, timeout: float = 60) -> int:
    if sig is not None:
        process.send_signal(sig)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise AssertionError(f"still running {timeout} s after {sig}") from None


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def clean(text: str) -> None:
    for bad in ("Traceback", "never retrieved", "Unclosed"):
        assert bad not in text, text
