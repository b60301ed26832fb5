"""Test players (real matrix-nio clients with their own devices) and bot set-up."""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from uuid import uuid4

from nio import RoomSendResponse, ToDeviceMessage, ToDeviceResponse
from nio.api import Api

from bot.app.bot import Bot
from bot.config import Config, parse_config
from bot.devtools.client import Message, SimClient
from bot.devtools.homeserver import LocalSynapse
from bot.store import Store

TIMEOUT = 45
_counter = itertools.count(1)
log = logging.getLogger(__name__)


def unique(name: str) -> str:
    return f"{name}{next(_counter)}x{secrets.token_hex(2)}"


async def eventually(predicate: Callable[[], Any], timeout: float = TIMEOUT, what: str = "") -> Any:
    """Wait until ``predicate()`` is truthy, checking every 50 ms, with a deadline.

    For state inside the bot, which has no event to wait on; player-side
    conditions use :meth:`Player.wait_until`, which wakes on each event.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.05)


Received = Message  # one message as a player has it


class Player(SimClient):
    """A real Matrix client in its own sync loop, recording what it sees (the devtools' client)."""

    def __init__(self, server: LocalSynapse, localpart: str, store_dir: Path):
        super().__init__(server.url, f"@{localpart}:{server.server_name}", store_dir, localpart)
        self.server = server
        self.localpart = localpart

    async def start(self) -> "Player":
        account = await self.server.register(self.localpart, "secret-" + self.localpart)
        await self.login(account.password, device_name=self.localpart)
        return self

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = TIMEOUT, what: str = "") -> Any:
        """Wait (on events, with a timeout) until ``predicate()`` is truthy."""
        try:
            return await self.wait(predicate, timeout, what or str(predicate))
        except TimeoutError as exc:
            raise AssertionError(str(exc)) from None

    async def wait_message(self, room_id: str, sender: str, contains: str = "", after: int = 0,
                           timeout: float = TIMEOUT) -> Received:
        return await self.wait_until(lambda: self.find(room_id, sender, contains, after), timeout,
                                     f"a message from {sender} containing {contains!r}")

    async def wait_count(self, room_id: str, sender: str, count: int, timeout: float = TIMEOUT) -> list[Received]:
        """Wait until ``sender`` has at least ``count`` messages in the room; return them all."""
        await self.wait_until(lambda: len(self.from_user(room_id, sender)) >= count, timeout,
                              f"{count} messages from {sender}")
        return self.from_user(room_id, sender)

    async def wait_membership(self, room_id: str, user_id: str, membership: str, timeout: float = TIMEOUT) -> None:
        await self.wait_until(lambda: (room_id, user_id, membership) in self.members, timeout,
                              f"{user_id} {membership} in {room_id}")

    async def create_room(self, encrypted: bool = True, invite: list[str] = ()) -> str:
        return await super().create_room(invite, encrypted=encrypted, timeout=TIMEOUT)

    async def invite(self, room_id: str, user_id: str) -> None:
        assert self.client is not None
        await self.client.room_invite(room_id, user_id)

    async def send_content(self, room_id: str, event_type: str, content: dict) -> str:
        """Send any event, encrypted in an encrypted room (an edit, a reply, a poll answer); the event id."""
        assert self.client is not None
        resp = await self.client.room_send(room_id, event_type, content, ignore_unverified_devices=True)
        assert isinstance(resp, RoomSendResponse), resp
        return resp.event_id

    async def edit(self, room_id: str, event_id: str, body: str) -> str:
        """An edit as Element sends it (m.replace, the new text in m.new_content)."""
        return await self.send_content(room_id, "m.room.message", {
            "msgtype": "m.text", "body": "* " + body, "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}})

    async def reply(self, room_id: str, event_id: str, quoted_sender: str, quoted: str, body: str) -> str:
        """A reply with the fallback clients put in the body (the quoted lines, then the answer)."""
        return await self.send_content(room_id, "m.room.message", {
            "msgtype": "m.text", "body": f"> <{quoted_sender}> {quoted}\n\n{body}",
            "m.relates_to": {"m.in_reply_to": {"event_id": event_id}}})

    async def poll_response(self, room_id: str, poll_event_id: str, answer_ids: list[str],
                            event_type: str = "org.matrix.msc3381.poll.response") -> str:
        """A poll answer as Element sends it (or, with ``event_type="m.poll.response"``, the stable form)."""
        key = event_type
        return await self.send_content(room_id, event_type, {
            key: {"answers": answer_ids},
            "m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id}})

    async def redact(self, room_id: str, event_id: str) -> str:
        assert self.client is not None
        resp = await self.client.room_redact(room_id, event_id)
        assert hasattr(resp, "event_id"), resp
        return resp.event_id

    async def send_raw(self, room_id: str, event_type: str, content: dict) -> str:
        """Send an event exactly as given: nio's room_send would encrypt it."""
        assert self.client is not None
        method, path, data = Api.room_send(self.client.access_token, room_id, event_type, content, uuid4())
        resp = await self.client._send(RoomSendResponse, method, path, data, (room_id,))
        assert isinstance(resp, RoomSendResponse), resp
        return resp.event_id

    async def send_lost(self, room_id: str, body: str) -> tuple[str, dict]:
        """A message whose room key is sent to nobody, as from a client that encrypted it
        before it counted the bot: its event id, and the key to hand over later with
        :meth:`send_room_key`. The next messages use a new session shared as usual."""
        assert self.client is not None
        await self.client.joined_members(room_id)  # what nio's room_send would do first
        key = self.start_withheld_session(room_id)
        event_id = await self.send_encrypted(room_id, body)
        self.end_withheld_session(room_id)
        return event_id, key

    def start_withheld_session(self, room_id: str) -> dict:
        """A new Megolm session for the room whose key nobody is sent yet.

        Returns the m.room_key content at the session's first index, to hand to
        :meth:`send_room_key` later. nio marks the session as shared, so the
        next :meth:`send_encrypted` messages use it without sending any key.
        """
        assert self.client is not None and self.client.olm is not None
        olm = self.client.olm
        olm.create_outbound_group_session(room_id)
        session = olm.outbound_group_sessions[room_id]
        key_content = {
            "algorithm": "m.megolm.v1.aes-sha2",
            "room_id": room_id,
            "session_id": session.id,
            "session_key": session.session_key,  # before any encryption: index 0
        }
        session.shared = True
        return key_content

    async def send_encrypted(self, room_id: str, body: str) -> str:
        """Encrypt with the room's current session as is (no key sharing) and send."""
        assert self.client is not None
        _, content = self.client.encrypt(room_id, "m.room.message", {"msgtype": "m.text", "body": body})
        return await self.send_raw(room_id, "m.room.encrypted", content)

    def end_withheld_session(self, room_id: str) -> None:
        """Forget the withheld session: the next send shares a fresh one with everyone."""
        assert self.client is not None and self.client.olm is not None
        self.client.olm.outbound_group_sessions.pop(room_id, None)

    async def send_room_key(self, user_id: str, device_id: str, key_content: dict) -> None:
        """Send an m.room_key to one device over the Olm session already set up with it."""
        assert self.client is not None and self.client.olm is not None
        olm = self.client.olm
        device = self.client.device_store[user_id][device_id]
        session = olm.session_store.get(device.curve25519)
        assert session is not None, "no Olm session with that device yet: send it a normal message first"
        payload = olm._olm_encrypt(session, device, "m.room_key", key_content)
        resp = await self.client.to_device(ToDeviceMessage("m.room.encrypted", user_id, device_id, payload))
        assert isinstance(resp, ToDeviceResponse), resp


@dataclass
class SendSpy:
    """Records every send the bot's transport makes (it still sends for real)."""

    calls: list[tuple[str, str | None, dict]] = field(default_factory=list)

    def install(self, bot: Bot) -> None:
        real = bot.transport.send

        async def send(room_id: str, content: dict, tx_id: str | None = None, **kwargs) -> str:
            self.calls.append((room_id, tx_id, content))
            return await real(room_id, content, tx_id, **kwargs)

        bot.transport.send = send  # type: ignore[method-assign]

    def in_room(self, room_id: str) -> list[dict]:
        return [content for room, _, content in self.calls if room == room_id]


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


async def start_bot(config: Config, prepare: Callable[[Bot], Any] | None = None) -> Bot:
    """Open the store, log in and wait for the first sync; ``prepare`` runs before the start."""
    bot = Bot(config, await Store.open(config.data_dir / "reflextics.db"))
    if prepare is not None:
        prepare(bot)
    try:
        await bot.start()
        await bot.wait_ready()
    except BaseException:
        await bot.stop()  # an open SQLite thread would keep pytest from exiting
        raise
    return bot


class Bots:
    """Starts bots for a test and stops every one of them at the end."""

    def __init__(self, default_server: LocalSynapse, tmp_path: Path):
        self.default_server = default_server
        self.tmp_path = tmp_path
        self.started: list[Bot] = []

    async def __call__(self, localpart: str | None = None, server: LocalSynapse | None = None,
                       data_dir: Path | None = None, prepare: Callable[[Bot], Any] | None = None,
                       **sections) -> Bot:
        server = server or self.default_server
        localpart = localpart or unique("bot")
        await server.register(localpart, "secret-" + localpart)
        config = bot_config(server, localpart, data_dir or self.tmp_path / f"data-{localpart}", **sections)
        return await self.start(config, prepare)

    async def start(self, config: Config, prepare: Callable[[Bot], Any] | None = None) -> Bot:
        bot = await start_bot(config, prepare)
        self.started.append(bot)
        return bot

    async def restart(self, bot: Bot, prepare: Callable[[Bot], Any] | None = None) -> Bot:
        """Stop ``bot`` and start a new process-like Bot on the same config and data directory."""
        await bot.stop()
        return await self.start(bot.config, prepare)

    async def stop_all(self) -> None:
        for bot in self.started:
            await bot.stop()


async def join_bot(player: Player, bot_user: str, encrypted: bool = True) -> str:
    """A room made by ``player`` with the bot invited and joined."""
    room_id = await player.create_room(encrypted=encrypted, invite=[bot_user])
    await player.wait_membership(room_id, bot_user, "join")
    return room_id



async def answering_room(make_bot, make_player, **bot_sections) -> tuple[Bot, Player, str]:
    """A bot, a player and their encrypted room, the bot seen answering once (sessions and keys in place)."""
    bot = await make_bot(**bot_sections)
    player = await make_player()
    room = await join_bot(player, bot.config.matrix.user_id)
    await player.send(room, "!help")
    await player.wait_message(room, bot.config.matrix.user_id, "Commands")
    return bot, player, room
