"""What the benchmark's processes share: accounts, real matrix-nio players, /proc readings.

Nothing here comes from tests/: the benchmark must run on its own. A :class:`Client`
is the developer tools' simulated client (a real matrix-nio client with its own
device and crypto store) with the bench's accounts and long polls; each message
it decrypted carries the time it did (``received``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import time
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.devtools.client import Message, SimClient

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("bench")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def password_of(localpart: str) -> str:
    return "bench-" + localpart


async def register(url: str, shared_secret: str, localpart: str, http: aiohttp.ClientSession | None = None) -> str:
    """Create an account through the shared-secret admin API, without logging it in.

    (``LocalSynapse.register`` logs the account in, which leaves a stray device
    without keys in every room the account joins.)
    """
    own = http is None
    http = http or aiohttp.ClientSession()
    try:
        endpoint = url + "/_synapse/admin/v1/register"
        for attempt in range(5):
            async with http.get(endpoint) as resp:
                nonce = (await resp.json())["nonce"]
            password = password_of(localpart)
            mac = hmac.new(shared_secret.encode(), digestmod=hashlib.sha1)
            mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(), b"notadmin"]))
            body = {"nonce": nonce, "username": localpart, "password": password, "admin": False,
                    "mac": mac.hexdigest(), "inhibit_login": True}
            async with http.post(endpoint, json=body) as resp:
                data = await resp.json()
                if resp.status == 200 or data.get("errcode") == "M_USER_IN_USE":
                    return f"@{localpart}:localhost"
            await asyncio.sleep(0.5 * (attempt + 1))  # a busy server: try again a little later
        raise RuntimeError(f"registering {localpart} failed: {data}")
    finally:
        if own:
            await http.close()


Msg = Message  # ``received``: time.perf_counter() when this client had it decrypted


class Client(SimClient):
    """A real Matrix client in its own sync loop (30 s long polls), recording what it decrypts."""

    def __init__(self, url: str, localpart: str, store_dir: Path):
        super().__init__(url, f"@{localpart}:localhost", store_dir, localpart, sync_timeout_ms=30000,
                         store_sync_tokens=False, request_timeout=90)
        self.localpart = localpart

    async def start(self) -> "Client":
        return await self.login(password_of(self.localpart), device_name=self.localpart)

    def mark(self) -> int:
        return len(self.messages)

    async def wait_message(self, room_id: str, sender: str, contains: str = "", after: int = 0,
                           timeout: float = 120) -> Msg:
        return await self.wait(lambda: self.find(room_id, sender, contains, after), timeout,
                               f"message from {sender} containing {contains!r}")

    async def send_timed(self, room_id: str, body: str) -> float:
        """Send an encrypted m.text; returns the perf_counter time at which sending began."""
        t = time.perf_counter()
        await self.send(room_id, body)
        return t

    async def wait_joined(self, room_id: str, users: list[str], timeout: float = 120) -> None:
        await self.wait(lambda: all((room_id, u, "join") in self.members for u in users), timeout,
                        f"{len(users)} members joined")


# -- processes ----------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) in KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    return out


ARENA_ALIGN = 64 << 20  # glibc's per-thread malloc heaps are 64 MiB aligned


def memory_map(pid: int) -> dict[str, int]:
    """Resident KiB by kind of mapping (/proc/PID/smaps): where a process's RSS lives.

    ``heap``: the main malloc heap (brk); ``thread arenas``: glibc heaps of other
    threads (anonymous, 64 MiB aligned); ``anonymous``: the rest of the anonymous
    memory (Python's object arenas, large allocations, Rust's); ``files``: mapped
    libraries and files.
    """
    out = {"heap": 0, "thread arenas": 0, "anonymous": 0, "files": 0, "stacks": 0}
    kind = None
    with open(f"/proc/{pid}/smaps") as fh:
        for line in fh:
            first = line.split(None, 1)[0]
            if "-" in first and not first.endswith(":"):
                start = int(first.split("-")[0], 16)
                fields = line.split()
                path = fields[5] if len(fields) > 5 else ""
                if path == "[heap]":
                    kind = "heap"
                elif path.startswith("[stack"):
                    kind = "stacks"
                elif path.startswith("["):
                    kind = "files"
                elif path:
                    kind = "files"
                elif start % ARENA_ALIGN == 0:
                    kind = "thread arenas"
                else:
                    kind = "anonymous"
            elif first == "Rss:" and kind is not None:
                out[kind] += int(line.split()[1])
    return out


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def summary_ms(values: list[float]) -> dict:
    """p50/p95/p99/mean/max of latencies given in seconds, in milliseconds."""
    ms = [v * 1000 for v in values]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2),
            "p99": round(percentile(ms, 99), 2), "mean": round(sum(ms) / len(ms), 2), "max": round(max(ms), 2)}


def log_time(line: str) -> float | None:
    """The epoch time of a bot log line (``2024-01-01 12:00:00,123 INFO …``)."""
    try:
        stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
    except ValueError:
        return None
    return stamp.timestamp()
