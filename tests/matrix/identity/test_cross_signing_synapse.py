"""Cross-signing on a real Synapse: the bot's identity is made once, kept, and vouches for each device.

What other users see is read with their own access token from /keys/query and
checked with ``signedjson`` (Synapse's library), not with the bot's code.
"""

from __future__ import annotations

import json
import logging
import shutil
import stat

import pytest
import signedjson.key
import signedjson.sign
from nio import AsyncClient, LoginResponse
from nio.api import Api

from bot.matrix.identity.cross_signing import CrossSigning, Outcome
from bot.matrix.identity.cross_signing_keys import CrossSigningKeys, KeyFile
from bot.matrix.identity.signing import b64decode, ed25519_public
from tests.helpers.harness import bot_config, unique

pytestmark = pytest.mark.synapse


async def query_keys(client: AsyncClient, user_id: str) -> dict:
    """/keys/query for ``user_id`` as ``client``'s user sees it."""
    resp = await client.send("POST", Api._build_path(["keys", "query"]),
                             json.dumps({"device_keys": {user_id: []}}),
                             headers={"Authorization": f"Bearer {client.access_token}"})
    assert resp.status == 200, await resp.text()
    return await resp.json()


def signed_by(obj: dict, user_id: str, public: str) -> bool:
    verify_key = signedjson.key.decode_verify_key_bytes(f"ed25519:{public}", b64decode(public))
    try:
        signedjson.sign.verify_signed_json(obj, user_id, verify_key)
    except signedjson.sign.SignatureVerifyException:
        return False
    return True


async def identity_seen_by(client: AsyncClient, user_id: str, device_id: str) -> tuple[str, str, bool]:
    """(master key, self-signing key, whether the device carries a valid self-signing signature)."""
    body = await query_keys(client, user_id)
    master = body["master_keys"][user_id]
    ssk = body["self_signing_keys"][user_id]
    master_public, ssk_public = ed25519_public(master), ed25519_public(ssk)
    assert signed_by(ssk, user_id, master_public), "the self-signing key must be signed by the master key"
    device = body["device_keys"][user_id][device_id]
    return master_public, ssk_public, signed_by(device, user_id, ssk_public)


async def test_first_start_makes_the_identity_and_a_restart_keeps_it(make_bot, make_player):
    bot = await make_bot()
    bot_user, device = bot.config.matrix.user_id, bot.transport.device_id
    assert bot.transport.cross_signing is Outcome.CREATED
    player = await make_player()
    master, ssk, device_signed = await identity_seen_by(player.client, bot_user, device)
    assert device_signed

    # The account's own view also holds the user-signing key, signed by the master key.
    own = await query_keys(bot.transport.client, bot_user)
    usk = own["user_signing_keys"][bot_user]
    assert signed_by(usk, bot_user, master)
    key_file = bot.transport.files.data_dir / "cross_signing.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    bot = await make_bot.restart(bot)
    assert bot.transport.device_id == device
    assert bot.transport.cross_signing is Outcome.REUSED
    assert await identity_seen_by(player.client, bot_user, device) == (master, ssk, True)


async def test_a_new_device_after_a_lost_crypto_store_is_signed_by_the_same_identity(make_bot, make_player):
    bot = await make_bot()
    bot_user, old_device = bot.config.matrix.user_id, bot.transport.device_id
    player = await make_player()
    master, ssk, _ = await identity_seen_by(player.client, bot_user, old_device)
    await bot.stop()

    shutil.rmtree(bot.transport.files.crypto_dir)
    bot = await make_bot.start(bot.config)
    new_device = bot.transport.device_id
    assert new_device != old_device
    assert bot.transport.cross_signing is Outcome.REUSED
    assert await identity_seen_by(player.client, bot_user, new_device) == (master, ssk, True)


async def _foreign_identity(server, localpart: str, tmp_path) -> str:
    """Someone logs in to the bot account with another client and sets up cross-signing first."""
    account = await server.register(localpart, "secret-" + localpart)
    other = AsyncClient(server.url, account.user_id, device_id="ELEMENT")
    try:
        assert isinstance(await other.login(account.password), LoginResponse)
        config = bot_config(server, localpart, tmp_path / "element").matrix
        keys = CrossSigningKeys.generate()
        xsign = CrossSigning(other, config, KeyFile(tmp_path, account.user_id, "element"), retry=_NoRetry())
        await xsign.upload_identity(keys, replacing=False)
    finally:
        await other.close()
    return keys.master.public


class _NoRetry:
    async def until_reachable(self, func):
        return await func()

    async def request(self, what, attempt, attempts, error_of=None):
        return await attempt()


async def test_a_foreign_identity_is_reported_and_left_alone_unless_reset_is_asked(
        synapse, make_bot, make_player, tmp_path, caplog):
    localpart = unique("bot")
    foreign_master = await _foreign_identity(synapse, localpart, tmp_path)
    player = await make_player()

    caplog.set_level(logging.INFO, logger="bot.matrix.identity.cross_signing")
    bot = await make_bot(localpart)
    bot_user, device = bot.config.matrix.user_id, bot.transport.device_id
    assert bot.transport.cross_signing is Outcome.FOREIGN
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.matrix.identity.cross_signing"]
    assert len(lines) == 1 and "\n" not in lines[0], lines
    assert foreign_master in lines[0] and "matrix.reset_foreign_cross_signing: true" in lines[0]
    master, _, device_signed = await identity_seen_by(player.client, bot_user, device)
    assert master == foreign_master and not device_signed
    assert not (bot.transport.files.data_dir / "cross_signing.json").exists()

    # The switch replaces it (the password answers the server's auth step) and signs the device.
    await bot.stop()
    config = bot_config(synapse, localpart, bot.config.data_dir, matrix={"reset_foreign_cross_signing": True})
    bot = await make_bot.start(config)
    assert bot.transport.cross_signing is Outcome.REPLACED
    master, ssk, device_signed = await identity_seen_by(player.client, bot_user, device)
    assert master != foreign_master and device_signed

    # From then on it is the bot's own identity: the switch changes nothing more.
    bot = await make_bot.restart(bot)
    assert bot.transport.cross_signing is Outcome.REUSED
    assert await identity_seen_by(player.client, bot_user, device) == (master, ssk, True)
