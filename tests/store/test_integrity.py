"""A damaged database is refused at start-up and by check-config; backups are consistent copies.

The damage is the one found by hand: with the bot stopped, 4 KB zeroed in the middle
of a real database, on pages of ``game_events``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.app.run import run_bot
from bot.devtools.homeserver import free_port
from bot.store import Store
from bot.store.games import GameStore, Step
from bot.store.integrity import DATABASE_NAME, DatabaseDamaged, backup_directory, problems

T0 = datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc)
PAGE = 4096


async def fill(path: Path, steps: int = 300) -> None:
    """A database written by the bot's own store: one game with ``steps`` logged events."""
    store = await Store.open(path)
    games = GameStore(store)
    game_id = None
    for n in range(steps):
        game_id, _ = await games.commit(Step(
            room_id="!r:x", state={"phase": "round", "n": n}, active=True,
            event={"type": "Say", "actor": "@a:x", "text": f"tour {n} " + "x" * 200}, at=T0,
            facilitator=False, game_id=game_id))
    await store.close()


def damage_game_events(path: Path) -> int:
    """Zero one 4 KB page of ``game_events`` in the middle of the file; its page number."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE
        pages = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'game_events' AND pagetype = 'leaf' ORDER BY pageno")]
        total = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    assert len(pages) >= 3 and not Path(str(path) + "-wal").exists()
    page = min(pages, key=lambda p: abs(p - total // 2))
    with open(path, "r+b") as f:
        f.seek((page - 1) * PAGE)
        f.write(b"\0" * PAGE)
    return page


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "bot.yaml"
    path.write_text(yaml.safe_dump({
        "matrix": {"homeserver": f"http://127.0.0.1:{free_port()}", "user_id": "@bot:example.org",
                   "password": "a-real-secret-1"},
        "storage": {"data_dir": str(tmp_path / "data")},
    }))
    return path


async def test_a_whole_database_passes_and_a_damaged_one_is_refused_naming_the_file(tmp_path):
    db = tmp_path / "data" / DATABASE_NAME
    await fill(db)
    assert problems(db) == []
    damage_game_events(db)
    with sqlite3.connect(db) as conn:  # what the bot did before: the damage shows only in SQLite's check
        assert conn.execute("SELECT room_id FROM games").fetchone()[0] == "!r:x"
        with pytest.raises(sqlite3.DatabaseError, match="malformed"):
            conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    assert problems(db) == ["database disk image is malformed"]
    with pytest.raises(DatabaseDamaged) as refused:
        await Store.open(db)
    message = str(refused.value)
    assert "\n" not in message and str(db) in message
    assert "backup" in message and "move the file aside" in message


async def test_the_bot_refuses_to_start_with_one_line_in_its_log(tmp_path, config, capsys):
    db = tmp_path / "data" / DATABASE_NAME
    await fill(db)
    damage_game_events(db)
    before = db.read_bytes()
    capsys.readouterr()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        code = await run_bot(str(config), stop=asyncio.Event())  # logs to stderr, as configured
    finally:  # run_bot's handler writes to this test's captured stderr: not to the next test's
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    assert code == 1
    log = capsys.readouterr().err.splitlines()
    errors = [line for line in log if " ERROR " in line]
    assert len(errors) == 1 and str(db) in errors[0], log
    assert not any("Logging in" in line or "Traceback" in line for line in log), log
    assert db.read_bytes() == before, "the damaged file is left as it was, for the operator"


async def test_check_config_reports_the_database(tmp_path, config, capsys):
    db = tmp_path / "data" / DATABASE_NAME
    await fill(db)
    assert main(["check-config", str(config)]) == 0
    assert f"{DATABASE_NAME}: whole (SQLite integrity_check)" in capsys.readouterr().out
    damage_game_events(db)
    assert main(["check-config", str(config)]) == 1
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if "database" in line]
    assert "is damaged" in line and str(db) in line


async def test_backup_while_the_store_is_open_and_writing(tmp_path, config, capsys):
    data = tmp_path / "data"
    await fill(data / DATABASE_NAME, steps=50)
    (data / "session.json").write_text('{"device_id": "D"}')
    (data / "crypto").mkdir()
    with sqlite3.connect(data / "crypto" / "nio.db") as crypto:
        crypto.execute("CREATE TABLE k (v)")
    crypto.close()
    store = await Store.open(data / DATABASE_NAME)  # the running bot: WAL mode, a write not checkpointed
    games = GameStore(store)
    await games.commit(Step(room_id="!r:x", state={"phase": "round"}, active=True, event={"type": "Say"},
                            at=T0, facilitator=False, game_id=1))
    target = tmp_path / "backup-1"
    assert main(["backup", "--config", str(config), str(target)]) == 0
    assert f"{target}: 3 file(s) copied" in capsys.readouterr().out
    await store.close()
    copied = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert copied == ["crypto/nio.db", DATABASE_NAME, "session.json"]
    for path in target.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    with sqlite3.connect(target / DATABASE_NAME) as conn:
        assert conn.execute("SELECT COUNT(*) FROM game_events").fetchone()[0] == 51  # the WAL's write included
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert problems(target / DATABASE_NAME, "integrity_check") == []


async def test_backup_refuses_a_damaged_database_and_a_target_inside_the_data_dir(tmp_path, config, capsys):
    data = tmp_path / "data"
    await fill(data / DATABASE_NAME)
    with pytest.raises(ValueError):
        backup_directory(data, data / "backups")
    damage_game_events(data / DATABASE_NAME)
    assert main(["backup", "--config", str(config), str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("backup failed: database ") and "is damaged" in err
