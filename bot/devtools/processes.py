"""The local homeserver's process, seen from outside: alive or not, who holds a port.

Linux's ``/proc`` answers most questions here; where it is missing, the answers
fall back to what ``os.kill(pid, 0)`` can tell, and a port's holder is unknown.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")

# Run before the real command in the child: the kernel sends it SIGTERM when the
# process that started it dies, even by SIGKILL, so a homeserver is never left
# without its owner. (PR_SET_PDEATHSIG is 1; it survives the exec.)
_GUARD = """\
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)  # the owner died before the guard was set
os.execv(sys.executable, [sys.executable] + sys.argv[2:])
"""


def guarded(python_args: list[str]) -> list[str]:
    """``python <python_args>`` that stops (SIGTERM) when this process dies.

    The kernel ties it to the *thread* that starts the child: start it from the
    main thread, or from one that lives as long as the child should.
    """
    return [sys.executable, "-c", _GUARD, str(os.getpid()), *python_args]


@dataclass(frozen=True)
class Identity:
    """A process id and its start time: a pid reused later by another process is not it."""

    pid: int
    started: str | None

    @classmethod
    def of(cls, pid: int) -> "Identity":
        return cls(pid, start_time(pid))

    def alive(self) -> bool:
        if not alive(self.pid):
            return False
        return self.started is None or start_time(self.pid) in (None, self.started)


def alive(pid: int) -> bool:
    """Whether the process exists (a zombie, dead but not yet reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = _stat(pid)
    return stat is None or stat[0] != "Z"


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name: state, ppid, …"""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def start_time(pid: int) -> str | None:
    stat = _stat(pid)
    return stat[19] if stat and len(stat) > 19 else None


def command_line(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def with_argument(argument: str) -> list[int]:
    """The live processes with this exact argument on their command line (e.g. a config path)."""
    if not PROC.is_dir():
        return []
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            if argument in command_line(int(entry.name)) and alive(int(entry.name)):
                found.append(int(entry.name))
    return sorted(found)


def terminate(pid: int, timeout: float = 30) -> None:
    """SIGTERM, and SIGKILL if it is still there after ``timeout`` seconds."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.05)  # polling another process's end: nothing to wait on


def port_holder(port: int) -> int | None:
    """The process listening on this TCP port, when /proc lets us see it."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    if not inodes or not PROC.is_dir():
        return None
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None
