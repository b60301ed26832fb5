"""Encryption keys on a real Synapse: late Megolm keys, one-time keys, no plaintext."""

from __future__ import annotations

import aiohttp
import pytest
from nio import AsyncClient, AsyncClientConfig

from bot.matrix.login import Login
from bot.matrix.retry import MatrixError
from bot.matrix.transport import MatrixTransport
from bot.store import Store
from tests.helpers.harness import answering_room, bot_config, eventually, unique

pytestmark = pytest.mark.synapse


async def test_a_message_whose_key_comes_late_is_answered_in_order(make_bot, make_player):
    """One player's message waits for a late room key; another player's message waits behind it.

    Ann opens a new Megolm session that nio believes shared but whose key was
    sent to nobody, and sends ``!aide`` with it: the bot receives a message it
    cannot decrypt. Bob then sends ``!help``, which the bot can decrypt at once
    but must hold behind Ann's (a turn's words before its ``!fini``). Only then
    does Ann send her session's key to the bot's device over their Olm channel,
    in a later sync than the message: exactly the race of a slow key. Both must
    be answered, in the order they were sent.
    """
    bot, ann, room = await answering_room(make_bot, make_player)  # key_wait_seconds: 30
    bot_user = bot.config.matrix.user_id
    bob = await make_player("bob")
    await ann.invite(room, bob.user_id)
    await bob.join(room)

    late_id, withheld = await ann.send_lost(room, "!aide")
    await eventually(lambda: late_id in bot.transport.late.pending, what="the bot to hold the message")
    await bob.send(room, "!help")
    await eventually(bot.transport.late.holding, what="the bot to hold !help behind !aide")
    assert len(ann.from_user(room, bot_user)) == 1, "nothing may be answered before the key comes"

    await ann.send_room_key(bot_user, bot.transport.device_id, withheld)
    answers = await ann.wait_count(room, bot_user, 3)
    assert "Commandes" in answers[1].body and "Commands" in answers[2].body
    assert not bot.transport.late.pending


async def test_a_newer_session_of_the_same_sender_goes_on_and_the_late_message_is_still_answered(
        make_bot, make_player):
    """The same sender's next message can be read: the room goes on at once; the late one comes when its key does."""
    bot, player, room = await answering_room(make_bot, make_player)  # key_wait_seconds: 30
    bot_user = bot.config.matrix.user_id

    late_id, withheld = await player.send_lost(room, "!aide")
    await eventually(lambda: late_id in bot.transport.late.pending, what="the bot to hold the message")
    await player.send(room, "!nimportequoi")
    await player.wait_message(room, bot_user, "nimportequoi")  # no wait: the old key is not coming
    assert late_id in bot.transport.late.pending

    await player.send_room_key(bot_user, bot.transport.device_id, withheld)
    await player.wait_message(room, bot_user, "Commandes")
    assert len(player.from_user(room, bot_user)) == 3


async def _claim(http: aiohttp.ClientSession, server_url: str, token: str, user_id: str, device_id: str) -> dict:
    async with http.post(
        server_url + "/_matrix/client/v3/keys/claim",
        json={"one_time_keys": {user_id: {device_id: "signed_curve25519"}}},
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        assert resp.status == 200
        return (await resp.json())["one_time_keys"].get(user_id, {}).get(device_id, {})


async def test_one_time_keys_are_uploaded_again_when_peers_used_them_all(synapse, make_bot, make_player):
    """nio ignores a server count of 0; the bot must notice it and upload new keys.

    A player claims the bot's one-time keys as fast as it can until the server
    has none left (nio uploads no fallback key, so an empty claim means 0). The
    bot's next sync reports 0; it must upload again, so that a new peer's claim
    gets a one-time key again.
    """
    bot = await make_bot()
    player = await make_player()
    bot_user, device = bot.config.matrix.user_id, bot.transport.device_id
    token = player.client.access_token
    stats = bot.transport.stats
    async with aiohttp.ClientSession() as http:
        claimed = 0
        while await _claim(http, synapse.url, token, bot_user, device):
            claimed += 1
            assert claimed < 500, "the bot keeps refilling faster than one client claims"
        assert claimed >= 50
        uploads_when_empty = stats.key_uploads

        await eventually(lambda: stats.key_uploads > uploads_when_empty, timeout=15,
                         what="the bot to upload one-time keys again")
        assert stats.empty_key_counts > 0
        assert await _claim(http, synapse.url, token, bot_user, device), "a new peer gets a one-time key again"


async def test_the_transport_refuses_to_run_without_encryption(synapse, tmp_path, monkeypatch):
    """If nio did not load the olm machine it would send plaintext: connect() must refuse."""
    localpart = unique("plainbot")
    await synapse.register(localpart, "secret-" + localpart)
    config = bot_config(synapse, localpart, tmp_path / "data")
    store = await Store.open(tmp_path / "data" / "reflextics.db")
    transport = MatrixTransport(config.matrix, config.data_dir, store)

    def client_without_olm(self, device_id):
        # What nio does when the crypto store cannot be used: no olm machine at all.
        return AsyncClient(self.config.homeserver, self.config.user_id, device_id=device_id,
                           config=AsyncClientConfig(encryption_enabled=False))

    monkeypatch.setattr(Login, "new_client", client_without_olm)
    try:
        with pytest.raises(MatrixError, match="encryption did not load"):
            await transport.connect()
    finally:
        await transport.close()
        await store.close()


async def test_a_message_waiting_for_its_key_survives_a_restart(make_bot, make_player):
    """The undecryptable event is kept in the store; its key comes while the bot is down."""
    bot, player, room = await answering_room(make_bot, make_player)
    bot_user = bot.config.matrix.user_id

    late_id, withheld = await player.send_lost(room, "!aide")
    await eventually(lambda: late_id in bot.transport.late.pending, what="the bot to hold the message")
    device = bot.transport.device_id
    await bot.stop()

    await player.send_room_key(bot_user, device, withheld)
    await make_bot.start(bot.config)
    answer = await player.wait_message(room, bot_user, "Commandes")
    assert answer.decrypted
    assert len(player.from_user(room, bot_user)) == 2


async def test_the_pickle_key_is_the_bots_own_and_kept_private(make_bot):
    """nio's default pickle key is the literal "DEFAULT_KEY"; the bot makes and keeps its own."""
    bot = await make_bot()
    path = bot.transport.files.pickle_key_path
    key = path.read_text().strip()
    assert len(key) >= 32 and key != "DEFAULT_KEY"
    assert path.stat().st_mode & 0o077 == 0
    assert bot.transport.client.config.pickle_key == key
