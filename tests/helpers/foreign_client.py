"""A foreign Matrix client for the tests: matrix-js-sdk with Element's Rust crypto.

``tests/foreign/client.mjs`` runs in Node as a child process; this class speaks its
JSON-lines protocol (requests with an id, answers with the same id, and an "event"
line for every timeline event once decrypted, with its shield and push actions).
It lets the suite see the bot as Element does, which nio players cannot: cross-signing,
"exclude insecure devices" (MSC4153), shields. Install it with `make test` (or
`npm ci --prefix tests/foreign`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from bot.devtools.homeserver import LocalSynapse

FOREIGN_DIR = Path(__file__).resolve().parents[1] / "foreign"
CLIENT_SCRIPT = FOREIGN_DIR / "client.mjs"
TIMEOUT = 45
log = logging.getLogger(__name__)


class ForeignClientError(RuntimeError):
    """The Node client failed (an operation's error, or the process died): not a test assertion."""


@dataclass
class ForeignEvent:
    """A timeline event as the js client saw it (after decryption, when it is encrypted)."""

    room_id: str
    event_id: str
    sender: str
    type: str
    content: dict
    encrypted: bool
    utd: bool  # unable to decrypt
    utd_reason: str | None  # DecryptionFailureCode, e.g. MEGOLM_UNKNOWN_INBOUND_SESSION_ID
    shield: dict | None  # {"colour": "NONE"|"GREY"|"RED", "reason": None|"UNSIGNED_DEVICE"|...}
    push: dict | None  # {"notify": bool, "highlight": bool}, evaluated on the decrypted content
    state_key: str | None = None
    redacts: str | None = None

    @classmethod
    def from_message(cls, msg: dict) -> "ForeignEvent":
        fields = {k: msg.get(k) for k in cls.__dataclass_fields__}
        fields["content"] = fields["content"] or {}
        return cls(**fields)

    @property
    def body(self) -> str:
        return self.content.get("body", "") or ""

    @property
    def shield_colour(self) -> str | None:
        return self.shield["colour"] if self.shield else None

    @property
    def shield_reason(self) -> str | None:
        return self.shield["reason"] if self.shield else None


def check_installed() -> None:
    """Fail loudly, with the command to run, when Node or the client's packages are missing."""
    if shutil.which("node") is None:
        raise ForeignClientError("node (>= 20) is not installed; the foreign-client tests need it")
    if not (FOREIGN_DIR / "node_modules" / "matrix-js-sdk").is_dir():
        raise ForeignClientError(
            "the foreign client's packages are not installed: run `make test` "
            "(or `npm ci --prefix tests/foreign`)")


class ForeignClient:
    """One js-sdk client (one user, one device) in its own Node process."""

    def __init__(self, server: LocalSynapse, localpart: str, device_id: str | None = None,
                 log_level: str | None = None):
        self.server = server
        self.localpart = localpart
        self.password = "secret-" + localpart
        self.device_id = device_id or localpart.upper() + "JS"
        self.user_id = ""
        self.log_level = log_level  # FOREIGN_LOG for the Node side: error (default), warn, info, debug
        self.events: list[ForeignEvent] = []
        self.startup_seconds: float | None = None  # process start to logged in and first sync done
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None
        self._pending: dict[int, asyncio.Future] = {}
        self._next_id = 0
        self._changed = asyncio.Condition()
        self._exit_reason: str | None = None

    # -- process and protocol -------------------------------------------------------

    async def start(self) -> "ForeignClient":
        check_installed()
        account = await self.server.register(self.localpart, self.password)
        started = time.monotonic()
        env = dict(os.environ)
        if self.log_level:
            env["FOREIGN_LOG"] = self.log_level
        self._process = await asyncio.create_subprocess_exec(
            "node", str(CLIENT_SCRIPT),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=None,  # inherited: pytest captures it and shows it with a failure
            env=env, limit=16 * 1024 * 1024,  # a line is one event: room state can be long
        )
        self._reader = asyncio.create_task(self._read(), name=f"foreign-{self.localpart}")
        result = await self.request("login", homeserver=self.server.url, user_id=account.user_id,
                                    password=self.password, device_id=self.device_id, timeout=60)
        self.user_id = result["user_id"]
        self.startup_seconds = time.monotonic() - started
        return self

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        reason = "exited"
        try:
            while line := await self._process.stdout.readline():
                msg = json.loads(line)
                if "id" in msg:
                    future = self._pending.pop(msg["id"], None)
                    if future is not None and not future.done():
                        future.set_result(msg)
                elif msg.get("event") == "timeline":
                    self.events.append(ForeignEvent.from_message(msg))
                    async with self._changed:
                        self._changed.notify_all()
        except Exception as exc:  # not our protocol on stdout: a bug, stop the client
            reason = f"was killed after bad output ({exc!r})"
            self._process.kill()
        finally:
            # The process is gone: nobody must wait forever on it.
            code = await self._process.wait()
            self._exit_reason = f"the node client of {self.localpart} {reason} (code {code})"
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ForeignClientError(self._exit_reason))
            self._pending.clear()
            async with self._changed:
                self._changed.notify_all()

    async def request(self, op: str, timeout: float = TIMEOUT, **args) -> Any:
        """Send one operation and return its result; its error raises ForeignClientError."""
        if self._exit_reason or self._process is None:
            raise ForeignClientError(self._exit_reason or "the foreign client is not started")
        self._next_id += 1
        future = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        assert self._process.stdin is not None
        self._process.stdin.write((json.dumps({"id": self._next_id, "op": op, **args}) + "\n").encode())
        await self._process.stdin.drain()
        try:
            msg = await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            raise ForeignClientError(f"{self.localpart}: {op} got no answer within {timeout} s") from None
        if not msg["ok"]:
            raise ForeignClientError(f"{self.localpart}: {op} failed: {msg['error']}")
        return msg["result"]

    async def stop(self, logout: bool = False) -> None:
        """Stop the client; the process is killed if it does not exit by itself."""
        if self._process is None:
            return
        if self._process.returncode is None and not self._exit_reason:
            try:
                await self.request("stop", logout=logout, timeout=10)
                await asyncio.wait_for(self._process.wait(), 5)
            except (ForeignClientError, asyncio.TimeoutError):
                pass
        if self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    # -- waiting on events ----------------------------------------------------------

    async def wait_until(self, condition: Callable[[], Any], timeout: float = TIMEOUT, what: str = "") -> Any:
        """Wait (woken by each event, with a timeout) until ``condition()`` is truthy; return it."""
        def check():
            if self._exit_reason:
                raise ForeignClientError(self._exit_reason)
            return condition()

        async def wait():
            async with self._changed:
                await self._changed.wait_for(check)
                return check()
        try:
            return await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.localpart}: timed out waiting for {what or condition}") from None

    async def wait_for(self, predicate: Callable[[ForeignEvent], Any], timeout: float = TIMEOUT,
                       what: str = "", after: int = 0) -> ForeignEvent:
        """The first event (from index ``after``) matching ``predicate``, waiting for it if needed."""
        def find():
            return next((e for e in self.events[after:] if predicate(e)), None)
        return await self.wait_until(find, timeout, what or f"an event matching {predicate}")

    async def wait_message(self, room_id: str, sender: str, contains: str = "", after: int = 0,
                           timeout: float = TIMEOUT) -> ForeignEvent:
        """A decrypted (or clear) m.room.message from ``sender`` whose body contains ``contains``."""
        return await self.wait_for(
            lambda e: (e.room_id == room_id and e.sender == sender and e.type == "m.room.message"
                       and contains in e.body),
            timeout, f"a message from {sender} containing {contains!r}", after)

    async def wait_membership(self, room_id: str, user_id: str, membership: str,
                              timeout: float = TIMEOUT) -> ForeignEvent:
        return await self.wait_for(
            lambda e: (e.room_id == room_id and e.type == "m.room.member" and e.state_key == user_id
                       and e.content.get("membership") == membership),
            timeout, f"{user_id} {membership} in {room_id}")

    # -- operations -----------------------------------------------------------------

    async def bootstrap_cross_signing(self) -> dict:
        """Make and upload cross-signing keys, and sign this device with them (UIA by password)."""
        return await self.request("bootstrap_cross_signing")

    async def set_isolation(self, only_signed: bool) -> None:
        """OnlySignedDevicesIsolationMode (Element's "exclude insecure devices") or AllDevices."""
        await self.request("set_isolation", mode="only_signed" if only_signed else "all")

    async def create_room(self, invite: list[str] = (), encrypted: bool = True, name: str | None = None) -> str:
        args = {"invite": list(invite), "encrypted": encrypted}
        if name:
            args["name"] = name
        return (await self.request("create_room", **args))["room_id"]

    async def create_dm(self, user_id: str) -> str:
        """A direct chat with ``user_id`` as Element opens one (is_direct invite, encrypted, m.direct)."""
        return (await self.request("create_dm", user_id=user_id))["room_id"]

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.request("invite", room_id=room_id, user_id=user_id)

    async def join(self, room_id: str) -> None:
        await self.request("join", room_id=room_id)

    async def send(self, room_id: str, event_type: str, content: dict) -> str:
        return (await self.request("send", room_id=room_id, type=event_type, content=content))["event_id"]

    async def send_text(self, room_id: str, body: str, mentions: list[str] | None = None,
                        html: str | None = None) -> str:
        content: dict = {"msgtype": "m.text", "body": body}
        if mentions is not None:
            content["m.mentions"] = {"user_ids": mentions}
        if html is not None:
            content.update(format="org.matrix.custom.html", formatted_body=html)
        return await self.send(room_id, "m.room.message", content)

    async def edit(self, room_id: str, event_id: str, body: str) -> str:
        new = {"msgtype": "m.text", "body": body}
        return await self.send(room_id, "m.room.message", {
            "msgtype": "m.text", "body": "* " + body, "m.new_content": new,
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
        })

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        return await self.send(room_id, "m.reaction", {
            "m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}})

    async def redact(self, room_id: str, event_id: str, reason: str | None = None) -> str:
        return (await self.request("redact", room_id=room_id, event_id=event_id, reason=reason))["event_id"]

    async def poll_response(self, room_id: str, poll_event_id: str, answer_ids: list[str]) -> str:
        """An answer as Element sends it (the msc3381 names; see MATRIX-NOTES, polls)."""
        return await self.send(room_id, "org.matrix.msc3381.poll.response", {
            "org.matrix.msc3381.poll.response": {"answers": answer_ids},
            "m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
        })

    async def discard_session(self, room_id: str) -> None:
        """Start a new Megolm session at the next message, its key sent over Olm to each device."""
        await self.request("discard_session", room_id=room_id)

    async def devices(self, user_id: str) -> list[str]:
        """The user's device ids, their keys downloaded if this client had not yet."""
        return (await self.request("devices", user_id=user_id))["device_ids"]

    async def device_status(self, user_id: str, device_id: str) -> dict | None:
        """signed_by_owner, cross_signing_verified, local_verified, verified (None: unknown device)."""
        return await self.request("device_status", user_id=user_id, device_id=device_id)

    async def user_status(self, user_id: str) -> dict:
        """known, verified, cross_signing_verified, needs_user_approval."""
        return await self.request("user_status", user_id=user_id)

    async def cross_signing_keys(self, user_id: str) -> dict | None:
        """{"master": ..., "self_signing": ...}: the user's public keys as this client holds them."""
        return await self.request("cross_signing_keys", user_id=user_id)

    async def wait_device(self, user_id: str, device_id: str, timeout: float = 30) -> None:
        """Wait until this client knows ``device_id`` (woken by device-list updates, not polling);
        a message sent before then is not encrypted for that device."""
        await self.request("wait_device", user_id=user_id, device_id=device_id,
                           timeout_ms=int(timeout * 1000), timeout=timeout + 5)

    async def download(self, mxc: str) -> bytes:
        """The bytes of an uploaded file (authenticated media), still encrypted if it was."""
        return base64.b64decode((await self.request("download", mxc=mxc))["base64"])

    async def memory(self) -> dict:
        """process.memoryUsage() of the Node process (rss, heapUsed, ... in bytes)."""
        return await self.request("memory")


async def shared_room(owner, *others) -> str:
    """An encrypted room made by ``owner``, every other member joined and seen joined by the owner
    (sending earlier would encrypt for a member list without them: MATRIX-NOTES, first-message race)."""
    room = await owner.create_room(invite=[o.user_id for o in others])
    for other in others:
        await other.join(room)
        await owner.wait_membership(room, other.user_id, "join")
    return room