"""Test players (real matrix-nio clients with their own devices) and bot set-up."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from nio import (
    AsyncClient,
    AsyncClientConfig,
    MegolmEvent,
    RoomCreateResponse,
    RoomMemberEvent,
    RoomMessage,
    RoomSendResponse,
)

from bot.app import Bot
from bot.config import Config, parse_config
from bot.localserver import LocalSynapse
from bot.store import Store

TIMEOUT = 45
_counter = itertools.count(1)


def unique(name: str) -> str:
    return f"{name}{next(_counter)}x{secrets.token_hex(2)}"


@dataclass
class Received:
    room_id: str
    sender: str
    event_id: str
    body: str
    content: dict
    decrypted: bool
    msgtype: str


@dataclass
class Player:
    """A real Matrix client in its own sync loop, recording what it sees."""

    server: LocalSynapse
    localpart: str
    store_dir: Path
    client: AsyncClient | None = None
    messages: list[Received] = field(default_factory=list)
    members: list[tuple[str, str, str]] = field(default_factory=list)  # (room, user, membership)
    undecryptable: list[str] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _task: asyncio.Task | None = None

    @property
    def user_id(self) -> str:
        assert self.client is not None
        return self.client.user_id

    async def start(self) -> "Player":
        account = await self.server.register(self.localpart, "secret-" + self.localpart)
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            self.server.url,
            account.user_id,
            store_path=str(self.store_dir),
            config=AsyncClientConfig(store_sync_tokens=True, encryption_enabled=True),
        )
        resp = await self.client.login(account.password, device_name=self.localpart)
        assert hasattr(resp, "access_token"), resp
        self.client.add_event_callback(self._on_message, RoomMessage)
        self.client.add_event_callback(self._on_member, RoomMemberEvent)
        self.client.add_event_callback(self._on_megolm, MegolmEvent)
        await self.client.sync(timeout=0, full_state=True)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._task = asyncio.create_task(self.client.sync_forever(timeout=1000), name=f"player-{self.localpart}")
        return self

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
        self.messages.append(Received(
            room.room_id, event.sender, event.event_id, getattr(event, "body", "") or "",
            content, bool(getattr(event, "decrypted", False)), content.get("msgtype", ""),
        ))
        await self._notify()

    async def _on_member(self, room, event) -> None:
        self.members.append((room.room_id, event.state_key, event.membership))
        await self._notify()

    async def _on_megolm(self, room, event) -> None:
        self.undecryptable.append(event.event_id)
        await self._notify()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = TIMEOUT, what: str = "") -> Any:
        """Wait (on events, with a timeout) until ``predicate()`` is truthy."""
        async def check():
            async with self._changed:
                await self._changed.wait_for(predicate)
                return predicate()
        try:
            return await asyncio.wait_for(check(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.localpart}: timed out waiting for {what or predicate}") from None

    async def wait_message(self, room_id: str, sender: str, contains: str = "", after: int = 0,
                           timeout: float = TIMEOUT) -> Received:
        def find():
            for msg in self.messages[after:]:
                if msg.room_id == room_id and msg.sender == sender and contains in msg.body:
                    return msg
            return None
        return await self.wait_until(find, timeout, f"a message from {sender} containing {contains!r}")

    def from_user(self, room_id: str, sender: str, after: int = 0) -> list[Received]:
        return [m for m in self.messages[after:] if m.room_id == room_id and m.sender == sender]

    async def wait_membership(self, room_id: str, user_id: str, membership: str, timeout: float = TIMEOUT) -> None:
        await self.wait_until(lambda: (room_id, user_id, membership) in self.members, timeout,
                              f"{user_id} {membership} in {room_id}")

    async def create_room(self, encrypted: bool = True, invite: list[str] = ()) -> str:
        assert self.client is not None
        initial_state = []
        if encrypted:
            initial_state.append({"type": "m.room.encryption", "state_key": "",
                                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
        resp = await self.client.room_create(initial_state=initial_state, invite=list(invite))
        assert isinstance(resp, RoomCreateResponse), resp
        await self.wait_until(lambda: resp.room_id in self.client.rooms, what="the new room")
        return resp.room_id

    async def invite(self, room_id: str, user_id: str) -> None:
        assert self.client is not None
        await self.client.room_invite(room_id, user_id)

    async def send(self, room_id: str, body: str) -> str:
        assert self.client is not None
        resp = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body}, ignore_unverified_devices=True
        )
        assert isinstance(resp, RoomSendResponse), resp
        return resp.event_id


def bot_config(server: LocalSynapse, localpart: str, data_dir: Path, **sections: dict) -> Config:
    """A bot config for the test server; keyword sections override defaults."""
    data = {
        "matrix": {
            "homeserver": server.url,
            "user_id": f"@{localpart}:{server.server_name}",
            "password": "secret-" + localpart,
            "sync_timeout_seconds": 2,
            "backoff_max_seconds": 2,
            "key_wait_seconds": 30,
        },
        "storage": {"data_dir": str(data_dir)},
        "access": {"invite_servers": [server.server_name]},
        "rooms": {"require_encryption": True, "default_language": "fr"},
    }
    for section, values in sections.items():
        data.setdefault(section, {}).update(values)
    return parse_config(data)


async def start_bot(config: Config) -> Bot:
    bot = Bot(config, await Store.open(config.data_dir / "reflextics.db"))
    try:
        await bot.start()
        await bot.wait_ready()
    except BaseException:
        await bot.stop()  # an open SQLite thread would keep pytest from exiting
        raise
    return bot


async def join_bot(player: Player, bot_user: str, encrypted: bool = True) -> str:
    """A room made by ``player`` with the bot invited and joined."""
    room_id = await player.create_room(encrypted=encrypted, invite=[bot_user])
    await player.wait_membership(room_id, bot_user, "join")
    return room_id
