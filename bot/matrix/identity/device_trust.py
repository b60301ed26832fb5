"""Whether the device that sent a message was cross-signed by its owner.

matrix-nio 0.26 keeps only ``device_keys`` from ``/keys/query`` and drops the
users' cross-signing keys, so the bot asks the server itself and checks the
chain: the user's master key signs their self-signing key, which signs the
device's keys. The master key is taken as the server gives it (trust on first
use, as a client does before its user verifies anyone). The device is the one
whose Curve25519 key delivered the message's room key (``sender_key`` of the
decrypted event), not a device id the message claims.

``verify_signed_json`` is ``signing.verify_json`` (the spec's "Signing JSON")
answering yes or no: a signature that does not verify makes the device untrusted,
not an error.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Callable

from nio import AsyncClient

from bot.matrix.identity.signing import SignatureError, ed25519_key, verify_json

log = logging.getLogger(__name__)

# How long an answer of /keys/query is trusted when no device-list change is
# announced for the user in between.
CACHE_SECONDS = 600.0
# How old an answer may be that says "not cross-signed" before it is asked again.
RECHECK_SECONDS = 30.0


def verify_signed_json(obj: dict, user_id: str, key_id: str, public_key: str) -> bool:
    """True if ``obj`` carries a valid ed25519 signature by ``key_id`` of ``user_id``."""
    try:
        verify_json(obj, user_id, key_id, public_key)
    except SignatureError:
        return False
    return True


def device_cross_signed(keys: dict, user_id: str, sender_key: str) -> bool:
    """Whether a ``/keys/query`` answer shows ``user_id``'s device with ``sender_key`` cross-signed."""
    try:
        master = keys["master_keys"][user_id]
        self_signing = keys["self_signing_keys"][user_id]
        devices = keys["device_keys"][user_id]
    except (KeyError, TypeError):
        return False
    master_key, ssk = ed25519_key(master), ed25519_key(self_signing)
    if master_key is None or ssk is None or master.get("user_id") != user_id \
            or "master" not in master.get("usage", ()) or "self_signing" not in self_signing.get("usage", ()):
        return False
    if not verify_signed_json(self_signing, user_id, *master_key):
        return False
    for device_id, device in (devices or {}).items():
        device_keys = device.get("keys") or {}
        if device_keys.get(f"curve25519:{device_id}") != sender_key or device.get("user_id") != user_id:
            continue
        own = device_keys.get(f"ed25519:{device_id}")
        return (isinstance(own, str) and verify_signed_json(device, user_id, f"ed25519:{device_id}", own)
                and verify_signed_json(device, user_id, *ssk))
    return False


class DeviceTrust:
    """Cross-signing status of senders' devices, from a raw ``/keys/query`` kept a while."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._answers: dict[str, tuple[float, dict]] = {}
        self.queries = 0

    def forget(self, user_ids) -> None:
        """Their devices or keys changed (the sync said so): ask again next time."""
        for user_id in user_ids:
            self._answers.pop(user_id, None)

    async def cross_signed(self, client: AsyncClient, user_id: str, sender_key: str | None) -> bool | None:
        """True or False; None when the server could not be asked."""
        if not sender_key:
            return False
        cached = self._answers.get(user_id)
        if cached is None or self.clock() - cached[0] > CACHE_SECONDS:
            keys = await self._query(client, user_id)
            if keys is None:
                return None
            cached = self._answers[user_id] = (self.clock(), keys)
        signed = device_cross_signed(cached[1], user_id, sender_key)
        if not signed and self.clock() - cached[0] > RECHECK_SECONDS:
            # A device signed since the answer came is not in it: ask again, now and then.
            keys = await self._query(client, user_id)
            if keys is None:
                return None
            self._answers[user_id] = (self.clock(), keys)
            signed = device_cross_signed(keys, user_id, sender_key)
        return signed

    async def _query(self, client: AsyncClient, user_id: str) -> dict | None:
        self.queries += 1
        try:
            resp = await client.send(
                "POST", "/_matrix/client/v3/keys/query",
                json.dumps({"device_keys": {user_id: []}}),
                headers={"Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json"},
            )
            async with resp:
                if resp.status != 200:
                    log.warning("Could not fetch a sender's cross-signing keys (HTTP %d)", resp.status)
                    return None
                return await resp.json()
        except Exception as exc:  # connection errors: the message is not trusted this time
            log.warning("Could not fetch a sender's cross-signing keys: %s", type(exc).__name__)
            return None
