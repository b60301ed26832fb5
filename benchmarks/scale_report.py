"""The cost curve's figures (``scale.py``): growth per added room, and the table it prints."""

from __future__ import annotations


def growth(sizes: dict) -> dict:
    """Per added room between consecutive sizes: what each extra room costs."""
    keys = sorted(sizes, key=int)
    out = {}
    for small, large in zip(keys, keys[1:]):
        a, b, n = sizes[small], sizes[large], int(large) - int(small)
        out[f"{small}->{large}"] = {
            "rss_kb_per_room": {w: round((b["rss_kb"][w] - a["rss_kb"][w]) / n, 1) for w in ("bot", "bare")},
            "start_ms_per_room": {"bot": round(1000 * (b["bot_start"]["ready"] - a["bot_start"]["ready"]) / n, 2),
                                  "bare": round(1000 * (b["bare_ready_seconds"] - a["bare_ready_seconds"]) / n, 2)},
            # The bot's own part of its start (first sync, timers), without starting Python and logging in.
            "bot_first_sync_ms_per_room": round(1000 * (_sync_part(b) - _sync_part(a)) / n, 2),
            "idle_cpu_ms_per_minute_per_room": {
                w: round(1000 * (b["idle_cpu_seconds_per_minute"][w] - a["idle_cpu_seconds_per_minute"][w]) / n, 3)
                for w in ("bot", "bare")},
        }
    return out


def _sync_part(size: dict) -> float:
    start = size["bot_start"]
    return start["ready"] - start.get("logged_in", 0.0)


def table(r: dict) -> str:
    rows = [("rooms (games)", "start-up to ready (s)", "RSS (MB)", "KB per added room", "CPU s / idle min",
             "!etat p50/p95 (ms)")]
    previous = None
    for size, s in sorted(r["sizes"].items(), key=lambda kv: int(kv[0])):
        n = int(size)
        added = "—"
        if previous is not None:
            k = n - int(previous[0])
            added = (f"{(s['rss_kb']['bot'] - previous[1]['rss_kb']['bot']) / k:.0f} / "
                     f"{(s['rss_kb']['bare'] - previous[1]['rss_kb']['bare']) / k:.0f}")
        previous = (size, s)

        def pair(bot, bare, fmt="{:.2f}"):
            return f"{fmt.format(bot)} / {fmt.format(bare)}"

        rows.append((f"{n} ({s['games']})", pair(s["bot_start"]["ready"], s["bare_ready_seconds"]),
                     pair(s["rss_kb"]["bot"] / 1024, s["rss_kb"]["bare"] / 1024, "{:.1f}"),
                     added,
                     pair(s["idle_cpu_seconds_per_minute"]["bot"], s["idle_cpu_seconds_per_minute"]["bare"], "{:.3f}"),
                     f"{s['latency']['bot'].get('p50', 0):.0f}/{s['latency']['bot'].get('p95', 0):.0f} / "
                     f"{s['latency']['bare'].get('p50', 0):.0f}/{s['latency']['bare'].get('p95', 0):.0f}"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines) + "\n(each cell: bot / floor)"
