"""Against a real Synapse: `check-config --connect` with an access token (and a wrong one)."""

from __future__ import annotations

import dataclasses

import pytest
from nio import AsyncClient, LoginResponse

from bot.app.check import check_connection, describe_config
from tests.helpers.harness import bot_config, unique

pytestmark = pytest.mark.synapse


async def test_check_config_connect_with_an_access_token(synapse, tmp_path):
    localpart = unique("tokenbot")
    account = await synapse.register(localpart, "secret-" + localpart)
    client = AsyncClient(synapse.url, account.user_id)
    login = await client.login(account.password, device_name="operator's token")
    assert isinstance(login, LoginResponse)
    await client.close()

    base = bot_config(synapse, localpart, tmp_path / "data")
    config = dataclasses.replace(base, matrix=dataclasses.replace(
        base.matrix, password=None, access_token=login.access_token))
    report = describe_config("bot.yaml", config)
    await check_connection(config, report)
    out = "\n".join(report.lines)
    assert not report.failed, out
    assert f"{account.user_id}: logged in with matrix.access_token" in out
    assert f"{login.device_id}: no keys on the homeserver (uploaded when the bot starts)" in out
    assert f"1 on the account: {login.device_id}" in out  # no temporary device made
    assert not (tmp_path / "data").exists(), "nothing written to the data directory"

    wrong = dataclasses.replace(config, matrix=dataclasses.replace(config.matrix, access_token="syt_not_a_token"))
    report = describe_config("bot.yaml", wrong)
    await check_connection(wrong, report)
    assert report.failed
    assert any("matrix.access_token refused: M_UNKNOWN_TOKEN" in line for line in report.lines), report.lines
