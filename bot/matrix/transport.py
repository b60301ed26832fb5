"""The Matrix transport: login, crypto store, sync loop, idempotent sends.

Each trap of matrix-nio 0.26 that bites a bot is handled here on purpose (see
``../shared/MATRIX-NOTES.md``): encryption must be loaded or we refuse to run;
one-time keys are re-uploaded when the server's count reaches 0; the sync token is
ours, saved only after the events before it were handled; the loop backs off on
errors; rate limits are honoured on sends; sends reuse a transaction id so a
replayed event never yields a second message; late room keys are waited for.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ForwardedRoomKeyEvent,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateEvent,
    RoomKeyEvent,
    RoomMemberEvent,
    RoomMessagesError,
    RoomSendError,
    SyncError,
    SyncResponse,
    UploadError,
    WhoamiError,
)
from nio.events import Event

from bot.config import MatrixConfig
from bot.matrix.ordering import RoomQueues
from bot.matrix.session import Session, SessionFiles
from bot.store import Store

log = logging.getLogger(__name__)

_NET_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, OSError)
BACKFILL_PAGES = 10


class MatrixError(Exception):
    """The homeserver refused something the bot cannot go on without."""


class Handler(Protocol):
    """What the bot does with what the transport receives."""

    async def on_invite(self, room_id: str, inviter: str) -> None: ...

    async def on_joined(self, room: MatrixRoom) -> None: ...

    async def on_event(self, room: MatrixRoom, event: Event) -> None: ...

    async def on_ready(self) -> None: ...


@dataclass
class Backoff:
    """Capped exponential backoff: 0.5 s, 1 s, 2 s … up to ``cap``."""

    cap: float
    base: float = 0.5
    attempt: int = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


class MatrixTransport:
    """One bot account on one homeserver."""

    def __init__(self, config: MatrixConfig, data_dir: Path, store: Store):
        self.config = config
        self.files = SessionFiles(data_dir)
        self.store = store
        self.client: AsyncClient | None = None
        self.queues = RoomQueues(config.key_wait_seconds, time.monotonic)
        # Undecryptable events by id, kept until their key comes (also in the store).
        self.pending: dict[str, tuple[str, MegolmEvent]] = {}
        self.ready = asyncio.Event()
        self._stopping = asyncio.Event()
        self._process_lock = asyncio.Lock()
        self._deadline_task: asyncio.Task | None = None
        self._wake_deadlines = asyncio.Event()
        self._handler: Handler | None = None
        self._since: str | None = None
        self.sync_count = 0
        # Room creators per room: room version 12 gives them unlimited power, which
        # nio neither records nor reports in power levels.
        self.creators: dict[str, frozenset[str]] = {}

    # -- login ------------------------------------------------------------------

    @property
    def user_id(self) -> str:
        return self.config.user_id

    @property
    def device_id(self) -> str | None:
        return self.client.device_id if self.client else None

    def _new_client(self, device_id: str | None) -> AsyncClient:
        client_config = AsyncClientConfig(
            store_sync_tokens=False,  # we keep the token ourselves, after handling
            encryption_enabled=True,
            pickle_key=self.files.pickle_key(self.config.pickle_key),
            max_limit_exceeded=0,  # return 429s to us instead of sleeping forever
            max_timeouts=0,  # raise connection errors to our own backoff
            request_timeout=self.config.sync_timeout_seconds + 30,
        )
        return AsyncClient(
            self.config.homeserver,
            self.config.user_id,
            device_id=device_id,
            store_path=str(self.files.crypto_dir),
            config=client_config,
        )

    async def connect(self) -> None:
        """Log in or restore the session, load the crypto store, upload keys."""
        self.files.prepare()
        session = self.files.load()
        if session and session.user_id != self.config.user_id:
            raise MatrixError(
                f"{self.files.session_path}: belongs to {session.user_id}, not {self.config.user_id}; "
                "use another storage.data_dir"
            )
        if session and self.files.store_exists(session.user_id, session.device_id):
            await self._restore(session)
        elif self.config.access_token:
            await self._login_token(stale=session)
        else:
            await self._login_password(stale=session)
        if self.client is None or self.client.olm is None:
            # Without the olm machine nio silently sends plaintext into
            # encrypted rooms: never run like that.
            raise MatrixError("end-to-end encryption did not load (crypto store missing); refusing to run")
        if self.client.should_upload_keys:
            resp = await self.client.keys_upload()
            if not hasattr(resp, "signed_curve25519_count") and "already exists" in str(getattr(resp, "message", "")):
                raise MatrixError(
                    f"device {self.client.device_id} has keys on the server that this crypto store does not hold; "
                    "delete that device or log in with a password so the bot can create a new one"
                )
        self.client.add_to_device_callback(self._on_room_key, (RoomKeyEvent, ForwardedRoomKeyEvent))
        log.info("Logged in as %s, device %s", self.config.user_id, self.client.device_id)

    async def _restore(self, session: Session) -> None:
        client = self._new_client(session.device_id)
        client.restore_login(session.user_id, session.device_id, session.access_token)
        self.client = client
        whoami = await self._call(client.whoami)
        if isinstance(whoami, WhoamiError):
            if self.config.password and whoami.status_code == "M_UNKNOWN_TOKEN":
                # Same device, same store: a fresh token keeps the identity keys.
                log.warning("Stored access token was refused; logging in again as the same device")
                await self._password_login(client, session.device_id)
                return
            raise MatrixError(f"the homeserver refused the stored session: {whoami.status_code}")

    async def _login_token(self, stale: Session | None) -> None:
        probe = self._new_client(None)
        probe.access_token = self.config.access_token or ""
        whoami = await self._call(probe.whoami)
        await probe.close()
        if isinstance(whoami, WhoamiError):
            raise MatrixError(f"matrix.access_token: refused by the homeserver ({whoami.status_code})")
        if whoami.user_id != self.config.user_id:
            raise MatrixError(f"matrix.access_token: belongs to {whoami.user_id}, not matrix.user_id")
        device_id = whoami.device_id
        if stale and stale.device_id == device_id:
            raise MatrixError(
                f"the crypto store of device {device_id} is gone; create a new access token "
                "(a new device) or use matrix.password"
            )
        client = self._new_client(device_id)
        client.restore_login(self.config.user_id, device_id, self.config.access_token or "")
        self.client = client
        self.files.save(Session(self.config.homeserver, self.config.user_id, device_id, client.access_token))

    async def _login_password(self, stale: Session | None) -> None:
        device_id = self.config.device_id
        if stale is not None:
            # The store of the old device is lost: its identity cannot be reused.
            device_id = f"{self.config.device_id}_{secrets.token_hex(3).upper()}"
            log.warning("Crypto store of device %s is missing: logging in as new device %s", stale.device_id, device_id)
        client = self._new_client(device_id)
        self.client = client
        await self._password_login(client, device_id)
        if stale is not None:
            await self._delete_device(stale.device_id)

    async def _password_login(self, client: AsyncClient, device_id: str) -> None:
        client.device_id = device_id  # nio's login() sends the client's device_id
        resp = await self._call(client.login, self.config.password, self.config.device_name)
        if not isinstance(resp, LoginResponse):
            raise MatrixError(f"matrix.password: login refused ({getattr(resp, 'status_code', resp)})")
        self.files.save(Session(self.config.homeserver, resp.user_id, resp.device_id, resp.access_token))

    async def _delete_device(self, device_id: str) -> None:
        assert self.client is not None
        auth = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": self.config.user_id},
            "password": self.config.password,
        }
        resp = await self._call(self.client.delete_devices, [device_id], auth)
        if hasattr(resp, "status_code"):
            log.warning("Could not delete old device %s: %s", device_id, resp.status_code)

    async def _call(self, func, *args, **kwargs):
        """Run a request, retrying connection errors with capped backoff."""
        backoff = Backoff(self.config.backoff_max_seconds)
        while True:
            try:
                return await func(*args, **kwargs)
            except _NET_ERRORS as exc:
                if self._stopping.is_set():
                    raise
                delay = backoff.next_delay()
                log.warning("Homeserver unreachable (%s); retrying in %.1f s", type(exc).__name__, delay)
                await self._sleep(delay)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when stopping."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    async def close(self) -> None:
        self._stopping.set()
        if self._deadline_task:
            self._deadline_task.cancel()
        if self.client is not None:
            await self.client.close()

    def stop(self) -> None:
        self._stopping.set()

    # -- sync loop ----------------------------------------------------------------

    async def run(self, handler: Handler) -> None:
        """Sync until :meth:`stop`; survives the homeserver going away."""
        assert self.client is not None, "connect() first"
        self._handler = handler
        self._since = await self.store.sync_token()
        first_ever = self._since is None
        first = True
        await self._load_pending()
        self._deadline_task = asyncio.create_task(self._deadline_loop(), name="key-wait-deadlines")
        backoff = Backoff(self.config.backoff_max_seconds)
        while not self._stopping.is_set():
            try:
                resp = await self.client.sync(
                    timeout=0 if first else int(self.config.sync_timeout_seconds * 1000),
                    since=self._since,
                    # After a restart nio's room list is empty: ask for full state
                    # so members and encryption settings are known again.
                    full_state=True if first else None,
                )
            except _NET_ERRORS as exc:
                delay = backoff.next_delay()
                log.warning("Sync failed (%s); retrying in %.1f s", type(exc).__name__, delay)
                await self._sleep(delay)
                continue
            if isinstance(resp, SyncError):
                if resp.status_code == "M_UNKNOWN_TOKEN":
                    raise MatrixError("the homeserver no longer accepts the bot's access token")
                retry_ms = getattr(resp, "retry_after_ms", None)
                delay = retry_ms / 1000 if retry_ms else backoff.next_delay()
                log.warning("Sync error %s; retrying in %.1f s", resp.status_code, delay)
                await self._sleep(delay)
                continue
            backoff.reset()
            await self._after_sync(resp)
            async with self._process_lock:
                await self._process(resp, skip_history=first_ever)
                self._since = resp.next_batch
                await self._maybe_save_token()
            self.sync_count += 1
            if first:
                first = False
                first_ever = False
                self.ready.set()
                await handler.on_ready()

    async def _after_sync(self, resp: SyncResponse) -> None:
        """Key maintenance that nio's sync_forever would do, plus the OTK fix."""
        client = self.client
        assert client is not None and client.olm is not None
        count = resp.device_key_count.signed_curve25519
        if count == 0:
            # nio ignores a count of 0, so it would never upload again once
            # peers have claimed all 50 keys.
            client.olm.uploaded_key_count = 0
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except _NET_ERRORS as exc:
            log.warning("Key maintenance failed (%s); will retry after the next sync", type(exc).__name__)

    async def _process(self, resp: SyncResponse, skip_history: bool) -> None:
        assert self.client is not None and self._handler is not None
        for room_id, info in resp.rooms.invite.items():
            for event in info.invite_state:
                if (
                    isinstance(event, InviteMemberEvent)
                    and event.state_key == self.user_id
                    and event.membership == "invite"
                ):
                    await self._safely(self._handler.on_invite(room_id, event.sender))
        for room_id, info in resp.rooms.join.items():
            self._note_creators(room_id, list(info.state) + list(info.timeline.events))
            events = list(info.timeline.events)
            if skip_history:
                # First start ever: what was said before the bot existed is
                # history, not commands to answer now.
                ids = [e.event_id for e in events if getattr(e, "event_id", None)]
                if ids:
                    await self.store.mark_processed(room_id, ids)
                continue
            if info.timeline.limited and info.timeline.prev_batch:
                events = await self._backfill(room_id, info.timeline.prev_batch) + events
            for event in events:
                await self._enqueue(room_id, event)
        await self._release_all()

    def _note_creators(self, room_id: str, events: list) -> None:
        for event in events:
            if isinstance(event, RoomCreateEvent):
                extra = event.source.get("content", {}).get("additional_creators") or []
                self.creators[room_id] = frozenset([event.sender, *[u for u in extra if isinstance(u, str)]])

    async def _enqueue(self, room_id: str, event: Event) -> None:
        event_id = getattr(event, "event_id", None)
        if not event_id or await self.store.is_processed(event_id):
            return
        if isinstance(event, MegolmEvent):
            event.room_id = room_id
            if event_id not in self.pending:
                await self._hold(room_id, event)
            self.queues.push(room_id, event_id, event, ready=False)
            self._wake_deadlines.set()
        else:
            # Decrypted in this sync: its key came along (or after a restart).
            self.pending.pop(event_id, None)
            self.queues.push(room_id, event_id, event, ready=True)

    async def _hold(self, room_id: str, event: MegolmEvent) -> None:
        log.info("Message %s in %s waits for its room key", event.event_id, room_id)
        self.pending[event.event_id] = (room_id, event)
        await self.store.add_pending(room_id, event.event_id, event.session_id, event.source)
        assert self.client is not None
        try:
            await self.client.request_room_key(event)
        except Exception as exc:  # already requested, or the server said no
            log.debug("Room key request not sent: %s", exc)

    async def _load_pending(self) -> None:
        for room_id, source in await self.store.pending():
            event = Event.parse_event(source)
            if isinstance(event, MegolmEvent):
                event.room_id = room_id
                self.pending[event.event_id] = (room_id, event)

    def _on_room_key(self, _event: Any) -> None:
        self._wake_deadlines.set()

    async def _retry_pending(self) -> None:
        """Decrypt waiting events whose key has come; handle late ones."""
        assert self.client is not None
        for event_id, (room_id, event) in list(self.pending.items()):
            try:
                decrypted = self.client.decrypt_event(event)
            except Exception:
                continue
            del self.pending[event_id]
            log.info("Room key for %s arrived; handling it", event_id)
            if not self.queues.resolve(event_id, decrypted):
                # Given up for ordering earlier: handle it late rather than never.
                room = self.client.rooms.get(room_id)
                if room is not None:
                    await self._handle(room, decrypted)

    async def _release_all(self) -> None:
        await self._retry_pending()
        assert self.client is not None
        for room_id in self.queues.rooms():
            ready, expired = self.queues.release(room_id)
            for event_id in expired:
                log.warning("Room key for %s still missing; later messages of the room go on", event_id)
            room = self.client.rooms.get(room_id)
            for event in ready:
                if room is not None:
                    await self._handle(room, event)

    async def _handle(self, room: MatrixRoom, event: Event) -> None:
        assert self._handler is not None
        if not await self.store.is_processed(event.event_id):
            if isinstance(event, RoomMemberEvent) and event.state_key == self.user_id:
                if event.membership == "join" and event.prev_membership != "join":
                    await self._safely(self._handler.on_joined(room))
            elif event.sender != self.user_id:
                await self._safely(self._handler.on_event(room, event))
        await self.store.mark_processed(room.room_id, [event.event_id])

    async def _safely(self, coro) -> None:
        """A handler's bug must not stop the sync loop or lose the next events."""
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Handler failed")

    async def _maybe_save_token(self) -> None:
        # While a decrypted event waits behind an undecryptable one it exists
        # only in memory: keep the old token so a crash replays it.
        if self._since and not self.queues.holding():
            await self.store.save_sync_token(self._since)

    async def _deadline_loop(self) -> None:
        while not self._stopping.is_set():
            deadline = self.queues.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            self._wake_deadlines.clear()
            try:
                await asyncio.wait_for(self._wake_deadlines.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass
            if not self.ready.is_set():
                continue
            async with self._process_lock:
                await self._release_all()
                await self._maybe_save_token()

    async def _backfill(self, room_id: str, prev_batch: str) -> list[Event]:
        """Events skipped by a limited sync, back to the last one handled."""
        assert self.client is not None
        collected: list[Event] = []
        token = prev_batch
        for _ in range(BACKFILL_PAGES):
            resp = await self._call(self.client.room_messages, room_id, start=token, limit=50)
            if isinstance(resp, RoomMessagesError):
                log.warning("Could not page back in %s: %s", room_id, resp.status_code)
                break
            stop = False
            for event in resp.chunk:  # newest first
                event_id = getattr(event, "event_id", None)
                if event_id and await self.store.is_processed(event_id):
                    stop = True
                    break
                if isinstance(event, RoomMemberEvent) and event.state_key == self.user_id and event.membership == "join":
                    collected.append(event)
                    stop = True
                    break
                collected.append(event)
            if stop or not resp.chunk or not resp.end:
                break
            token = resp.end
        collected.reverse()
        log.info("Recovered %d events skipped in %s", len(collected), room_id)
        return collected

    # -- actions ------------------------------------------------------------------

    async def join(self, room_id: str) -> bool:
        assert self.client is not None
        resp = await self._call(self.client.join, room_id)
        if isinstance(resp, JoinError):
            log.warning("Could not join %s: %s", room_id, resp.status_code)
            return False
        return True

    async def leave(self, room_id: str) -> None:
        """Leave a room, or reject an invite (the same request)."""
        assert self.client is not None
        await self._call(self.client.room_leave, room_id)

    async def send(self, room_id: str, content: dict, tx_id: str | None = None, msgtype: str = "m.room.message") -> str:
        """Send an event and return its id; retries reuse ``tx_id``.

        A transaction id derived from what caused the message (the command's
        event id, a timer's sequence number) makes a replay after a crash send
        nothing new: the homeserver answers with the first event's id.
        """
        assert self.client is not None
        tx_id = tx_id or secrets.token_hex(16)
        backoff = Backoff(self.config.backoff_max_seconds)
        for attempt in range(self.config.send_retries + 1):
            try:
                resp = await self.client.room_send(
                    room_id, msgtype, content, tx_id=tx_id, ignore_unverified_devices=True
                )
            except _NET_ERRORS as exc:
                delay = backoff.next_delay()
                log.warning("Send failed (%s); retrying in %.1f s", type(exc).__name__, delay)
                await self._sleep(delay)
                continue
            if isinstance(resp, RoomSendError):
                retry_ms = getattr(resp, "retry_after_ms", None)
                if resp.status_code == "M_LIMIT_EXCEEDED" or retry_ms:
                    delay = (retry_ms or 1000) / 1000
                    log.warning("Rate limited; sending again in %.1f s", delay)
                    await self._sleep(delay)
                    continue
                if getattr(resp.transport_response, "status", 0) >= 500:
                    await self._sleep(backoff.next_delay())
                    continue
                raise MatrixError(f"send refused in {room_id}: {resp.status_code}")
            return resp.event_id
        raise MatrixError(f"send to {room_id} failed after {self.config.send_retries + 1} attempts")

    async def upload(self, data: bytes, filename: str, mimetype: str, encrypt: bool) -> dict:
        """Upload a file; returns the ``url`` or ``file`` part of an m.file content."""
        assert self.client is not None
        resp, keys = await self._call(
            self.client.upload,
            lambda *_: io.BytesIO(data),
            content_type="application/octet-stream" if encrypt else mimetype,
            filename=filename,
            encrypt=encrypt,
            filesize=len(data),
        )
        if isinstance(resp, UploadError):
            raise MatrixError(f"upload refused: {resp.status_code}")
        if encrypt:
            return {"file": {"url": resp.content_uri, "key": keys["key"], "iv": keys["iv"], "hashes": keys["hashes"], "v": keys["v"]}}
        return {"url": resp.content_uri}

    async def send_file(self, room_id: str, data: bytes, filename: str, mimetype: str, tx_id: str | None = None) -> str:
        """An m.file message; encrypted attachment in an encrypted room."""
        assert self.client is not None
        room = self.client.rooms.get(room_id)
        encrypted = bool(room and room.encrypted)
        content = {
            "msgtype": "m.file",
            "body": filename,
            "filename": filename,
            "info": {"mimetype": mimetype, "size": len(data)},
            "m.mentions": {},
        }
        content.update(await self.upload(data, filename, mimetype, encrypted))
        return await self.send(room_id, content, tx_id)


def data_dir_is_private(path: Path) -> bool:
    return (os.stat(path).st_mode & 0o077) == 0
