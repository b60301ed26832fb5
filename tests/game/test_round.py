"""Step 1 to step 2: the speaking round, its timers, reminders and prompts."""

from __future__ import annotations

from datetime import timedelta

from bot.game import Settings
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.params import UserRef
from tests.helpers.table import ALICE, BOB, CAROL, DAN, FAC, STRANGER, Table, keys, mentions, only


def test_next_from_the_card_is_for_the_facilitator():
    t = Table().started(ALICE, BOB)
    t.refuse(ev.Next(ALICE), "game.facilitator_only")
    effects = t.do(ev.Next(FAC))
    assert t.state.phase == "round"
    assert t.state.order == (ALICE, BOB)
    # The card's pending timers are dropped before the turn's are armed.
    assert [type(e).__name__ for e in effects[2:]] == ["CancelTimers", "ArmTimer", "ArmTimer", "ArmTimer"]
    assert keys(effects) == ["game.step2", "game.turn_start"]
    assert effects[0].values["order"] == (UserRef(ALICE), UserRef(BOB))
    start = effects[1].values
    assert start["speaker"] == UserRef(ALICE) and start["position"] == 1 and start["total"] == 2
    assert mentions(effects[1]) == (ALICE,)  # their turn: it notifies them
    assert mentions(effects[0]) == ()


def test_card_step_reminds_then_advances_by_itself():
    t = Table().started(ALICE, BOB)
    assert t.at("reminder") == 90
    effects = t.fire("reminder")
    assert keys(effects) == ["game.step_reminder"]
    assert t.at("step") == 30
    effects = t.fire("step")
    assert t.state.phase == "round" and t.state.speaker == ALICE
    # Both card timers have fired: nothing to cancel, only the turn's to arm.
    assert only(effects, fx.CancelTimers) == []
    assert set(t.timers) == {"turn", "reminder", "silence"}
    assert (t.at("turn"), t.at("reminder"), t.at("silence")) == (180, 150, 60)


def test_card_step_without_auto_advance_waits_for_the_facilitator():
    t = Table(Settings(auto_advance=False)).started(ALICE, BOB)
    t.fire("reminder")
    effects = t.fire("step")
    assert keys(effects) == ["game.step_time_up"]
    assert effects[0].values["facilitator"] == UserRef(FAC)
    assert t.state.phase == "card" and t.state.deadline is None and t.timers == {}
    t.do(ev.Next(FAC))
    assert t.state.phase == "round"


def test_only_the_speaker_ends_or_passes_their_turn():
    t = Table().in_round(ALICE, BOB)
    err = t.refuse(ev.Done(BOB), "game.not_your_turn")
    assert err.values["speaker"] == UserRef(ALICE)
    t.refuse(ev.Pass(BOB), "game.not_your_turn")
    t.refuse(ev.Done(FAC), "game.not_your_turn")


def test_messages_make_one_contribution_and_done_moves_on():
    t = Table().in_round(ALICE, BOB)
    assert t.do(ev.Say(ALICE, "Je pense d'abord à la personne.")) == ()
    assert t.do(ev.Say(ALICE, "  Et au cadre légal.  ")) == ()
    assert t.do(ev.Say(ALICE, "   ")) == ()
    seq = t.state.seq
    effects = t.do(ev.Done(ALICE))
    turn = t.state.turns[0]
    assert turn.speaker == ALICE and turn.status == "spoken"
    assert turn.texts == ("Je pense d'abord à la personne.", "Et au cadre légal.")
    assert keys(effects) == ["game.turn_done", "game.turn_start"]
    assert t.state.speaker == BOB and t.state.current == 1 and t.state.seq == seq + 1
    assert t.at("turn") == 180


def test_done_without_a_word_counts_as_passed_and_pass_is_noted():
    t = Table().in_round(ALICE, BOB, CAROL)
    t.do(ev.Done(ALICE))
    t.do(ev.Say(BOB, "quelques mots"))
    effects = t.do(ev.Pass(BOB))
    assert keys(effects)[0] == "game.turn_passed"
    assert [tn.status for tn in t.state.turns] == ["passed", "passed", "open"]
    assert t.state.turns[1].texts == ("quelques mots",)


def test_skip_is_for_the_facilitator():
    t = Table().in_round(ALICE, BOB)
    t.refuse(ev.Skip(BOB), "game.facilitator_only")
    effects = t.do(ev.Skip(FAC))
    assert keys(effects)[0] == "game.turn_skipped"
    assert t.state.turns[0].status == "skipped" and t.state.speaker == BOB


