"""Pause, resume, extend, and !status."""

from __future__ import annotations

from datetime import timedelta

from bot.game import Settings, describe
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.params import Term, UserRef
from bot.game.state import Paused
from tests.helpers.table import ALICE, BOB, CAROL, FAC, Table, keys


def test_pause_and_resume_are_for_the_facilitator():
    t = Table().in_round(ALICE, BOB)
    t.refuse(ev.Pause(ALICE), "game.facilitator_only")
    t.refuse(ev.Resume(ALICE), "game.facilitator_only")
    t.refuse(ev.Extend(ALICE, 5), "game.facilitator_only")
    t.refuse(ev.Resume(FAC), "game.not_paused")


def test_pause_stores_the_remaining_time_and_resume_restores_it():
    t = Table().in_round(ALICE, BOB)
    t.wait(100)
    old = dict(t.timers)
    effects = t.do(ev.Pause(FAC))
    assert effects == (fx.Say("game.paused"), fx.CancelTimers())
    assert t.state.paused == Paused(t.now, 80.0)
    assert t.timers == {}
    t.refuse(ev.Pause(FAC), "game.already_paused")
    t.refuse(ev.Done(ALICE), "game.paused_first")
    t.refuse(ev.Skip(FAC), "game.paused_first")
    t.refuse(ev.Next(FAC), "game.paused_first")
    # Timers delivered during the pause are stale.
    t.wait(600)
    for timer in old.values():
        assert t.do(ev.TimerFired(timer.kind, timer.seq), fac=False) == ()
    effects = t.do(ev.Resume(FAC))
    assert keys(effects) == ["game.resumed"]
    assert effects[0].values["time"] == Term("game.duration.min_sec", (("minutes", 1), ("seconds", 20)))
    assert t.state.paused is None
    assert (t.at("turn"), t.at("reminder")) == (80, 50)
    # The silence clock was frozen too: 60 s from the turn start, 100 s elapsed → due at once.
    assert t.at("silence") == -40
    # The old timers stay stale after the resume.
    for timer in old.values():
        assert t.do(ev.TimerFired(timer.kind, timer.seq), fac=False) == ()
    t.fire("reminder")
    t.fire("turn")
    assert t.state.speaker == BOB


def test_chat_votes_and_joins_still_work_while_paused():
    t = Table().in_round(ALICE, BOB)
    t.do(ev.Pause(FAC))
    t.do(ev.Say(ALICE, "pendant la pause"))
    t.do(ev.Join(CAROL))
    assert t.state.turns[0].texts == ("pendant la pause",)
    assert t.state.order[-1] == CAROL


def test_a_step_that_starts_during_a_pause_starts_paused():
    t = Table().in_round(ALICE, BOB)
    t.do(ev.Pause(FAC))
    t.wait(500)
    t.do(ev.Leave(ALICE))  # the next turn begins, paused, with its full time
    assert t.state.speaker == BOB
    assert t.state.paused == Paused(t.now, 180.0)
    assert t.timers == {}
    t.wait(50)
    t.do(ev.Resume(FAC))
    assert t.at("turn") == 180


def test_extend_moves_the_current_deadline():
    t = Table().started(ALICE, BOB)
    t.wait(100)
    t.refuse(ev.Extend(FAC, 0), "game.extend_range")
    err = t.refuse(ev.Extend(FAC, 61), "game.extend_range")
    assert err.values == {"minimum": 1, "maximum": 60}
    old = dict(t.timers)
    effects = t.do(ev.Extend(FAC, 2))
    assert keys(effects) == ["game.extended"]
    assert effects[0].values["count"] == 2
    assert effects[0].values["time"] == Term("game.duration.min_sec", (("minutes", 2), ("seconds", 20)))
    assert isinstance(effects[1], fx.CancelTimers)
    assert (t.at("step"), t.at("reminder")) == (140, 110)
    for timer in old.values():
        assert t.do(ev.TimerFired(timer.kind, timer.seq), fac=False) == ()


def test_extend_a_turn():
    t = Table().in_round(ALICE, BOB)
    t.wait(170)  # the reminder has gone: a new one comes with the new deadline
    t.do(ev.Extend(FAC, 1))
    assert (t.at("turn"), t.at("reminder")) == (70, 40)
    assert t.state.deadline is None


def test_extend_after_time_is_up_starts_a_new_countdown():
    t = Table(Settings(auto_advance=False)).started(ALICE, BOB)
    t.fire("reminder")
    t.fire("step")
    t.wait(30)
    t.do(ev.Extend(FAC, 3))
    assert (t.at("step"), t.at("reminder")) == (180, 150)


def test_extend_while_paused_adds_to_the_remaining_time():
    t = Table().started(ALICE, BOB)
    t.wait(20)
    t.do(ev.Pause(FAC))
    t.wait(1000)
    t.do(ev.Extend(FAC, 5))
    assert t.state.paused.remaining == 400.0
    assert t.timers == {}
    t.do(ev.Resume(FAC))
    assert t.at("step") == 400


def test_pause_in_the_synthesis_window():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.End(FAC))
    t.do(ev.Pause(FAC))
    t.refuse(ev.Next(FAC), "game.paused_first")
    t.do(ev.End(FAC))  # the facilitator may still finish
    assert t.state.phase == "finished" and t.state.paused is None


