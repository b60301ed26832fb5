"""SIGINT and SIGTERM stop the bot cleanly while it retries or waits for a homeserver (no Synapse needed)."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest
import yaml

from bot.devtools.homeserver import free_port
from tests.helpers.spawned import PYTHON, clean, finish, spawn


def bot_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "matrix": {"homeserver": url, "user_id": "@bot:localhost", "password": "not-a-placeholder-1",
                   "backoff_max_seconds": 1},
        "storage": {"data_dir": str(tmp_path / "data")},
    }))
    return path


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_bot_retrying_an_unreachable_homeserver_stops_cleanly(tmp_path, sig):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    process, out = spawn([*PYTHON, "run", "--config", str(bot_config(tmp_path, url))])
    try:
        line = out.wait_for(r"Homeserver \S+ unreachable \(.*\); retrying in")
        assert url in line.string and "Cannot connect to host" in line.string
        out.wait_for(r"retrying in 1\.0 s")  # a second attempt: the backoff is under way
        code = finish(process, sig, timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    text = out.text()
    assert code == 0, text
    clean(text)
    assert text.splitlines()[-1].endswith("INFO bot: Stopped")


def test_bot_waiting_for_a_silent_homeserver_stops_cleanly(tmp_path):
    """A request in flight (the server accepted the connection and says nothing): SIGINT ends it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(60)
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        process, out = spawn([*PYTHON, "--config", str(bot_config(tmp_path, url))])
        try:
            connection, _ = server.accept()  # the bot's login request is now waiting for an answer
            with connection:
                code = finish(process, signal.SIGINT, timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
    text = out.text()
    assert code == 0, text
    clean(text)
    assert "INFO bot: Stopped" in text
