"""Long messages on a real Synapse: a ten-player synthesis arrives whole; a refusal never blocks a room."""

from __future__ import annotations

import json
import logging
import sqlite3
from urllib.parse import quote

import aiohttp
import pytest
from nio.crypto.attachments import decrypt_attachment

from bot.matrix import size
from tests.helpers.harness import Player, join_bot

pytestmark = pytest.mark.synapse

CALM = {"card_seconds": 3600, "turn_seconds": 3600, "resources_seconds": 3600, "actions_seconds": 3600,
        "amend_seconds": 3600, "reminder_seconds": 0, "silence_seconds": 0}
FRENCH = "Je pense à l'équipe éducative, à l'élève qui s'est confié·e 😊 — « déjà vécu » 🤝. "


def long_turn(chars: int, n: int) -> str:
    """``chars`` characters of French with accents and emoji, opening and closing with marks of ``n``."""
    start, end = f"⟦début {n}⟧ ", f" ⟦fin {n}⟧"
    return start + (FRENCH * (chars // len(FRENCH) + 1))[:chars - len(start) - len(end)] + end


async def raw_events(player: Player, room: str, sender: str) -> dict[str, dict]:
    """The room's events from ``sender`` exactly as the homeserver serves them (encrypted), by id."""
    url = f"{player.server.url}/_matrix/client/v3/rooms/{quote(room)}/messages?dir=b&limit=1000"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Authorization": f"Bearer {player.client.access_token}"}) as resp:
            chunk = (await resp.json())["chunk"]
    return {e["event_id"]: e for e in chunk if e["sender"] == sender}


async def test_ten_players_at_the_maximum_get_the_whole_synthesis(make_bot, make_player):
    bot = await make_bot(game=CALM)
    bot_id = bot.config.matrix.user_id
    trainer = await make_player("trainer")
    players = [await make_player(f"p{i}") for i in range(10)]
    room = await trainer.create_room(invite=[bot_id] + [p.user_id for p in players])
    await trainer.wait_membership(room, bot_id, "join")
    for p in players:
        await p.wait_until(lambda p=p: room in p.client.invited_rooms or room in p.client.rooms, what="invite")
        await p.client.join(room)
        await trainer.wait_membership(room, p.user_id, "join")

    async def says(player: Player, text: str, expect: str) -> None:
        mark = len(trainer.messages)
        await player.send(room, text)
        await trainer.wait_message(room, bot_id, expect, after=mark)

    await says(trainer, "!nouvelle", "Nouvelle partie")
    for p in players:
        await says(p, "!rejoindre", "Bienvenue")
    await says(trainer, "!commencer dp-01", "Questions pour le débat")
    by_id = {p.user_id: p for p in players}
    mark = len(trainer.messages)
    await trainer.send(room, "!suivant")
    for n in range(10):
        turn = await trainer.wait_message(room, bot_id, "À vous", after=mark)
        speaker = by_id[turn.content["m.mentions"]["user_ids"][-1]]
        mark = len(trainer.messages)
        await speaker.send(room, long_turn(bot.config.game.max_turn_chars, n))
        await speaker.send(room, "!fini")
        if n < 9:
            await trainer.wait_until(lambda: any(
                "À vous" in m.body and m.event_id != turn.event_id for m in trainer.from_user(room, bot_id, mark)),
                what="the next turn")
    await trainer.wait_message(room, bot_id, "!oui", after=mark)

    # The first !fin opens the amending step; the draft then has every turn, in parts.
    await says(trainer, "!fin", "Fin de la partie")
    mark = len(trainer.messages)
    await trainer.send(room, "!synthese")
    await trainer.wait_until(lambda: "⟦fin 9⟧" in "".join(m.body for m in trainer.from_user(room, bot_id, mark)),
                             what="the whole draft")
    draft = "\n".join(m.body for m in trainer.from_user(room, bot_id, mark))
    assert "Brouillon" in draft
    for n in range(10):
        assert draft.count(f"⟦début {n}⟧") == 1 and draft.count(f"⟦fin {n}⟧") == 1, n

    # The final synthesis, on the second !fin. The reader has the whole draft first:
    # a draft part reaching it late would otherwise be counted as the final text.
    reader = players[3]
    await reader.wait_until(lambda: any("⟦fin 9⟧" in m.body for m in reader.from_user(room, bot_id)),
                            what="the whole draft")
    mark = len(reader.messages)
    await trainer.send(room, "!fin")
    file_msg = await reader.wait_until(
        lambda: next((m for m in reader.from_user(room, bot_id, mark) if m.msgtype == "m.file"), None),
        what="the synthesis file")
    final = [m for m in reader.from_user(room, bot_id, mark) if m.msgtype != "m.file"]
    text = "\n".join(m.body for m in final)
    assert len(final) > 1, "the synthesis was expected in several parts"
    for n in range(10):
        assert text.count(f"⟦début {n}⟧") == 1 and text.count(f"⟦fin {n}⟧") == 1, n
    info = file_msg.content["file"]
    resp = await reader.client.download(mxc=info["url"])
    document = decrypt_attachment(resp.body, info["key"]["k"], info["hashes"]["sha256"], info["iv"]).decode()
    for n in range(10):
        assert f"⟦début {n}⟧" in document and f"⟦fin {n}⟧" in document
    # The room still answers; the result is not lost.
    await says(players[0], "!etat", "Aucune partie en cours")

    # Measured on the homeserver: each encrypted event under the limit, and under our estimate.
    served = await raw_events(reader, room, bot_id)
    largest = 0
    for message in reader.from_user(room, bot_id):
        event = served.get(message.event_id)
        if event is None:
            continue
        assert event["type"] == "m.room.encrypted"
        actual = len(json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode())
        assert actual <= size.encrypted_bytes(room, "m.room.message", message.content)
        largest = max(largest, actual)
    assert 40_000 < largest < size.MAX_EVENT_BYTES - size.MARGIN_BYTES, largest


def refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING and "refused" in r.getMessage()]


async def test_a_refused_message_never_blocks_the_room_before_or_after_a_restart(
        make_bot, make_player, caplog):
    caplog.set_level(logging.INFO)
    bot = await make_bot()
    bot_id = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_id)
    await player.send(room, "!aide")
    await player.wait_message(room, bot_id, "Commandes")

    # A running bot: an event the homeserver refuses for good (M_TOO_LARGE; it cannot be cut,
    # being no message) gives the room a short notice, one warning naming the room, no content.
    secret = "Confidentiel " + "😊" * 6000
    mark = len(player.messages)
    await bot.transport.send(room, {"body": secret, "question": secret}, "big-poll",
                             "org.matrix.msc3381.poll.start")
    await player.wait_message(room, bot_id, "le serveur Matrix l'a refusé", after=mark)
    warned = refusals(caplog)
    assert len(warned) == 1 and room in warned[0].getMessage() and "M_TOO_LARGE" in warned[0].getMessage()
    assert all("Confidentiel" not in r.getMessage() for r in caplog.records)
    await player.send(room, "!etat")
    await player.wait_message(room, bot_id, "Aucune partie en cours", after=mark)

    # An older version left such an event, and an oversized message, in the outbox and stopped.
    await bot.stop()
    db = sqlite3.connect(bot.config.data_dir / "reflextics.db")
    with db:
        game_id = db.execute("INSERT INTO games(room_id, state, active, created_at, updated_at) "
                             "VALUES(?, '{}', 0, 0, 0)", (room,)).lastrowid
        for tx_id, effect in (
            ("stuck-1", {"type": "event", "event_type": "org.matrix.msc3381.poll.start",
                         "content": {"body": secret}}),
            ("stuck-2", {"type": "message", "content": {"msgtype": "m.notice", "body": "⟦long⟧ " + "é" * 30000
                                                        + " ⟦end⟧"}}),
        ):
            db.execute("INSERT INTO outbox(game_id, room_id, effect, tx_id) VALUES(?, ?, ?, ?)",
                       (game_id, room, json.dumps(effect), tx_id))
    db.close()
    caplog.clear()
    mark = len(player.messages)
    bot = await make_bot.start(bot.config)
    # At start the room is freed: the notice, the long message in parts, then answers as usual.
    await player.wait_message(room, bot_id, "le serveur Matrix l'a refusé", after=mark)
    await player.wait_until(lambda: "⟦end⟧" in "".join(m.body for m in player.from_user(room, bot_id, mark)),
                            what="the long leftover, whole")
    assert not await bot.engine.games.pending_outbox()
    await player.send(room, "!etat")
    await player.wait_message(room, bot_id, "Aucune partie en cours", after=mark)
    warned = refusals(caplog)
    assert len(warned) == 1 and room in warned[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "no traceback"
