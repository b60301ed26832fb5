"""What a bot left on disk, read byte by byte."""

from __future__ import annotations

from pathlib import Path


def data_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
