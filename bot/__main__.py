"""Command line: ``reflextics`` / ``python -m bot``.

    reflextics [run] --config config.yaml    run the bot (--config before or after `run`,
                                             or REFLEXTICS_CONFIG in the environment)
    reflextics check-config FILE [--connect] validate a config; --connect: look at the account
    reflextics backup DIR [--config FILE]    a consistent copy of the data directory, bot running or not
    reflextics validate-decks [PATH…]        check deck files and that every language is complete
    reflextics local [--dir D] [--port N]    the bot on an embedded local Synapse (make run)
    reflextics demo [--keep DIR] [--week]    a scripted game with simulated players (make demo, make demo-week)
    reflextics --version

Exit codes: 0 done (a bot stopped by a signal included), 1 a failure while
running, 2 a usage or config error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.config import ConfigError

CONFIG_ENV = "REFLEXTICS_CONFIG"


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("reflextics-bot")
    except PackageNotFoundError:  # run from a source tree that is not installed
        from bot import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reflextics", description="The Réflex'tics game narrator for Matrix.",
        epilog=f"Without a command, runs the bot. The config file may also come from ${CONFIG_ENV}.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--config", "-c", metavar="FILE", help="the YAML config file (see config.example.yaml)")
    # The same option after the command; SUPPRESS keeps a value given before it.
    config_after = argparse.ArgumentParser(add_help=False)
    config_after.add_argument("--config", "-c", metavar="FILE", default=argparse.SUPPRESS,
                              help=f"the YAML config file (see config.example.yaml; default: ${CONFIG_ENV})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[config_after], help="run the bot until SIGINT/SIGTERM (the default)",
                   description="Run the bot until SIGINT or SIGTERM; exit code 0 after such a stop, "
                               "1 when the homeserver refuses the bot, 2 for a config error.")
    check = sub.add_parser("check-config", parents=[config_after], help="validate a config file without running the bot",
                           description="Validate a config file and print its main settings, without starting "
                                       "the bot. Exit code 0 when valid, 2 when not, 1 when --connect fails.")
    check.add_argument("file", nargs="?", metavar="FILE", help="the config file (default: --config or $%s)" % CONFIG_ENV)
    check.add_argument("--connect", action="store_true",
                       help="also log in (read-only) and report the account, device and cross-signing state")
    backup = sub.add_parser("backup", parents=[config_after], help="copy the data directory consistently, even while the bot runs",
                            description="Copy storage.data_dir into the new directory DIR: the databases through "
                                        "SQLite's backup API (a consistent copy while the bot writes), the other "
                                        "files as they are. Exit code 0 when done, 1 when a database is damaged "
                                        "or DIR cannot be made, 2 for a config error.")
    backup.add_argument("target", metavar="DIR", help="a directory that does not exist yet, outside the data directory")
    decks = sub.add_parser("validate-decks", help="check deck files and print a summary")
    decks.add_argument("paths", nargs="*", help="deck files or directories (default: the built-in decks)")
    local = sub.add_parser("local", help="run the bot on an embedded local Synapse (make run)")
    local.add_argument("--dir", default=".local", help="where the local homeserver and bot keep their data")
    local.add_argument("--port", type=int, default=8008, help="the homeserver's port on 127.0.0.1 (default 8008)")
    demo = sub.add_parser("demo", help="play a scripted game with simulated players on a throw-away Synapse")
    demo.add_argument("--keep", metavar="DIR", help="keep everything (homeserver, logs, synthesis file) in DIR")
    demo.add_argument("--week", action="store_true", help="a game over a week, its clock sped up (under a minute)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(parser, args)
    except KeyboardInterrupt:  # Ctrl-C before a command took over its signals
        return 0


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
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

        if args.week:
            from bot.devtools.demo_week import WeekDemo

            return run_demo(args.keep, kind=WeekDemo)
        return run_demo(args.keep)
    config = args.config or os.environ.get(CONFIG_ENV)
    if args.command == "check-config":
        return check_config(parser, args.file or config, args.connect)
    if not config:
        parser.error(f"no config file: give --config FILE (before or after `run`) or set {CONFIG_ENV}")
    if args.command == "backup":
        return backup(config, args.target)
    from bot.app.run import run_bot  # nio and the rest load only to run the bot

    try:
        return asyncio.run(run_bot(config))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2


def check_config(parser: argparse.ArgumentParser, path: str | None, connect: bool) -> int:
    if not path:
        parser.error(f"check-config: which file? give FILE, --config FILE, or set {CONFIG_ENV}")
    from bot.app.check import check_connection, describe_config
    from bot.config import load_config

    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    report = describe_config(path, config)
    if connect:
        asyncio.run(check_connection(config, report))
    print("\n".join(report.lines))
    return 1 if report.failed else 0


def backup(path: str, target: str) -> int:
    from pathlib import Path

    from bot.config import load_config
    from bot.store.integrity import DatabaseDamaged, backup_directory

    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    os.umask(0o077)
    try:
        copied = backup_directory(config.data_dir, Path(target))
    except (DatabaseDamaged, OSError, ValueError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"{target}: {len(copied)} file(s) copied from {config.data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
