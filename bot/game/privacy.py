"""Erasing a person's contributions from a game (the right to erasure).

Pure: the engine applies :func:`forget` to every stored game of the room, and
blanks the same person's texts in the event log. The synthesis then shows
"[removed at the author's request]" where their words were.
"""

from __future__ import annotations

from dataclasses import replace

from bot.game.state import GameState


def forget(state: GameState, user: str) -> GameState:
    """``state`` without any text ``user`` wrote: turns, action ideas, summary."""
    turns = tuple(replace(t, texts=(), erased=True) if t.speaker == user and (t.texts or t.erased) else t
                  for t in state.turns)
    actions = tuple(replace(a, text="", erased=True) if a.author == user else a for a in state.actions)
    if state.amended_by == user:
        state = replace(state, amendment=None, amended_by=None)
    return replace(state, turns=turns, actions=actions)


def wrote_something(state: GameState, user: str) -> bool:
    """Whether ``state`` still holds any text of ``user``."""
    return (any(t.speaker == user and t.texts for t in state.turns)
            or any(a.author == user and not a.erased for a in state.actions)
            or state.amended_by == user)
