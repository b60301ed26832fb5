"""Logging the bot in as one stable device with a persistent crypto store.

The crypto store and the device id are one thing (see ``session.py``): with the
store present the stored session is restored; with it lost, the bot logs in as a
*new* device and deletes the old one, because reusing the device id with new
identity keys makes ``keys_upload`` fail forever ("One time key … already exists").
"""

from __future__ import annotations

import logging
import secrets

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiError

from bot.config import MatrixConfig
from bot.matrix.retry import MatrixError, Retrier
from bot.matrix.session import Session, SessionFiles

log = logging.getLogger(__name__)


class Login:
    """Builds a logged-in :class:`AsyncClient` for the configured account."""

    def __init__(self, config: MatrixConfig, files: SessionFiles, retry: Retrier):
        self.config = config
        self.files = files
        self.retry = retry
        self._made: list[AsyncClient] = []

    def new_client(self, device_id: str | None) -> AsyncClient:
        client_config = AsyncClientConfig(
            store_sync_tokens=False,  # the transport keeps the token, after handling
            encryption_enabled=True,
            pickle_key=self.files.pickle_key(self.config.pickle_key),
            max_limit_exceeded=0,  # return 429s to us instead of sleeping forever
            max_timeouts=0,  # raise connection errors to our own backoff
            request_timeout=self.config.sync_timeout_seconds + 30,
        )
        client = AsyncClient(
            self.config.homeserver,
            self.config.user_id,
            device_id=device_id,
            store_path=str(self.files.crypto_dir),
            config=client_config,
        )
        self._made.append(client)
        return client

    async def client(self) -> AsyncClient:
        """Restore the stored session, or log in by token or password.

        Stopped or failed half-way (a stop while the homeserver is unreachable),
        it closes the clients it made: no HTTP session is left open.
        """
        try:
            return await self._client()
        except BaseException:
            for client in self._made:
                await client.close()
            raise

    async def _client(self) -> AsyncClient:
        self.files.prepare()
        session = self.files.load()
        if session and session.user_id != self.config.user_id:
            raise MatrixError(
                f"{self.files.session_path}: belongs to {session.user_id}, not {self.config.user_id}; "
                "use another storage.data_dir"
            )
        if session and self.files.store_exists(session.user_id, session.device_id):
            return await self._restore(session)
        if self.config.access_token:
            return await self._by_token(stale=session)
        return await self._by_password(stale=session)

    async def _restore(self, session: Session) -> AsyncClient:
        client = self.new_client(session.device_id)
        client.restore_login(session.user_id, session.device_id, session.access_token)
        whoami = await self.retry.until_reachable(client.whoami)
        if isinstance(whoami, WhoamiError):
            if self.config.password and whoami.status_code == "M_UNKNOWN_TOKEN":
                # Same device, same store: a fresh token keeps the identity keys.
                log.warning("Stored access token was refused; logging in again as the same device")
                await self._password_login(client, session.device_id)
                return client
            await client.close()
            raise MatrixError(f"the homeserver refused the stored session: {whoami.status_code}")
        return client

    async def _by_token(self, stale: Session | None) -> AsyncClient:
        probe = self.new_client(None)
        probe.access_token = self.config.access_token or ""
        whoami = await self.retry.until_reachable(probe.whoami)
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
        client = self.new_client(device_id)
        client.restore_login(self.config.user_id, device_id, self.config.access_token or "")
        self.files.save(Session(self.config.homeserver, self.config.user_id, device_id, client.access_token))
        return client

    async def _by_password(self, stale: Session | None) -> AsyncClient:
        device_id = self.config.device_id
        if stale is not None:
            # The store of the old device is lost: its identity cannot be reused.
            device_id = f"{self.config.device_id}_{secrets.token_hex(3).upper()}"
            log.warning("Crypto store of device %s is missing: logging in as new device %s", stale.device_id, device_id)
        client = self.new_client(device_id)
        await self._password_login(client, device_id)
        if stale is not None:
            await self._delete_device(client, stale.device_id)
        return client

    async def _password_login(self, client: AsyncClient, device_id: str) -> None:
        client.device_id = device_id  # nio's login() sends the client's device_id
        resp = await self.retry.until_reachable(client.login, self.config.password, self.config.device_name)
        if not isinstance(resp, LoginResponse):
            await client.close()
            raise MatrixError(f"matrix.password: login refused ({getattr(resp, 'status_code', resp)})")
        self.files.save(Session(self.config.homeserver, resp.user_id, resp.device_id, resp.access_token))

    async def _delete_device(self, client: AsyncClient, device_id: str) -> None:
        auth = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": self.config.user_id},
            "password": self.config.password,
        }
        resp = await self.retry.until_reachable(client.delete_devices, [device_id], auth)
        if hasattr(resp, "status_code"):
            log.warning("Could not delete old device %s: %s", device_id, resp.status_code)
