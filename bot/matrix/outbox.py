"""Sending: idempotent messages, rate limits honoured, encrypted attachments.

A transaction id fixed by what caused a message (the command's event id, a
timer's sequence number) makes a replay after a crash send nothing new: Synapse
answers a repeated ``tx_id`` with the first event's id. Retries reuse it too.
"""

from __future__ import annotations

import io
import logging
import secrets

from nio import AsyncClient, RoomSendError, UploadError

from bot.matrix.retry import MatrixError, Retrier

log = logging.getLogger(__name__)


class Outbox:
    """Sends events and files for one logged-in client."""

    def __init__(self, client: AsyncClient, retry: Retrier, send_retries: int):
        self.client = client
        self.retry = retry
        self.attempts = send_retries + 1

    async def send(self, room_id: str, content: dict, tx_id: str | None = None,
                   event_type: str = "m.room.message") -> str:
        """Send an event (encrypted in an encrypted room) and return its id."""
        tx_id = tx_id or secrets.token_hex(16)

        def attempt():
            return self.client.room_send(room_id, event_type, content, tx_id=tx_id, ignore_unverified_devices=True)

        resp = await self.retry.request(f"Sending to {room_id}", attempt, self.attempts)
        if isinstance(resp, RoomSendError):
            raise MatrixError(f"send refused in {room_id}: {resp.status_code}")
        return resp.event_id

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
        content.update(await self.upload(data, filename, mimetype, encrypt=room.encrypted))
        return await self.send(room_id, content, tx_id)
