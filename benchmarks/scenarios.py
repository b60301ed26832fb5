"""The scenarios of `make bench` (see benchmarks/README.md): 1 reply latency, 2 games at once,
3 and 4 restarts with many games and memory."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from benchmarks import spy
from benchmarks.common import ROOT, memory_kb, memory_map, summary_ms
from benchmarks.rig import BARE, BOT, Bench, say, uid
from benchmarks.seed import expected_timers, seed_games


class Scenarios(Bench):
    """The rig (rig.py) and the scenarios run on it, in the order run.py calls them."""

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
