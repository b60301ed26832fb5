"""Hostile text: direction and invisible characters shown back, command names, empty texts.

Pure parts only (renderer, parser, the commands' right forms); the same inputs go
through a real bot in test_safety_text_matrix.py.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

import pytest

from bot.commands.parsing import parse
from bot.commands.play import event_for
from bot.game import IllegalMove, apply
from bot.game import events as ev
from bot.game.state import ACTIONS, ROUND, SYNTHESIS, GameState, Turn
from bot.game.visible import has_visible, without_format
from bot.messages.catalogue import Catalogue
from bot.messages.render import FSI, PDI, Mention, Renderer, isolate, render_template

RLO, PDF, ZWJ, ZWSP, RLI = "\u202e", "\u202c", "\u200d", "\u200b", "\u2067"


def resolved_order(text: str) -> list[str]:
    """What ``text`` leaves open at its end (isolates, embeddings, overrides): [] when nothing.

    A small model of the Unicode bidi algorithm's explicit levels (rules X1-X8), enough
    to tell whether something typed can reach past its own end.
    """
    stack: list[str] = []
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("LRI", "RLI", "FSI"):
            stack.append("isolate")
        elif kind in ("LRE", "RLE", "LRO", "RLO"):
            stack.append("embedding")
        elif kind == "PDF":
            if stack and stack[-1] == "embedding":
                stack.pop()
        elif kind == "PDI":
            if "isolate" in stack:  # closes everything opened since its isolate (X6a)
                while stack.pop() != "isolate":
                    pass
    return stack


@pytest.mark.parametrize("typed", [
    RLO + "edia", "ab" + PDI + RLO + "cd", PDI + PDI + RLO, "שלום " + RLO, RLI + "x", RLI + RLO + RLI,
    "abc" + PDF + PDF + RLO,
])
def test_user_text_cannot_reach_past_its_end(typed):
    r = render_template("Je ne connais pas la commande « {command} ». Tapez !aide.", {"command": typed})
    start = r.body.index("« ") + 2
    end = r.body.index(" »")
    inserted = r.body[start:end]
    assert inserted.startswith(FSI) and inserted.endswith(PDI), repr(inserted)
    assert resolved_order(r.body[:end]) == [], repr(r.body)
    assert r.body.endswith("». Tapez !aide.")
    # The HTML isolates twice: <bdi> for clients that keep it, the characters for those
    # whose sanitiser drops it (Element's).
    assert "<bdi>" + FSI in r.html and PDI + "</bdi>" in r.html
    html_inserted = r.html[r.html.index("<bdi>") + 5:r.html.index("</bdi>")]
    assert resolved_order(html_inserted) == []


def test_a_stray_closing_isolate_is_dropped_so_the_bot_keeps_its_own():
    assert isolate(PDI + RLO + "x") == FSI + RLO + "x" + PDI
    assert isolate(RLI + "x" + PDI + PDI) == FSI + RLI + "x" + PDI + PDI  # the matched one stays
    assert isolate(RLI + RLI + "x") == FSI + RLI + RLI + "x" + PDI * 3  # open ones are closed


def test_left_to_right_text_is_left_bare():
    for text in ("Alex", "Ελένη", "Ștefan", "équipe 2", "<b>x</b>"):
        assert isolate(text) == text
    r = render_template("Merci {user}", {"user": "Ελένη"})
    assert r.body == "Merci Ελένη" and "<bdi>" not in r.html


def test_display_names_are_isolated_in_pills_and_body():
    r = render_template("À vous, {who}.", {"who": Mention("@m:example.org", "Mona" + RLO)})
    assert r.body == f"À vous, {FSI}Mona{RLO}{PDI}."
    assert f">" + f"<bdi>{FSI}Mona{RLO}{PDI}</bdi></a>." in r.html


def test_french_elision_sees_the_name_not_the_isolate():
    r = render_template("le tour de {user}", {"user": "אבי"}, lang="fr")
    assert r.body == f"le tour de {FSI}אבי{PDI}"
    r = render_template("le tour de {user}", {"user": "Ana " + RLO}, lang="fr")
    assert r.body.startswith("le tour d'" + FSI)


def test_catalogue_messages_isolate_in_every_language():
    renderer = Renderer(Catalogue.load())
    for lang in ("fr", "en", "ro", "el", "de"):
        r = renderer.render(lang, "unknown_command", command=RLO + "edia", prefix="!")
        assert FSI + RLO + "edia" + PDI in r.body, (lang, r.body)


@pytest.mark.parametrize("typed,expected", [
    ("!ai" + ZWJ + "de", "help"), ("!" + RLO + "aide", "help"), ("!" + ZWSP + "pistes", "actions"),
    ("!pi\u00adste equipe x", "action"), ("!rejoin\u2060dre", "join"),
])
def test_format_and_zero_width_characters_are_no_part_of_a_command_name(typed, expected):
    command = parse(typed)
    assert command is not None and command.name == expected, command


def test_a_name_made_of_format_characters_only_is_not_a_command():
    assert parse("!" + RLO + ZWJ) is None
    assert parse("!" + RLO + "edia").typed == "edia"  # shown back without the override


@pytest.mark.parametrize("args", ["politique " + RLO + ZWJ, "politique " + ZWSP + " \u3164", "4 \u2800"])
def test_an_idea_with_no_visible_character_is_refused_as_empty(args):
    assert event_for(parse("!piste " + args), "@a:x") == "game.action_empty"


@pytest.mark.parametrize("body", ["!piste", "!piste    ", "!piste " + ZWSP, "!action \t "])
def test_an_idea_command_alone_gets_its_usage_line(body):
    assert event_for(parse(body), "@a:x") == "game.action_empty"


def test_a_visible_idea_is_kept_as_typed():
    event = event_for(parse("!piste " + ZWJ + "equipe Un café 👨" + ZWJ + "👩"), "@a:x", "$e")
    assert event == ev.AddAction("@a:x", "team", "Un café 👨" + ZWJ + "👩", "$e")
    event = event_for(parse("!piste " + ZWSP + " " + RLO + " equipe Un café"), "@a:x", "$e")
    assert event == ev.AddAction("@a:x", "team", "Un café", "$e")
    assert event_for(parse("!piste galaxie x"), "@a:x") == "game.bad_level"


def test_a_summary_paragraph_with_no_visible_character_is_refused():
    assert event_for(parse("!synthese " + RLO + ZWSP), "@a:x") == "game.amend_empty"


@pytest.mark.parametrize("event", [ev.AddAction("@a:x", "team", RLO + ZWJ), ev.Amend("@a:x", ZWSP + " ")])
def test_the_rules_refuse_invisible_texts_too(event):
    phase = ACTIONS if isinstance(event, ev.AddAction) else SYNTHESIS
    state = GameState(phase=phase, players=("@a:x",))
    with pytest.raises(IllegalMove) as refused:
        apply(state, event, datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert refused.value.args[0] in ("game.action_empty", "game.amend_empty")


def test_visibility_helpers():
    assert not has_visible(" \t\n" + RLO + ZWJ + ZWSP + "\u3164\u2800\u0301")
    assert has_visible("·") and has_visible("é") and has_visible("👍")
    assert without_format("a" + ZWJ + "b" + RLO) == "ab"


def round_state() -> GameState:
    return GameState(phase=ROUND, players=("@a:x", "@b:x"), order=("@a:x", "@b:x"), current=0,
                     turns=(Turn("@a:x", ("first words",), refs=("$1",)),))


def test_an_invisible_message_is_no_contribution_and_no_out_of_turn_talk():
    now = datetime(2027, 1, 1, tzinfo=timezone.utc)
    state = round_state()
    for actor in ("@a:x", "@b:x"):
        outcome = apply(state, ev.Say(actor, RLO + ZWJ + " " + ZWSP, "$2"), now)
        assert outcome.state == state and outcome.effects == ()
    outcome = apply(state, ev.Edit("@a:x", "$1", ZWSP), now)  # an edit to nothing visible is not followed
    assert outcome.state.turns[0].texts == ("first words",)


@pytest.mark.parametrize("body", ["!langue " + ZWSP, "!cartes " + RLO, "!commencer " + ZWJ + " ", "!prolonger \u2800"])
def test_arguments_no_one_can_see_are_no_arguments(body):
    command = parse(body)
    assert command.known and command.args == "" and command.words == []


def test_a_turn_with_a_direction_override_stays_inside_its_line_of_the_synthesis():
    from bot.decks import load_library
    from bot.messages.narration import Narrator, RoomView
    from bot.messages.synthesis_post import SynthesisWriter

    library, _ = load_library([])
    writer = SynthesisWriter(Narrator(Catalogue.load(), library))
    state = GameState(phase="finished", players=("@a:x",), participants=("@a:x",), card_id="dp-01",
                      theme="data_protection", created=datetime(2027, 1, 1, tzinfo=timezone.utc),
                      turns=(Turn("@a:x", ("Je pense " + RLO + "que non", PDI + "x"), status="spoken"),))
    view = RoomView("fr", "!", lambda user: "Ana" + RLO, library)
    message, file = writer.posts(view, state, final=True)
    for document in (message.body, file["text"]):
        for line in document.splitlines():
            assert resolved_order(line) == [], repr(line)
        assert FSI + "Je pense " + RLO + "que non" + PDI in document
