"""Step 4, the synthesis window, the end and the abort of a game."""

from __future__ import annotations

from bot.game import Settings
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.params import Term
from bot.game.state import Action
from tests.helpers.table import ALICE, BOB, CAROL, FAC, STRANGER, Table, keys, only


def test_action_ideas_are_checked_and_numbered():
    t = Table().in_actions(ALICE, BOB)
    t.refuse(ev.AddAction(STRANGER, "team", "x"), "game.not_a_player")
    t.refuse(ev.AddAction(ALICE, "galaxy", "x"), "game.bad_level")
    t.refuse(ev.AddAction(ALICE, "team", "   "), "game.action_empty")
    effects = t.do(ev.AddAction(ALICE, "team", "Un temps d'échange mensuel"))
    assert keys(effects) == ["game.action_added"]
    assert effects[0].values["level"] == Term("game.level.team")
    assert effects[0].values["number"] == 1
    t.do(ev.AddAction(FAC, "policy", "Écrire à la fédération"))  # the facilitator may add too
    assert t.state.actions == (Action("team", "Un temps d'échange mensuel", ALICE, 1),
                               Action("policy", "Écrire à la fédération", FAC, 2))


def test_a_long_action_idea_is_cut_with_a_note():
    t = Table(Settings(max_action_chars=5)).in_actions(ALICE, BOB)
    effects = t.do(ev.AddAction(ALICE, "individual", "abcdefgh"))
    assert keys(effects) == ["game.action_added", "game.action_text_cut"]
    assert t.state.actions[0].text == "abcde"


def test_end_is_for_the_facilitator_and_opens_the_synthesis_window():
    t = Table().in_actions(ALICE, BOB)
    t.refuse(ev.End(ALICE), "game.facilitator_only")
    effects = t.do(ev.End(FAC))
    assert t.state.phase == "synthesis"
    assert keys(effects) == ["game.synthesis_open"]
    # The draft is shown on request (!synthesis alone), not posted: the room gets the text once, final.
    assert only(effects, fx.PostSynthesis) == []
    assert t.at("step") == 600
    t.refuse(ev.Join(CAROL), "game.join_closed")
    t.refuse(ev.AddAction(ALICE, "team", "x"), "game.no_actions_now")


def test_next_in_actions_also_opens_the_synthesis():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.Next(FAC))
    assert t.state.phase == "synthesis"


def test_the_actions_step_ends_by_itself():
    t = Table().in_actions(ALICE, BOB)
    t.fire("reminder")
    effects = t.fire("step")
    assert keys(effects)[0] == "game.actions_time_over"
    assert t.state.phase == "synthesis"


def test_amend_adds_then_replaces_the_volunteers_paragraph():
    t = Table().in_actions(ALICE, BOB)
    t.refuse(ev.Amend(ALICE, "trop tôt"), "game.no_amend_now")
    t.do(ev.End(FAC))
    t.refuse(ev.Amend(ALICE, "  "), "game.amend_empty")
    t.refuse(ev.Amend(STRANGER, "texte"), "game.not_a_player")
    assert keys(t.do(ev.Amend(ALICE, "Nous retenons deux pistes."))) == ["game.amended"]
    assert keys(t.do(ev.Amend(BOB, "Nous retenons trois pistes."))) == ["game.amend_replaced"]
    assert (t.state.amendment, t.state.amended_by) == ("Nous retenons trois pistes.", BOB)


def test_a_long_amendment_is_cut():
    t = Table(Settings(max_amend_chars=4)).in_actions(ALICE, BOB)
    t.do(ev.End(FAC))
    assert keys(t.do(ev.Amend(ALICE, "abcdefg"))) == ["game.amended", "game.amend_text_cut"]
    assert t.state.amendment == "abcd"


def test_end_again_makes_the_synthesis_final():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.End(FAC))
    t.wait(60)
    effects = t.do(ev.End(FAC))
    assert t.state.phase == "finished" and t.state.ended == t.now
    # "Here is the final synthesis" introduces the document (one message), then the game is over.
    assert [type(e).__name__ for e in effects] == ["Say", "PostSynthesis", "CancelTimers", "GameOver"]
    assert effects[1] == fx.PostSynthesis(final=True)
    assert effects[-1] == fx.GameOver("finished")
    t.refuse(ev.End(FAC), "game.no_game")
    t.refuse(ev.Join(ALICE), "game.no_game")


def test_the_synthesis_window_ends_by_itself():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.End(FAC))
    t.fire("reminder")
    effects = t.fire("step")
    assert only(effects, fx.PostSynthesis) == [fx.PostSynthesis(final=True)]
    assert t.state.phase == "finished"


def test_without_auto_advance_the_synthesis_waits_for_end():
    t = Table(Settings(auto_advance=False)).in_actions(ALICE, BOB)
    t.do(ev.End(FAC))
    t.fire("reminder")
    assert keys(t.fire("step")) == ["game.step_time_up"]
    assert t.state.phase == "synthesis"
    t.do(ev.Next(FAC))
    assert t.state.phase == "finished"


def test_end_during_the_round_keeps_what_was_said():
    t = Table().in_round(ALICE, BOB)
    t.do(ev.Say(ALICE, "ma lecture"))
    t.do(ev.End(FAC))
    assert t.state.phase == "synthesis"
    assert [(tn.status, tn.texts) for tn in t.state.turns] == [("skipped", ("ma lecture",))]
    assert not t.state.resources_shared and t.state.vote is None


def test_end_from_step_1():
    t = Table().started(ALICE, BOB)
    t.do(ev.End(FAC))
    assert t.state.phase == "synthesis" and t.state.turns == ()


def test_abort_drops_the_contributions():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.AddAction(ALICE, "team", "idée"))
    t.refuse(ev.Abort(ALICE), "game.facilitator_only")
    effects = t.do(ev.Abort(FAC))
    assert [type(e).__name__ for e in effects] == ["Say", "CancelTimers", "GameOver"]
    assert effects[-1] == fx.GameOver("aborted")
    s = t.state
    assert s.phase == "aborted" and s.turns == () and s.actions == () and s.votes == () and s.vote is None
    assert t.timers == {}


def test_abort_from_every_phase():
    for build in ("lobby", "started", "in_round", "in_vote", "in_actions"):
        t = Table()
        getattr(t, build)(ALICE, BOB)
        t.do(ev.Abort(FAC))
        assert t.state.phase == "aborted"
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.End(FAC))
    t.do(ev.Abort(FAC))
    assert t.state.phase == "aborted" and t.state.amendment is None


def test_leave_during_actions_and_synthesis():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.AddAction(BOB, "team", "idée"))
    t.do(ev.Leave(BOB))
    assert t.state.players == (ALICE,) and BOB in t.state.participants
    t.do(ev.End(FAC))
    t.do(ev.Amend(BOB, "Je complète après coup."))  # a participant who left may still amend
    t.do(ev.Leave(ALICE))
    assert t.state.players == ()
