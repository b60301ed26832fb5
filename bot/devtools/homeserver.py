"""A local Synapse homeserver for `make run`, `make demo`, the tests and benchmarks.

Loopback only, SQLite, no federation, relaxed rate limits; accounts are registered
through the shared-secret admin API. The server runs as a child process from its
own data directory, which keeps its files together and lets a second start reuse
them (same accounts, same rooms).

One data directory never has two servers: ``running.json`` names the server and
the process that started it; a start finds a server left by a run that is gone
(by that file, or by its config path on a command line) and stops it first, and
refuses while the run that started it is still there. The child stops with its
owner, even one killed with SIGKILL (see ``processes.guarded``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import yaml

from bot.devtools.processes import Identity, guarded, port_holder, terminate, with_argument

log = logging.getLogger(__name__)

RATE = {"per_second": 1000, "burst_count": 1000}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether Synapse could listen there; like it (Twisted), with SO_REUSEADDR, so
    the TIME_WAIT connections of a previous run do not block a restart."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class HomeserverError(RuntimeError):
    """The local homeserver cannot start; the message says why and what to do."""


def port_in_use(port: int) -> HomeserverError:
    holder = port_holder(port)
    who = f" by process {holder}" if holder else ""
    free = f"stop it (kill {holder})" if holder else "stop what listens there"
    return HomeserverError(
        f"port {port} on 127.0.0.1 is in use{who}: {free}, or choose another port "
        f"(make run PORT={port + 1}, or reflextics local --port {port + 1})")


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str


class LocalSynapse:
    """One Synapse in ``data_dir``; ``start()``/``stop()`` may be called repeatedly."""

    def __init__(self, data_dir: Path, port: int | None = None, server_name: str = "localhost",
                 overrides: dict | None = None):
        self.data_dir = data_dir.resolve()
        self.overrides = overrides or {}  # homeserver.yaml keys to set (e.g. strict rate limits in a test)
        self.server_name = server_name
        self.config_path = self.data_dir / "homeserver.yaml"
        self.state_path = self.data_dir / "local.json"
        self.log_path = self.data_dir / "homeserver.log"
        self.running_path = self.data_dir / "running.json"
        self.process: subprocess.Popen | None = None
        self._state = self._load_state(port)

    @property
    def port(self) -> int:
        return self._state["port"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _load_state(self, port: int | None) -> dict:
        if self.state_path.exists():
            state = json.loads(self.state_path.read_text())
            if port is not None:
                state["port"] = port
            return state
        return {
            "port": port or free_port(),
            "shared_secret": secrets.token_urlsafe(32),
            "macaroon_secret": secrets.token_urlsafe(32),
            "form_secret": secrets.token_urlsafe(32),
        }

    def configure(self) -> None:
        """Write the homeserver config (and a signing key the first time)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        self.state_path.write_text(json.dumps(self._state))
        os.chmod(self.state_path, 0o600)
        d = self.data_dir
        log_config = d / "log.yaml"
        log_config.write_text(yaml.safe_dump({
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            "handlers": {"file": {"class": "logging.FileHandler", "filename": str(self.log_path), "formatter": "plain"}},
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }))
        config = {
            "server_name": self.server_name,
            "public_baseurl": self.url + "/",
            "listeners": [{
                "port": self.port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }],
            "database": {"name": "sqlite3", "args": {"database": str(d / "homeserver.db")}},
            "log_config": str(log_config),
            "media_store_path": str(d / "media_store"),
            "signing_key_path": str(d / "signing.key"),
            "registration_shared_secret": self._state["shared_secret"],
            "macaroon_secret_key": self._state["macaroon_secret"],
            "form_secret": self._state["form_secret"],
            "report_stats": False,
            "enable_registration": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "bcrypt_rounds": 4,
            "enable_metrics": False,
            "rc_message": RATE,
            "rc_registration": RATE,
            "rc_login": {"address": RATE, "account": RATE, "failed_attempts": RATE},
            "rc_joins": {"local": RATE, "remote": RATE},
            "rc_joins_per_room": RATE,
            "rc_invites": {"per_room": RATE, "per_user": RATE, "per_issuer": RATE},
            "rc_room_creation": RATE,
            "rc_key_requests": RATE,
            "rc_admin_redaction": RATE,
            "rc_3pid_validation": RATE,
            "rc_media_create": RATE,
            "max_upload_size": "10M",
        }
        config.update(self.overrides)
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        os.chmod(self.config_path, 0o600)

    async def _generate_keys(self) -> None:
        """The server's signing key, the first time (a child process that a stop cancels)."""
        if (self.data_dir / "signing.key").exists():
            return
        child = await asyncio.create_subprocess_exec(
            *guarded(["-m", "synapse.app.homeserver", "-c", str(self.config_path), "--generate-keys"]),
            cwd=self.data_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = await child.communicate()
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
        if child.returncode != 0:
            raise HomeserverError(f"Synapse could not generate its keys: {err.decode(errors='replace')[-500:]}")

    async def start(self, timeout: float = 90) -> None:
        """Start the server and wait until it answers; stopped again if that fails or is cancelled."""
        await self.launch()
        try:
            await self.wait_until_up(timeout)
        except BaseException:
            self.stop()
            raise

    async def launch(self) -> int | None:
        """Start the server process (see :meth:`take_over`) without waiting for it; its pid."""
        if self.process and self.process.poll() is None:
            return self.process.pid
        self.take_over()
        if not port_is_free(self.port):
            raise port_in_use(self.port)
        self.configure()  # every time: the port may have changed
        await self._generate_keys()
        self.process = subprocess.Popen(
            guarded(["-m", "synapse.app.homeserver", "-c", str(self.config_path)]),
            # Its own directory as cwd: a file named synapse.py elsewhere cannot shadow the package.
            cwd=self.data_dir,
            stdout=subprocess.DEVNULL,
            stderr=open(self.data_dir / "homeserver.stderr", "ab"),
            # Its own session: a Ctrl-C meant for the bot does not reach it, so the
            # bot stops first and the server after it (see stop()).
            start_new_session=True,
        )
        owner, server = Identity.of(os.getpid()), Identity.of(self.process.pid)
        self.running_path.write_text(json.dumps({
            "pid": server.pid, "started": server.started, "port": self.port,
            "owner": owner.pid, "owner_started": owner.started,
        }))
        return self.process.pid

    def take_over(self) -> str | None:
        """Stop a server that an earlier run left on this data directory; what was done, if anything.

        Raises :class:`HomeserverError` while the process that started it is still running.
        """
        leftovers: set[int] = set()
        try:
            record = json.loads(self.running_path.read_text())
        except (OSError, ValueError):
            record = None
        if record:
            owner = Identity(record.get("owner", 0), record.get("owner_started"))
            server = Identity(record.get("pid", 0), record.get("started"))
            if server.alive():
                if owner.pid != os.getpid() and owner.alive():
                    raise HomeserverError(
                        f"{self.data_dir} is in use by the homeserver (pid {server.pid}, port {record.get('port')}) "
                        f"of a run still going (pid {owner.pid}): use that one, or stop it (kill {owner.pid})")
                leftovers.add(server.pid)
        # Also a server without a record: left by an older version, or by a crash.
        leftovers.update(with_argument(str(self.config_path)))
        if self.process is not None:
            leftovers.discard(self.process.pid)
        for pid in sorted(leftovers):
            terminate(pid)
        self.running_path.unlink(missing_ok=True)
        if not leftovers:
            return None
        pids = ", ".join(map(str, sorted(leftovers)))
        note = f"Stopped a homeserver (pid {pids}) that an earlier run left running on {self.data_dir}"
        log.info("%s", note)
        return note

    async def wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"Synapse exited with code {self.process.returncode}; see {self.log_path}")
                try:
                    async with http.get(self.url + "/_matrix/client/versions", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                        if resp.status == 200:
                            return
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.1)  # polling a server's readiness, with a deadline
        raise TimeoutError(f"Synapse did not answer on {self.url} within {timeout} s")

    def stop(self, timeout: float = 30) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.running_path.unlink(missing_ok=True)

    async def register(self, localpart: str, password: str | None = None, admin: bool = False) -> Account:
        """Create an account; an existing one with the same password is reused."""
        password = password or secrets.token_urlsafe(12)
        user_id = f"@{localpart}:{self.server_name}"
        endpoint = self.url + "/_synapse/admin/v1/register"
        async with aiohttp.ClientSession() as http:
            async with http.get(endpoint) as resp:
                nonce = (await resp.json())["nonce"]
            mac = hmac.new(self._state["shared_secret"].encode(), digestmod=hashlib.sha1)
            mac.update(b"\x00".join([
                nonce.encode(), localpart.encode(), password.encode(), b"admin" if admin else b"notadmin",
            ]))
            # inhibit_login: registering must not leave a device behind on the account.
            body = {"nonce": nonce, "username": localpart, "password": password, "admin": admin,
                    "mac": mac.hexdigest(), "inhibit_login": True}
            async with http.post(endpoint, json=body) as resp:
                data = await resp.json()
                if resp.status == 200:
                    return Account(data["user_id"], password)
                if data.get("errcode") == "M_USER_IN_USE":
                    return Account(user_id, password)
                raise RuntimeError(f"registering {localpart} failed: {data.get('errcode')} {data.get('error')}")
