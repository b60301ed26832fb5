"""The bot as a real child process (``python -m bot --config …``), for kill and restart tests."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot.devtools.child import ChildProcess
from tests.helpers.harness import unique
from tests.helpers.paths import ROOT


class BotProcess(ChildProcess):
    """``python -m bot --config …``: ``kill()`` is a crash, ``start()`` starts it again on the same data."""

    def __init__(self, config_path: Path, log_path: Path, user_id: str = "", data_dir: Path | None = None):
        super().__init__("bot", [sys.executable, "-m", "bot", "--config", str(config_path)], log_path, cwd=ROOT)
        self.config_path = config_path
        self.user_id = user_id
        self.data_dir = data_dir

    @classmethod
    async def launch(cls, synapse, tmp_path: Path, game: dict) -> "BotProcess":
        """A new bot account on ``synapse``, its config in ``tmp_path``, the process started."""
        localpart = unique("bot")
        await synapse.register(localpart, "secret-" + localpart)
        user_id = f"@{localpart}:{synapse.server_name}"
        config = {
            "matrix": {"homeserver": synapse.url, "user_id": user_id, "password": "secret-" + localpart,
                       "sync_timeout_seconds": 2, "backoff_max_seconds": 2},
            "storage": {"data_dir": str(tmp_path / "bot-data")},
            "access": {"invite_servers": [synapse.server_name]},
            "game": game,
        }
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        process = cls(path, tmp_path / "bot.log", user_id, tmp_path / "bot-data")
        process.start()
        return process
