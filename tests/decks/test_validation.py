"""Deck files: each validation error with its exact message, custom decks loaded or skipped."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bot.decks import Card, DeckError, load_library
from bot.decks.cardcheck import CARD_KEYS
from bot.decks.loader import DECKS_DIR, RESOURCES_DIR

ALLOWED = ", ".join(CARD_KEYS)
HEADER = "schema_version: 1\ndeck: my\nlanguage: fr\ncards:\n"
GOOD_CARD = """\
  - id: x-1
    theme: ethics
    title: "Un titre"
    situation: "Une situation."
    questions: ["Une question ?"]
"""


@pytest.fixture
def decks(tmp_path, monkeypatch):
    """A ``decks/`` directory in the current directory, so messages say ``decks/…``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "decks").mkdir()
    return tmp_path / "decks"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_for(decks: Path) -> list[str]:
    library, problems = load_library([Path("decks")])
    assert len(library.cards("fr")) >= 23  # the built-in decks always load
    return [line for problem in problems for line in problem.message.splitlines()]


def guide_line(card_id: str) -> str:
    """Where the built-in card ``card_id`` is defined, as messages print it."""
    path = DECKS_DIR / "guide.fr.yaml"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() == f"- id: {card_id}":
            return f"{path}:{number}"
    raise AssertionError(card_id)


# --- each error, exact message ------------------------------------------------------

def test_missing_questions(decks):
    write(decks, "my.yaml", HEADER + "  - id: x-1\n    theme: ethics\n    title: T\n    situation: S\n")
    assert problems_for(decks) == ['decks/my.yaml:5: card "x-1": questions: missing']


def test_questions_of_the_wrong_type(decks):
    write(decks, "my.yaml", HEADER + GOOD_CARD.replace('["Une question ?"]', '"Une question ?"'))
    assert problems_for(decks) == [
        'decks/my.yaml:9: card "x-1": questions: must be a non-empty list of strings']


def test_empty_questions(decks):
    write(decks, "my.yaml", HEADER + GOOD_CARD.replace('["Une question ?"]', "[]"))
    assert problems_for(decks) == [
        'decks/my.yaml:9: card "x-1": questions: must be a non-empty list of strings']


def test_duplicate_id_in_one_file(decks):
    write(decks, "my.yaml", HEADER + GOOD_CARD + GOOD_CARD)
    assert problems_for(decks) == [
        'decks/my.yaml:10: card "x-1": id: duplicate id (first defined at decks/my.yaml:5)']


def test_duplicate_id_of_a_built_in_card(decks):
    write(decks, "my.yaml", HEADER + GOOD_CARD.replace("x-1", "dp-01"))
    assert problems_for(decks) == [
        f'decks/my.yaml:5: card "dp-01": id: duplicate id (first defined at {guide_line("dp-01")})']


def test_duplicate_id_across_custom_decks(decks):
    write(decks, "a.yaml", HEADER + GOOD_CARD)
    write(decks, "b.yaml", HEADER.replace("deck: my", "deck: other") + GOOD_CARD)
    assert problems_for(decks) == [
        'decks/b.yaml:5: card "x-1": id: duplicate id (first defined at decks/a.yaml:5)']


def test_unknown_theme(decks):
    write(decks, "my.yaml", HEADER + GOOD_CARD.replace("theme: ethics", "theme: cooking"))
    assert problems_for(decks) == [
        'decks/my.yaml:6: card "x-1": theme: unknown theme "cooking" '
        "(known: data_protection, digital_tools, netiquette, ethics)"]


def test_a_language_missing_a_card_the_other_has(decks):
    write(decks, "my.fr.yaml", HEADER + GOOD_CARD + GOOD_CARD.replace("x-1", "x-2"))
    write(decks, "my.en.yaml", HEADER.replace("language: fr", "language: en") + GOOD_CARD)
    library, problems = load_library([Path("decks")])
    assert [(p.file, p.message) for p in problems] == [
        ("decks/my.en.yaml", 'decks/my.en.yaml:1: deck "my" skipped because of errors in decks/my.fr.yaml'),
        ("decks/my.fr.yaml", 'decks/my.fr.yaml:10: card "x-2": missing from the en version (decks/my.en.yaml)'),
    ]
    assert library.card("x-1", "fr") is None  # the whole deck is skipped


@pytest.mark.parametrize("old, new, line, subject, message", [
    ('title: "Un titre"', "title: [a, b]", 7, "x-1", "title: must be a non-empty string"),
    ('title: "Un titre"', "title: 42", 7, "x-1", "title: must be a non-empty string"),
    ('situation: "Une situation."', 'situation: ""', 8, "x-1", "situation: must be a non-empty string"),
    ('questions: ["Une question ?"]', 'questions: ["ok", 3]', 9, "x-1",
     "questions: entry 2 must be a non-empty string"),
    ("id: x-1", "id: X 1", 5, "X 1",
     "id: must use lowercase letters, digits, '-' and '_' only, and start with a letter or digit"),
])
def test_a_field_of_the_wrong_type(decks, old, new, line, subject, message):
    write(decks, "my.yaml", HEADER + GOOD_CARD.replace(old, new))
    assert problems_for(decks) == [f'decks/my.yaml:{line}: card "{subject}": {message}']


