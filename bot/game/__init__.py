"""The pure rules of the Réflex'tics game: events in, a new state and effects out.

Nothing in this package does I/O or imports asyncio, nio, aiosqlite or apscheduler.
How the engine around it uses it:

- per room, under a lock: load the state (``GameState.from_dict``; ``GameState()``
  when the room has none), ``apply(state, event, now, facilitator=..., settings=...)``;
  on :class:`IllegalMove` send its ``key``/``params`` back as a reply and keep the
  state; else save ``outcome.state`` (and log the event with ``event_to_dict``), then
  run ``outcome.effects`` in order;
- messages (``effects.Say``/``Reply``, ``IllegalMove``, ``describe``) are keys of
  ``bot/messages/locales/*/game.yaml``; every message template may use ``{prefix}``, which the
  engine supplies; parameter markers (users, terms, deck titles) are turned into
  renderer values with :func:`bot.game.params.resolve`;
- ``ArmTimer(kind, at, seq)`` replaces the game's earlier timer of that kind and must
  deliver ``TimerFired(kind, seq)``; ``CancelTimers`` drops them all; at start-up,
  ``pending_timers(state)`` gives the timers to re-arm for each stored game.
"""

from bot.game import effects, events
from bot.game.context import IllegalMove
from bot.game.events import event_from_dict, event_to_dict
from bot.game.params import CardRef, Term, ThemeRef, UserRef, resolve
from bot.game.rules import Outcome, apply
from bot.game.settings import Settings
from bot.game.state import LEVELS, PHASES, THEMES, GameState
from bot.game.status import describe, list_actions
from bot.game.synthesis import Synthesis, Wording, actions_by_level, build as build_synthesis, to_markdown
from bot.game.timing import plan as pending_timers

__all__ = [
    "effects", "events", "IllegalMove", "event_from_dict", "event_to_dict", "CardRef", "Term", "ThemeRef",
    "UserRef", "resolve", "Outcome", "apply", "Settings", "LEVELS", "PHASES", "THEMES",
    "GameState", "describe", "list_actions", "Synthesis", "Wording", "actions_by_level", "build_synthesis", "to_markdown",
    "pending_timers",
]
