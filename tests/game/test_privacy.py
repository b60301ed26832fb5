"""Privacy in the pure parts: parser and rules under random input, erasure, throttle, pseudonyms."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.parsing import COMMANDS, parse
from bot.game import GameState, IllegalMove, Settings, apply, build_synthesis
from bot.game import events as ev
from bot.game.privacy import forget, wrote_something
from bot.commands.play import event_for
from bot.commands.privacy import Throttle
from bot.messages.synthesis_post import pseudonyms

T0 = datetime(2027, 1, 5, 13, 0, tzinfo=timezone.utc)
FAC, ALICE, BOB = "@fac:x", "@alice:x", "@bob:x"
NAMES = [n for en, fr, aliases in COMMANDS.values() for n in (en, fr, *aliases)]
SIMPLE_COMMANDS = {"join", "leave", "next", "done", "pass", "skip", "pause", "resume", "end", "abort",
                   "yes", "no", "action", "extend", "synthesis"}


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_parser_never_raises_on_any_text(text):
    command = parse(text)
    assert command is None or isinstance(command.args, str)


def lines():
    """Random command lines: real names (any case), random or plausible arguments."""
    name = st.sampled_from(NAMES).flatmap(lambda n: st.sampled_from([n, n.upper(), n.title()]))
    args = st.one_of(st.text(max_size=80), st.sampled_from(["", "equipe idée", "4 <b>x</b>", "99", "5", "  "]))
    return st.tuples(st.sampled_from(["!", "! ", "!!", ""]), name, args).map(lambda t: f"{t[0]}{t[1]} {t[2]}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([FAC, ALICE, BOB]), lines()), max_size=40))
def test_random_command_lines_through_the_rules_keep_a_valid_state(script):
    state = GameState()
    now = T0
    for sender, line in [(FAC, "!nouvelle"), (ALICE, "!rejoindre"), (BOB, "!rejoindre"),
                         (FAC, "!commencer")] + script:
        now += timedelta(seconds=7)
        command = parse(line)
        if command is None:
            event = ev.Say(sender, line)
        elif command.name == "start":
            event = ev.Start(sender, "dp-01", "data_protection")
        elif command.name == "new":
            event = ev.Open(sender, None, "fr")
        elif command.name in SIMPLE_COMMANDS:
            event = event_for(command, sender)
            if isinstance(event, str):
                continue  # answered with the right form, nothing applied
        else:
            continue
        try:
            state = apply(state, event, now, facilitator=sender == FAC, settings=Settings()).state
        except IllegalMove:
            pass
        assert GameState.from_dict(state.to_dict()) == state


def test_forget_erases_only_that_persons_texts():
    s = GameState()
    for sender, event in [(FAC, ev.Open(FAC, None, "fr")), (ALICE, ev.Join(ALICE)), (BOB, ev.Join(BOB)),
                          (FAC, ev.Start(FAC, "dp-01", "data_protection")), (FAC, ev.Next(FAC))]:
        s = apply(s, event, T0, facilitator=sender == FAC).state
    speaker = s.speaker
    s = apply(s, ev.Say(speaker, "words of the speaker"), T0).state
    assert wrote_something(s, speaker)
    erased = forget(s, speaker)
    assert not wrote_something(erased, speaker)
    syn = build_synthesis(erased, True)
    [c] = [c for c in syn.contributions if c.speaker == speaker]
    assert c.erased and c.text == ""
    other = ALICE if speaker == BOB else BOB
    assert forget(s, other) == s


def test_throttle_limits_one_user_and_warns_once():
    clock = [0.0]
    throttle = Throttle(3, clock=lambda: clock[0])
    assert [throttle.check(ALICE) for _ in range(5)] == ["ok", "ok", "ok", "warn", "drop"]
    assert throttle.check(BOB) == "ok"  # others are not slowed
    clock[0] = 61
    assert throttle.check(ALICE) == "ok"


def test_pseudonyms_number_people_in_order_and_never_show_ids():
    s = GameState()
    for sender, event in [(FAC, ev.Open(FAC, None, "fr")), (ALICE, ev.Join(ALICE)), (BOB, ev.Join(BOB))]:
        s = apply(s, event, T0, facilitator=sender == FAC).state
    name = pseudonyms(build_synthesis(s, True), lambda n: f"P{n}")
    assert [name(ALICE), name(BOB), name("@late:x"), name(ALICE)] == ["P1", "P2", "P3", "P1"]
