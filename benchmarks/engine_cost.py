"""The bot's own CPU per game event, without Matrix, and what one trip to aiosqlite costs.

    python -m benchmarks.engine_cost [--games 200] [--json]

Plays games through the real engine (rules, rendering, one transaction per step,
outbox; nothing sent: ``seed.py``) into a throw-away SQLite file and reports the
process CPU time per game event and the trips to aiosqlite's thread it made. Then
times a trip on its own: one indexed SELECT through aiosqlite, and the same through
the plain ``sqlite3`` module in the calling thread. ``run.py`` runs this in its own
process (nothing else competes for its CPU) and puts the figures in its table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import tempfile
from pathlib import Path

import aiosqlite

from benchmarks.seed import seed_games
from bot.decks import load_library
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator

QUERIES = 5000


def cpu() -> float:
    t = os.times()
    return t.user + t.system


async def engine_cost(games: int) -> dict:
    trips = 0
    real = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        nonlocal trips
        trips += 1
        return await real(self, fn, *args, **kwargs)

    aiosqlite.Connection._execute = counted  # diagnostics only: count the hand-offs
    # Read once, as the bot does at start: parsing the decks and the catalogue costs
    # about 1.3 s of CPU, which counted in the figure made it 0.4 ms per event too high.
    library, _ = load_library(())
    narrator = Narrator(Catalogue.load(default_language="fr"), library)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await seed_games(Path(tmp) / "warm.db", 0, 10, narrator)  # imports, first renderings
            trips = 0
            start = cpu()
            events = await seed_games(Path(tmp) / "bot.db", 0, games, narrator)
            spent = cpu() - start
    finally:
        aiosqlite.Connection._execute = real
    # seed_games opens, migrates and closes its store: a fixed cost, small against the games.
    return {"games": games, "events": events, "cpu_us_per_event": round(1e6 * spent / events),
            "trips_per_event": round(trips / events, 1)}


async def trip_cost() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trip.db"
        sync = sqlite3.connect(path)
        sync.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        sync.executemany("INSERT INTO t(v) VALUES(?)", [("x" * 40,)] * 1000)
        sync.commit()
        db = await aiosqlite.connect(path)
        try:
            start = cpu()
            for i in range(QUERIES):
                await db.execute_fetchall("SELECT v FROM t WHERE id = ?", (i % 1000 + 1,))
            through_thread = (cpu() - start) / QUERIES
        finally:
            await db.close()
        start = cpu()
        for i in range(QUERIES):
            sync.execute("SELECT v FROM t WHERE id = ?", (i % 1000 + 1,)).fetchall()
        in_thread = (cpu() - start) / QUERIES
        sync.close()
    return {"aiosqlite_trip_cpu_us": round(1e6 * through_thread, 1), "sqlite3_call_cpu_us": round(1e6 * in_thread, 1)}


async def main_async(games: int) -> dict:
    return {**await engine_cost(games), **await trip_cost()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print one JSON object (for run.py)")
    args = parser.parse_args()
    figures = asyncio.run(main_async(args.games))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
