"""The bot as a real child process (``python -m bot --config …``), for kill and restart tests."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers.harness import unique
from tests.helpers.paths import ROOT


class BotProcess:
    """``python -m bot --config …`` as a real child process."""

    def __init__(self, config_path: Path, log_path: Path, user_id: str = "", data_dir: Path | None = None):
        self.config_path = config_path
        self.log_path = log_path
        self.user_id = user_id
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None

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

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(self.config_path)],
            cwd=ROOT, stdout=log, stderr=log,
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
