"""The pure rules of the Réflex'tics game: events in, a new state and effects out.

Nothing in this package does I/O or imports asyncio, nio, aiosqlite or apscheduler;
the engine around it stores states and events, runs effects and fires timers.
Messages are catalogue keys (``bot/locales/*/game.yaml``) with parameters.
"""

from bot.game import effects, events
from bot.game.context import IllegalMove
from bot.game.events import event_from_dict, event_to_dict
from bot.game.params import CardRef, Term, ThemeRef, UserRef, resolve
from bot.game.rules import Outcome, apply, replay
from bot.game.settings import Settings
from bot.game.state import LEVELS, PHASES, THEMES, GameState
from bot.game.status import describe
from bot.game.synthesis import Synthesis, actions_by_level, build as build_synthesis, to_markdown
from bot.game.timing import plan as pending_timers

__all__ = [
    "effects", "events", "IllegalMove", "event_from_dict", "event_to_dict", "CardRef", "Term", "ThemeRef",
    "UserRef", "resolve", "Outcome", "apply", "replay", "Settings", "LEVELS", "PHASES", "THEMES",
    "GameState", "describe", "Synthesis", "actions_by_level", "build_synthesis", "to_markdown",
    "pending_timers",
]
