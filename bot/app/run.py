"""Running one bot from its config file until a signal asks it to stop.

A stop may come in any phase: logging in (perhaps retrying an unreachable
homeserver), the first sync, running, or stopping itself. Whatever the phase, the
work in progress is cancelled or finished, every connection is closed, the log
says "stopped", and the exit code is 0: the operator asked for it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from bot.app.bot import Bot
from bot.app.logs import configure_logging
from bot.config import load_config
from bot.matrix import MatrixError
from bot.store.integrity import DatabaseDamaged

log = logging.getLogger("bot")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def stop_on_signals(stop: asyncio.Event) -> None:
    """Make SIGINT, SIGTERM and SIGHUP set ``stop`` (in the running loop), however often they come."""
    loop = asyncio.get_running_loop()

    def requested(sig: signal.Signals) -> None:
        if stop.is_set():
            log.info("Still stopping (%s again); please wait", sig.name)
        stop.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, requested, sig)


async def run_bot(config_path: str, stop: asyncio.Event | None = None) -> int:
    """Run the bot of this config file until ``stop`` is set (by default: a signal); the exit code."""
    config = load_config(config_path)
    # Every file the bot creates (database, its journal, crypto store, session)
    # is for the bot's user only.
    os.umask(0o077)
    configure_logging(config.log_level)
    if stop is None:
        stop = asyncio.Event()
        stop_on_signals(stop)
    try:
        bot = await Bot.create(config)
    except DatabaseDamaged as exc:
        log.error("%s", exc)
        return 1
    runner = asyncio.create_task(bot.run_forever(), name="bot")
    stopper = asyncio.create_task(stop.wait(), name="stop-request")
    code = 0
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            log.info("Stopping")
        elif runner.exception() is not None:
            raise runner.exception()  # type: ignore[misc]
    except MatrixError as exc:
        log.error("%s", exc)
        code = 1
    finally:
        stopper.cancel()
        # Logging in or retrying an unreachable homeserver is simply abandoned;
        # once running, the events being handled finish first (Bot.stop).
        bot.transport.stop()
        if not runner.done() and bot.starting():
            runner.cancel()
            await _reap(runner, requested=True)
        await bot.stop()
        if not runner.done():
            runner.cancel()
        await _reap(runner, requested=stop.is_set())
        log.info("Stopped")
    return code


async def _reap(task: asyncio.Task, requested: bool) -> None:
    """Wait for a task we ended; after a requested stop, what it raised on the way out is no error."""
    try:
        await task
    except asyncio.CancelledError:
        pass
    except Exception as exc:  # already reported above when it ended the run
        if requested:
            log.debug("Ended while stopping: %s", type(exc).__name__)
