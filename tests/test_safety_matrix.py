"""Against a real Synapse: hostile text as players type it, the unsigned-device explanation
across a restart, and `check-config --connect` with an access token."""

from __future__ import annotations

import dataclasses

import pytest
from nio import AsyncClient, LoginResponse

from bot.app.check import check_connection, describe_config
from bot.messages.render import FSI, PDI
from tests.firstcontact_helpers import cross_sign, notices_to
from tests.harness import answering_room, bot_config, join_bot, unique

pytestmark = pytest.mark.synapse

RLO, ZWJ, ZWSP = "\u202e", "\u200d", "\u200b"


async def test_hostile_commands_get_isolated_echoes_and_their_right_forms(make_bot, make_player):
    bot, player, room = await answering_room(make_bot, make_player)
    bot_id = bot.config.matrix.user_id

    async def ask(text: str, expect: str):
        mark = len(player.messages)
        await player.send(room, text)
        return await player.wait_message(room, bot_id, expect, after=mark)

    unknown = await ask("!" + RLO + "edia", "Je ne connais pas la commande")
    # The name is shown without the override, and nothing of the bot's sentence is mirrored.
    assert "« edia »" in unknown.body and RLO not in unknown.body
    hebrew = await ask("!שלום" + RLO, "Je ne connais pas la commande")
    assert f"« {FSI}שלום{PDI} »" in hebrew.body
    assert f"<bdi>{FSI}שלום{PDI}</bdi>" in hebrew.content["formatted_body"]
    await ask("!ai" + ZWJ + "de", "Commandes")  # read as !aide
    await ask("!piste  " + ZWSP, "Écrivez votre piste après le niveau")
    await ask("!piste politique " + RLO + ZWJ, "Écrivez votre piste après le niveau")
    await ask("!nouvelle", "Nouvelle partie")
    await ask("!nouvelle netiquette", "Une partie est déjà en cours")
    await ask("!nouvelle pas-un-theme", "Une partie est déjà en cours")


async def test_the_unsigned_device_explanation_is_not_repeated_after_a_restart(make_bot, make_player):
    bot = await make_bot(rooms={"only_cross_signed_senders": True})
    bot_id = bot.config.matrix.user_id
    signed = await make_player("signed")
    await cross_sign(signed)
    room = await join_bot(signed, bot_id)
    unsigned = await make_player("unsigned")
    await signed.invite(room, unsigned.user_id)
    await unsigned.join(room)

    await unsigned.send(room, "!aide")
    await signed.send(room, "!help")
    await signed.wait_message(room, bot_id, "Commands")
    assert len(notices_to(signed.from_user(room, bot_id), unsigned.user_id)) == 1

    bot = await make_bot.restart(bot)
    mark = len(signed.messages)
    await unsigned.send(room, "!aide")
    await signed.send(room, "!help")  # handled after the unsigned one: the room's order
    await signed.wait_message(room, bot_id, "Commands", after=mark)
    assert notices_to(signed.from_user(room, bot_id, mark), unsigned.user_id) == [], "told again after a restart"


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
