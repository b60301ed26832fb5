"""What the benchmark's processes share: accounts, real matrix-nio players, /proc readings.

Nothing here comes from tests/: the benchmark must run on its own. A :class:`Client`
is a real matrix-nio client with its own device and crypto store, syncing in the
background and recording every message it decrypted, with the time it did.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ForwardedRoomKeyEvent,
    LoginResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomKeyEvent,
    RoomMemberEvent,
    RoomMessage,
    RoomSendResponse,
)

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


@dataclass
class Msg:
    room_id: str
    sender: str
    body: str
    content: dict
    msgtype: str
    t: float  # time.perf_counter() when this client had it decrypted


@dataclass
class Client:
    """A real Matrix client in its own sync loop (30 s long polls), recording what it decrypts."""

    url: str
    localpart: str
    store_dir: Path
    client: AsyncClient | None = None
    messages: list[Msg] = field(default_factory=list)
    members: set[tuple[str, str, str]] = field(default_factory=set)  # (room, user, membership)
    undecryptable: set[str] = field(default_factory=set)
    _late: list = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _task: asyncio.Task | None = None

    @property
    def user_id(self) -> str:
        return f"@{self.localpart}:localhost"

    async def start(self) -> "Client":
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(self.url, self.user_id, store_path=str(self.store_dir),
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False,
                                                           max_timeout_retry_wait_time=2, request_timeout=90))
        resp = await self.client.login(password_of(self.localpart), device_name=self.localpart)
        if not isinstance(resp, LoginResponse):
            raise RuntimeError(f"{self.localpart}: login failed: {resp}")
        self.client.add_event_callback(self._on_message, RoomMessage)
        self.client.add_event_callback(self._on_member, RoomMemberEvent)
        self.client.add_event_callback(self._on_megolm, MegolmEvent)
        self.client.add_to_device_callback(self._on_room_key, (RoomKeyEvent, ForwardedRoomKeyEvent))
        await self.client.sync(timeout=0, full_state=True)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._task = asyncio.create_task(self._sync_loop(), name=f"sync-{self.localpart}")
        return self

    async def _sync_loop(self) -> None:
        assert self.client is not None
        while True:
            try:
                await self.client.sync_forever(timeout=30000)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server went away (end of the run)
                log.debug("%s: sync failed (%s)", self.localpart, type(exc).__name__)
                await asyncio.sleep(0.5)  # back off before syncing again

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.client:
            await self.client.close()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _on_message(self, room, event) -> None:
        content = event.source.get("content", {})
        self.messages.append(Msg(room.room_id, event.sender, getattr(event, "body", "") or "", content,
                                 content.get("msgtype", ""), time.perf_counter()))
        await self._notify()

    async def _on_member(self, room, event) -> None:
        self.members.add((room.room_id, event.state_key, event.membership))
        await self._notify()

    async def _on_megolm(self, room, event) -> None:
        # Like a real client: keep it, and decrypt it when its room key comes.
        self.undecryptable.add(event.event_id)
        event.room_id = room.room_id
        self._late.append(event)
        await self._notify()

    async def _on_room_key(self, _event) -> None:
        assert self.client is not None
        for event in list(self._late):
            try:
                decrypted = self.client.decrypt_event(event)
            except Exception:
                continue
            self._late.remove(event)
            self.undecryptable.discard(event.event_id)
            room = self.client.rooms.get(event.room_id)
            if room is not None and isinstance(decrypted, RoomMessage):
                await self._on_message(room, decrypted)

    async def wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        async def check():
            async with self._changed:
                await self._changed.wait_for(predicate)
                return predicate()
        try:
            return await asyncio.wait_for(check(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"{self.localpart}: no {what} within {timeout:.0f} s") from None

    def mark(self) -> int:
        return len(self.messages)

    def find(self, room_id: str, sender: str, contains: str = "", after: int = 0) -> Msg | None:
        for msg in self.messages[after:]:
            if msg.room_id == room_id and msg.sender == sender and contains in msg.body:
                return msg
        return None

    async def wait_message(self, room_id: str, sender: str, contains: str = "", after: int = 0,
                           timeout: float = 120) -> Msg:
        return await self.wait(lambda: self.find(room_id, sender, contains, after), timeout,
                               f"message from {sender} containing {contains!r}")

    def from_user(self, room_id: str, sender: str) -> list[Msg]:
        return [m for m in self.messages if m.room_id == room_id and m.sender == sender]

    async def send(self, room_id: str, body: str) -> float:
        """Send an encrypted m.text; returns the perf_counter time at which sending began."""
        assert self.client is not None
        t = time.perf_counter()
        resp = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body},
                                           ignore_unverified_devices=True)
        if not isinstance(resp, RoomSendResponse):
            raise RuntimeError(f"{self.localpart}: send failed: {resp}")
        return t

    async def create_room(self, invite: list[str]) -> str:
        assert self.client is not None
        resp = await self.client.room_create(
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}],
            invite=invite)
        if not isinstance(resp, RoomCreateResponse):
            raise RuntimeError(f"{self.localpart}: room creation failed: {resp}")
        await self.wait(lambda: resp.room_id in self.client.rooms, 120, "new room")
        return resp.room_id

    async def join(self, room_id: str) -> None:
        assert self.client is not None
        resp = await self.client.join(room_id)  # the invite is already on the server
        if not hasattr(resp, "room_id"):
            raise RuntimeError(f"{self.localpart}: join failed: {resp}")
        await self.wait(lambda: room_id in self.client.rooms, 120, f"joined {room_id}")

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
