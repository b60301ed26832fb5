"""The Matrix transport: login, sync loop with our own token, event routing.

Each trap of matrix-nio 0.26 that bites a bot is handled on purpose (see
``../shared/MATRIX-NOTES.md``): encryption must be loaded or we refuse to run
(here); one store = one device (``login.py``); one-time keys are re-uploaded when
the server's count reaches 0 (``identity/one_time_keys.py``) and late room keys are
waited for (``late_keys/``); the sync token is ours, saved only after the events before it were handled, and the
loop backs off on errors (here, ``retry.py``); sends are idempotent and honour
rate limits (``outbox.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Protocol

from nio import (
    AsyncClient,
    ForwardedRoomKeyEvent,
    InviteMemberEvent,
    JoinError,
    MatrixRoom,
    RoomKeyEvent,
    RoomLeaveError,
    RoomRedactError,
    RoomMemberEvent,
    SyncError,
    SyncResponse,
)
from nio.events import Event

from bot.config import MatrixConfig
from bot.matrix.identity.cross_signing import Outcome, ensure_cross_signing
from bot.matrix.identity.one_time_keys import maintain_keys
from bot.matrix.late_keys.events import LateKeys
from bot.matrix.login import Login
from bot.matrix.outbox import Notice, Outbox
from bot.matrix.late_keys.recovery import KeyRecovery, accept_keys_forwarded_by_their_sender
from bot.matrix.backfill import page_back
from bot.matrix.identity.device_trust import DeviceTrust
from bot.matrix.retry import ConnectionStats, MatrixError, Retrier, sync_delay
from bot.matrix.session import SessionFiles
from bot.matrix import timeline
from bot.matrix.workers import Batch, RoomWorkers
from bot.store import Store

__all__ = ["Handler", "MatrixError", "MatrixTransport"]

log = logging.getLogger(__name__)

# Events waiting for their room's handler before the sync loop stops fetching more.
MAX_QUEUED_EVENTS = 1000


class Handler(Protocol):
    """What the bot does with what the transport receives."""

    async def on_invite(self, room_id: str, inviter: str) -> None: ...

    async def on_joined(self, room: MatrixRoom) -> None: ...

    async def on_event(self, room: MatrixRoom, event: Event) -> None: ...

    async def on_ready(self) -> None: ...

    async def before_catch_up(self) -> None:
        """After a start's first sync filled the rooms, before its events are handled."""

    async def on_unreadable(self, room: MatrixRoom, user_id: str) -> None:
        """``user_id``'s last message could not be read, even after waiting for its key."""


