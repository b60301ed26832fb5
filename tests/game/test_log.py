"""The log's one rule: a logged event never holds a text the game's state does not keep."""

from __future__ import annotations

import json
import typing
from dataclasses import fields

import pytest

from bot.game import event_from_dict, event_to_dict
from bot.game.events import EVENT_TYPES
from bot.game.log import DROPPED, IDENTIFIERS, kept_part, kept_texts, lets_go, loggable

SECRET = "SECRET-words nobody kept " * 30  # long: cut texts keep only their start


def sample(cls) -> dict:
    """An event of type ``cls`` whose every free-text field is :data:`SECRET`."""
    hints = typing.get_type_hints(cls)
    values = {}
    for f in fields(cls):
        hint = hints[f.name]
        if f.name in IDENTIFIERS:
            values[f.name] = "@someone:example.org" if f.name == "actor" else "team"
        elif hint is bool:
            values[f.name] = True
        elif hint is int:
            values[f.name] = 3
        else:
            assert str in typing.get_args(hint) or hint is str, f"{cls.__name__}.{f.name}: {hint}"
            values[f.name] = SECRET
    return event_to_dict(cls(**values))


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_no_event_type_logs_a_text_the_state_does_not_keep(name):
    event = sample(EVENT_TYPES[name])
    # Nothing kept: no trace of the text, and the event still reads back.
    logged = loggable(event, frozenset())
    assert "SECRET" not in json.dumps(logged)
    assert type(event_from_dict(logged)).__name__ == name
    # The state kept the start of it (a cut text): the log holds that start, no more.
    start = SECRET.strip()[:40]
    logged = loggable(event, frozenset({start}))
    texts = [v for k, v in logged.items() if k not in IDENTIFIERS and isinstance(v, str)]
    assert all(t == start for t in texts)
    # Kept in full: logged in full.
    assert loggable(event, frozenset({SECRET.strip()})) == {
        k: (SECRET.strip() if v == SECRET else v) for k, v in event.items()}


def test_a_future_event_type_is_cut_by_default():
    # A new text field, under any name, is free text unless declared an identifier.
    assert loggable({"type": "Comment", "actor": "@a:x", "remark": "private"}, frozenset()) == {
        "type": "Comment", "actor": "@a:x", "remark": DROPPED}
    with pytest.raises(TypeError):
        loggable({"type": "Many", "texts": ["private"]}, frozenset())


def test_kept_part():
    kept = frozenset({"abc", "abcdef", "zzz"})
    assert kept_part("  abcdef  ", kept) == "abcdef"
    assert kept_part("abcdefgh", kept) == "abcdef"  # the longest kept start
    assert kept_part("nothing", kept) == DROPPED
    assert kept_part("   ", kept) == ""


def test_what_a_state_keeps_and_lets_go():
    state = {"turns": [{"texts": ["t1", "t2"]}], "actions": [{"text": "a1"}], "amendment": "s1"}
    assert kept_texts(state) == {"t1", "t2", "a1", "s1"}
    assert kept_texts({"phase": "lobby"}) == frozenset()
    assert not lets_go(state, {**state, "amendment": "s1"})
    assert lets_go(state, {**state, "amendment": "s2"})  # a replaced summary
    assert lets_go(state, {"phase": "aborted", "turns": [], "actions": []})
