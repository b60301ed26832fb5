"""The simulated people of `make demo` and the transcript of what one of them reads.

Each person is a real matrix-nio client with its own device and crypto store,
syncing in the background; waits wake on every sync, with a deadline, and a
missed deadline names the demo step that was waiting.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from nio import (
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessage,
    RoomSendResponse,
    SyncResponse,
)

from bot.devtools.homeserver import LocalSynapse


class DemoError(Exception):
    """A step of the demo failed; the message says which and why."""


@dataclass
class Line:
    """One message of the room as a person decrypted it."""

    room_id: str
    sender: str
    body: str
    content: dict
    msgtype: str
    timestamp: int  # milliseconds since the epoch, from the server
    decrypted: bool


@dataclass
class Person:
    """A simulated player or trainer: a Matrix account, a device, a sync loop."""

    server: LocalSynapse
    localpart: str
    name: str
    store_dir: Path
    client: AsyncClient | None = None
    lines: list[Line] = field(default_factory=list)
    undecryptable: int = 0
    on_line: Callable[[Line], None] | None = None
    on_undecryptable: Callable[[MegolmEvent], None] | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _task: asyncio.Task | None = None

    @property
    def user_id(self) -> str:
        assert self.client is not None
        return self.client.user_id

    async def start(self) -> "Person":
        account = await self.server.register(self.localpart, secrets.token_urlsafe(12))
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            self.server.url, account.user_id, store_path=str(self.store_dir),
            config=AsyncClientConfig(store_sync_tokens=True, encryption_enabled=True),
        )
        resp = await self.client.login(account.password, device_name=f"{self.name} (demo)")
        if not isinstance(resp, LoginResponse):
            raise DemoError(f"{self.name} could not log in: {resp}")
        await self.client.set_displayname(self.name)
        self.client.add_event_callback(self._on_message, RoomMessage)
        self.client.add_event_callback(self._on_megolm, MegolmEvent)
        self.client.add_response_callback(self._on_sync, SyncResponse)
        await self.client.sync(timeout=0, full_state=True)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._task = asyncio.create_task(self.client.sync_forever(timeout=1000), name=f"demo-{self.localpart}")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.client is not None:
            await self.client.close()

    # -- what the client sees -------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _on_sync(self, _response) -> None:
        await self._notify()

    async def _on_message(self, room, event) -> None:
        content = event.source.get("content", {})
        line = Line(room.room_id, event.sender, getattr(event, "body", "") or "", content,
                    content.get("msgtype", ""), event.server_timestamp, bool(getattr(event, "decrypted", False)))
        self.lines.append(line)
        if self.on_line is not None:
            self.on_line(line)
        await self._notify()

    async def _on_megolm(self, room, event) -> None:
        self.undecryptable += 1
        if self.on_undecryptable is not None:
            self.on_undecryptable(event)
        await self._notify()

    async def wait_until(self, predicate: Callable[[], Any], step: str, timeout: float) -> Any:
        """Wait (woken by each sync) until ``predicate()`` is truthy; DemoError after ``timeout``."""
        assert self._task is not None

        async def check():
            async with self._changed:
                await self._changed.wait_for(predicate)
                return predicate()

        waiter = asyncio.create_task(check())
        done, _ = await asyncio.wait({waiter, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if waiter in done:
            return waiter.result()
        waiter.cancel()
        if self._task in done:
            raise DemoError(f"step '{step}': {self.name}'s client stopped syncing ({self._task.exception()!r})")
        raise DemoError(f"step '{step}' timed out after {timeout:.0f} s")

    def joined(self, room_id: str) -> set[str]:
        assert self.client is not None
        room = self.client.rooms.get(room_id)
        return set(room.users) - set(room.invited_users) if room is not None else set()

    def knows_devices(self, user_ids: set[str]) -> bool:
        """Whether the device keys of every one of ``user_ids`` are known, so messages are encrypted for them."""
        assert self.client is not None
        store = self.client.device_store
        return all(any(True for _ in store.active_user_devices(u)) for u in user_ids if u != self.user_id)

    # -- what the person does ---------------------------------------------------------

    async def create_encrypted_room(self, name: str, invite: list[str], step: str) -> str:
        assert self.client is not None
        resp = await self.client.room_create(
            name=name, invite=invite,
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}],
        )
        if not isinstance(resp, RoomCreateResponse):
            raise DemoError(f"step '{step}': the room could not be created: {resp}")
        await self.wait_until(lambda: resp.room_id in self.client.rooms, step, 30)
        return resp.room_id

    async def join(self, room_id: str, step: str, timeout: float) -> None:
        assert self.client is not None
        await self.wait_until(lambda: room_id in self.client.invited_rooms or room_id in self.client.rooms,
                              f"{step}: {self.name} receives the invite", timeout)
        await self.client.join(room_id)
        await self.wait_until(lambda: room_id in self.client.rooms, f"{step}: {self.name} joins", timeout)

    async def send(self, room_id: str, body: str) -> None:
        assert self.client is not None
        resp = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body}, ignore_unverified_devices=True,
        )
        if not isinstance(resp, RoomSendResponse):
            raise DemoError(f"{self.name} could not send a message: {resp}")


class Transcript:
    """Prints the room as one person reads it: ``[HH:MM:SS] name: body``.

    A section title set with :meth:`next_section` is printed just before the line
    that opens the section (the next person's message, or the bot's message that
    starts with a given text), so late messages of the previous step stay above it.
    """

    INDENT = " " * 13

    def __init__(self, write: Callable[[str], None], bot_id: str, names: dict[str, str]):
        self.write = write
        self.bot_id = bot_id
        self.names = names
        self._pending: tuple[str, Callable[[Line], bool]] | None = None

    def line(self, line: Line) -> None:
        if self._pending is not None and self._pending[1](line):
            self.flush()
        when = datetime.fromtimestamp(line.timestamp / 1000).strftime("%H:%M:%S")
        name = self.names.get(line.sender, line.sender)
        if line.msgtype == "m.file":
            size = line.content.get("info", {}).get("size")
            kind = "encrypted file" if "file" in line.content else "file"
            body = f"📎 {line.body} ({kind}{f', {size} bytes' if size else ''})"
        else:
            body = line.body if line.decrypted else f"{line.body} (⚠ not encrypted)"
        first, *rest = body.splitlines() or [""]
        self.write(f"[{when}] {name}: {first}")
        for text in rest:
            self.write(f"{self.INDENT}{text}" if text.strip() else "")

    def undecryptable(self, event: MegolmEvent) -> None:
        name = self.names.get(event.sender, event.sender)
        self.write(f"[--:--:--] {name}: ⚠ a message this device could not decrypt")

    def section(self, title: str) -> None:
        """Print a section title now."""
        self.flush()
        self.write("")
        self.write(f"──── {title} " + "─" * max(3, 66 - len(title)))

    def next_section(self, title: str, bot_starts_with: str | None = None) -> None:
        """Print ``title`` before the next person's line, or the bot's line starting with ``bot_starts_with``."""
        self.flush()
        if bot_starts_with is None:
            self._pending = (title, lambda line: line.sender != self.bot_id)
        else:
            self._pending = (title, lambda line: line.sender == self.bot_id
                             and line.body.lstrip().startswith(bot_starts_with))

    def flush(self) -> None:
        if self._pending is not None:
            title, self._pending = self._pending[0], None
            self.section(title)
