"""Fixtures of the app tests."""

from __future__ import annotations

import io
import logging

import pytest

from bot.app.logs import configure_logging


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
