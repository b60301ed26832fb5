"""The bot's own ``main`` (what ``python -m bot`` runs) with bench-only instruments.

    python -m benchmarks.bot_runner [--tracemalloc DIR] --config bot.yaml

``--tracemalloc DIR``: trace Python allocations; each SIGUSR1 writes a snapshot to
DIR/N.snap for run.py to compare (tracing slows Python down: such a run measures
where memory goes, not speed).
"""

import argparse
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracemalloc", type=Path)
    args, rest = parser.parse_known_args()
    if args.tracemalloc:
        trace_memory(args.tracemalloc)
    from bot.__main__ import main

    sys.argv = [sys.argv[0]] + rest
    sys.exit(main())
