"""Step 3: the vote "go on to actions?", majority and ties."""

from __future__ import annotations

from bot.game import Settings
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.params import UserRef
from bot.game.state import VoteResult
from tests.helpers.table import ALICE, BOB, CAROL, DAN, FAC, STRANGER, Table, keys, mentions, only


def test_votes_are_for_players_and_can_change():
    t = Table().in_vote(ALICE, BOB, CAROL)
    t.refuse(ev.Vote(STRANGER, True), "game.not_a_player")
    effects = t.do(ev.Vote(ALICE, False))
    assert keys(effects) == ["game.vote_recorded"]
    assert effects[0].values["voted"] == 1 and effects[0].values["total"] == 3
    assert mentions(effects[0]) == ()  # a vote confirmation pings nobody
    effects = t.do(ev.Vote(ALICE, True))
    assert keys(effects) == ["game.vote_changed"]
    assert t.state.votes == ((ALICE, True),)


def test_a_yes_majority_once_everyone_voted_goes_to_actions():
    t = Table().in_vote(ALICE, BOB, CAROL)
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, False))
    assert t.state.phase == "resources"
    effects = t.do(ev.Vote(CAROL, True))
    assert t.state.phase == "actions"
    assert t.state.vote == VoteResult(2, 1, True, "majority")
    assert keys(effects) == ["game.vote_recorded", "game.vote_yes", "game.step4", "game.actions_invite"]
    assert only(effects, fx.PostBoard) == [fx.PostBoard()]
    assert t.at("step") == 600


def test_a_no_majority_goes_straight_to_the_synthesis():
    t = Table().in_vote(ALICE, BOB, CAROL)
    t.do(ev.Vote(ALICE, False))
    t.do(ev.Vote(BOB, True))
    effects = t.do(ev.Vote(CAROL, False))
    assert t.state.phase == "synthesis"
    assert t.state.vote == VoteResult(1, 2, False, "majority")
    assert "game.vote_no" in keys(effects)
    assert keys(effects)[-1] == "game.synthesis_open"  # the draft is not posted (!synthesis shows it)


def test_a_tie_is_decided_by_the_facilitators_own_vote():
    t = Table().in_vote(FAC, ALICE)
    t.do(ev.Vote(FAC, False))
    t.do(ev.Vote(ALICE, True))
    assert t.state.phase == "synthesis"
    assert t.state.vote == VoteResult(1, 1, False, "facilitator")


def test_a_tie_waits_for_a_facilitator_who_does_not_play():
    t = Table().in_vote(ALICE, BOB)
    t.do(ev.Vote(ALICE, True))
    effects = t.do(ev.Vote(BOB, False))
    assert keys(effects) == ["game.vote_recorded", "game.vote_tie"]
    assert effects[1].values["facilitator"] == UserRef(FAC)
    assert t.state.tie_pending and t.state.phase == "resources"
    effects = t.do(ev.Vote(FAC, True))
    assert t.state.phase == "actions"
    assert t.state.vote == VoteResult(1, 1, True, "facilitator")


def test_a_facilitator_may_vote_in_advance_to_break_a_tie():
    t = Table().in_vote(ALICE, BOB)
    assert keys(t.do(ev.Vote(FAC, False))) == ["game.vote_casting"]
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, False))
    assert t.state.vote == VoteResult(1, 1, False, "facilitator")


def test_a_player_changing_their_vote_can_settle_a_pending_tie():
    t = Table().in_vote(ALICE, BOB)
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, False))
    t.do(ev.Vote(BOB, True))
    assert t.state.vote == VoteResult(2, 0, True, "majority")


def test_next_closes_the_vote_and_a_tie_means_go_on():
    t = Table().in_vote(ALICE, BOB, CAROL)
    t.refuse(ev.Next(ALICE), "game.facilitator_only")
    t.do(ev.Vote(ALICE, False))
    t.do(ev.Next(FAC))
    assert t.state.vote == VoteResult(0, 1, False, "majority")
    t2 = Table().in_vote(ALICE, BOB, CAROL)
    t2.do(ev.Next(FAC))
    assert t2.state.vote == VoteResult(0, 0, True, "facilitator")
    assert t2.state.phase == "actions"


def test_the_step_timer_settles_with_the_votes_cast():
    t = Table().in_vote(ALICE, BOB, CAROL)
    t.do(ev.Vote(ALICE, True))
    t.fire("reminder")
    effects = t.fire("step")
    assert keys(effects)[:2] == ["game.vote_closed", "game.vote_yes"]
    assert t.state.vote == VoteResult(1, 0, True, "majority")


def test_the_step_timer_with_no_vote_asks_the_facilitator():
    t = Table().in_vote(ALICE, BOB)
    t.fire("reminder")
    effects = t.fire("step")
    assert keys(effects) == ["game.vote_closed", "game.vote_tie"]
    assert t.timers == {} and t.state.tie_pending
    t.do(ev.Vote(FAC, False))
    assert t.state.phase == "synthesis"


def test_without_auto_advance_the_vote_stays_open_after_time_up():
    t = Table(Settings(auto_advance=False)).in_vote(ALICE, BOB)
    t.fire("reminder")
    assert keys(t.fire("step")) == ["game.step_time_up"]
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, True))
    assert t.state.phase == "actions"


def test_a_player_leaving_can_complete_the_vote():
    t = Table().in_vote(ALICE, BOB, CAROL)
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, True))
    t.do(ev.Vote(CAROL, False))  # all voted: decided already
    t2 = Table().in_vote(ALICE, BOB, CAROL)
    t2.do(ev.Vote(ALICE, True))
    t2.do(ev.Vote(CAROL, False))
    t2.do(ev.Leave(CAROL))  # her vote goes with her; Alice and Bob remain, Bob has not voted
    assert t2.state.phase == "resources" and t2.state.votes == ((ALICE, True),)
    t2.do(ev.Leave(BOB))
    assert t2.state.vote == VoteResult(1, 0, True, "majority")


def test_a_late_player_can_vote():
    t = Table().in_vote(ALICE, BOB)
    t.do(ev.Join(DAN))
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, True))
    assert t.state.phase == "resources"
    t.do(ev.Vote(DAN, False))
    assert t.state.vote == VoteResult(2, 1, True, "majority")