def test_people_must_be_a_list(decks):
    write(decks, "my.yaml", HEADER + GOOD_CARD + '    people: "Karine"\n')
    assert problems_for(decks) == ['decks/my.yaml:10: card "x-1": people: must be a list of strings']


def test_an_over_long_card(decks):
    card = (GOOD_CARD.replace('"Une situation."', "S" * 1501)
            .replace('["Une question ?"]', "[" + ", ".join(["q"] * 8 + ["Q" * 301]) + "]"))
    write(decks, "my.yaml", HEADER + card + f'    dilemma: "{"d" * 1001}"\n')
    assert problems_for(decks) == [
        'decks/my.yaml:8: card "x-1": situation: too long (1501 characters, at most 1500)',
        'decks/my.yaml:9: card "x-1": questions: too many entries (9, at most 8)',
        'decks/my.yaml:9: card "x-1": questions: entry 9 too long (301 characters, at most 300)',
        'decks/my.yaml:10: card "x-1": dilemma: too long (1001 characters, at most 1000)',
    ]


def test_unknown_keys(decks):
    write(decks, "my.yaml", HEADER.replace("cards:", "colour: red\ncards:") + GOOD_CARD + "    colour: blue\n")
    assert problems_for(decks) == [
        "decks/my.yaml:4: colour: unknown key (allowed: schema_version, deck, language, title, source, "
        "attribution, review, themes, cards, resources)",
        f'decks/my.yaml:11: card "x-1": colour: unknown key (allowed: {ALLOWED})',
    ]


def test_wrong_schema_version(decks):
    write(decks, "my.yaml", HEADER.replace("schema_version: 1", "schema_version: 2") + GOOD_CARD)
    assert problems_for(decks) == [
        "decks/my.yaml:1: schema_version: unsupported version 2 (this bot reads version 1)"]


def test_missing_schema_version(decks):
    write(decks, "my.yaml", HEADER.replace("schema_version: 1\n", "") + GOOD_CARD)
    assert problems_for(decks) == ["decks/my.yaml:1: schema_version: missing"]


def test_bad_deck_header(decks):
    write(decks, "my.yaml", "schema_version: 1\ndeck: My Deck\nlanguage: French\ncards: []\n")
    assert problems_for(decks) == [
        "decks/my.yaml:2: deck: must use lowercase letters, digits, '-' and '_' only, "
        "and start with a letter or digit",
        'decks/my.yaml:3: language: must be a language code such as "fr" or "en"',
        "decks/my.yaml:4: cards: must be a non-empty list of cards",
    ]


def test_invalid_yaml_and_duplicate_keys(decks):
    write(decks, "bad.yaml", HEADER + GOOD_CARD + "    title: [unclosed\n")
    write(decks, "twice.yaml", HEADER.replace("deck: my", "deck: twice") + GOOD_CARD.replace("x-1", "y-1")
          + '    title: "Encore"\n')
    errors = problems_for(decks)
    assert errors[0].startswith("decks/bad.yaml:11: invalid YAML: ")
    assert errors[1] == 'decks/twice.yaml:10: duplicate key "title"'


def test_not_a_mapping(decks):
    write(decks, "my.yaml", "- just\n- a list\n")
    assert problems_for(decks) == [
        "decks/my.yaml:1: must be a mapping with schema_version, deck, language and cards"]


def test_custom_deck_cannot_redefine_a_built_in_theme(decks):
    write(decks, "my.yaml", HEADER.replace("cards:", "themes:\n  - id: ethics\n    title: Autre\ncards:") + GOOD_CARD)
    assert problems_for(decks) == ['decks/my.yaml:5: theme "ethics": id: already defined by the built-in decks']


def test_same_deck_and_language_twice(decks):
    write(decks, "a.yaml", HEADER + GOOD_CARD)
    write(decks, "b.yaml", HEADER + GOOD_CARD)
    assert problems_for(decks) == ['decks/b.yaml:1: deck "my" in language fr is already given by decks/a.yaml']


def test_missing_directory_is_reported(decks):
    _, problems = load_library([Path("nowhere")])
    assert [(p.file, p.message) for p in problems] == [("nowhere", "nowhere: no such file or directory")]


# --- custom decks that work -----------------------------------------------------------

