"""The bot's three cross-signing private keys and their encrypted file in the data dir.

Whoever holds these keys can vouch for devices in the bot's name, so the file is
mode 600 *and* encrypted: AES-256-GCM under a key derived (HKDF-SHA256) from the
bot's pickle key, the secret that already protects the crypto store. The user id
is bound in as associated data, so a file copied to another account's data dir
does not load. A wrong pickle key and a damaged file both fail loudly, never
silently into a new identity (that would undo every verification of the bot).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.matrix.session import write_private
from bot.matrix.identity.signing import SigningKey, b64decode, b64encode

FILE_NAME = "cross_signing.json"
FORMAT = 1
_HKDF_INFO = b"reflextics cross-signing keys v1"


class KeyFileError(Exception):
    """The key file exists but cannot be used; the message says what to do."""


@dataclass(frozen=True)
class CrossSigningKeys:
    """Master, self-signing and user-signing keys of one account."""

    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    @classmethod
    def generate(cls) -> "CrossSigningKeys":
        return cls(SigningKey.generate(), SigningKey.generate(), SigningKey.generate())

    def _seeds(self) -> dict[str, str]:
        return {
            "master": b64encode(self.master.seed),
            "self_signing": b64encode(self.self_signing.seed),
            "user_signing": b64encode(self.user_signing.seed),
        }

    @classmethod
    def _from_seeds(cls, seeds: dict) -> "CrossSigningKeys":
        return cls(*(SigningKey.from_seed(b64decode(seeds[name]))
                     for name in ("master", "self_signing", "user_signing")))

    def __repr__(self) -> str:
        return f"CrossSigningKeys(master={self.master.public})"


def _aead(pickle_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(pickle_key.encode("utf-8"))
    return AESGCM(key)


class KeyFile:
    """``<data_dir>/cross_signing.json``: the keys, encrypted with the pickle key."""

    def __init__(self, data_dir: Path, user_id: str, pickle_key: str):
        self.path = data_dir / FILE_NAME
        self.user_id = user_id
        self._pickle_key = pickle_key

    def __repr__(self) -> str:
        return f"KeyFile({self.path})"

    def save(self, keys: CrossSigningKeys) -> None:
        nonce = os.urandom(12)
        plain = json.dumps(keys._seeds()).encode("utf-8")
        sealed = _aead(self._pickle_key).encrypt(nonce, plain, self.user_id.encode("utf-8"))
        write_private(self.path, json.dumps({
            "format": FORMAT,
            "user_id": self.user_id,
            # Public, so an operator can compare it with what clients show.
            "master_key": keys.master.public,
            "nonce": b64encode(nonce),
            "ciphertext": b64encode(sealed),
        }, indent=1))

    def load(self) -> CrossSigningKeys | None:
        """The stored keys, None when there is no file; :class:`KeyFileError` when unusable."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise self._error(f"unreadable ({type(exc).__name__})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise self._error("not a cross-signing key file of this bot version")
        if data.get("user_id") != self.user_id:
            raise KeyFileError(f"{self.path}: holds the keys of {data.get('user_id')}, not {self.user_id}; "
                               "use another storage.data_dir")
        try:
            plain = _aead(self._pickle_key).decrypt(
                b64decode(data["nonce"]), b64decode(data["ciphertext"]), self.user_id.encode("utf-8"))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._error(f"damaged ({type(exc).__name__})") from None
        except InvalidTag:
            raise self._error("cannot be decrypted: matrix.pickle_key (or pickle.key) is not the one it was "
                              "written with, or the file was altered") from None
        try:
            keys = CrossSigningKeys._from_seeds(json.loads(plain))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._error(f"damaged ({type(exc).__name__})") from None
        if keys.master.public != data.get("master_key"):
            raise self._error("damaged (master key does not match its public half)")
        if os.stat(self.path).st_mode & 0o077:
            os.chmod(self.path, 0o600)  # restored from a backup with looser modes
        return keys

    def _error(self, what: str) -> KeyFileError:
        return KeyFileError(
            f"{self.path}: {what}. Restore the right pickle key or the file from a backup; or move the file "
            "away and set matrix.reset_foreign_cross_signing: true to make a new identity "
            "(players will have to verify the bot again)"
        )
