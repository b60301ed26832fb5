"""Opening a game, joining, leaving and starting step 1."""

from __future__ import annotations

from datetime import timedelta

from bot.game import Settings
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.params import ThemeRef, UserRef
from tests.helpers.table import ALICE, BOB, CAROL, FAC, STRANGER, T0, Table, keys, mentions, only


def test_open_creates_a_lobby_with_the_facilitator():
    t = Table()
    effects = t.do(ev.Open(FAC, None, "en"))
    assert t.state.phase == "lobby"
    assert t.state.facilitator == FAC
    assert t.state.language == "en"
    assert t.state.created == T0
    assert effects == (fx.Say("game.lobby_opened", (("facilitator", UserRef(FAC)), ("minimum", 2), ("maximum", 10))),)
    assert mentions(effects[0]) == ()  # narration names the facilitator and notifies nobody
    assert t.timers == {}


def test_open_with_a_theme_names_it():
    t = Table()
    effects = t.do(ev.Open(FAC, "netiquette", "fr"))
    assert t.state.requested_theme == "netiquette"
    assert effects[0].key == "game.lobby_opened_theme"
    assert effects[0].values["theme"] == ThemeRef("netiquette")


def test_open_is_for_facilitators_and_known_themes():
    t = Table()
    t.refuse(ev.Open(ALICE, None, "fr"), "game.facilitator_only")
    t.refuse(ev.Open(FAC, "Data Protection!", "fr"), "game.unknown_theme")
    t.refuse(ev.Open(FAC, "", "fr"), "game.unknown_theme")


def test_a_theme_from_a_trainers_deck_is_accepted():
    t = Table()
    t.do(ev.Open(FAC, "telework", "fr"))
    t.do(ev.Join(ALICE))
    t.do(ev.Join(BOB))
    t.do(ev.Start(FAC, "team-01", "telework"))
    assert t.state.theme == "telework"


def test_open_while_a_game_runs_is_refused():
    t = Table().lobby(ALICE)
    t.refuse(ev.Open(FAC, None, "fr"), "game.already_running")


def test_a_new_game_after_the_last_one_keeps_seq_growing():
    t = Table().lobby(ALICE, BOB)
    t.do(ev.Abort(FAC))
    seq = t.state.seq
    t.do(ev.Open(FAC, None, "fr"))
    assert t.state.phase == "lobby" and t.state.players == ()
    assert t.state.seq > seq


def test_join_in_order_and_refusals():
    t = Table().lobby()
    effects = t.do(ev.Join(BOB))
    assert keys(effects) == ["game.joined_first"]
    assert effects[0].values["minimum"] == 2
    effects = t.do(ev.Join(ALICE))
    assert keys(effects) == ["game.joined_ready"] and effects[0].values["count"] == 2
    assert t.state.players == (BOB, ALICE)
    # Enough people: later joins no longer speak of the minimum.
    assert keys(t.do(ev.Join(CAROL))) == ["game.joined_more"]
    t.refuse(ev.Join(ALICE), "game.already_joined")


def test_join_is_refused_when_full():
    t = Table(Settings(max_players=3)).lobby(ALICE, BOB, CAROL)
    err = t.refuse(ev.Join(STRANGER), "game.full")
    assert err.values == {"maximum": 3}


def test_the_facilitator_may_also_play():
    t = Table().lobby(FAC, ALICE)
    assert t.state.players == (FAC, ALICE)


def test_leave_in_the_lobby():
    t = Table().lobby(ALICE, BOB)
    effects = t.do(ev.Leave(ALICE))
    assert t.state.players == (BOB,)
    assert keys(effects) == ["game.left"]
    t.refuse(ev.Leave(ALICE), "game.not_a_player")


def test_start_needs_two_players():
    t = Table().lobby(ALICE)
    err = t.refuse(ev.Start(FAC, "dp-01", "data_protection"), "game.not_enough_players")
    assert err.values == {"minimum": 2, "count": 1}


def test_start_is_for_the_facilitator():
    t = Table().lobby(ALICE, BOB)
    t.refuse(ev.Start(ALICE, "dp-01", "data_protection"), "game.facilitator_only")


def test_start_checks_theme_and_card():
    t = Table().lobby(ALICE, BOB)
    t.refuse(ev.Start(FAC, "dp-01", "no such theme"), "game.unknown_theme")
    t.refuse(ev.Start(FAC, "", "data_protection"), "game.unknown_card")


def test_start_posts_the_card_and_arms_the_step_timer():
    t = Table().lobby(ALICE, BOB)
    t.wait(42)
    effects = t.do(ev.Start(FAC, "dp-03", "data_protection"))
    s = t.state
    assert s.phase == "card" and s.card_id == "dp-03" and s.theme == "data_protection"
    assert s.participants == (ALICE, BOB)
    assert s.started == T0 + timedelta(seconds=42)
    assert only(effects, fx.PostCard) == [fx.PostCard("dp-03")]
    # Drawn at random (the default): the message says so; the card itself follows it.
    assert keys(effects) == ["game.step1_drawn", "game.step1_invite"]
    assert [type(e).__name__ for e in effects[:3]] == ["Say", "PostCard", "Say"]
    # The timers come after the messages: step end at +120 s, reminder 30 s before.
    arms = only(effects, fx.ArmTimer)
    assert {a.kind: a.at - t.now for a in arms} == {"step": timedelta(seconds=120), "reminder": timedelta(seconds=90)}
    assert all(a.seq == s.seq for a in arms)
    assert isinstance(effects[-1], fx.ArmTimer)


def test_start_twice_and_lobby_only_commands():
    t = Table().started(ALICE, BOB)
    t.refuse(ev.Start(FAC, "dp-01", "data_protection"), "game.already_started")
    t2 = Table().lobby(ALICE, BOB)
    t2.refuse(ev.Next(FAC), "game.next_in_lobby")
    t2.refuse(ev.End(FAC), "game.end_in_lobby")
    t2.refuse(ev.Pause(FAC), "game.no_clock_now")
    t2.refuse(ev.Extend(FAC, 5), "game.no_clock_now")
    t2.refuse(ev.Resume(FAC), "game.not_paused")


def test_abort_in_the_lobby():
    t = Table().lobby(ALICE)
    effects = t.do(ev.Abort(FAC))
    assert t.state.phase == "aborted"
    assert effects[-1] == fx.GameOver("aborted")
    t.refuse(ev.Abort(FAC), "game.no_game")


def test_join_during_step_1_adds_a_participant():
    t = Table().started(ALICE, BOB)
    effects = t.do(ev.Join(CAROL))
    assert keys(effects) == ["game.joined_late"]
    assert t.state.participants == (ALICE, BOB, CAROL)
    t.do(ev.Next(FAC))
    assert t.state.order == (ALICE, BOB, CAROL)


def test_a_card_named_by_the_facilitator_is_not_called_drawn():
    t = Table().lobby(ALICE, BOB)
    effects = t.do(ev.Start(FAC, "dp-03", "data_protection", drawn=False))
    assert keys(effects) == ["game.step1_chosen", "game.step1_invite"]


def test_joins_below_a_larger_minimum_say_how_many_are_needed():
    t = Table(Settings(min_players=3)).lobby()
    assert keys(t.do(ev.Join(ALICE))) == ["game.joined_first"]
    effects = t.do(ev.Join(BOB))
    assert keys(effects) == ["game.joined_waiting"] and effects[0].values == {"user": UserRef(BOB), "count": 2,
                                                                                "minimum": 3}
    assert keys(t.do(ev.Join(CAROL))) == ["game.joined_ready"]
