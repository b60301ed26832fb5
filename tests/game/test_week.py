"""Week games through the pure rules, with an injected clock: a week in minutes of CPU, no sleeping.

Every state is stored and read back as the engine does (JSON), and every day the
table "restarts": it forgets its timers and re-arms them from the stored state alone.
Every message is rendered in the five languages with the real catalogue.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.game import GameState, IllegalMove, Settings, apply, describe, pending_timers, resolve
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.params import UserRef
from bot.game.state import PASSED, SPOKEN, TIMEOUT
from bot.game.weekplan import Quiet, parse_length, parse_quiet, propose, shift
from bot.messages import notify
from bot.messages.catalogue import Catalogue, placeholders

PARIS, ATHENS = "Europe/Paris", "Europe/Athens"
MONDAY_9 = datetime(2027, 3, 22, 9, 0, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
FAC = "@trainer:example.org"
ALICE, BOB, CAROL = (f"@{n}:example.org" for n in ("alice", "bob", "carol"))
CATALOGUE = Catalogue.load()
LANGS = ("fr", "en", "ro", "el", "de")


def render(key: str, values, lang: str) -> str:
    template = CATALOGUE.messages[lang][key]
    assert {n for n, _ in values} == placeholders(template) - {"prefix"}, key

    def text(k, **p):
        assert placeholders(CATALOGUE.messages[lang][k]) == set(p), k
        return CATALOGUE.messages[lang][k].format(**p)

    out = resolve(values, text=text, user=lambda u: u.user_id, user_list=", ".join,
                  theme=lambda t: t, card=lambda c: c)
    return template.format(prefix="!", **out)


def local(at: datetime, zone: str = PARIS) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")


class Week:
    """One room's week game played by hand; timers kept as the engine keeps them."""

    def __init__(self, now: datetime = MONDAY_9, settings: Settings = Settings()):
        self.now = now
        self.settings = settings
        self.state = GameState()
        self.timers: dict[str, fx.ArmTimer] = {}
        self.said: list[fx.Say] = []
        self.when_said: list[tuple[datetime, str]] = []

    def do(self, event, fac: bool | None = None) -> tuple:
        fac = getattr(event, "actor", "") == FAC if fac is None else fac
        out = apply(self.state, event, self.now, facilitator=fac, settings=self.settings)
        self.state = GameState.from_dict(json.loads(json.dumps(out.state.to_dict())))
        assert self.state == out.state
        for effect in out.effects:
            if isinstance(effect, fx.CancelTimers):
                self.timers.clear()
            elif isinstance(effect, fx.ArmTimer):
                self.timers[effect.kind] = effect
            elif isinstance(effect, (fx.Say, fx.Reply)):
                self.said.append(effect)
                self.when_said.append((self.now, effect.key))
                for lang in LANGS:
                    render(effect.key, effect.params, lang)
        # The timers the engine holds are exactly those a restart rebuilds from the state.
        assert set(self.timers.values()) == set(pending_timers(self.state))
        return out.effects

    def refuse(self, event, key: str) -> None:
        before = self.state
        with pytest.raises(IllegalMove) as info:
            apply(self.state, event, self.now, facilitator=getattr(event, "actor", "") == FAC, settings=self.settings)
        assert info.value.key == key and self.state == before
        for lang in LANGS:
            render(info.value.key, info.value.params, lang)

    def restart(self) -> None:
        """The process dies: only the stored state remains, and the timers come back from it."""
        self.state = GameState.from_dict(json.loads(json.dumps(self.state.to_dict())))
        self.timers = {t.kind: t for t in pending_timers(self.state)}

    def fire(self, kind: str) -> tuple:
        timer = self.timers.pop(kind)
        self.now = max(self.now, timer.at)
        return self.do(ev.TimerFired(kind, timer.seq), fac=False)

    def until(self, moment: datetime) -> list[fx.Say]:
        """Let time pass to ``moment``: every timer due fires in order; a restart each day."""
        said = len(self.said)
        day = self.now.date()
        while self.timers and min(t.at for t in self.timers.values()) <= moment:
            kind = min(self.timers.values(), key=lambda t: (t.at, t.kind)).kind
            self.fire(kind)
            if self.now.date() != day:
                day = self.now.date()
                self.restart()
        self.now = max(self.now, moment)
        return self.said[said:]

    def opened(self, *players, length=5 * 86400, zone=PARIS, quiet=Quiet()) -> "Week":
        self.do(ev.Open(FAC, None, "fr", length, zone, quiet.start, quiet.end))
        for p in players:
            self.do(ev.Join(p))
        self.do(ev.Start(FAC, "dp-01", "data_protection"))
        return self


