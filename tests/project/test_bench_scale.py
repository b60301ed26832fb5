"""The cost curve's arithmetic (benchmarks/scale_report.py): growth per added room, and its table."""

from __future__ import annotations

from benchmarks.scale_report import growth, table


def size(bot_rss: int, bare_rss: int, ready: float, bare_ready: float, idle_bot: float) -> dict:
    return {"games": 1, "rss_kb": {"bot": bot_rss, "bare": bare_rss}, "bot_start": {"logged_in": 1.0, "ready": ready},
            "bare_ready_seconds": bare_ready, "idle_cpu_seconds_per_minute": {"bot": idle_bot, "bare": 0.0},
            "latency": {"bot": {"p50": 100.0, "p95": 200.0}, "bare": {"p50": 90.0, "p95": 180.0}}}


def test_growth_is_per_added_room_between_consecutive_sizes():
    sizes = {"100": size(76_000, 55_000, 3.0, 4.0, 0.02), "10": size(73_000, 52_000, 1.2, 2.2, 0.0),
             "500": size(88_000, 70_200, 7.0, 16.0, 0.02)}
    g = growth(sizes)
    assert list(g) == ["10->100", "100->500"]  # ordered by size, not by the keys' text
    assert g["10->100"]["rss_kb_per_room"] == {"bot": round(3000 / 90, 1), "bare": round(3000 / 90, 1)}
    assert g["100->500"]["rss_kb_per_room"] == {"bot": 30.0, "bare": 38.0}
    assert g["100->500"]["start_ms_per_room"] == {"bot": 10.0, "bare": 30.0}
    assert g["100->500"]["bot_first_sync_ms_per_room"] == 10.0  # logged in at 1 s both times
    assert g["10->100"]["idle_cpu_ms_per_minute_per_room"]["bot"] == round(20 / 90, 3)


def test_the_table_has_a_row_per_size_and_the_added_rooms_cost():
    text = table({"sizes": {"10": size(73_000, 52_000, 1.2, 2.2, 0.0), "100": size(76_600, 55_600, 3.0, 4.0, 0.0)}})
    lines = text.splitlines()
    assert lines[2].startswith("| 10 (1)") and lines[3].startswith("| 100 (1)")
    assert "—" in lines[2] and "40 / 40" in lines[3]  # (76600 - 73000) / 90 KB per added room
