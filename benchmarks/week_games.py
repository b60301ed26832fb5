"""Week games at scale: 1,000 in progress, a restart re-arms every deadline and nudge.

    .venv/bin/python -m benchmarks.week_games [--games 1000]

No homeserver: the games are played through the real engine (rules, rendering, one
transaction per step) into a fresh SQLite file with a fake Matrix side, spread over
the steps of a week (round, vote, ideas, synthesis window) with 4 players each, in
three zones. Then a new engine on the same file starts as after a restart (``kill -9``
included: the states are all it has) and the time until every timer is armed is
measured, with the count of armed jobs checked against what the stored states need.
Memory per week game: the stored state's size, and the Python heap of one loaded state.

Target: the restart re-arms everything in under 2 s for 1,000 games.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

from bot.decks import load_library
from bot.game import GameState, Settings, pending_timers
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.runtime.engine import Engine, Outgoing
from bot.store import Store
from bot.store.games import GameStore

ZONES = ("Europe/Paris", "Europe/Bucharest", "Europe/Athens")
STAGES = ("round", "vote", "actions", "synthesis")
TARGET_SECONDS = 2.0


class _NoTimers:
    """The seeding engine arms nothing: the restarted engine re-arms from the states."""

    def replace_game(self, game_id, timers) -> None:
        pass

    def cancel_game(self, game_id) -> None:
        pass


def _engine(store: Store, now: datetime) -> Engine:
    library, _ = load_library(())
    narrator = Narrator(Catalogue.load(default_language="fr"), library)

    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user_id: user_id.split(":")[0].lstrip("@"), library)

    async def send(room_id: str, content: dict, tx_id: str) -> str:
        return "$" + tx_id

    async def send_file(room_id: str, data: bytes, filename: str, mimetype: str, tx_id: str) -> str:
        return "$" + tx_id

    return Engine(GameStore(store), narrator, Settings(), Outgoing(send, send_file), view, clock=lambda: now)


async def seed(path: Path, games: int, now: datetime) -> None:
    store = await Store.open(path)
    engine = _engine(store, now)
    engine.timers = _NoTimers()  # type: ignore[assignment]
    cards = engine.narrator.library.cards("fr")
    for i in range(games):
        room, trainer = f"!week{i}:localhost", f"@w{i}t:localhost"
        players = [f"@w{i}p{k}:localhost" for k in range(4)]

        async def play(event, facilitator: bool = False, ref: str | None = None) -> None:
            if not await engine.handle(room, event, facilitator=facilitator, source_event_id=ref):
                raise RuntimeError(f"week game {i}: {event} was refused")

        await play(ev.Open(trainer, None, "fr", 5 * 86400, ZONES[i % len(ZONES)]), True)
        for p in players:
            await play(ev.Join(p))
        card = cards[i % len(cards)]
        await play(ev.Start(trainer, card.id, card.theme), True)
        for k, p in enumerate(players[:3]):
            await play(ev.Say(p, f"Lecture {k} de la situation, assez longue pour peser. " * 4, f"$w{i}m{k}"))
            await play(ev.Done(p))
        stage = STAGES[i % len(STAGES)]
        if stage == "round":
            continue
        await play(ev.Next(trainer), True)
        if stage == "vote":
            continue
        for p in players:
            await play(ev.Vote(p, True))
        await play(ev.AddAction(players[0], "team", "Une charte d'équipe"))
        if stage == "synthesis":
            await play(ev.End(trainer), True)
    await store.close()


async def restart(path: Path, now: datetime) -> dict:
    store = await Store.open(path)
    engine = _engine(store, now)
    began = time.perf_counter()
    await engine.start()
    seconds = time.perf_counter() - began
    needed = 0
    sizes = []
    for game in await engine.games.active_games():
        needed += len(pending_timers(GameState.from_dict(game.state)))
        sizes.append(len(json.dumps(game.state)))
    armed = engine.timers.count()
    kinds: dict[str, int] = {}
    for job in engine.timers.scheduler.get_jobs():
        kind = job.id.rsplit(":", 1)[1]
        kinds[kind] = kinds.get(kind, 0) + 1
    engine.stop()
    # The heap of loaded week games (what a process holds per game between two events).
    states = [game.state for game in await engine.games.active_games()]
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    loaded = [GameState.from_dict(s) for s in states]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    heap = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    await store.close()
    return {"seconds": seconds, "armed": armed, "needed": needed, "kinds": kinds, "games": len(loaded),
            "state_bytes": sum(sizes) / max(1, len(sizes)), "heap_bytes": heap / max(1, len(loaded)),
            "db_bytes": path.stat().st_size}


async def measure(games: int) -> dict:
    """The figures of ``games`` week games: the restart's and the memory's (make bench's row 5)."""
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="week-bench-") as tmp:
        path = Path(tmp) / "bot.db"
        began = time.perf_counter()
        await seed(path, games, now)
        seeded = time.perf_counter() - began
        r = await restart(path, now)
    r["seeded_seconds"] = seeded
    r["ok"] = r["seconds"] < TARGET_SECONDS and r["armed"] == r["needed"] and r["games"] == games
    return r


async def main(games: int, as_json: bool = False) -> int:
    r = await measure(games)
    if as_json:
        print(json.dumps(r))
        return 0 if r["ok"] else 1
    seeded, ok = r["seeded_seconds"], r["ok"]
    print(f"week games in progress          {r['games']:>10}   (seeded in {seeded:.1f} s)")
    print(f"restart → every timer re-armed  {r['seconds']:>10.3f} s (target < {TARGET_SECONDS:g} s) "
          f"{'OK' if ok else 'MISSED'}")
    print(f"timers armed / needed           {r['armed']:>6} / {r['needed']}   {r['kinds']}")
    print(f"stored state per week game      {r['state_bytes'] / 1024:>10.1f} KiB")
    print(f"Python heap per loaded game     {r['heap_bytes'] / 1024:>10.1f} KiB")
    print(f"database per week game          {r['db_bytes'] / games / 1024:>10.1f} KiB")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="the figures as one JSON line (for benchmarks/run.py)")
    options = parser.parse_args()
    raise SystemExit(asyncio.run(main(options.games, options.json)))