CUSTOM_FR = """\
schema_version: 1
deck: team
language: fr
title: "Situations de l'équipe"
source: "Équipe X, 2025"
themes:
  - id: telework
    title: "Télétravail"
    aliases: ["travail à distance"]
cards:
  - id: team-01
    theme: telework
    title: "Le portable du soir"
    situation: "Une éducatrice reçoit des messages le soir."
    people: ["Une éducatrice"]
    questions:
      - "Faut-il répondre ?"
  - id: team-02
    theme: data_protection
    title: "Le groupe WhatsApp"
    situation: "L'équipe échange sur WhatsApp."
    questions: ["Quel autre outil ?"]
    dilemma: "Rapidité ou confidentialité."
resources:
  telework:
    - title: "Droit à la déconnexion"
      items: ["Horaires définis", "Notifications coupées"]
"""
CUSTOM_EN = (CUSTOM_FR.replace("language: fr", "language: en").replace('"Télétravail"', '"Remote work"')
             .replace('"Le portable du soir"', '"The evening phone"'))


def test_custom_deck_from_a_config_directory_is_loaded_and_playable(tmp_path):
    config_dir = tmp_path / "trainer-decks"
    config_dir.mkdir()
    write(config_dir, "team.fr.yaml", CUSTOM_FR)
    write(config_dir, "team.en.yaml", CUSTOM_EN)
    write(config_dir, "broken.yaml", HEADER + GOOD_CARD.replace("theme: ethics", "theme: cooking"))
    library, problems = load_library([config_dir])

    assert [p.file for p in problems] == [str(config_dir / "broken.yaml")]
    assert 'unknown theme "cooking"' in problems[0].message
    assert library.themes()[-1] == "telework"
    assert library.theme_title("telework", "en") == "Remote work"
    assert library.resolve("team-01", "fr") == ("card", "team-01")
    assert library.resolve("TEAM 2", "en") == ("card", "team-02")
    assert library.resolve("télétravail", "fr") == ("theme", "telework")
    assert library.resolve("travail a distance", "en") == ("theme", "telework")
    card = library.card("team-01", "en")
    assert (card.title, card.deck, card.source, card.language) == ("The evening phone", "team", "Équipe X, 2025", "en")
    assert [c.id for c in library.cards("fr", "telework")] == ["team-01"]
    assert "team-02" in [c.id for c in library.cards("fr", "data_protection")]
    assert library.resources("telework", "fr")[0].items == ("Horaires définis", "Notifications coupées")
    assert len([c for c in library.cards("fr") if c.deck == "guide"]) == 23
    assert {(d.name, d.builtin) for d in library.decks} == {("guide", True), ("team", False)}


def test_single_language_custom_deck_falls_back(tmp_path):
    write(tmp_path, "team.fr.yaml", CUSTOM_FR)
    library, problems = load_library([tmp_path / "team.fr.yaml"])
    assert problems == []
    assert library.card("team-01", "en").language == "fr"
    assert library.theme_title("telework", "en") == "Télétravail"


def test_with_cards_adds_room_cards_and_rejects_clashes():
    library, _ = load_library()
    card = Card("room-1", "ethics", "fr", "T", "S", (), ("Q ?",), None, "custom", "")
    bigger = library.with_cards([card])
    assert bigger.resolve("room-1", "fr") == ("card", "room-1")
    assert library.card("room-1", "fr") is None  # the shared library is unchanged
    with pytest.raises(DeckError) as exc:
        library.with_cards([Card("dp-01", "ethics", "fr", "T", "S", (), ("Q ?",), None, "custom", "")])
    assert exc.value.key == "deck_problem_duplicate_id"
    with pytest.raises(DeckError) as exc:
        library.with_cards([Card("room-2", "cooking", "fr", "T", "S", (), ("Q ?",), None, "custom", "")])
    assert exc.value.key == "deck_problem_unknown_theme"


# --- a broken built-in deck is fatal --------------------------------------------------

@pytest.fixture
def builtin_copy(tmp_path):
    decks_dir = tmp_path / "decks"
    shutil.copytree(DECKS_DIR, decks_dir, ignore=shutil.ignore_patterns("*.md"))
    return decks_dir


def test_broken_built_in_deck_raises(builtin_copy):
    path = builtin_copy / "guide.fr.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("theme: ethics", "theme: ethic", 1), encoding="utf-8")
    with pytest.raises(DeckError) as exc:
        load_library(decks_dir=builtin_copy)
    assert 'card "eth-01": theme: unknown theme "ethic"' in str(exc.value)
    assert str(exc.value).startswith(f"{path}:")


def test_built_in_language_gap_raises(builtin_copy):
    path = builtin_copy / "guide.en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("  - id: eth-04")], encoding="utf-8")
    with pytest.raises(DeckError) as exc:
        load_library(decks_dir=builtin_copy)
    assert str(exc.value).endswith(f'card "eth-04": missing from the en version ({path})')


def test_broken_resources_raise(tmp_path):
    resources = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, resources)
    path = resources / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    - id: policy", "    - id: politics"),
                    encoding="utf-8")
    with pytest.raises(DeckError) as exc:
        load_library(resources_dir=resources)
    assert "board: levels: must list the four levels individual, team, organisation, policy in this order" \
        in str(exc.value)