def test_others_get_one_gentle_reminder_per_turn():
    t = Table().in_round(ALICE, BOB, CAROL)
    effects = t.do(ev.Say(BOB, "moi je trouve que..."))
    assert effects == (fx.Reply("game.out_of_turn", (("user", UserRef(BOB)), ("speaker", UserRef(ALICE))), to=BOB),)
    assert mentions(effects[0]) == ()  # asks to wait, not to act now: a notice
    assert t.do(ev.Say(BOB, "pardon")) == ()
    assert keys(t.do(ev.Say(STRANGER, "hello"))) == ["game.out_of_turn"]
    assert t.do(ev.Say(FAC, "Prenez votre temps, Alice.")) == ()  # the facilitator steers
    assert t.state.turns[0].texts == ()  # nothing of theirs is stored
    t.do(ev.Done(ALICE))
    assert keys(t.do(ev.Say(CAROL, "et moi ?"))) == ["game.out_of_turn"]
    assert keys(t.do(ev.Say(ALICE, "encore un mot"))) == ["game.out_of_turn"]  # a new turn, a new reminder


def test_a_long_contribution_is_cut_with_one_note():
    t = Table(Settings(max_turn_chars=10)).in_round(ALICE, BOB)
    assert t.do(ev.Say(ALICE, "abcdef")) == ()
    effects = t.do(ev.Say(ALICE, "ghijklmnop"))
    assert effects == (fx.Reply("game.turn_text_cut", (("maximum", 10),), to=ALICE),)
    assert t.do(ev.Say(ALICE, "more")) == ()
    turn = t.state.turns[0]
    assert turn.texts == ("abcdef", "ghij") and turn.truncated and turn.length == 10


def test_turn_reminder_then_timeout_moves_on():
    t = Table(Settings(silence_seconds=0)).in_round(ALICE, BOB)
    t.do(ev.Say(ALICE, "un début"))
    assert t.at("reminder") == 150
    effects = t.fire("reminder")
    assert keys(effects) == ["game.turn_reminder"]
    assert effects[0].values == {"speaker": UserRef(ALICE), "time": effects[0].values["time"]}
    assert effects[0].values["time"].params == (("seconds", 30),)
    effects = t.fire("turn")
    assert keys(effects) == ["game.turn_timeout", "game.turn_start"]
    assert t.state.turns[0].status == "timeout" and t.state.turns[0].texts == ("un début",)
    assert t.state.speaker == BOB


def test_turn_timeout_without_auto_advance_waits_for_a_skip():
    t = Table(Settings(auto_advance=False, silence_seconds=0)).in_round(ALICE, BOB)
    t.fire("reminder")
    effects = t.fire("turn")
    assert keys(effects) == ["game.turn_time_up"]
    assert t.state.speaker == ALICE and t.state.turn_deadline is None and t.timers == {}
    t.do(ev.Say(ALICE, "je termine ma phrase"))
    t.do(ev.Skip(FAC))
    assert t.state.turns[0].status == "skipped" and t.state.speaker == BOB


def test_silence_prompts_rotate_and_stop_before_the_turn_ends():
    t = Table().in_round(ALICE, BOB)
    assert t.at("silence") == 60
    effects = t.fire("silence")
    assert effects == (fx.PostPrompt(0, ALICE), fx.ArmTimer("silence", t.now + timedelta(seconds=60), t.state.seq))
    effects = t.fire("silence")
    assert only(effects, fx.PostPrompt) == [fx.PostPrompt(1, ALICE)]
    # The next one would fall at the end of the turn: none is armed.
    assert "silence" not in t.timers
    t.do(ev.Done(ALICE))
    t.fire("silence")
    assert t.state.prompts == 3  # the index keeps rotating across turns


def test_a_speaker_who_talks_delays_the_silence_prompt():
    t = Table().in_round(ALICE, BOB)
    t.wait(45)
    t.do(ev.Say(ALICE, "je réfléchis..."))
    effects = t.fire("silence")  # at +60: she spoke 15 s ago
    assert only(effects, fx.PostPrompt) == []
    assert effects == (fx.ArmTimer("silence", t.now + timedelta(seconds=45), t.state.seq),)
    effects = t.fire("silence")  # at +105: a full minute of silence
    assert only(effects, fx.PostPrompt) == [fx.PostPrompt(0, ALICE)]


def test_silence_from_others_does_not_count_as_the_speaker_talking():
    t = Table().in_round(ALICE, BOB)
    t.wait(30)
    t.do(ev.Say(BOB, "alors ?"))
    assert only(t.fire("silence"), fx.PostPrompt) == [fx.PostPrompt(0, ALICE)]


