"""The bot's identity as ``reflextics check-config --connect`` reports it, read-only.

Its device keys and cross-signing identity on the homeserver, held against the key
file in the data dir; nothing is uploaded or written.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from nio import AsyncClient

from bot.config import Config
from bot.matrix.identity.cross_signing import CrossSigning
from bot.matrix.identity.cross_signing_keys import FILE_NAME, KeyFile, KeyFileError
from bot.matrix.identity.signing import SignatureError, ed25519_public, verify_json
from bot.matrix.retry import ConnectionStats, Retrier
from bot.matrix.session import SessionFiles


class Lines(Protocol):
    """Where the findings go (``bot.app.check.Report``): a line, or a line that fails the check."""

    def add(self, label: str, text: str) -> None: ...

    def fail(self, label: str, text: str) -> None: ...


async def report_identity(client: AsyncClient, config: Config, files: SessionFiles, device_id: str | None,
                          report: Lines) -> None:
    """Add the device and cross-signing lines: what the homeserver holds against the data dir's key file."""
    user_id = config.matrix.user_id
    pickle_key = config.matrix.pickle_key
    if not pickle_key:
        try:
            pickle_key = files.pickle_key_path.read_text(encoding="utf-8").strip()
        except OSError:
            pass
    key_file = KeyFile(config.data_dir, user_id, pickle_key or "")
    retry = Retrier(1, asyncio.Event(), ConnectionStats(), config.matrix.homeserver)
    query = await CrossSigning(client, config.matrix, key_file, retry).query_own_keys()
    master = ed25519_public(query.get("master_keys", {}).get(user_id) or {})
    ssk = ed25519_public(query.get("self_signing_keys", {}).get(user_id) or {})
    devices = query.get("device_keys", {}).get(user_id, {})

    if device_id is None:
        report.add("device", f"none stored yet: the bot logs in as {config.matrix.device_id} at its first start")
    elif device_id not in devices:
        report.add("device", f"{device_id}: no keys on the homeserver (uploaded when the bot starts)")
    elif ssk is None:
        report.add("device", f"{device_id}: keys on the homeserver, not cross-signed")
    else:
        try:
            verify_json(devices[device_id], user_id, f"ed25519:{ssk}", ssk)
            report.add("device", f"{device_id}: keys on the homeserver, signed by the account's self-signing key")
        except SignatureError:
            report.add("device", f"{device_id}: keys on the homeserver, NOT signed by the self-signing key "
                                  "(the bot signs it at its next start if the identity is its own)")

    stored, problem = None, None
    if pickle_key is None and (config.data_dir / FILE_NAME).exists():
        problem = f"{key_file.path}: no pickle key to read it with (matrix.pickle_key or pickle.key)"
    else:
        try:
            stored = key_file.load()
        except KeyFileError as exc:
            problem = str(exc)
    if master is None:
        report.add("cross-signing", "no identity on the homeserver: the bot makes one at its next start")
    elif stored is not None and (master, ssk) == (stored.master.public, stored.self_signing.public):
        report.add("cross-signing", f"the bot's own identity (master key {master})")
    else:
        whose = "the keys in the data dir do not match it" if stored else f"{key_file.path} does not hold its keys"
        fix = ("matrix.reset_foreign_cross_signing is set: the bot replaces it at its next start"
               if config.matrix.reset_foreign_cross_signing
               else "the bot's device stays unverified unless matrix.reset_foreign_cross_signing is set")
        report.add("cross-signing", f"an identity the bot did not make (master key {master}; {whose}): {fix}")
    if problem:
        report.fail("key file", problem)
