"""Typed, validated reads from a parsed YAML mapping, naming the dotted key in every error.

What the configuration means is declared once per setting (``bot.game.declared``:
a dataclass field with its default, bounds and meaning); how a value is read and
checked against that declaration (type, bounds, example placeholders) is here.
"""

from __future__ import annotations

import re
from typing import Any

from bot.game.declared import Declared, declared

# Values of config.example.yaml a user must change; tests keep them in step with
# the example file.
PLACEHOLDERS: dict[str, str] = {
    "matrix.homeserver": "https://matrix.example.org",
    "matrix.user_id": "@reflextics:example.org",
    "matrix.password": "CHANGE-ME",
}


class ConfigError(Exception):
    """The configuration is invalid; the message names the dotted key."""


class Reader:
    """Reads typed values from the nested mapping, naming dotted keys in errors."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    def _get(self, key: str) -> tuple[bool, Any]:
        node: Any = self.data
        parts = key.split(".")
        for i, part in enumerate(parts):
            if not isinstance(node, dict):
                raise ConfigError(f"{'.'.join(parts[:i])}: must be a mapping")
            if part not in node or node[part] is None:
                return False, None
            node = node[part]
        return True, node

    def section(self, key: str) -> None:
        present, value = self._get(key)
        if present and not isinstance(value, dict):
            raise ConfigError(f"{key}: must be a mapping")

    def string(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        present, value = self._get(key)
        if not present or value == "":
            if required:
                raise ConfigError(f"{key}: is required")
            return default
        if not isinstance(value, str):
            raise ConfigError(f"{key}: must be a string")
        if PLACEHOLDERS.get(key) == value:
            raise ConfigError(f"{key}: still has the example's placeholder value; set your own")
        return value

    def number(self, key: str, default: float, minimum: float = 0, maximum: float | None = None) -> float:
        present, value = self._get(key)
        if not present:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: must be a number")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise ConfigError(f"{key}: must be {bound}")
        return value

    def integer(self, key: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
        present, value = self._get(key)
        if present and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{key}: must be a whole number")
        return int(self.number(key, default, minimum, maximum))

    def boolean(self, key: str, default: bool) -> bool:
        present, value = self._get(key)
        if not present:
            return default
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: must be true or false")
        return value

    def strings(self, key: str, pattern: re.Pattern | None = None, what: str = "") -> tuple[str, ...]:
        present, value = self._get(key)
        if not present:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key}: must be a list of strings")
        if pattern is not None:
            for item in value:
                if not pattern.match(item):
                    raise ConfigError(f"{key}: {item!r} is not {what}")
        return tuple(value)

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(key, default)
        if value not in choices:
            raise ConfigError(f"{key}: must be one of {', '.join(choices)}")
        return value

    def declared(self, section: str, cls: type) -> dict[str, Any]:
        """The settings ``cls`` declares for the config file, read from ``section``: checked, defaults filled."""
        return {f.name: self._setting(f"{section}.{f.name}", f.type, f.default, d)
                for f, d in declared(cls) if d.in_config}

    def _setting(self, key: str, kind: str, default: Any, d: Declared) -> Any:
        low = 0 if d.minimum is None else d.minimum
        if d.choices:
            value = self.choice(key, default, d.choices)
        elif kind == "bool":
            value = self.boolean(key, default)
        elif kind == "int":
            value = self.integer(key, default, int(low), None if d.maximum is None else int(d.maximum))
        elif kind == "float":
            value = self.number(key, default, low, d.maximum)
        elif kind in ("str", "str | None"):
            value = self.string(key, default, required=d.required)
        elif kind == "tuple[str, ...]":
            value = self.strings(key)
        else:  # any other shape: the declaration's check reads it
            present, value = self._get(key)
            value = value if present else default
        return d.check(key, value) if d.check is not None and value is not None else value
