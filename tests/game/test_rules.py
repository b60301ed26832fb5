"""The rules as a whole: refusals in every phase, a full game, storage."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.game import GameState, Settings, apply, event_from_dict, event_to_dict, pending_timers
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.rules import TRANSITIONS
from tests.helpers.table import ALICE, BOB, CAROL, DAN, FAC, STRANGER, Table, mentions
from tests.helpers.table import play_a_whole_game

PLAYER_EVENTS = [ev.Join(DAN), ev.Leave(ALICE), ev.Done(ALICE), ev.Pass(ALICE), ev.Vote(ALICE, True),
                 ev.AddAction(ALICE, "team", "idée"), ev.Amend(ALICE, "texte")]
FACILITATOR_EVENTS = [ev.Start(FAC, "dp-01", "data_protection"), ev.Next(FAC), ev.Skip(FAC), ev.Pause(FAC),
                      ev.Resume(FAC), ev.Extend(FAC, 5), ev.End(FAC), ev.Abort(FAC)]


def build(phase: str) -> Table:
    t = Table()
    if phase == "idle":
        return t
    if phase in ("finished", "aborted"):
        t.in_actions(ALICE, BOB)
        t.do(ev.End(FAC) if phase == "finished" else ev.Abort(FAC))
        if phase == "finished":
            t.do(ev.End(FAC))
        return t
    if phase == "synthesis":
        t.in_actions(ALICE, BOB)
        t.do(ev.End(FAC))
        return t
    builder = {"lobby": t.lobby, "card": t.started, "round": t.in_round,
               "resources": t.in_vote, "actions": t.in_actions}[phase]
    builder(ALICE, BOB)
    assert t.state.phase == phase
    return t


@pytest.mark.parametrize("phase", ["idle", "finished", "aborted"])
@pytest.mark.parametrize("event", PLAYER_EVENTS + FACILITATOR_EVENTS, ids=lambda e: type(e).__name__)
def test_without_a_game_every_command_says_so(phase, event):
    build(phase).refuse(event, "game.no_game")


@pytest.mark.parametrize("phase", ["lobby", "card", "round", "resources", "actions", "synthesis"])
@pytest.mark.parametrize("event", FACILITATOR_EVENTS + [ev.Open(FAC, None, "fr")], ids=lambda e: type(e).__name__)
def test_facilitator_commands_from_a_player_are_refused(phase, event):
    t = build(phase)
    t.refuse(event, "game.facilitator_only", fac=False)


NOT_NOW = [
    ("lobby", ev.Open(FAC), "game.already_running"),
    ("lobby", ev.Next(FAC), "game.next_in_lobby"),
    ("lobby", ev.End(FAC), "game.end_in_lobby"),
    ("lobby", ev.Skip(FAC), "game.no_turn_now"),
    ("lobby", ev.Pause(FAC), "game.no_clock_now"),
    ("lobby", ev.Extend(FAC, 3), "game.no_clock_now"),
    ("lobby", ev.Resume(FAC), "game.not_paused"),
    ("lobby", ev.Vote(ALICE, True), "game.no_vote_now"),
    ("card", ev.Start(FAC, "dp-02", "data_protection"), "game.already_started"),
    ("card", ev.Done(ALICE), "game.no_turn_now"),
    ("card", ev.AddAction(ALICE, "team", "x"), "game.no_actions_now"),
    ("round", ev.Vote(ALICE, True), "game.no_vote_now"),
    ("round", ev.AddAction(ALICE, "team", "x"), "game.no_actions_now"),
    ("round", ev.Amend(ALICE, "x"), "game.no_amend_now"),
    ("round", ev.Done(BOB), "game.not_your_turn"),
    ("round", ev.Join(ALICE), "game.already_joined"),
    ("round", ev.Leave(STRANGER), "game.not_a_player"),
    ("resources", ev.Done(ALICE), "game.no_turn_now"),
    ("resources", ev.Skip(FAC), "game.no_turn_now"),
    ("resources", ev.AddAction(ALICE, "team", "x"), "game.no_actions_now"),
    ("resources", ev.Vote(STRANGER, True), "game.not_a_player"),
    ("actions", ev.Vote(ALICE, True), "game.no_vote_now"),
    ("actions", ev.Amend(ALICE, "x"), "game.no_amend_now"),
    ("actions", ev.Pass(ALICE), "game.no_turn_now"),
    ("synthesis", ev.Join(DAN), "game.join_closed"),
    ("synthesis", ev.Vote(ALICE, True), "game.no_vote_now"),
    ("synthesis", ev.AddAction(ALICE, "team", "x"), "game.no_actions_now"),
    ("synthesis", ev.Start(FAC, "dp-01", "data_protection"), "game.already_started"),
    ("synthesis", ev.Resume(FAC), "game.not_paused"),
]


@pytest.mark.parametrize("phase,event,key", NOT_NOW, ids=lambda x: x if isinstance(x, str) else type(x).__name__)
def test_commands_that_make_no_sense_now(phase, event, key):
    build(phase).refuse(event, key)


def test_the_transition_table_covers_every_event():
    assert set(TRANSITIONS) | {ev.TimerFired} == set(ev.EVENT_TYPES.values())


def test_apply_wants_an_aware_time():
    with pytest.raises(ValueError):
        apply(GameState(), ev.Open(FAC), datetime(2025, 1, 1), facilitator=True, settings=Settings())


def test_a_whole_game():
    t = play_a_whole_game()
    s = t.state
    assert s.phase == "finished"
    assert s.participants == (ALICE, BOB, CAROL)
    assert [(tn.speaker, tn.status) for tn in s.turns] == [(ALICE, "spoken"), (BOB, "timeout"), (CAROL, "passed")]
    assert s.turns[0].texts == ("Ce qui me frappe, c'est le groupe WhatsApp.", "Et le consentement des familles.")
    assert s.vote.go_on and (s.vote.yes, s.vote.no) == (2, 1)
    assert [a.level for a in s.actions] == ["team", "policy", "team"]
    assert s.amended_by == BOB
    assert "game.out_of_turn" in t.said and t.said[-1] == "game.finished"
    assert pending_timers(s) == ()


def test_the_engine_can_rebuild_its_timers_from_a_stored_state():
    t = Table().in_round(ALICE, BOB)
    stored = GameState.from_dict(json.loads(json.dumps(t.state.to_dict())))
    assert {a.kind: a for a in pending_timers(stored)} == t.timers


def test_state_round_trip_keeps_every_field():
    t = play_a_whole_game()
    data = json.loads(json.dumps(t.state.to_dict()))
    assert data["v"] == 1 and data["phase"] == "finished"
    assert GameState.from_dict(data) == t.state
    with pytest.raises(ValueError):
        GameState.from_dict({**data, "v": 99})
    with pytest.raises(ValueError):
        GameState.from_dict({**data, "mystery": 1})
    with pytest.raises(ValueError):
        GameState.from_dict({**data, "created": "2025-03-04T13:00:00"})


def test_every_event_type_round_trips():
    samples = [ev.Open(FAC, "ethics", "en"), ev.Open(FAC), ev.Join(ALICE), ev.Leave(ALICE),
               ev.Start(FAC, "et-02", "ethics"), ev.Next(FAC), ev.Done(ALICE), ev.Pass(ALICE), ev.Skip(FAC),
               ev.Say(ALICE, "bonjour\nà tous"), ev.Vote(ALICE, False), ev.AddAction(ALICE, "policy", "x"),
               ev.Amend(ALICE, "y"), ev.Edit(ALICE, "$e", "z"), ev.Redact(BOB, "$e"), ev.Pause(FAC), ev.Resume(FAC),
               ev.Extend(FAC, 5), ev.End(FAC),
               ev.Abort(FAC), ev.TimerFired("turn", 7)]
    assert {type(e) for e in samples} == set(ev.EVENT_TYPES.values())
    for event in samples:
        data = json.loads(json.dumps(event_to_dict(event)))
        assert data["type"] == type(event).__name__
        assert event_from_dict(data) == event
    with pytest.raises(ValueError):
        event_from_dict({"type": "Dance", "actor": ALICE})
    with pytest.raises(ValueError):
        event_from_dict({"type": "Join", "actor": ALICE, "extra": 1})
    with pytest.raises(TypeError):
        event_to_dict(fx.PostBoard())


def test_effects_are_frozen_and_messages_notify_whom_they_ask_to_act():
    effects = Table().in_round(ALICE, BOB).do(ev.Done(ALICE))
    with pytest.raises(AttributeError):
        effects[0].key = "other"
    said = [e for e in effects if isinstance(e, fx.Say)]
    assert [(e.key, mentions(e)) for e in said] == [("game.turn_done", ()), ("game.turn_start", (BOB,))]


def test_timer_effects_always_follow_messages_and_precede_game_over():
    t = play_a_whole_game()
    t2 = Table().in_round(ALICE, BOB)
    for effects in (t2.do(ev.Done(ALICE)), t2.do(ev.Abort(FAC))):
        kinds = [type(e) for e in effects]
        timer_positions = [i for i, k in enumerate(kinds) if k in (fx.ArmTimer, fx.CancelTimers)]
        message_positions = [i for i, k in enumerate(kinds) if k not in (fx.ArmTimer, fx.CancelTimers, fx.GameOver)]
        assert not timer_positions or not message_positions or max(message_positions) < min(timer_positions)
        if fx.GameOver in kinds:
            assert kinds[-1] is fx.GameOver
    assert t.state.phase == "finished"
