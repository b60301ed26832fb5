"""The smallest valid config mapping, with dotted overrides (``minimal(game__turn_seconds=60)``)."""

from __future__ import annotations


def minimal(**overrides) -> dict:
    data = {
        "matrix": {
            "homeserver": "https://matrix.test.org",
            "user_id": "@bot:test.org",
            "password": "hunter2-very-secret",
        },
        "storage": {"data_dir": "/tmp/reflextics-test"},
    }
    for dotted, value in overrides.items():
        section, key = dotted.split("__")
        data.setdefault(section, {})[key] = value
    return data
