"""The bot's own ``main`` (what ``python -m bot`` runs) with bench-only instruments.

    python -m benchmarks.bot_runner [--tracemalloc DIR] [--concurrent-rooms] --config bot.yaml

``--tracemalloc DIR``: trace Python allocations; each SIGUSR1 writes a snapshot to
DIR/N.snap for run.py to compare (tracing slows Python down: such a run measures
where memory goes, not speed). ``--concurrent-rooms``: an experiment, not the bot as
shipped — the events of one sync are handled room by room *concurrently* (each
room's own events still in order, the sync token still saved after all of them), to
measure what handling rooms one after another costs under load.
"""

import argparse
import asyncio
import signal
import sys
import tracemalloc
from pathlib import Path


def trace_memory(out: Path) -> None:
    taken = []

    def snapshot(*_):
        tracemalloc.take_snapshot().dump(str(out / f"{len(taken)}.snap"))
        taken.append(1)

    tracemalloc.start(12)
    signal.signal(signal.SIGUSR1, snapshot)


def handle_rooms_concurrently() -> None:
    from bot.matrix.transport import MatrixTransport

    async def _release(self) -> None:
        by_room: dict[str, list] = {}
        for room_id, event in self.late.release(self.client):
            by_room.setdefault(room_id, []).append(event)

        async def one_room(room_id: str, events: list) -> None:
            room = self.client.rooms.get(room_id)
            if room is not None:
                for event in events:
                    await self._handle(room, event)

        await asyncio.gather(*(one_room(r, events) for r, events in by_room.items()))

    MatrixTransport._release = _release


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracemalloc", type=Path)
    parser.add_argument("--concurrent-rooms", action="store_true")
    args, rest = parser.parse_known_args()
    if args.tracemalloc:
        trace_memory(args.tracemalloc)
    if args.concurrent_rooms:
        handle_rooms_concurrently()
    from bot.__main__ import main

    sys.argv = [sys.argv[0]] + rest
    sys.exit(main())
