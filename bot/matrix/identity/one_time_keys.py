"""The bot's one-time keys: the upkeep nio's sync_forever would do, plus the fix for a count of 0."""

from __future__ import annotations

import logging

from nio import AsyncClient, KeysUploadResponse, SyncResponse

from bot.matrix.retry import NET_ERRORS, ConnectionStats

log = logging.getLogger(__name__)


async def maintain_keys(client: AsyncClient, resp: SyncResponse, stats: ConnectionStats) -> None:
    """Key upkeep that nio's sync_forever would do, plus the one-time key fix."""
    assert client.olm is not None
    if resp.device_key_count.signed_curve25519 == 0:
        # nio ignores a server count of 0, so once peers have claimed all the
        # keys it would never upload again and nobody new could reach the bot.
        client.olm.uploaded_key_count = 0
        stats.empty_key_counts += 1
    try:
        if client.should_upload_keys:
            upload = await client.keys_upload()
            if isinstance(upload, KeysUploadResponse):
                stats.key_uploads += 1
                log.info("Uploaded one-time keys (the server now holds %d)", upload.signed_curve25519_count)
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()
    except NET_ERRORS as exc:
        log.warning("Key upkeep failed (%s); will retry after the next sync", type(exc).__name__)
