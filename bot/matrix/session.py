"""The bot's Matrix session on disk: device id, access token, pickle key.

The crypto store and the device id are one thing: a lost store with the same
device id would create new identity keys that the server refuses forever. So the
session file and the store live side by side in the data directory, created
readable by the bot's user only.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Write a file readable by the owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True)
class Session:
    """What a restart needs to be the same device."""

    homeserver: str
    user_id: str
    device_id: str
    access_token: str

    def __repr__(self) -> str:
        return f"Session(user_id={self.user_id!r}, device_id={self.device_id!r})"


class SessionFiles:
    """Paths and files of one data directory."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.session_path = data_dir / "session.json"
        self.pickle_key_path = data_dir / "pickle.key"
        self.crypto_dir = data_dir / "crypto"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        self.crypto_dir.mkdir(exist_ok=True)
        os.chmod(self.crypto_dir, 0o700)

    def load(self) -> Session | None:
        try:
            data = json.loads(self.session_path.read_text(encoding="utf-8"))
            return Session(**data)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            raise RuntimeError(f"{self.session_path}: unreadable session file ({exc}); move it away to log in again") from None

    def save(self, session: Session) -> None:
        write_private(self.session_path, json.dumps(asdict(session)))

    def store_exists(self, user_id: str, device_id: str) -> bool:
        # nio's default SqliteStore file name.
        return (self.crypto_dir / f"{user_id}_{device_id}.db").exists()

    def pickle_key(self, configured: str | None) -> str:
        """The configured key, or one generated once and kept in the data dir."""
        if configured:
            return configured
        if self.pickle_key_path.exists():
            return self.pickle_key_path.read_text(encoding="utf-8").strip()
        key = secrets.token_urlsafe(32)
        write_private(self.pickle_key_path, key)
        return key
