"""The bench's rig: one throw-away Synapse, the bot and the bare bot as processes, the probe
clients, and what is read from them (pings, CPU, memory, store, log)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml

from benchmarks import spy
from benchmarks.common import ROOT, Client, cpu_seconds, password_of, register
from benchmarks.processes import BotLog, Proc
from benchmarks.report import machine
from bot.devtools.homeserver import LocalSynapse

BOT, BARE, PROBE, HELPER = "benchbot", "benchbare", "benchprobe", "benchhelper"
GAME = {"card_seconds": 5, "turn_seconds": 900, "resources_seconds": 900, "actions_seconds": 900,
        "amend_seconds": 900, "reminder_seconds": 0, "silence_seconds": 0}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def uid(localpart: str) -> str:
    return f"@{localpart}:localhost"


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path):
        self.args = args
        self.work = work
        self.results: dict = {"config": vars(args).copy(), "machine": machine()}
        self.server = LocalSynapse(work / "synapse")
        self.bot_db = work / "bot-data" / "reflextics.db"
        self.bot_log = BotLog(work / "bot.log")
        self.bot: Proc | None = None
        self.bare: Proc | None = None
        self.probe: Client | None = None
        self.helper: Client | None = None
        self.bot_room = self.bare_room = ""
        self.workers: list[asyncio.subprocess.Process] = []
        self._pings = 0
        self._snapshots = 0

    # -- set-up ---------------------------------------------------------------------

    async def set_up(self) -> None:
        t0 = time.perf_counter()
        await self.server.start()
        secret = self.server._state["shared_secret"]
        for name in (BOT, BARE, PROBE, HELPER):
            await register(self.server.url, secret, name)
        config = {
            "matrix": {"homeserver": self.server.url, "user_id": uid(BOT), "password": password_of(BOT),
                       "device_name": "bench"},
            "storage": {"data_dir": str(self.work / "bot-data")},
            "access": {"invite_servers": ["localhost"]},
            "rooms": {"require_encryption": True, "default_language": "fr"},
            "game": GAME,
            # The probe is a flood by design (200 commands in half a minute): no throttle.
            "privacy": {"commands_per_minute": 10000},
        }
        self.bot_config = self.work / "bot.yaml"
        self.bot_config.write_text(yaml.safe_dump(config))
        argv = [sys.executable, "-m", "bot", "--config", str(self.bot_config)]
        if self.args.trace_memory:
            # The bot's own main with bench-only instruments (see bot_runner.py).
            (self.work / "snapshots").mkdir()
            argv[1:3] = ["-m", "benchmarks.bot_runner", "--tracemalloc", str(self.work / "snapshots")]
        self.bot = Proc("bot", argv, self.work / "bot.log")
        await self.start_bot()
        self.bare = Proc("bare", [sys.executable, str(ROOT / "benchmarks" / "bare_bot.py"), self.server.url,
                                  uid(BARE), password_of(BARE), str(self.work / "bare-store"), "--ignore", uid(BOT)]
                        + (["--serial"] if self.args.serial_floor else []),
                         self.work / "bare.log", stdout=subprocess.PIPE)
        (self.work / "bare-store").mkdir()
        await self.start_bare()
        await asyncio.sleep(1)
        self.results["memory_fresh_kb"] = {"bot": self.bot.rss_kb(), "bare": self.bare.rss_kb()}
        self.probe = await Client(self.server.url, PROBE, self.work / "clients" / PROBE).start()
        self.helper = await Client(self.server.url, HELPER, self.work / "clients" / HELPER).start()
        # The probe's two rooms hold the same devices: the probe, a helper, and one bot.
        self.bot_room = await self.probe.create_room([uid(BOT), uid(HELPER)])
        self.bare_room = await self.probe.create_room([uid(BARE), uid(HELPER)])
        for room, bot in ((self.bot_room, uid(BOT)), (self.bare_room, uid(BARE))):
            await self.helper.join(room)
            await self.probe.wait_joined(room, [bot, uid(HELPER)])
        # One game in progress in the bot's room (the probe's turn, step 2).
        for who, text, expect in ((self.probe, "!nouvelle", "Nouvelle partie"), (self.probe, "!rejoindre", "Bienvenue"),
                                  (self.helper, "!rejoindre", "Bienvenue"),
                                  (self.probe, "!commencer dp-01", "Questions pour le débat")):
            mark = self.probe.mark()
            await who.send(self.bot_room, text)
            await self.probe.wait_message(self.bot_room, uid(BOT), expect, after=mark)
        await self.probe.wait_message(self.bot_room, uid(BOT), "À vous", timeout=60)
        for _ in range(10):  # warm-up: keys shared, connections open, caches filled
            await self.ping_bot()
            await self.ping_bare()
        self.results["setup_seconds"] = round(time.perf_counter() - t0, 1)

    async def start_bot(self) -> dict:
        """Start the bot process; timings (from spawn) of its start-up log lines."""
        assert self.bot is not None
        since = self.bot_log.offset()
        self.bot.start()
        _, logged_in = await self.bot_log.wait("Logged in as", since, proc=self.bot)
        sched_line, scheduler = await self.bot_log.wait("Starting the game timers", since, proc=self.bot)
        ready_line, engine_ready = await self.bot_log.wait("Game engine ready", since, proc=self.bot)
        _, first_sync = await self.bot_log.wait("First sync done", since, proc=self.bot)
        armed = int(ready_line.split("Game engine ready:")[1].split()[0])
        t0 = self.bot.spawned
        return {"logged_in": logged_in - t0, "scheduler_started": scheduler - t0, "engine_ready": engine_ready - t0,
                "first_sync_done": first_sync - t0, "timers_armed": armed}

    async def start_bare(self) -> float:
        assert self.bare is not None
        self.bare.start()
        loop = asyncio.get_running_loop()
        line = await asyncio.wait_for(loop.run_in_executor(None, self.bare.popen.stdout.readline), 120)
        if line.strip() != b"ready":
            raise RuntimeError(f"the bare bot did not start; see {self.bare.log_path}")
        return time.perf_counter() - self.bare.spawned_perf

    # -- probes ---------------------------------------------------------------------

    async def ping_bot(self, timeout: float = 60) -> float:
        assert self.probe is not None
        mark = self.probe.mark()
        t0 = await self.probe.send_timed(self.bot_room, "!etat")
        msg = await self.probe.wait_message(self.bot_room, uid(BOT), "Étape", after=mark, timeout=timeout)
        return msg.received - t0

    async def ping_bare(self, timeout: float = 60) -> float:
        assert self.probe is not None
        self._pings += 1
        text = f"ping {self._pings}"
        mark = self.probe.mark()
        t0 = await self.probe.send_timed(self.bare_room, text)
        msg = await self.probe.wait_message(self.bare_room, uid(BARE), text, after=mark, timeout=timeout)
        return msg.received - t0

    def profiles(self, spies: dict) -> dict:
        out = {}
        for name, (proc, path) in spies.items():
            if proc is None:
                out[name] = {"error": "py-spy is not installed (pip install py-spy into the venv)"}
                continue
            proc.send_signal(signal.SIGINT)  # py-spy writes what it has when interrupted
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            out[name] = spy.summarize(path)
            out[name]["raw"] = str(path)
        return out

    def memory_snapshot(self) -> None:
        """With --trace-memory: ask the traced bot for a tracemalloc snapshot and wait for it."""
        if not self.args.trace_memory:
            return
        path = self.work / "snapshots" / f"{self._snapshots}.snap"
        os.kill(self.bot.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 120
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # the bot writes the file; bounded wait
        time.sleep(1)  # the dump finishes writing
        self._snapshots += 1

    def cpu_snapshot(self) -> dict:
        return {"bot": self.bot.cpu(), "bare": self.bare.cpu(), "synapse": cpu_seconds(self.server.process.pid)}

    async def _probe_loop(self, stop: asyncio.Event) -> tuple[list, list, int]:
        bot, bare, failures, i = [], [], 0, 0
        while not stop.is_set():
            pair = ((bot, self.ping_bot), (bare, self.ping_bare))
            for out, ping in (pair if i % 2 == 0 else pair[::-1]):
                try:
                    out.append(await ping(timeout=120))
                except TimeoutError:
                    failures += 1
            i += 1
            try:
                await asyncio.wait_for(stop.wait(), self.args.probe_interval)
            except asyncio.TimeoutError:
                pass
        return bot, bare, failures

    async def _sample(self, stop: asyncio.Event) -> list[dict]:
        db = sqlite3.connect(f"file:{self.bot_db}?mode=ro", uri=True, timeout=5)
        samples = []
        t0 = time.perf_counter()
        try:
            while not stop.is_set():
                try:
                    active = db.execute("SELECT COUNT(*) FROM games WHERE active = 1").fetchone()[0] - 1  # less the probe's
                except sqlite3.OperationalError:
                    active = -1
                samples.append({"t": round(time.perf_counter() - t0, 1), "active": active,
                                "bot_rss": self.bot.rss_kb(), "bare_rss": self.bare.rss_kb()})
                try:
                    await asyncio.wait_for(stop.wait(), 1.0)
                except asyncio.TimeoutError:
                    pass
        finally:
            db.close()
        return samples

    def store_counts(self) -> dict:
        db = sqlite3.connect(f"file:{self.bot_db}?mode=ro", uri=True, timeout=5)
        try:
            q = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
            return {"active_games": q("SELECT COUNT(*) FROM games WHERE active = 1"),
                    "outbox_left": q("SELECT COUNT(*) FROM outbox"),
                    "undecryptable_left": q("SELECT COUNT(*) FROM pending_events")}
        finally:
            db.close()

    def log_errors(self) -> dict:
        lines = self.bot_log.lines()
        return {"errors": sum(" ERROR " in line for line in lines), "warnings": sum(" WARNING " in line for line in lines),
                "tracebacks": sum(line.startswith("Traceback") for line in lines),
                "timer_failures": sum("Timer " in line and " failed" in line for line in lines)}

    # -- tear-down --------------------------------------------------------------------

    async def tear_down(self) -> None:
        for client in (self.probe, self.helper):
            if client is not None:
                await client.stop()
        for proc in self.workers:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        for proc in (self.bot, self.bare):
            if proc is not None:
                proc.stop()
        self.server.stop()
