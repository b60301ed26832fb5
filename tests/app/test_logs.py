"""Logs: nio stays at WARNING and its warnings lose the event content (what players type: test_logs_synapse)."""

from __future__ import annotations

import logging

from bot.app.logs import configure_logging


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
