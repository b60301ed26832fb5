"""Logging set-up that keeps message contents, names and secrets out of the logs.

nio logs whole response bodies (tokens, decrypted text) at DEBUG and puts event
content in its validation warnings, so its loggers stay at WARNING and those
warnings are reduced to their first words whatever the bot's own level.
"""

from __future__ import annotations

import logging
import sys

# APScheduler logs every job added, removed and run at INFO: one line per game
# step is noise, and costs time under load.
_QUIET_LOGGERS = ("nio", "peewee", "aiohttp", "apscheduler")


class RedactContent(logging.Filter):
    """Drops the event content nio puts into validation messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("nio"):
            message = record.getMessage()
            if message.startswith("Error validating"):
                record.msg = "Error validating an event or response (details withheld)"
                record.args = ()
        return True


def configure_logging(level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactContent())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if level == "DEBUG":
        logging.getLogger("bot").warning(
            "DEBUG logging is on: message contents and names may be written to the logs"
        )
