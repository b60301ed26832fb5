"""Running one bot from its config file until a signal asks it to stop."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from bot.app.bot import Bot
from bot.app.logs import configure_logging
from bot.config import load_config
from bot.matrix.transport import MatrixError

log = logging.getLogger("bot")


async def run_bot(config_path: str) -> int:
    """Run the bot of this config file until SIGINT/SIGTERM; the process's exit code."""
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