class MatrixTransport:
    """One bot account on one homeserver."""

    def __init__(self, config: MatrixConfig, data_dir: Path, store: Store):
        self.config = config
        self.files = SessionFiles(data_dir)
        self.store = store
        self.client: AsyncClient | None = None
        self.outbox: Outbox | None = None
        self.cross_signing: Outcome | None = None
        self.stats = ConnectionStats()
        self.ready = asyncio.Event()
        self._stopping = asyncio.Event()
        self.retry = Retrier(config.backoff_max_seconds, self._stopping, self.stats, config.homeserver)
        self.late = LateKeys(store, config.key_wait_seconds, time.monotonic, KeyRecovery(time.monotonic))
        self.trust = DeviceTrust(time.monotonic)
        self._process_lock = asyncio.Lock()
        # Each room's events in order, the rooms side by side (see workers.py).
        self.workers = RoomWorkers(self._handle, self._save_token)
        self.max_queued = MAX_QUEUED_EVENTS
        self._deadline_task: asyncio.Task | None = None
        self._handler: Handler | None = None
        self._since: str | None = None
        # Room creators per room: room version 12 gives them unlimited power, which
        # nio neither records nor reports in power levels.
        self.creators: dict[str, frozenset[str]] = {}
        self.direct_invites: dict[str, str] = {}  # room -> inviter, for invites marked is_direct
        # What a room gets instead of a message the homeserver refuses for good (see outbox.py).
        self.refused_notice: Notice | None = None

    @property
    def user_id(self) -> str:
        return self.config.user_id

    @property
    def device_id(self) -> str | None:
        return self.client.device_id if self.client else None

    # -- start and stop -------------------------------------------------------------

    def _login(self) -> Login:
        return Login(self.config, self.files, self.retry)

    async def connect(self) -> None:
        """Log in or restore the session, load the crypto store, upload keys."""
        self.client = await self._login().client()
        if self.client.olm is None:
            # Without the olm machine nio silently sends plaintext into
            # encrypted rooms: never run like that.
            raise MatrixError("end-to-end encryption did not load (crypto store missing); refusing to run")
        if self.client.should_upload_keys:
            resp = await self.retry.until_reachable(self.client.keys_upload)
            if not hasattr(resp, "signed_curve25519_count") and "already exists" in str(getattr(resp, "message", "")):
                raise MatrixError(
                    f"device {self.client.device_id} has keys on the server that this crypto store does not hold; "
                    "delete that device or log in with a password so the bot can create a new one"
                )
        accept_keys_forwarded_by_their_sender(self.client.olm)
        # After the keys upload (the device keys must be on the server to be
        # signed) and before the first sync, so "ready" means "signed".
        self.cross_signing = await ensure_cross_signing(self.client, self.config, self.files, self.retry)
        self.client.add_to_device_callback(self.late.on_room_key, (RoomKeyEvent, ForwardedRoomKeyEvent))
        self.outbox = Outbox(self.client, self.retry, self.config.send_retries, self._notice)
        log.info("Logged in as %s, device %s", self.config.user_id, self.client.device_id)

    def stop(self) -> None:
        self._stopping.set()

    async def finish(self) -> None:
        """Let the events being handled finish (answer sent, event marked handled).

        Events still queued behind them are dropped: the sync token covering them
        was not saved, so the next start fetches them again.
        """
        self._stopping.set()
        async with self._process_lock:
            await self.workers.close()

    async def close(self) -> None:
        self._stopping.set()
        if self._deadline_task:
            self._deadline_task.cancel()
        if self.client is not None:
            await self.client.close()

    # -- sync loop ----------------------------------------------------------------

    async def run(self, handler: Handler) -> None:
        """Sync until :meth:`stop`; survives the homeserver going away."""
        assert self.client is not None, "connect() first"
        self._handler = handler
        self._since = await self.store.sync_token()
        first_ever = self._since is None
        first = True
        await self.late.load()
        self._deadline_task = asyncio.create_task(self._deadline_loop(), name="key-wait-deadlines")
        backoff = self.retry.backoff()
        while not self._stopping.is_set():
            if self.workers.busy() >= self.max_queued:
                self.stats.sync_paused += 1
                log.warning("%d events wait for their handlers (sends are slow?); fetching more once some are done",
                            self.workers.busy())
                await self.workers.wait_below(self.max_queued)
            resp = await self._sync_once(first)
            if not isinstance(resp, SyncResponse):
                self.stats.sync_failures += 1
                await self.retry.sleep(sync_delay(resp, backoff, self.config.homeserver))
                continue
            backoff.reset()
            self.trust.forget(resp.device_list.changed)
            await maintain_keys(self.client, resp, self.stats)
            if first:
                # What a crash left unsent goes before anything the events that
                # came while the bot was down cause (the rooms are known by now).
                await self._safely(handler.before_catch_up())
            async with self._process_lock:
                await self._process(resp, skip_history=first_ever, catch_up=first)
                self._since = resp.next_batch
            self.stats.syncs += 1
            if first:
                # Timers and schedules start from the state after what came while
                # the bot was down, as if those events had been handled in one go.
                await self.workers.wait_idle()
                first = first_ever = False
                self.ready.set()
                await self._safely(handler.on_ready())

    async def _sync_once(self, first: bool) -> SyncResponse | SyncError | Exception:
        assert self.client is not None
        try:
            return await self.client.sync(
                timeout=0 if first else int(self.config.sync_timeout_seconds * 1000),
                since=self._since,
                # After a restart nio's room list is empty: ask for full state
                # so members and encryption settings are known again.
                full_state=True if first else None,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a connection error, or an answer nio could not read
            return exc

    async def _process(self, resp: SyncResponse, skip_history: bool, catch_up: bool = False) -> None:
        """Queue the sync's events for their rooms; their token is saved once they are handled.

        ``catch_up``: the first sync after a start, bringing what came while the bot was away.
        """
        assert self.client is not None and self._handler is not None
        # Opened first: an event handled while this sync is read is not queued again.
        batch = self.workers.batch(resp.next_batch)
        for room_id, info in resp.rooms.invite.items():
            for event in info.invite_state:
                if (
                    isinstance(event, InviteMemberEvent)
                    and event.state_key == self.user_id
                    and event.membership == "invite"
                ):
                    if (event.content or {}).get("is_direct") is True:
                        # A direct chat, as Element opens one: the handler may treat it apart.
                        self.direct_invites[room_id] = event.sender
                    await self._safely(self._handler.on_invite(room_id, event.sender))
        timelines: list[tuple[str, list[Event], bool, int]] = []
        for room_id, info in resp.rooms.join.items():
            found = timeline.creators(list(info.state) + list(info.timeline.events))
            if found is not None:
                self.creators[room_id] = found
            events = list(info.timeline.events)
            if skip_history:
                # First start ever: what was said before the bot existed is
                # history, not commands to answer now.
                ids = [e.event_id for e in events if getattr(e, "event_id", None)]
                if ids:
                    await self.store.mark_processed(room_id, ids)
                continue
            if info.timeline.limited and info.timeline.prev_batch and not timeline.joins(events, self.user_id):
                # Events were skipped since the last sync (a gap while the bot
                # was down): page back to them. Not when the bot just joined:
                # what came before is not for it (and could not be decrypted).
                skipped = await page_back(self.client, self.retry, self.store, self.user_id, room_id,
                                          info.timeline.prev_batch)
                self.stats.events_recovered += len(skipped)
                events = skipped + events
                backlog = True
            else:
                backlog = catch_up
            timelines.append((room_id, events, backlog, timeline.history_end(events, self.user_id)))
        # One look-up for the whole sync: which of its events were handled before.
        ids = [e.event_id for _, events, _, _ in timelines for e in events if getattr(e, "event_id", None)]
        done = await self.store.processed_among(ids) if ids else set()
        for room_id, events, backlog, history_end in timelines:
            for index, event in enumerate(events):
                event_id = getattr(event, "event_id", None)
                if event_id and event_id not in done:
                    await self.late.push(self.client, room_id, event, backlog=backlog, history=index < history_end)
        await self._release(batch)

    async def _release(self, batch: Batch) -> None:
        """Queue every event that no longer waits for a key, in its room's order."""
        assert self.client is not None
        for room_id, event in self.late.release(self.client):
            self.workers.submit(batch, room_id, event.event_id, event)
        await self.workers.seal(batch)

    async def _handle(self, room_id: str, event: Event) -> None:
        # Not handled before: _process skipped the events marked handled, and the
        # workers refuse one queued, or handled, since that check.
        assert self.client is not None and self._handler is not None
        room = self.client.rooms.get(room_id)
        if room is None:
            return
        if event.event_id in self.late.repeats:
            # The same words again from the same person in a backlog: answered once.
            self.late.repeats.discard(event.event_id)
        elif isinstance(event, RoomMemberEvent) and event.state_key == self.user_id:
            if event.membership == "join" and event.prev_membership != "join":
                await self._safely(self._handler.on_joined(room))
        elif event.sender != self.user_id:
            await self._safely(self._handler.on_event(room, event))
        await self.store.mark_handled(room_id, event.event_id)

    async def _safely(self, coro) -> None:
        """A handler's bug must not stop the sync loop or lose the next events."""
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Handler failed")

    async def _save_token(self, token: str) -> None:
        # While a decrypted event waits behind an undecryptable one it exists
        # only in memory: keep the old token so a crash replays it. The batch
        # that releases it saves a later one.
        if not self.late.holding():
            await self.store.save_sync_token(token)

    async def _deadline_loop(self) -> None:
        """Release waiting rooms when a key arrives or a wait times out."""
        # Before the first sync is handled there is nothing to release (nor rooms to write to).
        await self.ready.wait()
        while not self._stopping.is_set():
            deadline = self.late.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            self.late.changed.clear()
            try:
                await asyncio.wait_for(self.late.changed.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass
            async with self._process_lock:
                await self._release(self.workers.batch(self._since))
            await self._resend_notices()

    async def _resend_notices(self) -> None:
        """Ask the senders of messages still unreadable after the wait to send them again."""
        assert self.client is not None and self._handler is not None
        for notice in self.late.resend_notices():
            room = self.client.rooms.get(notice.room_id)
            if room is None:
                continue
            log.info("Asking a sender in %s to send again %d unreadable message(s)", notice.room_id,
                     len(notice.event_ids))
            self.stats.resend_notices += 1
            await self._safely(self._handler.on_unreadable(room, notice.user_id))

    # -- actions ------------------------------------------------------------------

    async def sender_cross_signed(self, event: Event) -> bool | None:
        """Whether the device that sent this decrypted event is cross-signed by its owner.

        False for an event that was not decrypted (no device vouches for it);
        None when the homeserver could not be asked.
        """
        assert self.client is not None
        if not getattr(event, "decrypted", False):
            return False
        return await self.trust.cross_signed(self.client, event.sender, getattr(event, "sender_key", None))

    async def join(self, room_id: str) -> bool:
        assert self.client is not None
        resp = await self.retry.request(f"Joining {room_id}", lambda: self.client.join(room_id),
                                        self.config.send_retries + 1)
        if isinstance(resp, JoinError):
            log.warning("Could not join %s: %s", room_id, resp.status_code)
            return False
        return True

    async def leave(self, room_id: str) -> None:
        """Leave a room, or reject an invite (the same request)."""
        assert self.client is not None
        resp = await self.retry.request(f"Leaving {room_id}", lambda: self.client.room_leave(room_id),
                                        self.config.send_retries + 1)
        if isinstance(resp, RoomLeaveError):
            log.warning("Could not leave %s: %s", room_id, resp.status_code)

    async def redact(self, room_id: str, event_id: str, tx_id: str | None = None) -> bool:
        """Delete one of the bot's own events; False when the homeserver refused."""
        assert self.client is not None
        resp = await self.retry.request(f"Redacting in {room_id}",
                                        lambda: self.client.room_redact(room_id, event_id, tx_id=tx_id),
                                        self.config.send_retries + 1)
        if isinstance(resp, RoomRedactError):
            log.warning("Could not redact %s in %s: %s", event_id, room_id, resp.status_code)
            return False
        return True

    async def _notice(self, room_id: str) -> dict | None:
        return await self.refused_notice(room_id) if self.refused_notice is not None else None

    async def send(self, room_id: str, content: dict, tx_id: str | None = None,
                   event_type: str = "m.room.message") -> str:
        """Send an event and return its id; see :class:`Outbox`."""
        assert self.outbox is not None, "connect() first"
        return await self.outbox.send(room_id, content, tx_id, event_type)

    async def send_parts(self, room_id: str, content: dict, tx_id: str | None = None) -> list[str]:
        """Send a message and return the ids of all its parts (see :meth:`Outbox.send_parts`)."""
        assert self.outbox is not None, "connect() first"
        return await self.outbox.send_parts(room_id, content, tx_id)

    async def send_file(self, room_id: str, data: bytes, filename: str, mimetype: str,
                        tx_id: str | None = None) -> str:
        """An m.file message; an encrypted attachment in an encrypted room."""
        assert self.outbox is not None, "connect() first"
        return await self.outbox.send_file(room_id, data, filename, mimetype, tx_id)

    async def upload(self, data: bytes, filename: str, mimetype: str, encrypt: bool) -> dict:
        assert self.outbox is not None, "connect() first"
        return await self.outbox.upload(data, filename, mimetype, encrypt)