def test_describe_each_phase():
    t = Table()
    assert describe(t.state, t.now) == ("game.status.none", ())
    t.lobby(ALICE, BOB)
    key, values = describe(t.state, t.now)
    assert key == "game.status.lobby"
    assert dict(values)["players"] == (UserRef(ALICE), UserRef(BOB))
    t.do(ev.Start(FAC, "dp-01", "data_protection"))
    t.wait(20)
    key, values = describe(t.state, t.now)
    assert key == "game.status.step"
    assert dict(values) == {"step": Term("game.step.card"),
                            "time": Term("game.time.left", (("time", Term("game.duration.min_sec", (("minutes", 1), ("seconds", 40)))),))}
    t.do(ev.Next(FAC))
    t.wait(30)
    key, values = describe(t.state, t.now)
    assert key == "game.status.round"
    assert dict(values)["speaker"] == UserRef(ALICE) and dict(values)["position"] == 1
    t.do(ev.Pause(FAC))
    t.wait(400)
    assert dict(describe(t.state, t.now)[1])["time"] == Term("game.time.paused", (("time", Term("game.duration.min_sec", (("minutes", 2), ("seconds", 30)))),))
    t.do(ev.Resume(FAC))
    t.do(ev.Next(FAC))
    t.do(ev.Vote(ALICE, True))
    key, values = describe(t.state, t.now)
    assert key == "game.status.resources" and dict(values)["voted"] == 1
    t.do(ev.Vote(BOB, True))
    t.do(ev.AddAction(BOB, "team", "x"))
    assert describe(t.state, t.now)[0] == "game.status.actions"
    t.do(ev.End(FAC))
    assert describe(t.state, t.now)[0] == "game.status.step"
    t.do(ev.End(FAC))
    assert describe(t.state, t.now) == ("game.status.none", ())


def test_describe_when_time_is_up():
    t = Table(Settings(auto_advance=False)).started(ALICE, BOB)
    t.fire("reminder")
    t.fire("step")
    assert dict(describe(t.state, t.now)[1])["time"] == Term("game.time.up")
    t.do(ev.Pause(FAC))
    assert dict(describe(t.state, t.now)[1])["time"] == Term("game.time.paused_no_clock")
    assert keys(t.do(ev.Resume(FAC))) == ["game.resumed_no_clock"]


def test_describe_renders_in_both_languages():
    from tests.helpers.table import render

    t = Table().in_round(ALICE, BOB)
    for build in (lambda: None, lambda: t.do(ev.Pause(FAC))):
        build()
        key, values = describe(t.state, t.now)
        for lang in ("fr", "en"):
            body = render(key, values, lang)
            assert "@alice:example.org" in body
    t2 = Table().lobby()
    key, values = describe(t2.state, t2.now)
    assert "—" in render(key, values, "en")


def test_settings_are_validated():
    import pytest

    for bad in ({"turn_seconds": 0}, {"reminder_seconds": -1}, {"min_players": 1},
                {"max_players": 1}, {"auto_advance": "yes"}, {"card_seconds": 1.5}):
        with pytest.raises(ValueError):
            Settings(**bad)
    assert Settings(reminder_seconds=0, silence_seconds=0).silence_seconds == 0


def test_no_reminder_when_the_step_is_shorter_than_the_lead():
    t = Table(Settings(card_seconds=20, reminder_seconds=30)).started(ALICE, BOB)
    assert set(t.timers) == {"step"}
    assert t.state.reminder_at is None
    assert t.state.deadline - t.now == timedelta(seconds=20)


def test_a_deadline_missed_while_the_bot_was_down_fires_with_a_word_to_the_room():
    # The turn's deadline passed 10 minutes before the bot came back: its timer fires
    # at once on restart, says why the game moves now, then does what it always does.
    t = Table(Settings(turn_seconds=120, reminder_seconds=30)).in_round(ALICE, BOB)
    turn, reminder = t.timers["turn"], t.timers["reminder"]
    t.now = turn.at + timedelta(minutes=10)
    # The reminder, late too, says nothing: "30 s left" would be false.
    assert keys(t.do(ev.TimerFired("reminder", reminder.seq), fac=False)) == []
    effects = t.do(ev.TimerFired("turn", turn.seq), fac=False)
    assert keys(effects)[0] == "game.late_turn"
    assert dict(effects[0].params)["late"] == Term("game.duration.min", (("minutes", 10),))
    assert "game.turn_timeout" in keys(effects)[1:]
    # A step deadline, the same.
    t = Table(Settings(card_seconds=60)).started(ALICE, BOB)
    step = t.timers["step"]
    t.now = step.at + timedelta(seconds=90)
    effects = t.do(ev.TimerFired("step", step.seq), fac=False)
    assert keys(effects)[0] == "game.late_step" and t.state.phase == "round"


def test_a_timer_a_few_seconds_late_says_nothing_more():
    t = Table(Settings(turn_seconds=120, reminder_seconds=30)).in_round(ALICE, BOB)
    turn = t.timers.pop("turn")
    t.now = turn.at + timedelta(seconds=59)
    effects = t.do(ev.TimerFired("turn", turn.seq), fac=False)
    assert "game.late_turn" not in keys(effects) and "game.turn_timeout" in keys(effects)
    t = Table(Settings(turn_seconds=120, reminder_seconds=30)).in_round(ALICE, BOB)
    assert keys(t.fire("reminder")) == ["game.turn_reminder"]
