"""`make bench`: the bot against a bare matrix-nio bot, on one throw-away Synapse.

    .venv/bin/python benchmarks/run.py [--rooms 50] [--workers 5] [--pings 200] ...

Every figure is printed next to a floor measured in the same run on the same
homeserver: ``benchmarks/bare_bot.py``, a bare matrix-nio bot (join on invite,
answer every text at once). Both bots run as their own processes, so CPU time and
resident memory are read from /proc. See benchmarks/README.md for what each
scenario does exactly. The figures go to benchmarks/results/<date>-<commit>.json (kept in
the repository, with the commit, date, machine and load; see benchmarks/results.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402

from benchmarks.common import (ROOT, Client, cpu_seconds, log_time, memory_kb, memory_map, password_of,  # noqa: E402
                               register, summary_ms)
from benchmarks import results, spy  # noqa: E402
from benchmarks.seed import expected_timers, seed_games  # noqa: E402
from bot.devtools.homeserver import LocalSynapse  # noqa: E402

BOT, BARE, PROBE, HELPER = "benchbot", "benchbare", "benchprobe", "benchhelper"
GAME = {"card_seconds": 5, "turn_seconds": 900, "resources_seconds": 900, "actions_seconds": 900,
        "amend_seconds": 900, "reminder_seconds": 0, "silence_seconds": 0}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def uid(localpart: str) -> str:
    return f"@{localpart}:localhost"


class Proc:
    """A child process whose CPU time and memory are read from /proc."""

    def __init__(self, name: str, argv: list[str], log_path: Path, stdout=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.stdout = stdout
        self.popen: subprocess.Popen | None = None
        self.spawned = 0.0  # epoch
        self.spawned_perf = 0.0

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.spawned, self.spawned_perf = time.time(), time.perf_counter()
        self.popen = subprocess.Popen(self.argv, cwd=ROOT, stdout=self.stdout or log, stderr=log)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def cpu(self) -> float:
        self.check_alive()
        return cpu_seconds(self.pid)

    def rss_kb(self) -> int:
        self.check_alive()
        return memory_kb(self.pid)["VmRSS"]

    def check_alive(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            raise RuntimeError(f"the {self.name} process exited (code {self.popen.returncode}); see {self.log_path}")

    def kill(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class BotLog:
    """Reads the bot's log file as it grows; lines carry their own millisecond timestamps."""

    def __init__(self, path: Path):
        self.path = path

    def offset(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def lines(self, since: int = 0) -> list[str]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as fh:
            fh.seek(since)
            return fh.read().decode("utf-8", "replace").splitlines()

    async def wait(self, needle: str, since: int, timeout: float = 180, proc: Proc | None = None) -> tuple[str, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines(since):
                if needle in line:
                    return line, log_time(line) or time.time()
            if proc is not None and proc.popen is not None and proc.popen.poll() is not None:
                raise RuntimeError(f"the bot exited (code {proc.popen.returncode}); see {self.path}")
            await asyncio.sleep(0.02)  # the bot writes the line; we poll its file, with a deadline
        raise TimeoutError(f"no {needle!r} in {self.path} within {timeout} s")


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

    # -- scenario 1 -----------------------------------------------------------------

    async def latency(self) -> None:
        say(f"[1] reply latency: {self.args.pings} × !etat to the bot and to the bare bot, one at a time…")
        bot, bare = [], []
        for i in range(self.args.pings):
            # Alternate, and alternate who goes first: drift hits both alike.
            pair = (("bot", self.ping_bot), ("bare", self.ping_bare))
            for name, ping in (pair if i % 2 == 0 else pair[::-1]):
                (bot if name == "bot" else bare).append(await ping())
        self.results["latency"] = {"bot": summary_ms(bot), "bare": summary_ms(bare)}
        await asyncio.sleep(1)
        self.results["memory_warm_kb"] = {"bot": self.bot.rss_kb(), "bare": self.bare.rss_kb()}
        self.results["memory_map_warm_kb"] = {"bot": memory_map(self.bot.pid), "bare": memory_map(self.bare.pid)}
        self.memory_snapshot()  # before the load (with --trace-memory)

    # -- scenario 2 -----------------------------------------------------------------

    async def load(self) -> None:
        rooms, nworkers = self.args.rooms, self.args.workers
        say(f"[2] load: {rooms} rooms × 4 players in {nworkers} player processes; setting up…")
        t0 = time.perf_counter()
        configs = []
        for w in range(nworkers):
            mine = list(range(w, rooms, nworkers))
            cfg = {"url": self.server.url, "shared_secret": self.server._state["shared_secret"], "bot": uid(BOT),
                   "bare": uid(BARE), "rooms": mine, "prefix": f"w{w}", "store_root": str(self.work / "clients"),
                   "out": str(self.work / f"worker{w}.json"), "stagger_seconds": self.args.stagger}
            path = self.work / f"worker{w}.config.json"
            path.write_text(json.dumps(cfg))
            configs.append(cfg)
            self.workers.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.load_worker", str(path), cwd=ROOT,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=open(self.work / f"worker{w}.log", "ab")))
        for w, proc in enumerate(self.workers):
            line = await asyncio.wait_for(proc.stdout.readline(), 400)
            if line.strip() != b"ready":
                raise RuntimeError(f"player process {w} did not get ready; see {self.work}/worker{w}.log")
        setup = time.perf_counter() - t0
        say(f"    set up in {setup:.0f} s; playing…")
        spies = {}
        if self.args.profile:
            seconds = int(self.args.load_timeout)
            for proc in (self.bot, self.bare):
                out = self.work / f"py-spy-{proc.name}-load.txt"
                spies[proc.name] = (spy.record(proc.pid, out, seconds), out)
        before = self.cpu_snapshot()
        stop = asyncio.Event()
        probe_task = asyncio.create_task(self._probe_loop(stop))
        sampler = asyncio.create_task(self._sample(stop))
        t_go = time.perf_counter()
        for proc in self.workers:
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
        async def finished(w: int, proc) -> None:
            line = await proc.stdout.readline()
            if line.strip() != b"done":
                raise RuntimeError(f"player process {w} failed; see {self.work}/worker{w}.log")

        games_done = asyncio.ensure_future(asyncio.gather(*(finished(w, p) for w, p in enumerate(self.workers))))
        # The sampler ends early only if a bot process died: then stop at once.
        await asyncio.wait({games_done, sampler}, timeout=self.args.load_timeout,
                           return_when=asyncio.FIRST_COMPLETED)
        if sampler.done():
            stop.set()
            for task in (games_done, probe_task):
                task.cancel()
            await asyncio.gather(games_done, probe_task, return_exceptions=True)
            sampler.result()
        if not games_done.done():
            raise TimeoutError(f"the games did not finish within {self.args.load_timeout:.0f} s")
        games_done.result()
        duration = time.perf_counter() - t_go
        stop.set()
        probe_bot, probe_bare, probe_failures = await probe_task
        samples = await sampler
        after = self.cpu_snapshot()
        memory_after = {"bot": memory_map(self.bot.pid), "bare": memory_map(self.bare.pid)}
        self.memory_snapshot()  # after the load (with --trace-memory)
        for proc in self.workers:
            await proc.wait()
        games, players_cpu = [], 0.0
        for cfg in configs:
            report = json.loads(Path(cfg["out"]).read_text())
            games += report["rooms"]
            players_cpu += report["cpu_seconds"]
        games.sort(key=lambda g: g["room"])
        sent = sum(g["sent"] for g in games)
        cpu = {k: round(after[k] - before[k], 2) for k in before}
        cpu["players"] = round(players_cpu, 2)
        handled_bot = sent + len(probe_bot)  # every player text in the game rooms, and the probe's
        handled_bare = sum(g["bare_answers"] for g in games) + len(probe_bare)  # what it answered
        lat = [x for g in games for x in g["latencies"]]
        peak = max(samples, key=lambda s: (s["active"] >= rooms, s["bot_rss"]), default=None)
        self.results["load"] = {
            "rooms": rooms, "players": rooms * 4, "player_processes": nworkers, "setup_seconds": round(setup, 1),
            "duration_seconds": round(duration, 1), "games_complete": sum(g["ok"] for g in games),
            "problems": {g["room"]: g["problems"] for g in games if g["problems"]},
            "player_messages": sent, "bot_messages": sum(g["bot_messages"] for g in games),
            "bare_answers": sum(g["bare_answers"] for g in games),
            "probe": {"bot": summary_ms(probe_bot), "bare": summary_ms(probe_bare), "failures": probe_failures},
            "in_game_command_latency": summary_ms(lat),
            "player_send_round_trip": summary_ms([x for g in games for x in g["send_seconds"]]),
            "profiles": self.profiles(spies),
            "cpu_seconds": cpu,
            "cpu_ms_per_player_message": {"bot": round(1000 * cpu["bot"] / handled_bot, 2),
                                          "bare": round(1000 * cpu["bare"] / handled_bare, 2)},
            "max_active_games": max((s["active"] for s in samples), default=0),
            "memory_kb_at_peak": peak,
            "memory_map_after_kb": memory_after,
            "bot_store_after": self.store_counts(),
            "bot_log_errors": self.log_errors(),
            "games": games,
        }

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

    # -- scenarios 3 and 4 ------------------------------------------------------------

    async def restarts(self) -> None:
        assert self.bot is not None and self.probe is not None
        say("[3/4] restarts: killed and started again with 0, then "
            f"{self.args.memory_games}, then {self.args.restart_games} seeded games…")
        runs = {}
        seeded = 0
        for target in (0, self.args.memory_games, self.args.restart_games):
            self.bot.kill()
            t_seed = time.perf_counter()
            applied = await seed_games(self.bot_db, seeded, target - seeded) if target > seeded else 0
            seed_seconds = time.perf_counter() - t_seed
            seeded = target
            games, timers = await expected_timers(self.bot_db)
            # A command typed while the bot is down: answered from the first sync after the start.
            mark = self.probe.mark()
            await self.probe.send(self.bot_room, "!etat")
            timings = await self.start_bot()
            msg = await self.probe.wait_message(self.bot_room, uid(BOT), "Étape", after=mark, timeout=120)
            timings["first_command_answered"] = msg.received - self.bot.spawned_perf
            timings["after_ready_command"] = await self.ping_bot()
            await asyncio.sleep(2)
            run = {k: round(v, 3) for k, v in timings.items()}
            run.update(seeded_games=target, active_games=games, timers_expected=timers,
                       seed_seconds=round(seed_seconds, 1), seed_events=applied,
                       store_and_scheduler=round(timings["engine_ready"] - timings["scheduler_started"], 3),
                       sync_part=round(timings["scheduler_started"] - timings["logged_in"], 3),
                       memory_kb=memory_kb(self.bot.pid))
            runs[str(target)] = run
            say(f"    {target} seeded: timers {timings['timers_armed']}/{timers}, "
                f"store+scheduler {run['store_and_scheduler']:.3f} s, first answer {run['first_command_answered']:.2f} s")
        self.results["restarts"] = runs
        # The floor: the bare bot killed and started again (log in, first sync of the same rooms).
        self.bare.kill()
        self.results["bare_restart_ready_seconds"] = round(await self.start_bare(), 3)
        await asyncio.sleep(1)
        self.results["memory_bare_after_restart_kb"] = self.bare.rss_kb()

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


def memory_growth(snapshots: Path, top: int = 15) -> dict:
    """Where the bot's Python heap grew between the first and the last tracemalloc snapshot.

    Each growth is charged to the innermost frame in the bot, nio, aiosqlite or
    APScheduler (the code that asked for the memory), else to the innermost frame.
    """
    import tracemalloc
    from collections import Counter

    files = sorted(snapshots.glob("*.snap"), key=lambda p: int(p.stem))
    if len(files) < 2:
        return {"error": "fewer than two snapshots"}
    old, new = (tracemalloc.Snapshot.load(str(f)) for f in (files[0], files[-1]))
    owners: Counter = Counter()
    packages: Counter = Counter()
    for stat in new.compare_to(old, "traceback"):
        frames = list(stat.traceback)[::-1]  # tracemalloc keeps them oldest first: innermost first here
        owner = next((f for f in frames if any(k in f.filename for k in ("/bot/", "/nio/", "aiosqlite", "apscheduler"))),
                     frames[0])
        where = owner.filename.split("site-packages/")[-1].split("/main/")[-1]
        owners[f"{where}:{owner.lineno}"] += stat.size_diff
        package = next((k.strip("/") for k in ("/bot/", "/nio/", "aiosqlite", "apscheduler", "peewee", "aiohttp")
                        if k in owner.filename), "other")
        packages[package] += stat.size_diff
    return {"python_heap_growth_kb": round(sum(packages.values()) / 1024),
            "by_package_kb": {k: round(v / 1024) for k, v in packages.most_common()},
            "top_kb": {k: round(v / 1024) for k, v in owners.most_common(top)}}


def machine() -> dict:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "memory_mb": mem, "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


# -- the table ------------------------------------------------------------------------------


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def table(r: dict) -> tuple[str, list[dict]]:
    rows: list[dict] = []

    def row(scenario, metric, bot, floor, target=None, met=None, unit=""):
        rows.append({"scenario": scenario, "metric": metric, "bot": bot, "floor": floor,
                     "ratio": ratio(bot, floor) if isinstance(bot, (int, float)) and isinstance(floor, (int, float))
                     and floor else None, "target": target, "met": met, "unit": unit})

    lat = r.get("latency")
    if lat:
        b, f = lat["bot"], lat["bare"]
        row("1 reply latency", "p50 (ms)", b["p50"], f["p50"], "≤ 1.15×", b["p50"] <= 1.15 * f["p50"])
        row("1 reply latency", "p95 (ms)", b["p95"], f["p95"], "≤ 1.3×", b["p95"] <= 1.3 * f["p95"])
        row("1 reply latency", "p99 (ms)", b["p99"], f["p99"])
    load = r.get("load")
    if load:
        p = load["probe"]
        row("2 load", f"games complete (of {load['rooms']})", load["games_complete"], None,
            "all", load["games_complete"] == load["rooms"] and not load["problems"])
        if p["bot"].get("n") and p["bare"].get("n"):
            row("2 load", "probe p50 (ms)", p["bot"]["p50"], p["bare"]["p50"])
            row("2 load", "probe p95 (ms)", p["bot"]["p95"], p["bare"]["p95"], "≤ 1.3×",
                p["bot"]["p95"] <= 1.3 * p["bare"]["p95"])
        row("2 load", "floor answers / player messages", f"{load['bare_answers']} / {load['player_messages']}", None,
            "all", load["bare_answers"] >= load["player_messages"])
        # Every event the bot sends (messages, the synthesis file, the poll) per player message;
        # the floor answers each player message once.
        sent = load["player_messages"] or 1
        per_bot, per_bare = round(load["bot_messages"] / sent, 2), round(load["bare_answers"] / sent, 2)
        row("2 load", "bot messages / player message", per_bot, per_bare, "≤ 1.1", per_bot <= 1.1)
        c = load["cpu_ms_per_player_message"]
        row("2 load", "CPU ms / player message", c["bot"], c["bare"], "≤ 1.2×", c["bot"] <= 1.2 * c["bare"])
        g = load["in_game_command_latency"]
        if g.get("n"):
            row("2 load", "in-game answer p50/p95 (ms)", f"{g['p50']:.0f} / {g['p95']:.0f}", None)
        s = load["bot_store_after"]
        row("2 load", "outbox / undecryptable left", f"{s['outbox_left']} / {s['undecryptable_left']}", None,
            "0 / 0", s["outbox_left"] == 0 and s["undecryptable_left"] == 0)
    cost = r.get("engine_cost") or {}
    if "cpu_us_per_event" in cost:
        row("2b engine alone", "CPU µs / game event (no Matrix)", cost["cpu_us_per_event"], None)
        row("2b engine alone", "trips to aiosqlite's thread / event", cost["trips_per_event"], None)
        row("2b engine alone", "CPU µs / trip (sqlite3 in-thread call)", cost["aiosqlite_trip_cpu_us"],
            cost["sqlite3_call_cpu_us"])
    restarts = r.get("restarts", {})
    big = restarts.get(str(r["config"]["restart_games"]))
    if big:
        n = r["config"]["restart_games"]
        row(f"3 restart ({n} games)", "timers re-armed / expected", f"{big['timers_armed']} / {big['timers_expected']}",
            None, "all", big["timers_armed"] == big["timers_expected"])
        row(f"3 restart ({n} games)", "store + scheduler (s)", big["store_and_scheduler"], None, "< 2 s",
            big["store_and_scheduler"] < 2)
        row(f"3 restart ({n} games)", "sync part (s)", big["sync_part"], None)
        row(f"3 restart ({n} games)", "spawn → timers armed (s)", big["engine_ready"], None)
        row(f"3 restart ({n} games)", "spawn → first command answered (s)", big["first_command_answered"], None)
        row(f"3 restart ({n} games)", "spawn → ready (s)", big["first_sync_done"], r.get("bare_restart_ready_seconds"))
    zero = restarts.get("0")
    warm = r.get("memory_warm_kb")
    if warm:
        row("4 memory", "RSS idle, 1 game (MB)", round(warm["bot"] / 1024, 1), round(warm["bare"] / 1024, 1))
    if load and load.get("memory_kb_at_peak") and warm:
        peak = load["memory_kb_at_peak"]
        per_game = (peak["bot_rss"] - warm["bot"]) / max(1, load["rooms"])
        per_room_bare = (peak["bare_rss"] - warm["bare"]) / max(1, load["rooms"])
        row("4 memory", f"RSS with {peak['active']} live games (MB)", round(peak["bot_rss"] / 1024, 1),
            round(peak["bare_rss"] / 1024, 1))
        # The floor pays the Matrix part of a room (members, devices, Olm and Megolm
        # sessions, nio's replay index) with no game at all: a game costs what the bot
        # grows beyond it.
        row("4 memory", "KB per live room (Matrix state + game)", round(per_game), round(per_room_bare))
        above = per_game - per_room_bare
        row("4 memory", "KB per live game (above the floor)", round(above), None, "< 100 KB", above < 100)
        maps = (r.get("memory_map_warm_kb"), load.get("memory_map_after_kb"))
        if all(maps):
            def growth(kind: str) -> float:
                bot = maps[1]["bot"][kind] - maps[0]["bot"][kind]
                bare = maps[1]["bare"][kind] - maps[0]["bare"][kind]
                return round((bot - bare) / max(1, load["rooms"]))
            row("4 memory", "  of which heap / thread arenas / other (KB)",
                " / ".join(str(growth(k)) for k in ("heap", "thread arenas", "anonymous")), None)
    if zero:
        for key in (str(r["config"]["memory_games"]), str(r["config"]["restart_games"])):
            run = restarts.get(key)
            if run:
                n = run["seeded_games"]
                per = (run["memory_kb"]["VmRSS"] - zero["memory_kb"]["VmRSS"]) / max(1, n)
                row("4 memory", f"RSS with {n} seeded games (MB)", round(run["memory_kb"]["VmRSS"] / 1024, 1), None)
                row("4 memory", f"KB per seeded game ({n})", round(per, 1), None, "< 100 KB", per < 100)

    def cell(v):
        if v is None:
            return "—"
        if isinstance(v, float):
            return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
        return str(v)

    header = ["scenario", "metric", "bot", "floor (bare)", "ratio", "target", "met"]
    lines = [[row["scenario"], row["metric"], cell(row["bot"]), cell(row["floor"]),
              f"{row['ratio']:.2f}×" if row["ratio"] is not None else "—", row["target"] or "—",
              {True: "yes", False: "NO", None: "—"}[row["met"]]] for row in rows]
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(header)]
    out = ["| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(header)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(line)) + " |" for line in lines]
    return "\n".join(out), rows


async def main_async(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    started_at, ran = datetime.now(timezone.utc), results.code()
    if args.profile and spy.py_spy() is None:
        # Into this virtual environment only, for the bench; not a dependency of the bot.
        say("installing py-spy into the virtual environment for --profile…")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=True)
    work = Path(tempfile.mkdtemp(prefix="reflextics-bench-"))
    bench = Bench(args, work)
    failed = None
    try:
        await bench.set_up()
        if args.pings:
            await bench.latency()
        if args.rooms:
            await bench.load()
        await bench.restarts()
    except Exception as exc:  # report what was measured so far, and where it stopped
        failed = f"{type(exc).__name__}: {exc}"
        say(f"benchmark stopped: {failed} (files in {work})")
        args.keep = True
    finally:
        await bench.tear_down()
    r = bench.results
    # The bot's own share, without Matrix, in a process of its own (engine_cost.py).
    say("[2b] the engine alone: CPU per game event, and one trip to aiosqlite's thread…")
    cost = subprocess.run([sys.executable, "-m", "benchmarks.engine_cost", "--json"], cwd=ROOT,
                          capture_output=True, text=True)
    r["engine_cost"] = json.loads(cost.stdout) if cost.returncode == 0 else {"error": cost.stderr[-500:]}
    r["error"] = failed
    if args.trace_memory:
        r["memory_trace"] = memory_growth(work / "snapshots")
    r["run_seconds"] = round(time.perf_counter() - started, 1)
    text, rows = table(r)
    r["table"] = rows
    r["table_markdown"] = text
    variant = [flag for flag in ("profile", "trace_memory", "serial_floor") if getattr(args, flag)]
    # Smaller runs and diagnostics are kept too, under a name that says so.
    name = "-".join(["quick"] * args.quick + [flag.replace("_", "-") for flag in variant] + ["failed"] * bool(failed))
    r["provenance"] = results.provenance(started_at, name, ran)
    out = Path(args.output) if args.output else results.path_for(started_at, r["provenance"]["commit"], name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(r, indent=1, ensure_ascii=False) + "\n")
    m = r["machine"]
    if variant:
        print("\nNOT the plain benchmark: " + ", ".join(variant)
              + (" (tracing slows the bot: its times and memory are not comparable)" if args.trace_memory else ""))
    print(f"\nRéflex'tics bench — {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
          f"load average at start {m['load_average_at_start']}; run time {r['run_seconds']:.0f} s\n")
    print(text)
    if r.get("load", {}).get("problems"):
        print("\nproblems:", json.dumps(r["load"]["problems"], ensure_ascii=False)[:2000])
    for name, prof in (r.get("load", {}).get("profiles") or {}).items():
        print(f"\npy-spy, {name} during the load: main thread idle {prof.get('main_thread_idle_pct')} % of "
              f"{prof.get('main_thread_samples')} samples; busy time by package (%): "
              + json.dumps(prof.get("busy_by_package_pct"), ensure_ascii=False))
        print("  busy time under (%): " + json.dumps(prof.get("busy_inclusive_pct"), ensure_ascii=False))
    if r.get("memory_trace"):
        print("\ntracemalloc, bot heap growth warm → after the load: "
              + json.dumps(r["memory_trace"], ensure_ascii=False, indent=1))
    print(f"\nfigures: {out}" + (f"; files kept in {work}" if args.keep else ""))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    for name in ("nio", "peewee", "aiohttp"):
        logging.getLogger(name).setLevel(logging.ERROR)  # e.g. nio's "Missing session for device"
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pings", type=int, default=200, help="scenario 1: !etat round trips per bot")
    p.add_argument("--rooms", type=int, default=50, help="scenario 2: games played at once (4 players each)")
    p.add_argument("--workers", type=int, default=5, help="scenario 2: processes the players are spread over")
    p.add_argument("--stagger", type=float, default=0.2, help="scenario 2: seconds between two games' starts")
    p.add_argument("--probe-interval", type=float, default=0.25, help="scenario 2: pause between probe pairs")
    p.add_argument("--load-timeout", type=float, default=420, help="scenario 2: seconds allowed for all games")
    p.add_argument("--memory-games", type=int, default=500, help="scenario 4: games seeded for the memory figure")
    p.add_argument("--restart-games", type=int, default=1000, help="scenario 3: games in progress at the restart")
    p.add_argument("--output", help="where to write the figures (default: benchmarks/results/<date>-<commit>.json)")
    p.add_argument("--keep", action="store_true", help="keep the homeserver, logs and stores (printed path)")
    p.add_argument("--profile", action="store_true", help="py-spy on both bots during the load (pip install py-spy)")
    p.add_argument("--trace-memory", action="store_true",
                   help="run the bot under tracemalloc and compare its heap before and after the load (slow)")
    p.add_argument("--serial-floor", action="store_true",
                   help="the bare bot awaits each answer before the next event (nio's usual callback style)")
    p.add_argument("--scale", metavar="SIZES",
                   help="instead: the cost curve over room counts, e.g. 10,100,500 (benchmarks/scale.py)")
    args = p.parse_args()
    if args.scale:
        from benchmarks import scale
        return scale.main(["--rooms", args.scale])
    # Fewer pings, games or workers than the defaults: a quick check, named so.
    args.quick = any(getattr(args, k) != p.get_default(k)
                     for k in ("pings", "rooms", "workers", "memory_games", "restart_games"))
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
