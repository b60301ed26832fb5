"""Edits and deletions of what people wrote (Matrix ``m.replace`` edits and redactions).

A contribution is what its author said *as they last wrote it*: Element users fix
typos by editing, and delete what they regret. So:

- an **edit** by its author of a message that is part of a turn replaces that
  message's text, during the turn or later while the game is not final (from the
  round to the synthesis window); the turn's length limit still holds. Edits of
  commands (action ideas, the summary) are not followed: retype the command;
- a **deletion** (by the author, or a moderator) removes the message's text from
  whichever turn holds it, marks an action idea as deleted, drops the summary
  paragraph: in any phase, and for games already over (:func:`redact` is applied to
  every stored game of the room). The store then holds the log to the state, so
  nothing of the text stays on disk.

Matching is by the Matrix event id (``ref``) kept next to each text.
"""

from __future__ import annotations

from dataclasses import replace

from bot.game.context import Ctx
from bot.game.effects import Reply
from bot.game.params import params
from bot.game.state import GameState
from bot.game.visible import has_visible


def edit(state: GameState, event, ctx: Ctx):
    """``Edit``: the author's new text for one message of a turn (anything else: ignored)."""
    text = event.text.strip()
    for index, turn in enumerate(state.turns):
        if not event.ref or event.ref not in turn.refs:
            continue
        if turn.speaker != event.actor or turn.erased or not has_visible(text):
            return state, []
        at = turn.refs.index(event.ref)
        others = turn.length - len(turn.texts[at])
        room = ctx.settings.max_turn_chars - others
        effects: list = []
        if len(text) > room:
            text = text[:max(0, room)]
            effects.append(Reply("game.turn_text_cut", params(maximum=ctx.settings.max_turn_chars),
                                 to=event.actor))
        texts = turn.texts[:at] + (text,) + turn.texts[at + 1:]
        new_turn = replace(turn, texts=texts, truncated=others + len(text) >= ctx.settings.max_turn_chars)
        return replace(state, turns=state.turns[:index] + (new_turn,) + state.turns[index + 1:]), effects
    return state, []


def redact(state: GameState, ref: str) -> GameState:
    """``state`` without the text of message ``ref`` (itself when it holds none)."""
    if not ref:
        return state
    turns = tuple(_without(t, ref) if ref in t.refs else t for t in state.turns)
    actions = tuple(replace(a, text="", erased=True) if a.ref == ref and not a.erased else a
                    for a in state.actions)
    new = replace(state, turns=turns, actions=actions)
    if state.amendment_ref == ref:
        new = replace(new, amendment=None, amended_by=None, amendment_ref="")
    return new if new != state else state


def holds(state: GameState, ref: str) -> bool:
    """Whether ``state`` keeps a text of message ``ref``."""
    return bool(ref) and redact(state, ref) is not state


def redaction(state: GameState, event, ctx: Ctx):
    """``Redact`` as a rule: nothing is said in the room (Element shows the deletion)."""
    return redact(state, event.ref), []


def _without(turn, ref: str):
    keep = [(t, r) for t, r in zip(turn.texts, turn.refs) if r != ref]
    # Shorter now: the speaker, if it is still their turn, may write again.
    return replace(turn, texts=tuple(t for t, _ in keep), refs=tuple(r for _, r in keep), truncated=False)
