"""The password step of the cross-signing upload, against a scripted homeserver."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.config import parse_config
from bot.matrix.identity.cross_signing import CrossSigning
from bot.matrix.identity.cross_signing_keys import CrossSigningKeys, KeyFile
from bot.matrix.retry import ConnectionStats, MatrixError, Retrier
from bot.matrix.identity.signing import verify_json

CHALLENGE = {"session": "s1", "flows": [{"stages": ["m.login.password"]}], "params": {}}
MAS = {"session": "dummy", "flows": [{"stages": ["m.oauth"]}],
       "msg": "To reset your cross-signing identity, approve it at https://auth.example/account"}


class FakeResponse:
    def __init__(self, status: int, body: dict):
        self.status, self._body = status, body

    async def json(self, content_type=None):
        return self._body

    def release(self) -> None:
        pass


class FakeClient:
    """Answers each request with the next scripted (status, body); records the requests."""

    def __init__(self, *answers: tuple[int, dict]):
        self.answers = list(answers)
        self.requests: list[tuple[str, dict]] = []
        self.access_token = "token"
        self.device_id = "DEV"

    async def send(self, method, path, data, headers=None):
        self.requests.append((path, json.loads(data)))
        return FakeResponse(*self.answers.pop(0))


def xsign(client, tmp_path, **matrix) -> CrossSigning:
    data = {"matrix": {"homeserver": "https://m.test.org", "user_id": "@bot:test.org", "password": "hunter2-secret", **matrix},
            "storage": {"data_dir": str(tmp_path)}}
    config = parse_config(data).matrix
    retry = Retrier(0.1, asyncio.Event(), ConnectionStats())
    return CrossSigning(client, config, KeyFile(tmp_path, config.user_id, "pickle"), retry)


async def test_the_password_answers_the_servers_auth_step(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    client = FakeClient((401, CHALLENGE), (200, {}))
    keys = CrossSigningKeys.generate()
    await xsign(client, tmp_path).upload_identity(keys, replacing=True)
    (_, first), (_, second) = client.requests
    assert "auth" not in first
    assert second["auth"] == {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "@bot:test.org"},
                              "password": "hunter2-secret", "session": "s1"}
    master = keys.master
    assert second["master_key"]["keys"] == {master.key_id: master.public}
    for name in ("self_signing_key", "user_signing_key"):
        verify_json(second[name], "@bot:test.org", master.key_id, master.public)
    assert "hunter2" not in caplog.text


async def test_without_a_password_the_error_says_what_to_set(tmp_path):
    client = FakeClient((401, CHALLENGE))
    with pytest.raises(MatrixError, match="set matrix.password"):
        await xsign(client, tmp_path, password=None, access_token="syt_x").upload_identity(
            CrossSigningKeys.generate(), replacing=False)


async def test_a_refused_password_is_named(tmp_path):
    client = FakeClient((401, CHALLENGE), (401, {**CHALLENGE, "errcode": "M_FORBIDDEN"}))
    with pytest.raises(MatrixError, match="refused matrix.password"):
        await xsign(client, tmp_path).upload_identity(CrossSigningKeys.generate(), replacing=True)


async def test_an_approval_the_bot_cannot_give_is_passed_on(tmp_path):
    client = FakeClient((401, MAS))
    with pytest.raises(MatrixError, match="https://auth.example/account"):
        await xsign(client, tmp_path).upload_identity(CrossSigningKeys.generate(), replacing=True)


async def test_a_server_error_is_retried_then_named(tmp_path):
    client = FakeClient(*[(502, {})] * 5)
    with pytest.raises(MatrixError, match="uploading the bot's cross-signing keys: the homeserver said 502"):
        await xsign(client, tmp_path).upload_identity(CrossSigningKeys.generate(), replacing=False)
    assert len(client.requests) == 5


async def test_a_refused_device_signature_is_an_error(tmp_path):
    failure = {"failures": {"@bot:test.org": {"DEV": {"errcode": "M_INVALID_SIGNATURE", "error": "bad"}}}}
    client = FakeClient((200, failure))
    device = {"user_id": "@bot:test.org", "device_id": "DEV", "keys": {"ed25519:DEV": "k"}}
    with pytest.raises(MatrixError, match="signing device DEV: the homeserver said M_INVALID_SIGNATURE bad"):
        await xsign(client, tmp_path).sign_device(device, CrossSigningKeys.generate())
