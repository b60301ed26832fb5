"""Level words: every name a board shows for a level can be typed, in every language; other words cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.commands.levels import LEVELS, Levels, shown
from bot.commands.parsing import Command
from bot.commands.play import event_for
from bot.game import events as ev
from bot.decks import load_library
from bot.messages.catalogue import Catalogue

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fr", "en", "ro", "el", "de")
CATALOGUE = Catalogue.load()
LIBRARY = load_library()[0]
# What the running bot accepts: the shipped words and the names its boards and catalogue show.
TYPED = shown(CATALOGUE, LIBRARY)


def board_names() -> list[tuple[str, str, str]]:
    """(language, level id, name) for every level name a board shows: resources and catalogue."""
    found = []
    for lang in LANGUAGES:
        board = yaml.safe_load((ROOT / "resources" / f"{lang}.yaml").read_text(encoding="utf-8"))["board"]
        for level in board["levels"]:
            found.append((lang, level["id"], level["name"]))
            found.append((lang, level["id"], CATALOGUE.text(lang, f"game.level.{level['id']}")))
    return found


def names_and_parts() -> list[tuple[str, str, str]]:
    out = []
    for lang, level, name in board_names():
        out.append((lang, level, name))
        out += [(lang, level, part.strip()) for part in name.split("/") if "/" in name]
    return sorted(set(out))


@pytest.mark.parametrize("lang, level, name", names_and_parts())
def test_every_level_name_on_a_board_can_be_typed(lang, level, name):
    assert TYPED.parse(name) == level, f"{lang}: {name!r} is shown on the board but refused"
    assert TYPED.parse(name.upper()) == level
    # ... and as the start of an idea, the rest being the idea.
    assert TYPED.split(f"{name} Une idée concrète") == (level, "Une idée concrète")


def test_the_boards_name_all_four_levels_in_every_language():
    assert {(lang, level) for lang, level, _ in board_names()} == {
        (lang, level) for lang in LANGUAGES for level in ("individual", "team", "organisation", "policy")}


@pytest.mark.parametrize("word", ["organismus", "politic", "niveau", "level", "0", "5", "unitatea", "Einricht",
                                  "idée", "team/policy"])
def test_words_that_name_no_level_are_refused(word):
    assert TYPED.parse(word) is None
    assert TYPED.split(f"{word} texte")[0] is None


def test_a_level_renamed_by_a_translator_is_typed_without_a_code_change():
    renamed = Catalogue({**CATALOGUE.messages, "de": {**CATALOGUE.messages["de"], "game.level.team": "Fachteam / Station"}},
                        plurals=CATALOGUE.plurals)
    typed = shown(renamed, LIBRARY)
    assert typed.parse("Station") == "team" and typed.split("Fachteam eine Idee") == ("team", "eine Idee")


def test_a_name_two_levels_would_share_names_neither_and_the_board_test_would_fail():
    # A translator calling level 3 "Dienst" too: "Dienst" must not file ideas at a guessed level.
    clash = LEVELS.with_names([("organisation", "Dienst / Träger")])
    assert clash.parse("Dienst") is None and clash.parse("Träger") == "organisation"
    assert Levels([("team", "Team")]).parse("team") == "team"


@pytest.mark.parametrize("typed, level, idea", [
    ("Einrichtung mehr Zeit für Supervision", "organisation", "mehr Zeit für Supervision"),
    ("unitate: o fișă comună", "team", "o fișă comună"),
    ("μονάδα κοινό πρωτόκολλο", "team", "κοινό πρωτόκολλο"),
    ("europäische Politik Mindeststandards", "policy", "Mindeststandards"),
    ("Team/Dienst Übergaben", "team", "Übergaben"),
    ("equipe idée\nsur deux lignes", "team", "idée\nsur deux lignes"),
])
def test_an_idea_filed_under_a_typed_level(typed, level, idea):
    event = event_for(Command("action", "action", typed, None), "@a:x", "$e", TYPED)
    assert event == ev.AddAction("@a:x", level, idea, "$e")


def test_an_unknown_level_gets_the_right_form():
    assert event_for(Command("action", "action", "organismus eine Idee", None), "@a:x") == "game.bad_level"
