"""`make run`: the bot on an embedded local Synapse, ready for a person to join.

Everything lives under one directory (``.local/`` by default, git-ignored): the
homeserver's data, the two accounts' passwords, the bot's config, database and
crypto store. A second run reuses all of it: same accounts, same bot device.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
from pathlib import Path

import yaml

from bot.devtools.homeserver import LocalSynapse, free_port, port_is_free
from bot.matrix.session import write_private

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


async def prepare(root: Path, port: int) -> tuple[LocalSynapse, Path, str, str]:
    """Start the local homeserver, register the accounts, write the bot's config."""
    root.mkdir(parents=True, exist_ok=True)
    server = LocalSynapse(root / "synapse")
    if not (root / "synapse" / "local.json").exists():
        server = LocalSynapse(root / "synapse", port=port if port_is_free(port) else free_port())
    elif not port_is_free(server.port):
        server = LocalSynapse(root / "synapse", port=free_port())
    await server.start()
    accounts = _accounts(root)
    await server.register(BOT, accounts[BOT])
    trainer = await server.register(TRAINER, accounts[TRAINER])
    config_path = write_bot_config(root, server, accounts[BOT], trainer.user_id)
    return server, config_path, trainer.user_id, accounts[TRAINER]


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
    from bot.app.run import run_bot

    root = Path(directory).resolve()

    async def main() -> int:
        server, config_path, trainer_id, trainer_password = await prepare(root, port)
        try:
            print(banner(server, trainer_id, trainer_password), flush=True)
            return await run_bot(str(config_path))
        finally:
            server.stop()

    # Ctrl-C reaches the whole process group: the homeserver is in its own
    # session, and the bot stops on SIGINT through run_bot's handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 0
