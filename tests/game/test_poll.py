"""The vote as a native poll: opened and closed by the rules, answers counted with typed votes, one per person."""

from __future__ import annotations

from bot.game import effects as fx
from bot.game import events as ev
from bot.game.state import VoteResult
from bot.messages import poll
from bot.messages.poll import vote_of
from tests.helpers.table import ALICE, BOB, CAROL, FAC, Table, only
from tests.helpers.narration import NARRATOR, view


def test_step_three_opens_the_poll_for_the_players():
    t = Table().in_round(ALICE, BOB, CAROL)
    for p in (ALICE, BOB):
        t.do(ev.Pass(p))
    effects = t.do(ev.Pass(CAROL))
    assert only(effects, fx.StartPoll) == [fx.StartPoll((ALICE, BOB, CAROL))]


def test_poll_answers_and_typed_votes_count_once_per_person_the_latest_wins():
    t = Table().in_vote(ALICE, BOB, CAROL)
    # Alice answers the poll "yes" (the engine turns poll answers into Vote events)…
    t.do(ev.Vote(ALICE, vote_of(("yes",))))
    # …then types !non: her vote changes, it is not a second one.
    effects = t.do(ev.Vote(ALICE, False))
    assert effects[0].key == "game.vote_changed" and effects[0].values["voted"] == 1
    t.do(ev.Vote(BOB, vote_of(("no",))))  # poll
    t.do(ev.Vote(BOB, vote_of(("no", "yes"))))  # a later answer in the poll
    effects = t.do(ev.Vote(CAROL, True))  # typed
    assert t.state.vote == VoteResult(yes=2, no=1, go_on=True, decided_by="majority")
    assert only(effects, fx.EndPoll) == [fx.EndPoll(2, 1, True)]
    assert t.state.phase == "actions"


def test_a_spoiled_or_unknown_answer_is_no_vote():
    assert vote_of(()) is None and vote_of(("maybe",)) is None
    assert vote_of(("yes",)) is True and vote_of(("no",)) is False


def test_leaving_step_three_otherwise_closes_the_poll_undecided():
    t = Table().in_vote(ALICE, BOB)
    assert only(t.do(ev.End(FAC)), fx.EndPoll) == [fx.EndPoll(0, 0, None)]
    t = Table().in_vote(ALICE, BOB)
    assert only(t.do(ev.Abort(FAC)), fx.EndPoll) == [fx.EndPoll(0, 0, None)]
    # Time up with no vote: a 0-0 tie waits for the facilitator, poll still open; their vote closes it.
    t = Table().in_vote(ALICE, BOB)
    t.fire("reminder")
    assert only(t.fire("step"), fx.EndPoll) == [] and t.state.tie_pending
    assert only(t.do(ev.Vote(FAC, True)), fx.EndPoll) == [fx.EndPoll(0, 0, True)]


def test_the_poll_as_element_sends_it_mentions_the_players():
    event_type, content = poll.start(NARRATOR, view(), fx.StartPoll((ALICE, BOB)))
    assert event_type == "org.matrix.msc3381.poll.start"
    start = content["org.matrix.msc3381.poll.start"]
    assert [a["id"] for a in start["answers"]] == ["yes", "no"] and start["max_selections"] == 1
    assert start["question"]["org.matrix.msc1767.text"] == "Poursuivre vers les pistes d'action ?"
    assert content["m.mentions"] == {"user_ids": sorted([ALICE, BOB])}
    fallback = content["org.matrix.msc1767.text"]
    assert "Alice et Bob" in fallback and "!oui" in fallback  # a list as French joins it (CLDR)
    event_type, end = poll.end(NARRATOR, view("en"), fx.EndPoll(2, 1, True), "$poll")
    assert event_type == "org.matrix.msc3381.poll.end"
    assert end["m.relates_to"] == {"rel_type": "m.reference", "event_id": "$poll"}
    assert end["org.matrix.msc1767.text"] == "Vote closed: 2 yes, 1 no. We go on with action ideas."
