"""Test helpers for first contact and device trust: what a player's device receives,
cross-signing a player's device, and the bot's keys as the server holds them.

Used by the first-contact Synapse tests; the rest of the harness is in ``harness.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nio import RoomKeyRequest, SyncResponse
from nio.events import DummyEvent

from bot.matrix.identity.signing import b64encode, canonical_json
from tests.helpers.harness import Player


@dataclass
class ToDeviceLog:
    """The m.dummy and m.room_key_request messages a player's device received, by sender."""

    player: Player
    dummies: list[str] = field(default_factory=list)  # sender user ids
    key_requests: list[RoomKeyRequest] = field(default_factory=list)

    def install(self) -> "ToDeviceLog":
        assert self.player.client is not None
        self.player.client.add_to_device_callback(self._on_dummy, DummyEvent)
        # nio gives key requests to no to-device callback: they are read off the sync.
        self.player.client.add_response_callback(self._on_sync, SyncResponse)
        return self

    async def _on_dummy(self, event: DummyEvent) -> None:
        self.dummies.append(event.sender)
        await self.player._notify()

    async def _on_sync(self, response: SyncResponse) -> None:
        requests = [e for e in response.to_device_events if isinstance(e, RoomKeyRequest)]
        if requests:
            self.key_requests.extend(requests)
            await self.player._notify()


async def _post(http: aiohttp.ClientSession, player: Player, path: str, body: dict) -> tuple[int, dict]:
    assert player.client is not None
    async with http.post(player.server.url + "/_matrix/client/v3" + path, json=body,
                         headers={"Authorization": f"Bearer {player.client.access_token}"}) as resp:
        return resp.status, await resp.json()


def _signed(obj: dict, user_id: str, key: Ed25519PrivateKey) -> dict:
    key_id = "ed25519:" + b64encode(key.public_key().public_bytes_raw())
    bare = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    signatures = {u: dict(s) for u, s in (obj.get("signatures") or {}).items()}
    signatures.setdefault(user_id, {})[key_id] = b64encode(key.sign(canonical_json(bare)))
    return {**bare, "signatures": signatures}


def _key_obj(user_id: str, usage: str, key: Ed25519PrivateKey) -> dict:
    public = b64encode(key.public_key().public_bytes_raw())
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{public}": public}}


async def cross_sign(player: Player) -> None:
    """Give the player a cross-signing identity and sign its device with it, as Element does."""
    user_id, device_id = player.user_id, player.device_id
    master, self_signing = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    body = {"master_key": _key_obj(user_id, "master", master),
            "self_signing_key": _signed(_key_obj(user_id, "self_signing", self_signing), user_id, master)}
    async with aiohttp.ClientSession() as http:
        status, answer = await _post(http, player, "/keys/device_signing/upload", body)
        if status == 401:  # user-interactive auth: the account's password
            body["auth"] = {"type": "m.login.password", "session": answer.get("session"),
                            "identifier": {"type": "m.id.user", "user": user_id},
                            "password": "secret-" + player.localpart}
            status, answer = await _post(http, player, "/keys/device_signing/upload", body)
        assert status == 200, answer
        status, keys = await _post(http, player, "/keys/query", {"device_keys": {user_id: [device_id]}})
        assert status == 200, keys
        device = keys["device_keys"][user_id][device_id]
        status, answer = await _post(http, player, "/keys/signatures/upload",
                                     {user_id: {device_id: _signed(device, user_id, self_signing)}})
        assert status == 200 and not answer.get("failures"), answer


async def server_keys(player: Player, user_id: str, device_id: str) -> tuple[bool, bool]:
    """(device keys published, a one-time key to claim) for a device, as a peer sees them."""
    async with aiohttp.ClientSession() as http:
        _, keys = await _post(http, player, "/keys/query", {"device_keys": {user_id: [device_id]}})
        device = keys.get("device_keys", {}).get(user_id, {}).get(device_id, {})
        _, claimed = await _post(http, player, "/keys/claim",
                                 {"one_time_keys": {user_id: {device_id: "signed_curve25519"}}})
        one_time = claimed.get("one_time_keys", {}).get(user_id, {}).get(device_id)
    return bool(device.get("keys", {}).get(f"curve25519:{device_id}")), bool(one_time)


def notices_to(messages, user_id: str) -> list:
    """The bot's messages that mention ``user_id`` the way that notifies: m.text, m.mentions, a pill."""
    return [m for m in messages
            if m.msgtype == "m.text" and user_id in m.content.get("m.mentions", {}).get("user_ids", [])
            and f'href="https://matrix.to/#/{user_id}"' in m.content.get("formatted_body", "")]


__all__ = ["ToDeviceLog", "cross_sign", "notices_to", "server_keys"]
