"""A simulated Matrix user: a real matrix-nio client with its own device and crypto store.

The demo's people, the tests' players and the bench's clients are this class plus
what only they need. It syncs in the background (restarting its loop if the
homeserver goes away), records every message it decrypted and every membership it
saw, keeps undecryptable events and decrypts them when their room key comes (as
any real client does), and lets callers wait on what it sees: each event wakes the
waiters, a deadline bounds the wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

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
    SyncResponse,
    UnknownEvent,
)

log = logging.getLogger(__name__)

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


@dataclass
class Message:
    """One message of a room as this client has it."""

    room_id: str
    sender: str
    event_id: str
    body: str
    content: dict
    decrypted: bool
    msgtype: str
    timestamp: int  # milliseconds since the epoch, from the server
    received: float  # time.perf_counter() when this client had it
    event: Any = None


class SimClient:
    """A logged-in client in its own sync loop; subclasses add what their caller needs."""

    def __init__(self, url: str, user_id: str, store_dir: Path, name: str, *, sync_timeout_ms: int = 1000,
                 store_sync_tokens: bool = True, request_timeout: float | None = None):
        self.url = url
        self.name = name  # for messages and the task's name
        self.store_dir = store_dir
        extra = {} if request_timeout is None else {"request_timeout": request_timeout}
        config = AsyncClientConfig(store_sync_tokens=store_sync_tokens, encryption_enabled=True,
                                   max_timeout_retry_wait_time=2,  # back within 2 s after a server restart
                                   **extra)
        self._user_id = user_id
        self._config = config
        self.sync_timeout_ms = sync_timeout_ms
        self.client: AsyncClient | None = None
        self.messages: list[Message] = []
        self.members: list[tuple[str, str, str]] = []  # (room, user, membership), in order seen
        self.undecryptable: set[str] = set()  # ids of events still waiting for their key
        self.sync_errors = 0
        self.on_message: Callable[[Message], None] | None = None
        self.on_undecryptable: Callable[[MegolmEvent], None] | None = None
        self._late: list[MegolmEvent] = []
        self._changed = asyncio.Condition()
        self._task: asyncio.Task | None = None

    @property
    def user_id(self) -> str:
        return self.client.user_id if self.client is not None else self._user_id

    @property
    def device_id(self) -> str:
        assert self.client is not None
        return self.client.device_id

    # -- life -------------------------------------------------------------------------

    async def login(self, password: str, device_name: str) -> "SimClient":
        """Log in as a new device, upload its keys, and start syncing."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(self.url, self._user_id, store_path=str(self.store_dir), config=self._config)
        resp = await self.client.login(password, device_name=device_name)
        if not isinstance(resp, LoginResponse):
            raise RuntimeError(f"{self.name}: login failed: {resp}")
        self.client.add_event_callback(self._on_message, RoomMessage)
        self.client.add_event_callback(self._on_message, UnknownEvent)  # polls: msgtype is their event type
        self.client.add_event_callback(self._on_member, RoomMemberEvent)
        self.client.add_event_callback(self._on_megolm, MegolmEvent)
        self.client.add_to_device_callback(self._on_room_key, (RoomKeyEvent, ForwardedRoomKeyEvent))
        self.client.add_response_callback(self._on_sync, SyncResponse)
        await self.client.sync(timeout=0, full_state=True)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._task = asyncio.create_task(self._sync_loop(), name=f"sim-{self.name}")
        return self

    async def _sync_loop(self) -> None:
        """nio's sync_forever, restarted if the homeserver going away makes it raise."""
        assert self.client is not None
        while True:
            try:
                await self.client.sync_forever(timeout=self.sync_timeout_ms)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server was stopped under us
                self.sync_errors += 1
                log.info("%s: sync failed (%s); syncing again", self.name, type(exc).__name__)
                await asyncio.sleep(0.5)  # back off before reconnecting

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.client is not None:
            await self.client.close()

    # -- what the client sees -----------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _on_sync(self, _response) -> None:
        await self._notify()

    async def _on_message(self, room, event) -> None:
        content = event.source.get("content", {})
        if isinstance(event, UnknownEvent):
            # A poll's start or end: its text fallback as the body, its type as the msgtype.
            body, msgtype = content.get("org.matrix.msc1767.text") or content.get("body") or "", event.type
        else:
            body, msgtype = getattr(event, "body", "") or "", content.get("msgtype", "")
        message = Message(room.room_id, event.sender, event.event_id, body if isinstance(body, str) else "",
                          content, bool(getattr(event, "decrypted", False)), msgtype,
                          event.server_timestamp, time.perf_counter(), event)
        self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)
        await self._notify()

    async def _on_member(self, room, event) -> None:
        self.members.append((room.room_id, event.state_key, event.membership))
        await self._notify()

    async def _on_megolm(self, room, event) -> None:
        # Keep it and decrypt it when its room key comes (a restarted bot shares a
        # new session; the key may come a sync later).
        self.undecryptable.add(event.event_id)
        event.room_id = room.room_id
        self._late.append(event)
        if self.on_undecryptable is not None:
            self.on_undecryptable(event)
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
            if room is not None and isinstance(decrypted, (RoomMessage, UnknownEvent)):
                await self._on_message(room, decrypted)

    # -- waiting --------------------------------------------------------------------------

    async def wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Wait (woken by each event) until ``predicate()`` is truthy; TimeoutError naming ``what``."""
        async def check():
            async with self._changed:
                await self._changed.wait_for(predicate)
                return predicate()
        try:
            return await asyncio.wait_for(check(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"{self.name}: timed out after {timeout:.0f} s waiting for {what}") from None

    def find(self, room_id: str, sender: str, contains: str = "", after: int = 0) -> Message | None:
        for msg in self.messages[after:]:
            if msg.room_id == room_id and msg.sender == sender and contains in msg.body:
                return msg
        return None

    def from_user(self, room_id: str, sender: str, after: int = 0) -> list[Message]:
        return [m for m in self.messages[after:] if m.room_id == room_id and m.sender == sender]

    # -- what the user does -----------------------------------------------------------------

    async def create_room(self, invite: list[str] = (), encrypted: bool = True, name: str | None = None,
                          timeout: float = 45) -> str:
        assert self.client is not None
        resp = await self.client.room_create(name=name, initial_state=[ENCRYPTION] if encrypted else [],
                                             invite=list(invite))
        if not isinstance(resp, RoomCreateResponse):
            raise RuntimeError(f"{self.name}: room creation failed: {resp}")
        await self.wait(lambda: resp.room_id in self.client.rooms, timeout, "the new room")
        return resp.room_id

    async def join(self, room_id: str, timeout: float = 45) -> None:
        """Accept an invite (already made on the server) and wait until this client has the room."""
        assert self.client is not None
        resp = await self.client.join(room_id)
        if not hasattr(resp, "room_id"):
            raise RuntimeError(f"{self.name}: join failed: {resp}")
        await self.wait(lambda: room_id in self.client.rooms, timeout, f"joining {room_id}")

    async def send(self, room_id: str, body: str) -> str:
        """Send an m.text, encrypted in an encrypted room; the event id."""
        assert self.client is not None
        resp = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body},
                                           ignore_unverified_devices=True)
        if not isinstance(resp, RoomSendResponse):
            raise RuntimeError(f"{self.name}: send failed: {resp}")
        return resp.event_id
