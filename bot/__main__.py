"""Command line: ``reflextics`` / ``python -m bot``.

    reflextics --config config.yaml          run the bot
    reflextics validate-decks [PATH…]        check deck files and that every language is complete
    reflextics local [--port N]              the bot on an embedded local Synapse (make run)
    reflextics demo [--keep DIR]             a scripted game with simulated players (make demo)
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import ConfigError


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
        from bot.messages.completeness import check_all

        status = validate_main(args.paths)
        # Every language complete and in step: catalogue, built-in cards, resources.
        problems = check_all()
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        if problems:
            print(f"error: {len(problems)} language problem(s)", file=sys.stderr)
            return 1
        print("OK: every language is complete (catalogue, cards, resources)")
        return status
    if args.command == "local":
        from bot.devtools.local import run_local

        return run_local(args.dir, args.port)
    if args.command == "demo":
        from bot.devtools.demo import run_demo

        return run_demo(args.keep)
    if not args.config:
        parser.error("--config is required to run the bot")
    from bot.app.run import run_bot  # nio and the rest load only to run the bot

    try:
        return asyncio.run(run_bot(args.config))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
