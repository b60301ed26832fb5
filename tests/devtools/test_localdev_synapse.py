"""`make run`: the bot on an embedded Synapse, joined by a person with the printed login."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from nio import AsyncClient, AsyncClientConfig, MegolmEvent, RoomMemberEvent, RoomMessageNotice, RoomSendResponse

from bot.devtools import processes
from bot.devtools.homeserver import free_port
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.synapse



async def start_local(directory: Path, port: int) -> tuple[subprocess.Popen, dict]:
    """Run `python -m bot local` and read the banner's URL and login."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "local", "--dir", str(directory), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    seen: dict = {}
    loop = asyncio.get_running_loop()

    async def read_banner():
        while "ready" not in seen:
            line = await loop.run_in_executor(None, process.stdout.readline)
            if not line:
                raise AssertionError(f"`bot local` exited early with {process.wait()}")
            for key, pattern in (("url", r"homeserver URL : (\S+)"), ("user", r"your login\s+: (\S+)"),
                                 ("password", r"your password\s+: (\S+)"), ("device", r"device (\S+)$")):
                match = re.search(pattern, line.strip())
                if match:
                    seen[key] = match.group(1)
            if "the bot is ready" in line:
                seen["ready"] = True

    await asyncio.wait_for(read_banner(), 120)
    return process, seen


def interrupt(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    try:
        return process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()


async def ask_help(info: dict, store: Path) -> str:
    """Log in as the trainer, make an encrypted room, invite the bot, type !aide."""
    store.mkdir(parents=True, exist_ok=True)
    client = AsyncClient(info["url"], info["user"], store_path=str(store),
                         config=AsyncClientConfig(encryption_enabled=True))
    try:
        await client.login(info["password"], device_name="test client")
        await client.sync(timeout=0, full_state=True)
        await client.keys_upload()  # so the bot can encrypt its answer to this device
        answers: list[str] = []
        late: list[MegolmEvent] = []  # kept until their key comes, as real clients do
        client.add_event_callback(
            lambda room, event: answers.append(event.body) if event.sender.startswith("@reflextics:") else None,
            RoomMessageNotice)

        def keep(room, event):
            event.room_id = room.room_id
            late.append(event)

        client.add_event_callback(keep, MegolmEvent)
        joined: list[str] = []
        client.add_event_callback(
            lambda room, event: joined.append(event.state_key) if event.membership == "join" else None,
            RoomMemberEvent)
        created = await client.room_create(
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}],
            invite=["@reflextics:localhost"])
        room = created.room_id

        async def until(predicate):
            while not predicate():
                await client.sync(timeout=1000)
                if client.should_query_keys:
                    await client.keys_query()
                for event in list(late):
                    try:
                        decrypted = client.decrypt_event(event)
                    except Exception:
                        continue
                    late.remove(event)
                    if isinstance(decrypted, RoomMessageNotice) and decrypted.sender.startswith("@reflextics:"):
                        answers.append(decrypted.body)

        # Only what is said after the bot joined is for it: wait for its join.
        await asyncio.wait_for(until(lambda: "@reflextics:localhost" in joined), 60)
        sent = await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!aide"},
                                      ignore_unverified_devices=True)
        assert isinstance(sent, RoomSendResponse), sent
        try:
            await asyncio.wait_for(until(lambda: bool(answers)), 60)
        except asyncio.TimeoutError:
            raise AssertionError(f"no answer; {len(late)} undecryptable") from None
        return answers[0]
    finally:
        await client.close()


async def test_make_run_twice_same_server_accounts_and_device(tmp_path):
    directory = tmp_path / ".local"
    port = free_port()
    process, info = await start_local(directory, port)
    try:
        assert info["url"] == f"http://127.0.0.1:{port}"
        assert info["user"] == "@trainer:localhost"
        answer = await ask_help(info, tmp_path / "client1")
        assert "Commandes" in answer
        # What the check after Ctrl-C looks for is there while the run is.
        assert processes.with_argument(str(directory.resolve() / "synapse" / "homeserver.yaml")), \
            "the homeserver of the run is not found by its config path"
    finally:
        code = interrupt(process)
    assert code == 0
    # Ctrl-C stopped the homeserver too (tests/devtools/test_lifecycle_synapse.py tries every moment).
    assert processes.with_argument(str(directory.resolve() / "synapse" / "homeserver.yaml")) == []
    session = json.loads((directory / "bot" / "session.json").read_text())

    process, again = await start_local(directory, port)
    try:
        assert (again["url"], again["user"], again["password"]) == (info["url"], info["user"], info["password"])
        assert json.loads((directory / "bot" / "session.json").read_text())["device_id"] == session["device_id"]
        assert again.get("device") == info.get("device") == session["device_id"]
        answer = await ask_help(again, tmp_path / "client2")
        assert "Commandes" in answer
    finally:
        assert interrupt(process) == 0
