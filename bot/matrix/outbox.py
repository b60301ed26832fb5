"""Sending: idempotent messages, rate limits honoured, encrypted attachments.

A transaction id fixed by what caused a message (the command's event id, a
timer's sequence number) makes a replay after a crash send nothing new: Synapse
answers a repeated ``tx_id`` with the first event's id. Retries reuse it too.

Every message goes through here, so here the size rule holds (``size.py``): a
message too big for the homeserver is sent in parts cut at its sections, each
with a transaction id derived from the message's. A send the homeserver refuses
for good (a 4xx other than a rate limit) is never retried and never raised: it is
logged once and replaced by a short notice, so that no message can block a room
(the engine's outbox moves on; the same holds for one stuck there by an older version).
"""

from __future__ import annotations

import io
import logging
import secrets
from typing import Awaitable, Callable

from nio import AsyncClient, ErrorResponse, RoomSendError, UploadError

from bot.matrix import size
from bot.matrix.retry import MatrixError, Retrier

log = logging.getLogger(__name__)


# What a room receives instead of a message the homeserver refused: content, or None.
Notice = Callable[[str], Awaitable[dict | None]]


class Refused(MatrixError):
    """The homeserver refused a request for good: sending it again cannot help."""

    def __init__(self, what: str, error: ErrorResponse):
        super().__init__(f"{what} refused: {error.status_code} (HTTP {http_status(error)})")
        self.status_code = error.status_code


def http_status(error: ErrorResponse) -> int:
    return getattr(getattr(error, "transport_response", None), "status", 0) or 0


def permanent(error: ErrorResponse) -> bool:
    """A refusal that holds whatever we do: a 4xx, but not a rate limit nor a lost login."""
    status = http_status(error)
    if error.status_code in ("M_LIMIT_EXCEEDED", "M_UNKNOWN_TOKEN") or status in (401, 429):
        return False
    return 400 <= status < 500 or (status == 0 and str(error.status_code or "").startswith("M_"))


class Outbox:
    """Sends events and files for one logged-in client."""

    def __init__(self, client: AsyncClient, retry: Retrier, send_retries: int, notice: Notice | None = None):
        self.client = client
        self.retry = retry
        self.attempts = send_retries + 1
        self.notice = notice

    async def send(self, room_id: str, content: dict, tx_id: str | None = None,
                   event_type: str = "m.room.message") -> str:
        """Send an event (encrypted in an encrypted room) and return its id (its first part's).

        A message too big is sent in parts; one the homeserver refuses for good is
        replaced by the notice (its id returned, or "" when none could be posted).
        """
        ids = await self.send_parts(room_id, content, tx_id, event_type)
        return next((event_id for event_id in ids if event_id), "")

    async def send_parts(self, room_id: str, content: dict, tx_id: str | None = None,
                         event_type: str = "m.room.message") -> list[str]:
        """As :meth:`send`, with the id of every part (a synthesis to redact later needs them all)."""
        tx_id = tx_id or secrets.token_hex(16)
        splittable = event_type == "m.room.message" and isinstance(content.get("body"), str)
        parts = size.split(room_id, event_type, content) if splittable else [content]
        ids: list[str] = []
        for index, part in enumerate(parts):
            # Part 0 keeps the message's id: a message that fits is sent exactly as before.
            part_tx = tx_id if index == 0 else f"{tx_id}.{index}"
            try:
                event_id = await self._send_one(room_id, part, part_tx, event_type)
            except Refused as refusal:
                event_id = await self._instead(room_id, refusal, f"{part_tx}.refused")
            ids.append(event_id)  # "" for a refused part whose notice could not be posted either
        return ids

    async def _send_one(self, room_id: str, content: dict, tx_id: str, event_type: str) -> str:
        def attempt():
            return self.client.room_send(room_id, event_type, content, tx_id=tx_id, ignore_unverified_devices=True)

        resp = await self.retry.request(f"Sending to {room_id}", attempt, self.attempts)
        if isinstance(resp, RoomSendError):
            if permanent(resp):
                raise Refused(f"A message to {room_id}", resp)
            raise MatrixError(f"send refused in {room_id}: {resp.status_code}")
        return resp.event_id

    async def _instead(self, room_id: str, refusal: Refused, tx_id: str) -> str:
        """The notice in place of a refused message; one warning says what happened (no content)."""
        content = await self.notice(room_id) if self.notice is not None else None
        if content is None:
            log.warning("%s; dropped it", refusal)
            return ""
        try:
            event_id = await self._send_one(room_id, content, tx_id, "m.room.message")
        except Refused as again:
            log.warning("%s; the notice replacing it was refused too (%s); dropped both",
                        refusal, again.status_code)
            return ""
        log.warning("%s; posted a short notice instead", refusal)
        return event_id

    async def upload(self, data: bytes, filename: str, mimetype: str, encrypt: bool) -> dict:
        """Upload a file; returns the ``url`` or ``file`` part of an m.file content."""

        def attempt():
            return self.client.upload(
                lambda *_: io.BytesIO(data),  # a fresh stream for every attempt
                content_type="application/octet-stream" if encrypt else mimetype,
                filename=filename,
                encrypt=encrypt,
                filesize=len(data),
            )

        resp, keys = await self.retry.request(
            "Uploading a file", attempt, self.attempts,
            error_of=lambda r: r[0] if isinstance(r[0], UploadError) else None,
        )
        if isinstance(resp, UploadError):
            if permanent(resp):
                raise Refused("An upload", resp)
            raise MatrixError(f"upload refused: {resp.status_code}")
        if encrypt:
            # The key and hashes travel only inside the (encrypted) event.
            return {"file": {"url": resp.content_uri, "key": keys["key"], "iv": keys["iv"],
                             "hashes": keys["hashes"], "v": keys["v"]}}
        return {"url": resp.content_uri}

    async def send_file(self, room_id: str, data: bytes, filename: str, mimetype: str,
                        tx_id: str | None = None) -> str:
        """An m.file message; an encrypted attachment in an encrypted room."""
        room = self.client.rooms.get(room_id)
        if room is None:
            raise MatrixError(f"cannot send a file to {room_id}: not a joined room yet")
        content = {
            "msgtype": "m.file",
            "body": filename,
            "filename": filename,
            "info": {"mimetype": mimetype, "size": len(data)},
            "m.mentions": {},
        }
        try:
            content.update(await self.upload(data, filename, mimetype, encrypt=room.encrypted))
        except Refused as refusal:  # e.g. a file over the homeserver's max_upload_size
            return await self._instead(room_id, refusal, f"{tx_id or secrets.token_hex(16)}.refused")
        return await self.send(room_id, content, tx_id)
