"""Command line: ``reflextics`` / ``python -m bot``.

    reflextics --config config.yaml          run the bot
    reflextics validate-decks [PATH…]        check deck files
    reflextics local [--port N]              the bot on an embedded local Synapse (make run)
    reflextics demo [--keep DIR]             a scripted game with simulated players (make demo)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import logging
import signal
import sys

from bot.config import ConfigError, load_config
from bot.logs import configure_logging

log = logging.getLogger("bot")


async def _run(config_path: str) -> int:
    from bot.app import Bot
    from bot.matrix.transport import MatrixError

    config = load_config(config_path)
    # Every file the bot creates (database, its journal, crypto store, session)
    # is for the bot's user only.
    os.umask(0o077)
    configure_logging(config.log_level)
    bot = await Bot.create(config)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(bot.run_forever())
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()
    except MatrixError as exc:
        log.error("%s", exc)
        return 1
    finally:
        stopper.cancel()
        await bot.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reflextics", description="The Réflex'tics game narrator for Matrix.")
    parser.add_argument("--config", "-c", help="the YAML config file (see config.example.yaml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    decks = sub.add_parser("validate-decks", help="check deck files and print a summary")
    decks.add_argument("paths", nargs="*", help="deck files or directories (default: the built-in decks)")
    local = sub.add_parser("local", help="run the bot on an embedded local Synapse (make run)")
    local.add_argument("--dir", default=".local", help="where the local homeserver and bot keep their data")
    local.add_argument("--port", type=int, default=8008, help="the homeserver's port on 127.0.0.1")
    demo = sub.add_parser("demo", help="play a scripted game with simulated players on a throw-away Synapse")
    demo.add_argument("--keep", metavar="DIR", help="keep everything (homeserver, logs, synthesis file) in DIR")
    args = parser.parse_args(argv)

    if args.command == "validate-decks":
        from bot.decks.cli import validate_main

        return validate_main(args.paths)
    if args.command == "local":
        from bot.localdev import run_local

        return run_local(args.dir, args.port)
    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(args.keep)
    if not args.config:
        parser.error("--config is required to run the bot")
    try:
        return asyncio.run(_run(args.config))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
