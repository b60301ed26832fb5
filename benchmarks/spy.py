"""Profiles for `run.py --profile`: py-spy attached to a bot process, summarised by where time goes.

py-spy samples every thread (``--idle``: also while waiting), so the main thread's
samples split into *idle* (the event loop waiting in ``select``: for a network bot,
waiting for the homeserver) and *busy* (Python running). Busy samples are charged to
the innermost frame of a known package (self time by package), and counted again
under a few marker functions of the bot and of nio (inclusive time).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

# Innermost frame first: the first rule that matches a frame's file charges the sample.
PACKAGES = [
    ("nio/crypto", "nio crypto (Olm/Megolm, key sharing)"),
    ("nio/store", "nio crypto store (peewee + SQLite)"),
    ("peewee", "nio crypto store (peewee + SQLite)"),
    ("nio/", "nio client (sync parsing, events)"),
    ("jsonschema", "jsonschema (nio validates every event)"),
    ("referencing", "jsonschema (nio validates every event)"),
    ("rpds", "jsonschema (nio validates every event)"),
    ("aiosqlite", "bot store (aiosqlite)"),
    ("apscheduler", "APScheduler"),
    ("logging", "logging"),
    ("aiohttp", "HTTP (aiohttp)"),
    ("yarl", "HTTP (aiohttp)"),
    ("multidict", "HTTP (aiohttp)"),
    ("json", "json"),
    ("bot/", "bot code"),
    ("asyncio", "asyncio event loop"),
]
MARKERS = [
    "Engine.handle", "Engine._fire", "Engine.reply", "GamePlay._status", "Bot.on_event", "MatrixTransport._process",
    "MatrixTransport._handle", "maintain_keys", "Outbox.send", "Store.mark_processed", "Store.processed_among",
    "AsyncClient.sync", "AsyncClient.receive_response", "AsyncClient.room_send", "AsyncClient.share_group_session",
    "AsyncClient.keys_query", "AsyncClient.keys_claim", "main.<locals>.on_text",
]
IDLE_LEAVES = ("EpollSelector.select", "PollSelector.select", "SelectSelector.select")


def py_spy() -> str | None:
    exe = Path(sys.executable).with_name("py-spy")
    return str(exe) if exe.exists() else shutil.which("py-spy")


def record(pid: int, out: Path, seconds: int) -> subprocess.Popen | None:
    exe = py_spy()
    if exe is None:
        return None
    return subprocess.Popen([exe, "record", "--pid", str(pid), "--idle", "--threads", "--format", "raw",
                             "--rate", "100", "--duration", str(seconds), "--nonblocking", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=open(str(out) + ".log", "wb"))


def summarize(path: Path, top: int = 12) -> dict:
    main_total = main_idle = other_busy = 0
    by_package: Counter = Counter()
    by_marker: Counter = Counter()
    by_leaf: Counter = Counter()
    if not path.exists():
        return {"error": f"no profile at {path}"}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread, frames = frames[0], frames[1:]
        leaf = frames[-1] if frames else ""
        idle = leaf.startswith(IDLE_LEAVES) or "threading.py" in leaf or "queue.py" in leaf
        if "MainThread" not in thread:
            if not idle:
                other_busy += count
            continue
        main_total += count
        if idle:
            main_idle += count
            continue
        by_leaf[leaf.split(" (")[0]] += count
        for frame in reversed(frames):
            where = frame[frame.find("(") + 1:]
            label = next((name for key, name in PACKAGES if key in where), None)
            if label:
                by_package[label] += count
                break
        else:
            by_package["other"] += count
        names = {frame.split(" (")[0] for frame in frames}
        for marker in MARKERS:
            if marker in names:
                by_marker[marker] += count
    busy = main_total - main_idle
    pct = lambda n: round(100 * n / busy, 1) if busy else 0.0  # noqa: E731
    return {
        "main_thread_samples": main_total,
        "main_thread_idle_pct": round(100 * main_idle / main_total, 1) if main_total else None,
        "busy_samples": busy,
        "other_threads_busy_samples": other_busy,
        "busy_by_package_pct": {k: pct(v) for k, v in by_package.most_common()},
        "busy_inclusive_pct": {k: pct(v) for k, v in by_marker.most_common()},
        "busy_top_leaves_pct": {k: pct(v) for k, v in by_leaf.most_common(top)},
    }