def test_stale_timers_are_ignored():
    t = Table().in_round(ALICE, BOB)
    old = dict(t.timers)
    t.do(ev.Done(ALICE))
    before = t.state
    t.wait(500)
    for timer in old.values():
        out = t.do(ev.TimerFired(timer.kind, timer.seq), fac=False)
        assert out == () and t.state == before
    assert t.do(ev.TimerFired("no-such-kind", t.state.seq), fac=False) == ()


def test_a_timer_arriving_early_is_ignored():
    t = Table().in_round(ALICE, BOB)
    timer = t.timers["turn"]
    t.wait(100)
    assert t.do(ev.TimerFired("turn", timer.seq), fac=False) == ()
    assert t.state.speaker == ALICE


def test_late_joiners_speak_at_the_end():
    t = Table().in_round(ALICE, BOB)
    effects = t.do(ev.Join(CAROL))
    assert keys(effects) == ["game.joined_late_round"]
    assert effects[0].values["position"] == 3
    assert t.state.order == (ALICE, BOB, CAROL) and CAROL in t.state.participants
    t.do(ev.Done(ALICE))
    t.do(ev.Join(DAN))
    t.do(ev.Done(BOB))
    assert t.state.speaker == CAROL
    t.do(ev.Pass(CAROL))
    assert t.state.speaker == DAN
    t.do(ev.Pass(DAN))
    assert t.state.phase == "resources"


def test_leaving_during_the_round():
    t = Table().in_round(ALICE, BOB, CAROL)
    t.do(ev.Say(ALICE, "un mot"))
    effects = t.do(ev.Leave(ALICE))  # the speaker leaves: their turn ends
    assert keys(effects) == ["game.left", "game.turn_start"]
    assert t.state.turns[0].status == "left" and t.state.turns[0].texts == ("un mot",)
    t.do(ev.Leave(CAROL))  # a later speaker leaves: no turn for them
    t.do(ev.Done(BOB))
    assert t.state.phase == "resources"
    assert [tn.speaker for tn in t.state.turns] == [ALICE, BOB]
    assert t.state.participants == (ALICE, BOB, CAROL)


def test_coming_back_keeps_a_later_place():
    t = Table().in_round(ALICE, BOB, CAROL)
    t.do(ev.Leave(CAROL))
    t.do(ev.Join(CAROL))
    assert t.state.order == (ALICE, BOB, CAROL)
    t.do(ev.Done(ALICE))
    t.do(ev.Done(BOB))
    assert t.state.speaker == CAROL


def test_after_the_last_speaker_step_3_begins():
    t = Table().in_round(ALICE, BOB)
    t.do(ev.Done(ALICE))
    effects = t.do(ev.Done(BOB))
    assert t.state.phase == "resources" and t.state.resources_shared
    assert only(effects, fx.PostResources) == [fx.PostResources("data_protection")]
    assert keys(effects) == ["game.turn_done", "game.step3", "game.vote_question"]
    assert set(t.timers) == {"step", "reminder"} and t.at("step") == 300
    assert t.state.turn_deadline is None and t.state.silence_at is None


def test_next_closes_the_round_early():
    t = Table().in_round(ALICE, BOB, CAROL)
    t.do(ev.Say(ALICE, "idée"))
    effects = t.do(ev.Next(FAC))
    assert keys(effects)[0] == "game.round_closed"
    assert t.state.phase == "resources"
    assert [(tn.speaker, tn.status) for tn in t.state.turns] == [(ALICE, "skipped")]


def test_chat_outside_the_round_is_ignored_and_not_stored():
    for build in (lambda t: t.lobby(ALICE, BOB), lambda t: t.started(ALICE, BOB),
                  lambda t: t.in_vote(ALICE, BOB), lambda t: t.in_actions(ALICE, BOB)):
        t = Table()
        build(t)
        before = t.state
        assert t.do(ev.Say(ALICE, "bavardage")) == ()
        assert t.state == before
    assert Table().do(ev.Say(ALICE, "personne ne joue")) == ()


def test_round_commands_outside_the_round():
    t = Table().started(ALICE, BOB)
    t.refuse(ev.Done(ALICE), "game.no_turn_now")
    t.refuse(ev.Pass(ALICE), "game.no_turn_now")
    t.refuse(ev.Skip(FAC), "game.no_turn_now")
    t.refuse(ev.Vote(ALICE, True), "game.no_vote_now")
    t.refuse(ev.AddAction(ALICE, "team", "x"), "game.no_actions_now")
    t.refuse(ev.Amend(ALICE, "x"), "game.no_amend_now")
