"""How a setting is declared: one dataclass field with its default, bounds and meaning.

``setting(default, meaning, minimum, maximum)`` is the field; the rest of the bot
derives from it: ``bot.config`` reads and checks the YAML key of that name (and
knows which keys exist), and the test of ``config.example.yaml`` holds the file to
the declared keys. It lives in the pure core because the game's own ``Settings``
are declared with it, and the core imports nothing above it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

METADATA_KEY = "setting"


@dataclass(frozen=True)
class Declared:
    """What a setting's field says besides its default."""

    meaning: str  # one line, for readers of the code and of config.example.yaml
    minimum: float | None = None  # numbers: the smallest value the config file may give
    maximum: float | None = None
    choices: tuple[str, ...] = ()  # strings: the only values allowed
    required: bool = False  # the config file must give it (no usable default)
    in_config: bool = True  # False: a rule of the game, not a key of the config file
    # Further checks of the value read from the file: (dotted key, value) -> the value
    # to keep; raises the config's error naming the key.
    check: Callable[[str, Any], Any] | None = None


def setting(default: Any, meaning: str, minimum: float | None = None, maximum: float | None = None,
            **declared: Any) -> Any:
    """A dataclass field declaring one setting (see the module doc)."""
    return dataclasses.field(default=default,
                             metadata={METADATA_KEY: Declared(meaning, minimum, maximum, **declared)})


def declared(cls: type) -> list[tuple[dataclasses.Field, Declared]]:
    """The declared settings of a dataclass, in field order."""
    return [(f, f.metadata[METADATA_KEY]) for f in dataclasses.fields(cls) if METADATA_KEY in f.metadata]
