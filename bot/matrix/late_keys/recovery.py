"""Asking a sender's device for the key of a message the bot could not read.

nio only asks the bot's own devices for a missing room key, which rarely helps a
bot. Element "unwedges" instead: when the sender's device has no Olm session with
us (or a broken one), it claims one of that device's one-time keys, opens a new
session with an ``m.dummy`` message, then asks *that device* for the key with an
``m.room_key_request``. nio 0.26 has the parts (``wedged_devices``, key claiming
that queues the dummy, ``key_re_requests_events`` sent once the dummy went out);
this module sets them in motion at once rather than at some later sync.

Each device is claimed for at most once per ``CLAIM_INTERVAL_SECONDS`` and each
Megolm session asked for once: a lost message is worth a request, not a storm.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from nio import AsyncClient, KeysClaimResponse, MegolmEvent
from nio.crypto import OlmDevice
from nio.exceptions import LocalProtocolError

log = logging.getLogger(__name__)

CLAIM_INTERVAL_SECONDS = 600.0


class KeyRecovery:
    """Opens Olm sessions with senders' devices and asks them for lost room keys."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._claimed: dict[str, float] = {}  # device curve25519 key -> when
        self._asked: set[str] = set()  # Megolm session ids
        # What was sent, for the logs and the tests: ("dummy" | "key_request", user, device).
        self.sent: list[tuple[str, str, str]] = []

    async def ask(self, client: AsyncClient, event: MegolmEvent) -> None:
        """Open a session with the sender's device if there is none, and ask it for the key."""
        olm = client.olm
        if olm is None or event.sender == client.user_id or event.session_id in self._asked:
            return
        device = await self._device(client, event)
        if device is None:
            log.info("Cannot ask for a lost room key: the sender's device is unknown")
            return
        self._asked.add(event.session_id)
        if olm.session_store.get(device.curve25519) is None:
            await self._unwedge(client, device, event)
        else:
            # nio may have queued this very request when decryption failed.
            if not any(getattr(m, "request_id", None) == event.session_id for m in olm.outgoing_to_device_messages):
                request = event.as_key_request(event.sender, client.device_id, event.session_id, device.device_id)
                olm.outgoing_to_device_messages.append(request)
            await self._flush(client)
            self.sent.append(("key_request", device.user_id, device.device_id))
            log.info("Asked the sender's device for a lost room key")

    async def _device(self, client: AsyncClient, event: MegolmEvent) -> OlmDevice | None:
        store = client.device_store
        for _ in range(2):
            device = None
            if event.sender_key:
                device = store.device_from_sender_key(event.sender, event.sender_key)
            if device is None and event.device_id:
                device = store[event.sender].get(event.device_id)
            if device is not None and not device.deleted:
                return device
            # Not known yet (the user just joined): fetch their devices now.
            client.olm.users_for_key_query.add(event.sender)
            try:
                await client.keys_query()
            except LocalProtocolError:
                return None
        return None

    async def _unwedge(self, client: AsyncClient, device: OlmDevice, event: MegolmEvent) -> None:
        olm = client.olm
        last = self._claimed.get(device.curve25519)
        if last is not None and self.clock() - last < CLAIM_INTERVAL_SECONDS:
            return
        self._claimed[device.curve25519] = self.clock()
        if device not in olm.wedged_devices:
            olm.wedged_devices.append(device)
        # nio sends these key requests once the m.dummy is out (the new session exists).
        olm.key_re_requests_events[(device.user_id, device.device_id)].append(event)
        resp = await client.keys_claim(client.get_users_for_key_claiming())
        if not isinstance(resp, KeysClaimResponse) or olm.session_store.get(device.curve25519) is None:
            log.warning("Could not open an Olm session with a sender's device (no one-time key?)")
            if device in olm.wedged_devices:
                olm.wedged_devices.remove(device)
            olm.key_re_requests_events.pop((device.user_id, device.device_id), None)
            return
        await self._flush(client)  # the m.dummy; its success queues the key request
        self.sent.append(("dummy", device.user_id, device.device_id))
        await self._flush(client)
        self.sent.append(("key_request", device.user_id, device.device_id))
        log.info("Opened an Olm session with a sender's device and asked it for a lost room key")

    @staticmethod
    async def _flush(client: AsyncClient) -> None:
        await client.send_to_device_messages()


def accept_keys_forwarded_by_their_sender(olm) -> None:
    """Let ``olm`` take a requested room key that the session's own device sends back.

    nio takes forwarded room keys only from the bot's own verified devices, so the
    answer to the bot's ``m.room_key_request`` (from the sender's device, as an
    ``m.forwarded_room_key``) is dropped. A device that forwards the key of a session
    it created itself (the session's sender key is the Olm sender's key, and the
    claimed signing key is that device's) vouches for nothing more than its first
    ``m.room_key`` did, so that case is taken; every other forward goes through
    nio's own rule.
    """
    nio_rule = olm._should_accept_forward

    def should_accept(sender: str, sender_key: str, event) -> bool:
        content = event.source.get("content", {})
        request = olm.outgoing_key_requests.get(event.session_id)
        device = olm.device_store.device_from_sender_key(event.sender, sender_key)
        if (request is not None and event.algorithm == "m.megolm.v1.aes-sha2"
                and (request.room_id, request.session_id) == (event.room_id, event.session_id)
                and device is not None and device.user_id == event.sender
                and content.get("sender_key") == sender_key
                and content.get("sender_claimed_ed25519_key") == device.ed25519
                and not content.get("forwarding_curve25519_key_chain")):
            log.info("Took a lost room key back from the device that made it")
            return True
        return nio_rule(sender, sender_key, event)

    olm._should_accept_forward = should_accept
