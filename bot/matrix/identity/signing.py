"""Signing JSON the Matrix way: canonical JSON and ed25519 signatures, no I/O.

matrix-nio 0.26 has no cross-signing, so the small part the bot needs is here
(spec appendix "Signing JSON"). Ed25519 comes from ``cryptography``, a kept,
widely audited library that the bot lists among its own dependencies (Synapse
brings it too, but only in the ``local``/``test`` extras):
vodozemac's Python binding exposes no ed25519 key the bot could own and reload
from its own file, and PyNaCl would add a second libsodium binding for what
``cryptography`` already does (it also gives AES-GCM and HKDF for the key file).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# The spec's canonical JSON only has integers in this range (no floats).
MAX_INT = 2**53 - 1


class SignatureError(Exception):
    """A signature is missing, malformed or does not verify."""


def b64encode(data: bytes) -> str:
    """Unpadded base64, the Matrix encoding of keys and signatures."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _check_values(value: Any, where: str = "") -> None:
    # json.dumps would happily write floats, NaN and big integers, which other
    # implementations canonicalise differently: refuse them instead of signing.
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise ValueError(f"{where or 'value'}: integer outside the canonical JSON range")
        return
    if isinstance(value, float):
        raise ValueError(f"{where or 'value'}: floats have no canonical JSON form")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where or 'object'}: keys must be strings")
            _check_values(item, f"{where}.{key}" if where else key)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_values(item, f"{where}[{i}]")
        return
    raise ValueError(f"{where or 'value'}: {type(value).__name__} is not JSON")


def canonical_json(value: Any) -> bytes:
    """UTF-8, keys sorted by code point, no insignificant whitespace, integers only."""
    _check_values(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def signable(obj: dict) -> bytes:
    """The bytes a signature covers: the object without ``signatures`` and ``unsigned``."""
    return canonical_json({k: v for k, v in obj.items() if k not in ("signatures", "unsigned")})


@dataclass(frozen=True)
class SigningKey:
    """One ed25519 key pair; ``key_id`` is ``ed25519:<public key>`` as cross-signing names it."""

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> "SigningKey":
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def seed(self) -> bytes:
        return self.private.private_bytes_raw()

    @property
    def public(self) -> str:
        return b64encode(self.private.public_key().public_bytes_raw())

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def sign_bytes(self, data: bytes) -> str:
        return b64encode(self.private.sign(data))

    def __repr__(self) -> str:  # never the seed
        return f"SigningKey({self.key_id})"


def sign_json(obj: dict, user_id: str, key: SigningKey, key_id: str | None = None) -> dict:
    """A copy of ``obj`` with this key's signature added beside the ones it has."""
    signature = key.sign_bytes(signable(obj))
    signed = dict(obj)
    signatures = {u: dict(s) for u, s in (obj.get("signatures") or {}).items()}
    signatures.setdefault(user_id, {})[key_id or key.key_id] = signature
    signed["signatures"] = signatures
    return signed


def verify_json(obj: dict, user_id: str, key_id: str, public: str) -> None:
    """Raise :class:`SignatureError` unless ``obj`` carries a valid signature by that key."""
    try:
        signature = b64decode(obj["signatures"][user_id][key_id])
        verify_key = Ed25519PublicKey.from_public_bytes(b64decode(public))
        verify_key.verify(signature, signable(obj))
    except (KeyError, TypeError, ValueError) as exc:
        raise SignatureError(f"no readable signature by {key_id} for {user_id} ({type(exc).__name__})") from None
    except InvalidSignature:
        raise SignatureError(f"the signature by {key_id} for {user_id} does not verify") from None


def cross_signing_key(user_id: str, usage: str, key: SigningKey) -> dict:
    """The unsigned public form of a cross-signing key, as /keys/device_signing/upload takes it."""
    return {"user_id": user_id, "usage": [usage], "keys": {key.key_id: key.public}}


def ed25519_key(key_obj: dict) -> tuple[str, str] | None:
    """The (key id, ed25519 public key) of a cross-signing key object from the server, if any."""
    for key_id, value in (key_obj.get("keys") or {}).items():
        if isinstance(key_id, str) and key_id.startswith("ed25519:") and isinstance(value, str):
            return key_id, value
    return None


def ed25519_public(key_obj: dict) -> str | None:
    """The ed25519 public key of a cross-signing key object from the server, if any."""
    found = ed25519_key(key_obj)
    return None if found is None else found[1]
