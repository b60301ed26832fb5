"""Files: an encrypted attachment in an encrypted room, a plain upload elsewhere."""

from __future__ import annotations

import pytest
from nio import MemoryDownloadResponse
from nio.crypto.attachments import decrypt_attachment

from tests.helpers.harness import eventually, join_bot

pytestmark = pytest.mark.synapse

DATA = "Synthèse de la séance\n<b>not markup</b>\n".encode("utf-8") * 50


async def test_send_file_in_an_encrypted_room_is_an_encrypted_attachment(make_bot, make_player):
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user)
    await eventually(lambda: room in bot.transport.client.rooms, what="the bot to sync its join")

    await bot.transport.send_file(room, DATA, "synthese.md", "text/markdown", tx_id="file-test-1")
    got = await player.wait_message(room, bot_user, "synthese.md")

    assert got.decrypted, "the event itself is encrypted"
    content = got.content
    assert content["msgtype"] == "m.file" and content["filename"] == "synthese.md"
    assert "url" not in content, "no plain URL: the file must only be reachable encrypted"
    assert content["info"] == {"mimetype": "text/markdown", "size": len(DATA)}
    file = content["file"]
    assert file["v"] == "v2" and file["key"]["alg"] == "A256CTR" and "sha256" in file["hashes"]

    download = await player.client.download(mxc=file["url"])
    assert isinstance(download, MemoryDownloadResponse), download
    assert download.body != DATA, "the server holds only ciphertext"
    plain = decrypt_attachment(download.body, file["key"]["k"], file["hashes"]["sha256"], file["iv"])
    assert plain == DATA


async def test_send_file_in_a_plain_room_is_a_plain_upload(make_bot, make_player):
    bot = await make_bot(rooms={"require_encryption": False})
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user, encrypted=False)
    await eventually(lambda: room in bot.transport.client.rooms, what="the bot to sync its join")

    await bot.transport.send_file(room, DATA, "synthese.md", "text/markdown")
    got = await player.wait_message(room, bot_user, "synthese.md")
    assert "file" not in got.content
    download = await player.client.download(mxc=got.content["url"])
    assert isinstance(download, MemoryDownloadResponse), download
    assert download.body == DATA
