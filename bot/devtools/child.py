"""A child process with its output in a log file, for the tests and the benchmarks.

Started, killed (SIGKILL, as a crash would) or stopped (SIGTERM, then SIGKILL after
15 s), and started again on the same command: the bot process of the restart and
crash tests (``tests/helpers/bot_process.py``) and both bots of ``make bench``
(``benchmarks/processes.py``).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path


class ChildProcess:
    def __init__(self, name: str, argv: list[str], log_path: Path, cwd: Path | None = None, stdout=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.cwd = cwd
        self.stdout = stdout  # default: the log file, with stderr
        self.popen: subprocess.Popen | None = None
        self.spawned = 0.0  # epoch
        self.spawned_perf = 0.0

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.spawned, self.spawned_perf = time.time(), time.perf_counter()
        self.popen = subprocess.Popen(self.argv, cwd=self.cwd, stdout=self.stdout or log, stderr=log)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def check_alive(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            raise RuntimeError(f"the {self.name} process exited (code {self.popen.returncode}); see {self.log_path}")

    def kill(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
