"""Random games: whatever players type, the rules stay consistent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.game import IllegalMove, Settings, pending_timers
from bot.game import events as ev
from bot.game.state import PHASES, ROUND
from tests.helpers.table import ALICE, BOB, CAROL, FAC, Table

PEOPLE = st.sampled_from([ALICE, BOB, CAROL, FAC])
TEXT = st.sampled_from(["oui", "Je pense que…", "", "x" * 50])
EVENTS = st.one_of(
    st.builds(ev.Open, st.just(FAC), st.sampled_from([None, "ethics"]), st.just("fr")),
    st.builds(ev.Join, PEOPLE), st.builds(ev.Leave, PEOPLE),
    st.builds(ev.Start, st.just(FAC), st.just("et-01"), st.just("ethics")),
    st.builds(ev.Next, PEOPLE), st.builds(ev.Done, PEOPLE), st.builds(ev.Pass, PEOPLE),
    st.builds(ev.Skip, PEOPLE), st.builds(ev.Say, PEOPLE, TEXT), st.builds(ev.Vote, PEOPLE, st.booleans()),
    st.builds(ev.AddAction, PEOPLE, st.sampled_from(["team", "policy", "moon"]), TEXT),
    st.builds(ev.Amend, PEOPLE, TEXT), st.builds(ev.Pause, PEOPLE), st.builds(ev.Resume, PEOPLE),
    st.builds(ev.Extend, PEOPLE, st.sampled_from([0, 1, 5, 61])), st.builds(ev.End, PEOPLE),
    st.builds(ev.Abort, PEOPLE),
)
STEPS = st.lists(st.one_of(
    EVENTS,
    st.tuples(st.just("fire"), st.sampled_from(["step", "turn", "reminder", "silence"])),
    st.tuples(st.just("wait"), st.integers(0, 400)),
), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["", "lobby", "started", "in_round", "in_vote", "in_actions"]), STEPS, st.booleans())
def test_random_games_stay_consistent(start, steps, auto):
    t = Table(Settings(auto_advance=auto, max_turn_chars=80, max_players=3))
    if start:
        getattr(t, start)(ALICE, BOB)
    for step in steps:
        if isinstance(step, tuple) and step[0] == "wait":
            t.wait(step[1])
            continue
        if isinstance(step, tuple):
            if step[1] in t.timers:
                t.fire(step[1])
            continue
        before = t.state
        try:
            t.do(step)
        except IllegalMove:
            assert t.state is before
        s = t.state
        assert s.phase in PHASES
        if s.phase == ROUND:
            assert s.current_turn is not None and s.order[s.current] == s.speaker
        assert all(timer.seq == s.seq for timer in pending_timers(s))
        assert {k: v for k, v in t.timers.items()} == {a.kind: a for a in pending_timers(s)}
