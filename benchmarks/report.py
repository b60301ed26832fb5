"""The report of `make bench`: the machine, the heap growth, and the table of every figure
against its floor and target."""

from __future__ import annotations

import os
import platform
from pathlib import Path


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
    week = r.get("week_games") or {}
    if "seconds" in week:
        n = week["games"]
        row(f"5 week games ({n})", "timers re-armed / needed", f"{week['armed']} / {week['needed']}", None,
            "all", week["armed"] == week["needed"])
        row(f"5 week games ({n})", "restart → every deadline and nudge armed (s)", round(week["seconds"], 3), None,
            "< 2 s", week["seconds"] < 2)
        # A week game's own memory (its loaded state), the Matrix part being the floor's.
        heap_kb = round(week["heap_bytes"] / 1024, 1)
        row(f"5 week games ({n})", "KB per week game (heap of its state)", heap_kb, None, "< 100 KB", heap_kb < 100)
        row(f"5 week games ({n})", "KB stored per week game", round(week["db_bytes"] / n / 1024, 1), None)
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
