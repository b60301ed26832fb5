"""`make run`: the bot on an embedded local Synapse, ready for a person to join.

Everything lives under one directory (``.local/`` by default, git-ignored): the
homeserver's data, the two accounts' passwords, the bot's config, database and
crypto store. A second run reuses all of it: same accounts, same bot device, on the port
asked for this time. A signal at any moment stops what was started; a homeserver
left running on the same data by an earlier run is stopped first (see
``LocalSynapse.take_over``).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from pathlib import Path

import yaml

from bot.devtools.homeserver import HomeserverError, LocalSynapse, port_in_use, port_is_free
from bot.matrix import write_private

BOT = "reflextics"
TRAINER = "trainer"


def _accounts(root: Path) -> dict[str, str]:
    path = root / "accounts.json"
    if path.exists():
        return json.loads(path.read_text())
    accounts = {BOT: secrets.token_urlsafe(16), TRAINER: secrets.token_urlsafe(9)}
    write_private(path, json.dumps(accounts))
    return accounts


def write_bot_config(root: Path, server: LocalSynapse, bot_password: str, trainer_id: str) -> Path:
    config = {
        "matrix": {
            "homeserver": server.url,
            "user_id": f"@{BOT}:{server.server_name}",
            "password": bot_password,
            "device_id": "REFLEXTICS",
        },
        "storage": {"data_dir": str((root / "bot").resolve())},
        "access": {"trainers": [trainer_id], "invite_servers": [server.server_name]},
        "rooms": {"require_encryption": True, "default_language": "fr"},
    }
    path = root / "bot-config.yaml"
    write_private(path, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


async def prepare(root: Path, server: LocalSynapse) -> tuple[Path, str, str]:
    """Start the local homeserver, register the accounts, write the bot's config."""
    note = server.take_over()
    if note:
        say(note + "; starting a new one")
    if not port_is_free(server.port):
        raise port_in_use(server.port)
    say(f"Starting the local homeserver on port {server.port}")
    pid = await server.launch()
    say(f"Homeserver process {pid} started; waiting for it to answer on {server.url}")
    await server.wait_until_up(90)
    say(f"Homeserver up on {server.url}; registering the accounts")
    accounts = _accounts(root)
    await server.register(BOT, accounts[BOT])
    trainer = await server.register(TRAINER, accounts[TRAINER])
    config_path = write_bot_config(root, server, accounts[BOT], trainer.user_id)
    return config_path, trainer.user_id, accounts[TRAINER]


def say(line: str) -> None:
    print(line, flush=True)


def banner(server: LocalSynapse, trainer_id: str, trainer_password: str) -> str:
    return f"""
============================================================
 Réflex'tics bot is running on a local homeserver
   homeserver URL : {server.url}
   your login     : {trainer_id}   (user name: {TRAINER})
   your password  : {trainer_password}
 In a Matrix client (Element, FluffyChat, Nheko, Cinny…):
   1. sign in on the homeserver above with that login;
   2. create a room with encryption on;
   3. invite @{BOT}:{server.server_name} and type !aide or !help.
 Ctrl-C stops the bot and the homeserver.
============================================================
"""


def run_local(directory: str, port: int) -> int:
    """Run until a signal (SIGINT, SIGTERM, SIGHUP), whatever the phase; stop everything started."""
    root = Path(directory).resolve()
    try:
        return asyncio.run(_run(root, port))
    except HomeserverError as exc:
        print(f"reflextics local: {exc}", file=sys.stderr, flush=True)
        return 1


async def _run(root: Path, port: int) -> int:
    from bot.app.run import run_bot, stop_on_signals

    # Installed first: a signal during start-up is a stop request like any other,
    # and everything started so far is stopped in the finally below.
    stop = asyncio.Event()
    stop_on_signals(stop)
    root.mkdir(parents=True, exist_ok=True)
    # The port asked for now, not the one of an earlier run (local.json keeps
    # only the server's secrets across runs).
    server = LocalSynapse(root / "synapse", port=port)
    try:
        preparing = asyncio.create_task(prepare(root, server), name="prepare")
        stopping = asyncio.create_task(stop.wait(), name="stop-request")
        await asyncio.wait({preparing, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not preparing.done():
            say("Stopping during start-up")
            preparing.cancel()
            try:
                await preparing
            except BaseException:  # cancelled, or failed on the way out: stopped either way
                pass
            return 0
        config_path, trainer_id, trainer_password = preparing.result()
        print(banner(server, trainer_id, trainer_password), flush=True)
        return await run_bot(str(config_path), stop)
    finally:
        if server.process is not None:
            server.stop()
            say("Homeserver stopped")
