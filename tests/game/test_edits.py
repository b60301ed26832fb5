"""Edits and deletions of what people wrote, on the pure state (bot/game/edits.py), and threads."""

from __future__ import annotations

from bot.game import Settings, build_synthesis, event_to_dict
from bot.game import events as ev
from bot.game.edits import holds, redact
from tests.helpers.table import ALICE, BOB, CAROL, FAC, Table, keys


def spoken(t: Table) -> Table:
    """Alice, first speaker, said two messages ($a1, $a2) and is still speaking."""
    t.do(ev.Say(ALICE, "Je lis une situtaion de collecte.", "$a1"))
    t.do(ev.Say(ALICE, "Et le consentement ?", "$a2"))
    return t


def everything_logged(t: Table) -> str:
    return "\n".join(str(event_to_dict(e)) for e, _, _ in t.log)


def test_an_edit_during_the_turn_replaces_that_message_and_the_log_forgets_the_old_text():
    t = spoken(Table().in_round(ALICE, BOB))
    assert t.do(ev.Edit(ALICE, "$a1", "Je lis une situation de collecte.")) == ()
    turn = t.state.turns[0]
    assert turn.texts == ("Je lis une situation de collecte.", "Et le consentement ?")
    assert turn.refs == ("$a1", "$a2")
    assert "situtaion" not in everything_logged(t)


def test_an_edit_later_in_the_game_still_counts_until_the_game_is_final():
    t = spoken(Table().in_round(ALICE, BOB))
    t.do(ev.Done(ALICE))
    t.do(ev.Pass(BOB))
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, True))
    assert t.state.phase == "actions"
    t.do(ev.Edit(ALICE, "$a2", "Et le consentement des familles ?"))
    t.do(ev.End(FAC))
    t.do(ev.Edit(ALICE, "$a2", "Et surtout le consentement."))
    assert build_synthesis(t.state).contributions[0].text.endswith("Et surtout le consentement.")
    t.do(ev.End(FAC))
    assert t.state.phase == "finished"
    t.do(ev.Edit(ALICE, "$a2", "trop tard"))  # final: ignored, no error
    assert "trop tard" not in t.state.turns[0].text


def test_only_the_author_edits_and_unknown_messages_are_ignored():
    t = spoken(Table().in_round(ALICE, BOB))
    before = t.state
    assert t.do(ev.Edit(BOB, "$a1", "Bob rewrites Alice")) == ()
    assert t.do(ev.Edit(ALICE, "$unknown", "x")) == ()
    assert t.do(ev.Edit(ALICE, "$a1", "   ")) == ()
    assert t.state == before


def test_an_edit_keeps_the_turn_length_limit():
    t = Table(Settings(max_turn_chars=30)).in_round(ALICE, BOB)
    t.do(ev.Say(ALICE, "0123456789", "$a1"))
    t.do(ev.Say(ALICE, "abc", "$a2"))
    effects = t.do(ev.Edit(ALICE, "$a1", "x" * 40))
    assert keys(effects) == ["game.turn_text_cut"]
    assert t.state.turns[0].texts == ("x" * 27, "abc") and t.state.turns[0].truncated


def test_a_deleted_message_leaves_the_turn_the_synthesis_and_the_log():
    t = spoken(Table().in_round(ALICE, BOB))
    t.do(ev.Redact(ALICE, "$a1"))
    assert t.state.turns[0].texts == ("Et le consentement ?",) and t.state.turns[0].refs == ("$a2",)
    t.do(ev.Done(ALICE))
    t.do(ev.Say(BOB, "Le dossier partagé m'inquiète.", "$b1"))
    t.do(ev.Done(BOB))
    t.do(ev.Redact(FAC, "$b1"))  # a moderator may delete it too
    syn = build_synthesis(t.state)
    assert [c.text for c in syn.contributions] == ["Et le consentement ?", ""]
    logged = everything_logged(t)
    assert "situtaion" not in logged and "dossier partagé" not in logged


def test_deleting_an_action_idea_or_the_summary():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.AddAction(ALICE, "team", "Une charte d'équipe", "$p1"))
    t.do(ev.AddAction(BOB, "policy", "Écrire au ministère", "$p2"))
    t.do(ev.Redact(ALICE, "$p1"))
    assert [(a.text, a.erased) for a in t.state.actions] == [("", True), ("Écrire au ministère", False)]
    t.do(ev.End(FAC))
    t.do(ev.Amend(BOB, "Notre résumé.", "$s1"))
    t.do(ev.Redact(BOB, "$s1"))
    assert t.state.amendment is None and t.state.amended_by is None
    assert "charte" not in everything_logged(t) and "Notre résumé" not in everything_logged(t)


def test_a_finished_game_loses_a_deleted_message_too():
    t = spoken(Table().in_round(ALICE, BOB))
    t.do(ev.Done(ALICE))
    t.do(ev.End(FAC))
    t.do(ev.End(FAC))
    assert t.state.phase == "finished" and holds(t.state, "$a1")
    after = redact(t.state, "$a1")
    assert after.turns[0].texts == ("Et le consentement ?",) and not holds(after, "$a1")
    assert redact(after, "$a1") is after and redact(after, "") is after


def test_others_writing_in_a_thread_are_not_reminded_the_speaker_in_a_thread_counts():
    t = Table().in_round(ALICE, BOB, CAROL)
    assert t.do(ev.Say(BOB, "(en aparté) tu as vu ?", "$b1", in_thread=True)) == ()
    assert t.state.nudged == () and t.state.turns[0].texts == ()
    t.do(ev.Say(ALICE, "Je réponds depuis le fil.", "$a1", in_thread=True))
    assert t.state.turns[0].texts == ("Je réponds depuis le fil.",)
    assert keys(t.do(ev.Say(CAROL, "et moi ?", "$c1"))) == ["game.out_of_turn"]
