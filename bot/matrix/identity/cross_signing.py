"""The bot's cross-signing identity on the homeserver: create it once, sign each device.

Element shows a red shield on messages from a device that no cross-signing
identity vouches for, and clients that exclude insecure devices stop sharing room
keys with it. nio 0.26 has no cross-signing, so at start-up, after the device
keys are uploaded and before the bot says it is ready, :func:`ensure_cross_signing`:

- with no identity on the server, makes one (or reuses the keys in the data
  dir), uploads it (a first upload needs no password, MSC3967; else the password
  answers the server's user-interactive auth) and signs the device;
- with the bot's own identity there (same public keys as in the data dir), signs
  the device if it is not yet (a new device after a lost crypto store);
- with an identity the bot did not make (someone logged in to the bot account
  with Element), says so in one line and leaves it alone, unless
  ``matrix.reset_foreign_cross_signing`` asks to replace it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any

from nio import AsyncClient, ErrorResponse
from nio.api import Api

from bot.config import MatrixConfig
from bot.matrix.identity.cross_signing_keys import CrossSigningKeys, KeyFile, KeyFileError
from bot.matrix.retry import MatrixError, Retrier
from bot.matrix.session import SessionFiles
from bot.matrix.identity.signing import SignatureError, cross_signing_key, ed25519_public, sign_json, verify_json

log = logging.getLogger(__name__)

ATTEMPTS = 5


class Outcome(Enum):
    """What start-up found and did; the device is signed in all but FOREIGN."""

    CREATED = "created"  # a new identity was uploaded
    REUSED = "reused"  # the server holds the identity of the data dir
    REPLACED = "replaced"  # a foreign identity was replaced (reset switch)
    FOREIGN = "foreign"  # someone else's identity is there; the device stays unsigned


@dataclass
class Reply:
    """A homeserver answer read as JSON."""

    status: int
    body: dict


async def _call(client: AsyncClient, retry: Retrier, what: str, method: str, path: list[str],
                body: dict) -> Reply:
    """One JSON request through the bot's backoff (connection errors, 5xx, rate limits)."""
    async def attempt() -> Reply:
        resp = await client.send(method, Api._build_path(path), json.dumps(body), headers={
            "Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json"})
        try:
            data = await resp.json(content_type=None)
        except ValueError:
            data = {}
        finally:
            resp.release()
        return Reply(resp.status, data if isinstance(data, dict) else {})

    def error_of(reply: Reply) -> ErrorResponse | None:
        if reply.status < 400:
            return None
        error = ErrorResponse(str(reply.body.get("error", "")), reply.body.get("errcode"),
                              reply.body.get("retry_after_ms"))
        error.transport_response = reply  # type: ignore[assignment]  # retry reads .status
        return error

    # Like the login: an unreachable server is waited for; 5xx answers get ATTEMPTS tries.
    return await retry.request(what, lambda: retry.until_reachable(attempt), ATTEMPTS, error_of)


def _fail(what: str, reply: Reply) -> MatrixError:
    code = reply.body.get("errcode") or reply.status
    return MatrixError(f"{what}: the homeserver said {code} {reply.body.get('error', '')}".rstrip())


