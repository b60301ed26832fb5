"""The simulated people of `make demo` and the transcript of what one of them reads.

Each person is the developer tools' simulated client (a real matrix-nio client with
its own device and crypto store) with a display name; a missed deadline names the
demo step that was waiting.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from nio import MegolmEvent

from bot.devtools.client import Message, SimClient
from bot.devtools.homeserver import LocalSynapse


class DemoError(Exception):
    """A step of the demo failed; the message says which and why."""


Line = Message  # one message of the room as a person decrypted it


class Person(SimClient):
    """A simulated player or trainer: a Matrix account with a display name, a device, a sync loop."""

    def __init__(self, server: LocalSynapse, localpart: str, name: str, store_dir: Path):
        super().__init__(server.url, f"@{localpart}:{server.server_name}", store_dir, name)
        self.server = server
        self.localpart = localpart

    @property
    def lines(self) -> list[Line]:
        return self.messages

    async def start(self) -> "Person":
        account = await self.server.register(self.localpart, secrets.token_urlsafe(12))
        try:
            await self.login(account.password, device_name=f"{self.name} (demo)")
        except RuntimeError as exc:
            raise DemoError(str(exc)) from None
        assert self.client is not None
        await self.client.set_displayname(self.name)
        return self

    async def wait_until(self, predicate: Callable[[], Any], step: str, timeout: float) -> Any:
        """Wait (woken by each event) until ``predicate()`` is truthy; DemoError after ``timeout``."""
        try:
            return await self.wait(predicate, timeout, "it")
        except TimeoutError:
            raise DemoError(f"step '{step}' timed out after {timeout:.0f} s") from None

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
        try:
            return await self.create_room(invite, name=name, timeout=30)
        except (RuntimeError, TimeoutError) as exc:
            raise DemoError(f"step '{step}': the room could not be created: {exc}") from None

    async def join_invited(self, room_id: str, step: str, timeout: float) -> None:
        assert self.client is not None
        await self.wait_until(lambda: room_id in self.client.invited_rooms or room_id in self.client.rooms,
                              f"{step}: {self.name} receives the invite", timeout)
        await self.client.join(room_id)
        await self.wait_until(lambda: room_id in self.client.rooms, f"{step}: {self.name} joins", timeout)

    async def say(self, room_id: str, body: str) -> None:
        try:
            await self.send(room_id, body)
        except RuntimeError as exc:
            raise DemoError(str(exc)) from None


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
        # How a line's time is shown (the week demo shows its sped-up game clock instead).
        self.stamp: Callable[[int], str] = lambda ms: datetime.fromtimestamp(ms / 1000).strftime("%H:%M:%S")

    def line(self, line: Line) -> None:
        if self._pending is not None and self._pending[1](line):
            self.flush()
        when = self.stamp(line.timestamp)
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
