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
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import results, spy  # noqa: E402
from benchmarks.common import ROOT  # noqa: E402
from benchmarks.report import memory_growth, table  # noqa: E402
from benchmarks.rig import say  # noqa: E402
from benchmarks.scenarios import Scenarios  # noqa: E402




async def main_async(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    started_at, ran = datetime.now(timezone.utc), results.code()
    if args.profile and spy.py_spy() is None:
        # Into this virtual environment only, for the bench; not a dependency of the bot.
        say("installing py-spy into the virtual environment for --profile…")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=True)
    work = Path(tempfile.mkdtemp(prefix="reflextics-bench-"))
    bench = Scenarios(args, work)
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
    # Week games in progress (no homeserver either): the restart re-arms every deadline and nudge.
    say(f"[5] {args.restart_games} week games in progress: restart, memory…")
    week = subprocess.run([sys.executable, "-m", "benchmarks.week_games", "--json", "--games",
                           str(args.restart_games)], cwd=ROOT, capture_output=True, text=True)
    try:
        r["week_games"] = json.loads(week.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        r["week_games"] = {"error": week.stderr[-500:]}
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