class CrossSigning:
    """The cross-signing steps of one logged-in client."""

    def __init__(self, client: AsyncClient, config: MatrixConfig, key_file: KeyFile, retry: Retrier):
        self.client = client
        self.config = config
        self.user_id = config.user_id
        self.key_file = key_file
        self.retry = retry

    async def ensure(self) -> Outcome:
        try:
            stored = self.key_file.load()
        except KeyFileError as exc:
            raise MatrixError(str(exc)) from None
        query = await self.query_own_keys()
        server_master = ed25519_public(query.get("master_keys", {}).get(self.user_id) or {})
        server_ssk = ed25519_public(query.get("self_signing_keys", {}).get(self.user_id) or {})
        if server_master is None:
            keys = stored or self._new_keys()
            await self.upload_identity(keys, replacing=False)
            outcome = Outcome.CREATED
            log.info("Uploaded the bot's %s cross-signing identity (master key %s)",
                     "stored" if stored else "new", keys.master.public)
        elif stored and (server_master, server_ssk) == (stored.master.public, stored.self_signing.public):
            keys, outcome = stored, Outcome.REUSED
        elif self.config.reset_foreign_cross_signing:
            log.warning("Replacing the cross-signing identity of %s (master key %s) that this bot did not "
                        "make, as matrix.reset_foreign_cross_signing asks: verifications of the bot made "
                        "against it are lost, and other sessions of the account must be verified again",
                        self.user_id, server_master)
            keys = self._new_keys()
            await self.upload_identity(keys, replacing=True)
            outcome = Outcome.REPLACED
        else:
            log.error("%s already has a cross-signing identity (master key %s) whose keys this bot does not "
                      "hold (set up from another client, or %s was lost), so the bot's device stays unverified; "
                      "to have the bot replace it, set matrix.reset_foreign_cross_signing: true and restart "
                      "(players will have to verify the bot again)", self.user_id, server_master, self.key_file.path)
            return Outcome.FOREIGN
        device = query.get("device_keys", {}).get(self.user_id, {}).get(self.client.device_id)
        if device is None:
            raise MatrixError(f"device {self.client.device_id} has no keys on the homeserver to sign")
        await self.sign_device(device, keys)
        return outcome

    def _new_keys(self) -> CrossSigningKeys:
        # Saved before the upload: a crash in between leaves keys the next start
        # uploads again, never an identity on the server whose keys are lost.
        keys = CrossSigningKeys.generate()
        self.key_file.save(keys)
        return keys

    async def query_own_keys(self) -> dict:
        reply = await _call(self.client, self.retry, "Querying the bot's own keys", "POST", ["keys", "query"],
                            {"device_keys": {self.user_id: []}})
        if reply.status != 200:
            raise _fail("querying the bot's own keys", reply)
        return reply.body

    def identity_body(self, keys: CrossSigningKeys) -> dict[str, Any]:
        """The three public keys, the self- and user-signing ones signed by the master key."""
        master = cross_signing_key(self.user_id, "master", keys.master)
        return {
            "master_key": master,
            "self_signing_key": sign_json(cross_signing_key(self.user_id, "self_signing", keys.self_signing),
                                          self.user_id, keys.master),
            "user_signing_key": sign_json(cross_signing_key(self.user_id, "user_signing", keys.user_signing),
                                          self.user_id, keys.master),
        }

    async def upload_identity(self, keys: CrossSigningKeys, replacing: bool) -> None:
        """POST /keys/device_signing/upload, answering the password step when asked."""
        body = self.identity_body(keys)
        what = "Uploading the bot's cross-signing keys"
        path = ["keys", "device_signing", "upload"]
        reply = await _call(self.client, self.retry, what, "POST", path, body)
        if reply.status == 401 and "flows" in reply.body:
            reply = await self._with_password(reply.body, body, path, replacing)
        if reply.status != 200:
            raise _fail("uploading the bot's cross-signing keys", reply)

    async def _with_password(self, challenge: dict, body: dict, path: list[str], replacing: bool) -> Reply:
        stages = {stage for flow in challenge.get("flows") or [] for stage in flow.get("stages") or []}
        if "m.login.password" not in stages:
            how = challenge.get("msg") or f"the homeserver asks for {', '.join(sorted(stages)) or 'an unknown step'}"
            raise MatrixError(f"uploading the bot's cross-signing keys needs an approval the bot cannot give: {how}")
        if not self.config.password:
            action = "replace the cross-signing identity" if replacing else "upload cross-signing keys"
            raise MatrixError(f"the homeserver wants the account's password to {action}: set matrix.password "
                              "(or set up cross-signing for the bot from another client)")
        auth = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": self.user_id},
            "password": self.config.password,
            "session": challenge.get("session"),
        }
        reply = await _call(self.client, self.retry, "Uploading the bot's cross-signing keys", "POST", path,
                            {**body, "auth": auth})
        if reply.status == 401:
            raise MatrixError("the homeserver refused matrix.password for the cross-signing upload")
        return reply

    async def sign_device(self, device: dict, keys: CrossSigningKeys) -> bool:
        """Sign the device with the self-signing key unless it is already; True when a signature was sent."""
        ssk = keys.self_signing
        try:
            verify_json(device, self.user_id, ssk.key_id, ssk.public)
            return False
        except SignatureError:
            pass
        unsigned = {k: v for k, v in device.items() if k not in ("signatures", "unsigned")}
        signed = sign_json(unsigned, self.user_id, ssk)
        device_id = self.client.device_id
        reply = await _call(self.client, self.retry, "Uploading the device's signature", "POST",
                            ["keys", "signatures", "upload"], {self.user_id: {device_id: signed}})
        failure = (reply.body.get("failures") or {}).get(self.user_id, {}).get(device_id)
        if reply.status != 200 or failure:
            raise _fail(f"signing device {device_id}", Reply(reply.status, failure or reply.body))
        log.info("Signed device %s with the bot's self-signing key", device_id)
        return True


async def ensure_cross_signing(client: AsyncClient, config: MatrixConfig, files: SessionFiles,
                               retry: Retrier) -> Outcome:
    """Make sure the bot's device is vouched for by the bot's own identity (see the module doc)."""
    key_file = KeyFile(files.data_dir, config.user_id, files.pickle_key(config.pickle_key))
    return await CrossSigning(client, config, key_file, retry).ensure()
