"""What the event log may keep of an event: only the texts the game's state keeps.

The one rule of the log (applied by the store to every event it writes, and to the
whole log of a game whenever its state lets go of a text):

    a free-text value in a logged event is either a text the state holds, the
    part of it the state holds (a cut text), or :data:`DROPPED`.

Free text is every string field of an event that is not an identifier (a Matrix
id, a card, theme or level id, a timer kind): so an event type added later with a
new text field is cut to the state by default, never logged in full. A field that
is neither a string nor a number is refused, so no text can hide in a list.

What reads the log: the event ranks that fix each step's transaction ids, and
``!forget-me``, which finds the games a person acted in (a player who joined and
left is in the log only). Nothing rebuilds a game from it: the state is stored
whole at every step.
"""

from __future__ import annotations

# Fields that name things rather than carry what someone wrote. The engine
# resolves what users type (themes, cards, levels) into ids before an event exists.
IDENTIFIERS = frozenset({"type", "actor", "card_id", "theme", "level", "kind", "language", "facilitator_theme",
                         "ref", "zone"})  # ref: a Matrix event id; zone: an IANA time zone
# What stands for a text the state does not keep: not empty, so that the logged
# event still reads as what it was (an out-of-turn message, not an empty one).
DROPPED = "…"
_SCALARS = (bool, int, float, type(None))


def kept_texts(state: dict) -> frozenset[str]:
    """Every text a game state (its stored form, ``GameState.to_dict``) holds."""
    texts = [text for turn in state.get("turns") or () for text in turn.get("texts") or ()]
    texts += [action.get("text") or "" for action in state.get("actions") or ()]
    texts.append(state.get("amendment") or "")
    return frozenset(t for t in texts if t)


def kept_part(value: str, kept: frozenset[str]) -> str:
    """The part of ``value`` that is in ``kept``: itself, its longest kept start, or :data:`DROPPED`."""
    text = value.strip()
    if not text:
        return ""
    if text in kept:
        return text
    # A cut text: the rules kept its beginning (several kept texts may start it).
    best = max((k for k in kept if text.startswith(k)), key=len, default="")
    return best or DROPPED


def loggable(event: dict, kept: frozenset[str]) -> dict:
    """``event`` (its JSON form) with every free text cut to what ``kept`` holds.

    Returns ``event`` itself when nothing changes. Raises ``TypeError`` for a field
    that is neither an identifier, a string nor a number.
    """
    changed: dict = {}
    for name, value in event.items():
        if name in IDENTIFIERS:
            continue
        if isinstance(value, str):
            part = kept_part(value, kept)
            if part != value:
                changed[name] = part
        elif not isinstance(value, _SCALARS):
            raise TypeError(f"game event field {name!r} must be text or a number, not {type(value).__name__}")
    return {**event, **changed} if changed else event


def lets_go(before: dict, after: dict) -> bool:
    """Whether ``after`` no longer holds a text ``before`` held (the log must follow)."""
    return not kept_texts(before) <= kept_texts(after)
