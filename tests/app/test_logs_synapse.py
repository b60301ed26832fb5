"""Logs: what players type never reaches them, and nio stays at WARNING."""

from __future__ import annotations

import io
import logging

import pytest

from bot.app.logs import configure_logging
from tests.helpers.harness import join_bot


@pytest.fixture
def log_stream():
    """The bot's logging set up as in production, into a buffer; restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    names = ("nio", "peewee", "aiohttp")
    saved_levels = {name: logging.getLogger(name).level for name in names}
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


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


def test_nio_loggers_are_at_warning_whatever_the_level(log_stream):
    for level in ("INFO", "DEBUG"):
        configure_logging(level, stream=log_stream)
        for name in ("nio", "nio.client.async_client", "nio.crypto.log", "nio.responses", "aiohttp.client"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, (level, name)
    configure_logging("INFO", stream=log_stream)


def test_nio_validation_warnings_lose_the_event_content(log_stream):
    logging.getLogger("nio.events.misc").warning("Error validating event: %s", {"body": "SECRET-MARKER-999"})
    logs = log_stream.getvalue()
    assert "Error validating an event or response (details withheld)" in logs
    assert "SECRET-MARKER-999" not in logs
