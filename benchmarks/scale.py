"""The cost curve: the bot and the floor joined to 10, 100, 500 encrypted rooms.

    .venv/bin/python -m benchmarks.scale [--rooms 10,100,500] [--idle-seconds 30] [--pings 20]
    (or: .venv/bin/python benchmarks/run.py --scale 10,100,500)

One throw-away Synapse; the bot (``python -m bot``, as deployed) and the bare
matrix-nio bot of ``bare_bot.py`` (the floor) are both in every room. Each room has
two players besides them (from a pool of ``--pool`` accounts, each its own device),
a few encrypted messages of history, and one room in ten has a game in progress
(opened, joined and started by its players' commands: the card step, its timer an
hour away). The rooms are added in steps (10, then up to 100, then up to 500); at
each size both bots are stopped and started again and measured:

- start-up: spawn → ready (the bot: ``Game engine ready``, after its first sync
  with full state and every timer re-armed; the floor: its first sync done, which
  for a fresh nio login is the full initial sync);
- RSS once settled, and per room;
- CPU over an idle window (nothing typed anywhere; the players keep syncing), as
  CPU seconds per idle minute — the window is shorter than a minute and scaled;
- one player's reply latency in a busy room (a game in progress) while the others
  idle: ``!etat`` answered by the bot, and echoed by the floor, from the same send.

CPU and memory come from /proc (process CPU time, not wall time): other work on the
same cores changes the latencies and start-up times more than those.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

from benchmarks.common import ROOT, Client, cpu_seconds, log_time, memory_kb, password_of, register, summary_ms
from benchmarks.scale_report import growth, table
from bot.devtools.homeserver import LocalSynapse

BOT, BARE = "scalebot", "scalebare"
# Nothing comes due while the scenario runs: the games' timers are an hour away.
CALM = {"card_seconds": 3600, "turn_seconds": 3600, "resources_seconds": 3600, "actions_seconds": 3600,
        "amend_seconds": 3600, "reminder_seconds": 0, "silence_seconds": 0}
HISTORY = ("Bonjour à toutes et à tous.", "La réunion de jeudi est maintenue.", "Merci, à jeudi.")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def uid(localpart: str) -> str:
    return f"@{localpart}:localhost"


class Child:
    """A bot process; CPU and memory from /proc."""

    def __init__(self, argv: list[str], log_path: Path, stdout=None):
        self.argv, self.log_path, self.stdout = argv, log_path, stdout
        self.popen: subprocess.Popen | None = None
        self.spawned = 0.0

    def start(self) -> None:
        self.spawned = time.time()
        log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.argv, cwd=ROOT, stdout=self.stdout or log, stderr=log)

    def cpu(self) -> float:
        return cpu_seconds(self.popen.pid)

    def rss_kb(self) -> int:
        return memory_kb(self.popen.pid)["VmRSS"]

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Scale:
    def __init__(self, args: argparse.Namespace, work: Path):
        self.args, self.work = args, work
        self.server = LocalSynapse(work / "synapse")
        self.players: list[Client] = []
        self.rooms: list[str] = []
        self.busy = ""
        self.bot: Child | None = None
        self.bare: Child | None = None
        self.results: dict = {"config": {k: v for k, v in vars(args).items()}, "sizes": {}}

    async def set_up(self) -> None:
        await self.server.start()
        secret = self.server._state["shared_secret"]
        names = [BOT, BARE] + [f"scalep{i}" for i in range(self.args.pool)]
        for name in names:
            await register(self.server.url, secret, name)
        config = {
            "matrix": {"homeserver": self.server.url, "user_id": uid(BOT), "password": password_of(BOT),
                       "device_name": "scale"},
            "storage": {"data_dir": str(self.work / "bot-data")},
            "access": {"invite_servers": ["localhost"]},
            "rooms": {"require_encryption": True, "default_language": "fr"},
            "game": CALM,
        }
        (self.work / "bot.yaml").write_text(yaml.safe_dump(config))
        self.bot = Child([sys.executable, "-m", "bot", "--config", str(self.work / "bot.yaml")], self.work / "bot.log")
        self.bot.start()
        await self.bot_ready(0)
        await self.start_bare()
        for i in range(self.args.pool):
            self.players.append(await Client(self.server.url, f"scalep{i}", self.work / "clients" / f"p{i}").start())

    # -- the bots -------------------------------------------------------------------

    async def bot_ready(self, since: int, timeout: float = 900) -> dict:
        """Times from spawn of the bot's start-up log lines (it logs with milliseconds)."""
        marks = {"logged_in": "Logged in as", "timers_started": "Starting the game timers",
                 "ready": "Game engine ready"}
        found: dict[str, float] = {}
        deadline = time.monotonic() + timeout
        while len(found) < len(marks):
            if self.bot.popen.poll() is not None:
                raise RuntimeError(f"the bot exited; see {self.bot.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not get ready")
            with open(self.bot.log_path, "rb") as fh:
                fh.seek(since)
                for line in fh.read().decode("utf-8", "replace").splitlines():
                    for key, needle in marks.items():
                        if key not in found and needle in line:
                            found[key] = round(log_time(line) - self.bot.spawned, 3)
            await asyncio.sleep(0.2)  # polling a log file with a deadline
        return found

    async def start_bare(self) -> float:
        self._bare_starts = getattr(self, "_bare_starts", 0) + 1
        store = self.work / f"bare-store-{self._bare_starts}"  # a fresh login (bare_bot.py): a fresh store
        store.mkdir()
        self.bare = Child([sys.executable, str(ROOT / "benchmarks" / "bare_bot.py"), self.server.url, uid(BARE),
                           password_of(BARE), str(store), "--ignore", uid(BOT)], self.work / "bare.log",
                          stdout=subprocess.PIPE)
        t0 = time.perf_counter()
        self.bare.start()
        loop = asyncio.get_running_loop()
        line = await asyncio.wait_for(loop.run_in_executor(None, self.bare.popen.stdout.readline), 900)
        if line.strip() != b"ready":
            raise RuntimeError("the bare bot did not start")
        return round(time.perf_counter() - t0, 3)

    # -- rooms --------------------------------------------------------------------------

    def pair(self, r: int) -> tuple[Client, Client]:
        k = len(self.players)
        first = r % k
        second = (first + 1 + (r // k) % (k - 1)) % k
        return self.players[first], self.players[second]

    async def add_room(self, r: int) -> None:
        a, b = self.pair(r)
        room = await a.create_room([b.user_id, uid(BOT), uid(BARE)])
        await b.join(room)
        await a.wait_joined(room, [b.user_id, uid(BOT), uid(BARE)], timeout=300)
        for who, text in zip((a, b, a), HISTORY):
            await who.send(room, text)
        if r % 10 == 0:  # one room in ten: a game in progress, opened by its players
            for who, text, expect in ((a, "!nouvelle", "Nouvelle partie"), (a, "!rejoindre", "Bienvenue"),
                                      (b, "!rejoindre", "Bienvenue"), (a, "!commencer dp-01", "Questions")):
                mark = a.mark()
                await who.send(room, text)
                await a.wait_message(room, uid(BOT), expect, after=mark, timeout=300)
        self.rooms.append(room)
        if r == 0:
            self.busy = room

    async def grow_to(self, size: int) -> float:
        t0 = time.perf_counter()
        gate = asyncio.Semaphore(self.args.parallel)

        async def one(r: int) -> None:
            async with gate:
                await self.add_room(r)

        await asyncio.gather(*(one(r) for r in range(len(self.rooms), size)))
        return round(time.perf_counter() - t0, 1)

    # -- measuring ----------------------------------------------------------------------

    async def measure(self, size: int, setup_seconds: float) -> dict:
        say(f"  {size} rooms: restarting both bots…")
        self.bot.stop()
        self.bare.stop()
        since = self.bot.log_path.stat().st_size
        self.bot.start()
        bot_start = await self.bot_ready(since)
        bare_ready = await self.start_bare()
        await asyncio.sleep(self.args.settle)  # start-up work (key uploads, late answers) ends
        rss = {"bot": self.bot.rss_kb(), "bare": self.bare.rss_kb()}
        say(f"  {size} rooms: idle {self.args.idle_seconds:.0f} s…")
        before = {"bot": self.bot.cpu(), "bare": self.bare.cpu(), "synapse": cpu_seconds(self.server.process.pid)}
        await asyncio.sleep(self.args.idle_seconds)  # the idle window itself: nothing is typed anywhere
        after = {"bot": self.bot.cpu(), "bare": self.bare.cpu(), "synapse": cpu_seconds(self.server.process.pid)}
        per_minute = {k: round((after[k] - before[k]) * 60 / self.args.idle_seconds, 3) for k in before}
        say(f"  {size} rooms: {self.args.pings} × !etat in the busy room…")
        bot_lat, bare_lat = [], []
        probe, bot_cpu0, bare_cpu0 = self.pair(0)[0], self.bot.cpu(), self.bare.cpu()
        for _ in range(self.args.pings):
            mark = probe.mark()
            t0 = await probe.send_timed(self.busy, "!etat")
            bot_msg = await probe.wait_message(self.busy, uid(BOT), "Étape", after=mark, timeout=120)
            bare_msg = await probe.wait_message(self.busy, uid(BARE), "!etat", after=mark, timeout=120)
            bot_lat.append(bot_msg.received - t0)
            bare_lat.append(bare_msg.received - t0)
        pings_cpu = {"bot": round(1000 * (self.bot.cpu() - bot_cpu0) / self.args.pings, 2),
                     "bare": round(1000 * (self.bare.cpu() - bare_cpu0) / self.args.pings, 2)}
        out = {
            "rooms": size, "games": (size + 9) // 10, "setup_seconds": setup_seconds,
            "bot_start": bot_start, "bare_ready_seconds": bare_ready,
            "rss_kb": rss, "rss_kb_after_pings": {"bot": self.bot.rss_kb(), "bare": self.bare.rss_kb()},
            "idle_cpu_seconds_per_minute": per_minute, "idle_window_seconds": self.args.idle_seconds,
            "latency": {"bot": summary_ms(bot_lat), "bare": summary_ms(bare_lat)},
            "cpu_ms_per_ping": pings_cpu,
            "bot_store_bytes": sum(p.stat().st_size for p in (self.work / "bot-data").rglob("*") if p.is_file()),
        }
        say("  " + json.dumps({k: out[k] for k in ("bot_start", "bare_ready_seconds", "rss_kb",
                                                  "idle_cpu_seconds_per_minute")}))
        return out

    async def run(self) -> None:
        await self.set_up()
        for size in self.args.sizes:
            say(f"growing to {size} rooms…")
            seconds = await self.grow_to(size)
            self.results["sizes"][str(size)] = await self.measure(size, seconds)

    async def tear_down(self) -> None:
        for client in self.players:
            await client.stop()
        for child in (self.bot, self.bare):
            if child is not None:
                child.stop()
        self.server.stop()


async def main_async(args: argparse.Namespace) -> int:
    from benchmarks import results
    started_at, ran = datetime.now(timezone.utc), results.code()
    work = Path(tempfile.mkdtemp(prefix="reflextics-scale-"))
    scale = Scale(args, work)
    failed = None
    t0 = time.perf_counter()
    try:
        await scale.run()
    except Exception as exc:  # keep what was measured, and say where it stopped
        failed = f"{type(exc).__name__}: {exc}"
        say(f"scale stopped: {failed} (files in {work})")
    finally:
        await scale.tear_down()
    r = scale.results
    r["error"] = failed
    r["growth_per_added_room"] = growth(r["sizes"])
    r["run_seconds"] = round(time.perf_counter() - t0, 1)
    r["machine"] = {"load_average_at_end": list(__import__("os").getloadavg())}
    r["table_markdown"] = table(r)
    name = "scale" + ("-failed" if failed else "")
    r["provenance"] = results.provenance(started_at, name, ran)
    out = Path(args.output) if args.output else results.path_for(started_at, r["provenance"]["commit"], name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(r, indent=1, ensure_ascii=False) + "\n")
    print(r["table_markdown"])
    print(json.dumps(r["growth_per_added_room"], indent=1))
    print(f"figures: {out}; files in {work}")
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rooms", default="10,100,500", help="the sizes measured, in order (rooms are only added)")
    p.add_argument("--pool", type=int, default=10, help="player accounts the rooms' two members are drawn from")
    p.add_argument("--parallel", type=int, default=8, help="rooms set up at once")
    p.add_argument("--idle-seconds", type=float, default=30, help="the idle window (CPU is scaled to a minute)")
    p.add_argument("--settle", type=float, default=10, help="seconds after start-up before measuring")
    p.add_argument("--pings", type=int, default=20, help="!etat round trips in the busy room at each size")
    p.add_argument("--output", help="where to write the figures (default: benchmarks/results/<date>-<commit>-scale.json)")
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    for name in ("nio", "peewee", "aiohttp"):
        logging.getLogger(name).setLevel(logging.ERROR)
    args = parser().parse_args(argv)
    args.sizes = [int(x) for x in args.rooms.split(",")]
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