def test_a_five_day_week_proposes_decent_local_deadlines():
    deadlines = propose(MONDAY_9, 5 * 86400, PARIS, Quiet())
    assert [local(d) for d in deadlines] == ["Wed 18:00", "Thu 12:00", "Fri 12:00", "Fri 16:00"]
    for length in (2 * 86400, 3 * 86400, 48 * 3600, 72 * 3600, 7 * 86400):
        for start_hour in (7, 9, 13, 17, 22):
            now = datetime(2027, 3, 22, start_hour, 0, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
            got = propose(now, length, PARIS, Quiet())
            assert list(got) == sorted(got) and got[0] > now and len(set(got)) == 4
            assert not any(Quiet().contains(d.astimezone(ZoneInfo(PARIS))) for d in got), (length, start_hour)


def test_short_lengths_for_tests_are_plain_shares():
    got = propose(MONDAY_9, 60, PARIS, Quiet())
    assert [round((d - MONDAY_9).total_seconds(), 1) for d in got] == [33.0, 43.8, 57.6, 60.0]


def test_lengths_and_quiet_hours_as_typed_in_five_languages():
    assert [parse_length(t) for t in ("5j", "3d", "48h", "2z", "4t", "3μ", "90min", "30s", "3 jours")] == [
        5 * 86400, 3 * 86400, 48 * 3600, 2 * 86400, 4 * 86400, 3 * 86400, 5400, 30, 3 * 86400]
    assert [parse_length(t) for t in ("", "j", "5x", "15j", "0h", "-2d")] == [None] * 6
    # Digits of any script are numbers; digit-like signs are not (bot/game/folding.py).
    assert [parse_length(t) for t in ("٥j", "５j", "⁵j", "①d")] == [5 * 86400, 5 * 86400, None, None]
    assert parse_quiet("٢١:٠٠-٠٧:٠٠") == Quiet(21 * 60, 7 * 60) and parse_quiet("²¹:00-07:00") is None
    assert parse_quiet("21:00-07:30") == Quiet(21 * 60, 7 * 60 + 30)
    assert parse_quiet("21h–7h") == Quiet(21 * 60, 7 * 60)
    assert parse_quiet("aucune").none and parse_quiet("keine").none
    assert parse_quiet("25:00-07:00") is None and parse_quiet("tomorrow") is None


def test_daylight_saving_keeps_local_times():
    # Friday 26 March 2027, 09:00 Paris; summer time begins on Sunday 28 March.
    friday = datetime(2027, 3, 26, 9, 0, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
    deadlines = propose(friday, 5 * 86400, PARIS, Quiet())
    assert [local(d) for d in deadlines] == ["Sun 18:00", "Mon 12:00", "Tue 12:00", "Tue 16:00"]
    assert (friday.hour, deadlines[0].hour) == (8, 16)  # 09:00 in winter time, 18:00 in summer time
    # One more day is the same wall-clock time the next day, across the change.
    saturday_18 = datetime(2027, 3, 27, 18, 0, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
    assert local(shift(saturday_18, 86400, PARIS)) == "Sun 18:00"
    assert shift(saturday_18, 86400, PARIS) - saturday_18 == timedelta(hours=23)


def test_a_whole_week_game_with_a_restart_each_day():
    w = Week().opened(ALICE, BOB, CAROL)
    s = w.state
    assert s.phase == "round" and s.speaker is None and local(s.deadline) == "Wed 18:00"
    assert [t.speaker for t in s.turns] == [ALICE, BOB, CAROL]
    assert any(e.key == "week.plan" for e in w.said) and w.said[-1].key == "week.round_open"
    assert not any(isinstance(e, fx.Say) and e.key == "game.step1_invite" for e in w.said)
    # Monday: everyone in any order; a thread is conversation; after done is conversation.
    w.do(ev.Say(BOB, "Ce qui me frappe : le consentement.", "$b1"))
    w.do(ev.Say(ALICE, "Je pense à la famille.", "$a1"))
    w.do(ev.Say(ALICE, "à côté : quelqu'un a vu le match ?", "$a2", in_thread=True))
    w.do(ev.Say(BOB, "Et au secret partagé.", "$b2"))
    w.do(ev.Edit(BOB, "$b1", "Ce qui me frappe : le consentement éclairé."))
    w.do(ev.Redact(BOB, "$b2"))
    effects = w.do(ev.Done(BOB))
    assert [e.key for e in effects if isinstance(e, fx.Say)] == ["week.turn_done"]
    assert dict(effects[0].params)["done"] == 1 and dict(effects[0].params)["total"] == 3
    w.do(ev.Say(BOB, "Merci Alice, bonne idée", "$b3"))
    w.refuse(ev.Done(BOB), "week.already_done")
    w.refuse(ev.Pause(FAC), "week.no_pause")
    w.refuse(ev.Skip(FAC), "week.no_skip")
    assert w.state.turns[1].texts == ("Ce qui me frappe : le consentement éclairé.",)
    assert w.state.turns[0].texts == ("Je pense à la famille.",)
    assert describe(w.state, w.now)[0] == "week.status"
    assert dict(describe(w.state, w.now)[1])["done"] == 1

    # Tuesday: the progress count at a decent hour, then one nudge per person, alone.
    said = w.until(datetime(2027, 3, 23, 20, 0, tzinfo=ZoneInfo(PARIS)))
    progress = [e for e in said if e.key == "week.progress_round"]
    assert len(progress) == 1 and not any(isinstance(v, UserRef) for _, v in progress[0].params)
    nudges = [e for e in said if e.key == "week.nudge"]
    assert [notify.addressees(e.key, e.params) for e in nudges] == [(ALICE,), (CAROL,)]
    assert notify.msgtype("week.nudge") == "m.text" and notify.msgtype("week.progress_round") == "m.notice"
    assert [local(at) for at, key in w.when_said if key == "week.nudge"] == ["Tue 18:00", "Tue 18:00"]

    # Wednesday: Carol passes; Alice never says done: the deadline closes the round, her text counts.
    w.do(ev.Pass(CAROL))
    said = w.until(datetime(2027, 3, 24, 18, 1, tzinfo=ZoneInfo(PARIS)))
    keys = [e.key for e in said]
    assert keys.count("week.round_closed") == 1 and "week.nudge" not in keys
    assert [t.status for t in w.state.turns] == [SPOKEN, SPOKEN, PASSED]
    assert w.state.phase == "resources" and local(w.state.deadline) == "Thu 12:00"
    assert any(e.key == "week.vote_question" for e in said)

    # Thursday morning: the vote's own nudge goes to whoever has not voted, at 08:00 at the earliest.
    w.do(ev.Vote(ALICE, True))
    w.do(ev.Vote(BOB, True))
    said = w.until(datetime(2027, 3, 25, 11, 0, tzinfo=ZoneInfo(PARIS)))
    nudges = [e for e in said if e.key == "week.nudge_vote"]
    assert [notify.addressees(e.key, e.params) for e in nudges] == [(CAROL,)]
    w.do(ev.Vote(CAROL, False))
    assert w.state.phase == "actions" and local(w.state.deadline) == "Fri 12:00"
    w.do(ev.AddAction(ALICE, "team", "Une charte de l'équipe"))
    said = w.until(datetime(2027, 3, 26, 12, 0, tzinfo=ZoneInfo(PARIS)))
    assert w.state.phase == "synthesis" and local(w.state.deadline) == "Fri 16:00"
    said = w.until(datetime(2027, 3, 26, 16, 0, tzinfo=ZoneInfo(PARIS)))
    assert w.state.phase == "finished" and w.timers == {}
    # No nudge or count during quiet hours, and no message ever names more than one person.
    for e in w.said:
        assert sum(isinstance(v, UserRef) for _, v in e.params) <= 1
    timed = [(at, key) for at, key in w.when_said if key.startswith(("week.nudge", "week.progress"))]
    assert len(timed) >= 5
    assert not [key for at, key in timed if Quiet().contains(at.astimezone(ZoneInfo(PARIS)))]


def test_no_nudge_or_progress_in_quiet_hours_even_after_a_restart_at_night():
    w = Week().opened(ALICE, BOB)
    nudge = w.timers["nudge"]
    # The bot is down from Tuesday 17:00 to Tuesday 23:00: the nudge is due, but it is night.
    w.restart()
    w.now = datetime(2027, 3, 23, 23, 0, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
    effects = w.do(ev.TimerFired("nudge", nudge.seq), fac=False)
    assert [e for e in effects if isinstance(e, fx.Say)] == []
    assert not [e for e in w.said if e.key == "week.nudge"]
    assert local(w.timers["nudge"].at) == "Wed 08:00"
    said = w.until(datetime(2027, 3, 24, 8, 0, tzinfo=ZoneInfo(PARIS)))
    # The progress count missed in the night comes in the morning too, once.
    assert [e.key for e in said] == ["week.nudge", "week.nudge", "week.progress_round"]


def test_a_deadline_missed_while_down_is_handled_at_once_and_told_once():
    w = Week().opened(ALICE, BOB)
    w.do(ev.Say(ALICE, "Ma lecture.", "$a"))
    w.restart()
    # Down from Tuesday to Wednesday 21:00, three hours after the round's deadline.
    w.now = datetime(2027, 3, 24, 21, 0, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
    effects = w.do(ev.TimerFired("step", w.timers["step"].seq), fac=False)
    keys = [e.key for e in effects if isinstance(e, fx.Say)]
    assert keys[:2] == ["game.late_step", "week.round_closed"] and keys.count("game.late_step") == 1
    assert w.state.phase == "resources"
    # The stale nudge and progress of the round do nothing.
    for kind in ("nudge", "progress"):
        assert w.do(ev.TimerFired(kind, w.state.seq - 1), fac=False) == ()


def test_the_facilitator_moves_a_deadline_by_a_day_across_daylight_saving():
    friday = datetime(2027, 3, 26, 9, 0, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
    w = Week(friday).opened(ALICE, BOB)
    before = [local(d) for d in w.state.week.deadlines]
    w.refuse(ev.Extend(ALICE, 1440), "game.facilitator_only")
    w.refuse(ev.Extend(FAC, 15 * 1440), "week.extend_range")
    effects = w.do(ev.Extend(FAC, 1440))
    assert [e.key for e in effects if isinstance(e, fx.Say)] == ["week.extended", "week.plan"]
    after = [local(d) for d in w.state.week.deadlines]
    assert before == ["Sun 18:00", "Mon 12:00", "Tue 12:00", "Tue 16:00"]
    assert after == ["Mon 18:00", "Tue 12:00", "Wed 12:00", "Wed 16:00"]
    assert w.timers["step"].at == w.state.week.deadlines[0]


def test_everyone_done_ends_the_round_and_late_joiners_are_expected_too():
    w = Week().opened(ALICE, BOB)
    w.do(ev.Join(CAROL))
    assert [t.speaker for t in w.state.turns] == [ALICE, BOB, CAROL]
    w.do(ev.Done(ALICE))
    w.do(ev.Leave(CAROL))
    effects = w.do(ev.Pass(BOB))
    assert "week.round_complete" in [e.key for e in effects if isinstance(e, fx.Say)]
    assert w.state.phase == "resources"
    assert [t.status for t in w.state.turns][:2] == [PASSED, PASSED]


def test_the_facilitator_ends_the_round_early_and_silence_is_a_timeout():
    w = Week().opened(ALICE, BOB)
    w.do(ev.Say(ALICE, "Ma lecture.", "$a"))
    w.do(ev.Next(FAC))
    assert w.state.phase == "resources"
    assert [t.status for t in w.state.turns] == [SPOKEN, TIMEOUT]


def test_several_zones_at_once():
    paris, athens = Week().opened(ALICE, BOB), Week().opened(ALICE, BOB, zone=ATHENS)
    assert local(paris.state.deadline) == "Wed 18:00"
    assert local(athens.state.deadline, ATHENS) == "Wed 18:00"
    assert athens.state.deadline - paris.state.deadline == timedelta(hours=-1)


def test_a_live_game_has_no_week_timers():
    state = apply(GameState(), ev.Open(FAC, None, "fr"), MONDAY_9, facilitator=True).state
    assert state.week is None
    for user in (ALICE, BOB):
        state = apply(state, ev.Join(user), MONDAY_9).state
    state = apply(state, ev.Start(FAC, "dp-01", "data_protection"), MONDAY_9, facilitator=True).state
    assert {t.kind for t in pending_timers(state)} <= {"step", "reminder"}


def test_random_week_games_never_break_the_rules():
    """Random moves of a week: refused or applied, never a crash; states survive storage; timers agree."""
    import random

    people = (FAC, ALICE, BOB, CAROL)
    for seed in range(60):
        rng = random.Random(seed)
        w = Week(MONDAY_9 + timedelta(hours=rng.randrange(0, 24 * 7)),
                 Settings(week_nudge_seconds=rng.choice((0, 3600, 86400)),
                          week_progress_seconds=rng.choice((0, 3600, 86400))))
        w.opened(ALICE, BOB, length=rng.choice((3600, 2 * 86400, 5 * 86400)),
                 zone=rng.choice((PARIS, ATHENS, "America/Montreal")),
                 quiet=rng.choice((Quiet(), Quiet(0, 0), Quiet(22 * 60, 6 * 60))))
        for step in range(80):
            who = rng.choice(people)
            choice = rng.randrange(14)
            if choice == 0 and w.timers:
                w.fire(rng.choice(sorted(w.timers)))
                continue
            if choice == 1:
                w.now += timedelta(minutes=rng.randrange(1, 3000))
                w.restart()
                continue
            event = [
                lambda: ev.Say(who, f"texte {step}", f"${seed}-{step}", in_thread=rng.random() < 0.2),
                lambda: ev.Done(who), lambda: ev.Pass(who), lambda: ev.Join(who), lambda: ev.Leave(who),
                lambda: ev.Vote(who, rng.random() < 0.5), lambda: ev.AddAction(who, "team", "idée"),
                lambda: ev.Next(FAC), lambda: ev.End(FAC), lambda: ev.Extend(FAC, rng.choice((60, 1440))),
                lambda: ev.Edit(who, f"${seed}-{rng.randrange(step + 1)}", "corrigé"),
                lambda: ev.Redact(who, f"${seed}-{rng.randrange(step + 1)}"),
            ][choice - 2]()
            try:
                w.do(event)
            except IllegalMove:
                pass
            for e in w.said:
                assert sum(isinstance(v, UserRef) for _, v in e.params) <= 1 or e.key in (
                    "game.lobby_opened", "game.vote_tie"), e
            if w.state.phase == "finished":
                assert w.timers == {}
                break
