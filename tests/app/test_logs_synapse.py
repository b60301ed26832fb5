"""Logs: what players type never reaches them, with a real bot on Synapse."""

from __future__ import annotations

import pytest

from tests.helpers.harness import join_bot


@pytest.mark.synapse
async def test_what_players_type_is_never_logged(log_stream, make_bot, make_player):
    bot = await make_bot()
    bot_user = bot.config.matrix.user_id
    player = await make_player()
    room = await join_bot(player, bot_user)

    await player.send(room, "an ordinary message SECRET-MARKER-456")
    await player.send(room, "!help SECRET-MARKER-123")
    await player.send(room, "!zzz SECRET-MARKER-789")
    await player.wait_message(room, bot_user, "Commands")
    await player.wait_message(room, bot_user, "zzz")

    logs = log_stream.getvalue()
    assert "Logged in as" in logs and "First sync done" in logs, "the logs must not be empty for this to mean anything"
    assert "SECRET-MARKER" not in logs
    assert "an ordinary message" not in logs
    assert bot.transport.client.access_token not in logs
