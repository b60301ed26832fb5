"""What every rule handler receives besides the state and the event, and how it refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.game.params import Params
from bot.game.settings import Settings


class IllegalMove(Exception):
    """The event makes no sense now; ``key`` is the catalogue reason sent back to the sender."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key = key
        self.params: Params = tuple(params.items())

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class Ctx:
    """The moment, the sender's role and the settings for one ``apply``."""

    now: datetime
    facilitator: bool
    settings: Settings
