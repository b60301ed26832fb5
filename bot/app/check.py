"""``reflextics check-config FILE [--connect]``: is this config ready to run, without running it.

Without ``--connect`` nothing leaves the machine: the file is read and validated
and the main settings are printed. With it, the account is looked at on the
homeserver, read-only: the stored session's token when there is one (the bot's
own device, untouched), else ``matrix.access_token``, else a password login as a
*temporary* device that is logged out (deleted) at the end. No keys are uploaded,
no cross-signing identity made, nothing written to ``storage.data_dir``.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from bot.config import Config
from bot.matrix import NET_ERRORS, MatrixError, SessionFiles, describe, report_identity
from bot.store.integrity import DATABASE_NAME, FULL_CHECK, DatabaseDamaged, problems

CONNECT_TIMEOUT = 30  # seconds for the whole --connect check


@dataclass
class Report:
    """Lines to print, and whether something stops the bot from running."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def add(self, label: str, text: str) -> None:
        self.lines.append(f"  {label:<14} {text}")

    def fail(self, label: str, text: str) -> None:
        self.add(label, text)
        self.failed = True


def describe_config(path: str, config: Config) -> Report:
    """What the file says, in the few lines an operator checks first."""
    m = config.matrix
    report = Report([f"{path}: valid"])
    report.add("homeserver", m.homeserver)
    how = "access token" if m.access_token else "password"
    report.add("account", f"{m.user_id} (logs in with its {how}, device {m.device_id})")
    report.add("data dir", f"{config.data_dir} ({_data_dir_state(config.data_dir)})")
    _database(config.data_dir / DATABASE_NAME, report)
    a = config.access
    report.add("trainers", ", ".join(a.trainers) or "none (room moderators only)")
    invites = [*a.invite_users, *(f"anyone on {s}" for s in a.invite_servers)]
    if a.trainers:
        invites.insert(0, "the trainers")
    report.add("invites from", ", ".join(invites) or "nobody (the bot joins no room)")
    report.add("rooms", "encrypted only" if config.rooms.require_encryption else "encrypted or not")
    return report


def _database(path: Path, report: Report) -> None:
    """SQLite's full check (start-up runs the quicker one): a damaged file is known before a start fails."""
    if not path.exists():
        return
    if not os.access(path, os.R_OK | os.W_OK):
        report.add("database", f"{path.name}: not readable and writable by this user, not checked")
        return
    found = problems(path, FULL_CHECK)
    if found:
        report.fail("database", str(DatabaseDamaged(path, found[0])))
    else:
        report.add("database", f"{path.name}: whole (SQLite {FULL_CHECK})")


def _data_dir_state(path: Path) -> str:
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        writable = parent is not None and os.access(parent, os.W_OK)
        return "created at the first start" if writable else "missing, and this user cannot create it"
    if not os.access(path, os.W_OK | os.X_OK):
        return "exists, not writable by this user"
    if (path / "session.json").exists():
        return "holds a session"
    return "exists, empty of a session"


async def check_connection(config: Config, report: Report) -> None:
    """Add the account, device and cross-signing lines (see the module doc)."""
    try:
        await asyncio.wait_for(_connect(config, report), CONNECT_TIMEOUT)
    except asyncio.TimeoutError:
        report.fail("homeserver", f"{config.matrix.homeserver} did not answer within {CONNECT_TIMEOUT} s")
    except NET_ERRORS as exc:
        report.fail("homeserver", f"{config.matrix.homeserver} unreachable ({describe(exc)})")
    except MatrixError as exc:
        report.fail("homeserver", str(exc))


async def _connect(config: Config, report: Report) -> None:
    m = config.matrix
    files = SessionFiles(config.data_dir)
    try:
        session = files.load()
    except (RuntimeError, OSError) as exc:
        report.add("session", str(exc))
        session = None
    if session is not None and session.user_id != m.user_id:
        report.add("session", f"{files.session_path} belongs to {session.user_id}: not used")
        session = None
    # No store path: the check loads no crypto and uploads no keys.
    client = AsyncClient(m.homeserver, m.user_id, config=AsyncClientConfig(
        encryption_enabled=False, max_limit_exceeded=0, max_timeouts=0, request_timeout=CONNECT_TIMEOUT))
    temporary = False
    try:
        if session is not None:
            client.access_token, how = session.access_token, "the stored session"
        elif m.access_token:
            client.access_token, how = m.access_token, "matrix.access_token"
        else:
            resp = await client.login(m.password or "", device_name="reflextics check-config (temporary)")
            if not isinstance(resp, LoginResponse):
                report.fail("account", f"login refused: {getattr(resp, 'status_code', '')} "
                                       f"{getattr(resp, 'message', '')}".rstrip())
                return
            temporary, how = True, "matrix.password, as a temporary device"
        whoami = await client.whoami()
        if not isinstance(whoami, WhoamiResponse):
            report.fail("account", f"{how} refused: {getattr(whoami, 'status_code', whoami)}")
            return
        if whoami.user_id != m.user_id:
            report.fail("account", f"{how} belongs to {whoami.user_id}, not matrix.user_id {m.user_id}")
            return
        client.user_id = whoami.user_id
        client.device_id = whoami.device_id
        report.add("account", f"{whoami.user_id}: logged in with {how}")
        device_id = session.device_id if session else (None if temporary else whoami.device_id)
        await report_identity(client, config, files, device_id, report)
        devices = await client.devices()
        if hasattr(devices, "devices"):
            names = [d.id + (" (this check)" if temporary and d.id == whoami.device_id else "")
                     for d in devices.devices]
            report.add("devices", f"{len(names)} on the account: {', '.join(sorted(names))}")
    finally:
        if temporary:
            await client.logout()  # deletes the temporary device and its token
        await client.close()
