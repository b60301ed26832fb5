"""Is the database whole, and a consistent copy of it while the bot runs.

SQLite reports a damaged file only when a query happens to read a damaged page:
a bot that starts on one runs on, and whatever lived there is lost or wrong at the
next read. So the file is checked before it is used, with SQLite's own check.

``PRAGMA quick_check`` reads every page and checks the b-trees, records and free
list (a zeroed page anywhere is found); it skips only the cross-check of index
entries against their table rows, which ``integrity_check`` adds. On a 203 MB
database (2,000 games, 300,000 logged events and processed event ids, warm cache)
quick_check took 0.21-0.26 s and integrity_check 0.55-0.66 s. Start-up runs
quick_check (every start, cost linear in the file); ``check-config``, run by an
operator who asked, runs the full integrity_check.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

# The bot's own database, in storage.data_dir.
DATABASE_NAME = "reflextics.db"
SQLITE_HEADER = b"SQLite format 3\x00"
CHECK = "quick_check"
FULL_CHECK = "integrity_check"


class DatabaseDamaged(Exception):
    """The database failed SQLite's check; the message is the one line an operator reads."""

    def __init__(self, path: Path, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(
            f"database {path} is damaged (SQLite: {problem}); the bot will not run on it: stop it, "
            f"move the file aside (with its -wal and -shm) and put the last backup in its place "
            f"(see README \"Backups\"), or start without it to begin empty")


def problems(path: Path, pragma: str = CHECK, limit: int = 5) -> list[str]:
    """What SQLite's ``pragma`` finds wrong in the file at ``path`` (empty: whole; no file: whole)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    conn = None
    try:
        # mode=rw: never create a file while checking one.
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
        rows = conn.execute(f"PRAGMA {pragma}({int(limit)})").fetchall()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "disk image is malformed"
        return [str(exc)]
    finally:
        if conn is not None:
            conn.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def require_whole(path: Path) -> None:
    """Raise :class:`DatabaseDamaged` unless the file at ``path`` passes :data:`CHECK`."""
    found = problems(path)
    if found:
        raise DatabaseDamaged(path, found[0])


def is_sqlite(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == SQLITE_HEADER


def backup_database(source: Path, target: Path) -> None:
    """A consistent copy of the live database ``source`` at ``target`` (SQLite's backup API).

    Safe while the bot writes: the copy is one transaction's view, where copying the
    file (without its -wal) may catch a page half old and half new. The copy is
    readable by its owner only (it holds game texts) and is checked before it is kept.
    """
    require_whole(source)
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    src = sqlite3.connect(f"file:{source}?mode=rw", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # A copy in rollback-journal mode is one self-contained file.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
        dst.close()
    found = problems(target)
    if found:
        raise DatabaseDamaged(target, found[0])


def backup_directory(data_dir: Path, target: Path) -> list[Path]:
    """The whole data directory copied into the new directory ``target``; the files copied.

    Databases (the bot's, and nio's crypto store) go through the backup API; their
    -wal, -shm and -journal files are part of that copy, not copied again; every
    other file (session, pickle key, cross-signing keys) is copied as it is.
    """
    if target.resolve().is_relative_to(data_dir.resolve()):
        raise ValueError(f"{target} is inside the data directory {data_dir}: put the backup elsewhere")
    target.mkdir(mode=0o700, parents=False, exist_ok=False)
    copied: list[Path] = []
    for path in sorted(data_dir.rglob("*")):
        rel = path.relative_to(data_dir)
        if path.is_dir():
            (target / rel).mkdir(mode=0o700, exist_ok=True)
            continue
        if path.name.endswith(("-wal", "-shm", "-journal")) or not path.is_file():
            continue
        (target / rel).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if is_sqlite(path):
            backup_database(path, target / rel)
        else:
            fd = os.open(target / rel, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                shutil.copyfileobj(src, out)
        copied.append(rel)
    return copied
