"""Cards typed in the chat, cards stored as JSON, and ``reflextics validate-decks``."""

from __future__ import annotations

import json
import textwrap

import pytest

from bot.decks import DeckError, card_from_dict, card_to_dict, load_library, parse_card_message
from bot.decks.cardcheck import ENGLISH
from bot.decks.cli import validate_main
from bot.messages.catalogue import Catalogue, placeholders


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue.load()


FRENCH = """\
Titre : Le groupe WhatsApp de l'équipe
THÈME : protection des données
Situation :
À l'issue de sa journée, l'éducatrice envoie à sa collègue de l'équipe de nuit
un récapitulatif de la journée sur WhatsApp.

Elle y nomme les jeunes.
Personnes impliquées : une éducatrice ; sa collègue de nuit
Questions :
1. Qu'est-ce qui est partagé, et avec qui ?
• Quel autre outil serait possible ?
- Que dit la nétiquette du service ?
"""


def test_parse_a_french_card(library):
    card = parse_card_message(FRENCH, "fr", "room-1", library)
    assert card.id == "room-1" and card.language == "fr" and card.deck == "custom"
    assert card.theme == "data_protection"
    assert card.title == "Le groupe WhatsApp de l'équipe"
    assert card.situation == (
        "À l'issue de sa journée, l'éducatrice envoie à sa collègue de l'équipe de nuit\n"
        "un récapitulatif de la journée sur WhatsApp.\n\nElle y nomme les jeunes.")
    assert card.people == ("une éducatrice", "sa collègue de nuit")
    assert card.questions == ("Qu'est-ce qui est partagé, et avec qui ?",
                              "Quel autre outil serait possible ?",
                              "Que dit la nétiquette du service ?")
    assert card.dilemma is None


def test_parse_an_english_card_with_markdown_headers_and_a_dilemma(library):
    text = textwrap.dedent("""\
        **Title:** The evening phone
        **theme:** 2
        situation: A social worker gets calls at night.
        People:
        - a social worker
        - a family
        Dilemma: Answer now,
        or rest?
        Questions:
        - Should she call back?
        """)
    card = parse_card_message(text, "en", "room-2", library)
    assert (card.title, card.theme, card.language) == ("The evening phone", "digital_tools", "en")
    assert card.people == ("a social worker", "a family")
    assert card.dilemma == "Answer now,\nor rest?"
    assert card.questions == ("Should she call back?",)


def test_headers_in_the_other_language_and_without_accents(library):
    text = "Title: T\nTheme: ethique\nSituation: S\nQuestions: Une seule question ?\nDilemme ethique: D"
    card = parse_card_message(text, "fr", "room-3", library)
    assert (card.theme, card.questions, card.dilemma) == ("ethics", ("Une seule question ?",), "D")


def test_a_situation_line_with_a_colon_is_not_a_section(library):
    text = "Titre : T\nThème : 1\nSituation : Elle dit : « Je pars. »\nNote : ceci reste dans la situation\nQuestions :\n- Q ?"
    card = parse_card_message(text, "fr", "room-4", library)
    assert card.situation == "Elle dit : « Je pars. »\nNote : ceci reste dans la situation"


@pytest.mark.parametrize("text, key, params", [
    ("Titre : T\nThème : 1\nSituation : S", "deck_problem_missing", {"field": "Questions"}),
    ("Titre : T\nThème : 1\nSituation : S\nQuestions :\n\n", "deck_problem_no_questions", {"field": "Questions"}),
    ("Titre : T\nThème : cuisine\nSituation : S\nQuestions : Q ?", "deck_problem_unknown_theme",
     {"field": "Thème", "theme": "cuisine"}),
    ("Bonjour\nTitre : T", "deck_problem_text_before_section", {"text": "Bonjour"}),
    ("Titre : T\nTitre : U", "deck_problem_repeated_section", {"field": "Titre"}),
    ("Titre : T\nThème : 1\nSituation : " + "s" * 1501 + "\nQuestions : Q ?", "deck_problem_too_long",
     {"field": "Situation", "length": 1501, "limit": 1500}),
    ("Titre : T\nThème : 1\nSituation : S\nQuestions :\n" + "- Q ?\n" * 9, "deck_problem_too_many",
     {"field": "Questions", "count": 9, "limit": 8}),
    ("Titre : T\nThème : 1\nSituation : S\nQuestions :\n- " + "q" * 301, "deck_problem_item_too_long",
     {"field": "Questions", "index": 1, "length": 301, "limit": 300}),
    ("", "deck_problem_missing", {"field": "Titre"}),
])
def test_bad_chat_cards(library, catalogue, text, key, params):
    with pytest.raises(DeckError) as exc:
        parse_card_message(text, "fr", "room-9", library)
    assert exc.value.key == key
    assert params.items() <= exc.value.params.items()
    for lang in ("fr", "en"):
        for problem_key, problem_params in exc.value.problems:
            assert catalogue.text(lang, problem_key, **problem_params)


def test_unknown_theme_lists_the_theme_names_in_the_room_language(library, catalogue):
    with pytest.raises(DeckError) as exc:
        parse_card_message("Title: T\nTheme: cooking\nSituation: S\nQuestions: Q?", "en", "room-9", library)
    assert exc.value.errors == ('theme: unknown theme "cooking" (known: Data protection and social work, '
                                "Digital tools: equipment, disconnection and support, Netiquettes: for ethical "
                                "uses of digital social networks, Adopting an ethical digital stance)",)
    assert catalogue.text("en", exc.value.key, **exc.value.params).startswith(
        "Theme: I do not know the theme “cooking”. Themes: Data protection and social work, ")


def test_bad_card_id_from_the_caller(library):
    with pytest.raises(DeckError) as exc:
        parse_card_message("Titre : T\nThème : 1\nSituation : S\nQuestions : Q ?", "fr", "Room 1", library)
    assert exc.value.key == "deck_problem_bad_id" and exc.value.params["value"] == "Room 1"


def test_without_a_library_the_built_in_themes_are_used():
    card = parse_card_message("Title: T\nTheme: netiquette\nSituation: S\nQuestions: Q?", "en", "room-5")
    assert card.theme == "netiquette"


def test_every_problem_code_has_a_message_in_both_languages(catalogue):
    for lang in ("fr", "en"):
        for code in [*ENGLISH, "text_before_section", "invalid"]:
            template = catalogue.messages[lang][f"deck_problem_{code}"]
            assert placeholders(template) <= {"field", "length", "limit", "count", "index", "value",
                                              "theme", "known", "allowed", "where", "text", "reason"}
        assert "{prefix}" in catalogue.messages[lang]["deck_card_template"]
    assert {k for k in catalogue.messages["fr"] if k.startswith("deck_")} == \
        {k for k in catalogue.messages["en"] if k.startswith("deck_")}


def test_the_template_message_parses(library, catalogue):
    # The help text users copy must itself be accepted once filled in.
    for lang in ("fr", "en"):
        template = catalogue.text(lang, "deck_card_template", prefix="!").split("\n", 2)[2]
        filled = template.replace("Thème : …", "Thème : 1").replace("Theme: …", "Theme: 1").replace("…", "x")
        assert parse_card_message(filled, lang, "room-6", library).questions == ("x", "x")


# --- stored cards ---------------------------------------------------------------------

def test_card_round_trips_through_json(library):
    for card in [parse_card_message(FRENCH, "fr", "room-1", library), library.card("eth-02", "en")]:
        assert card_from_dict(json.loads(json.dumps(card_to_dict(card)))) == card


@pytest.mark.parametrize("damage", [
    {"schema_version": 9},
    {"language": None},
    {"questions": []},
    {"title": 3},
])
def test_damaged_stored_card(library, damage):
    data = {**card_to_dict(library.card("dp-01", "fr")), **damage}
    with pytest.raises(DeckError):
        card_from_dict(data)


# --- reflextics validate-decks --------------------------------------------------------

def test_validate_built_in_decks(capsys):
    assert validate_main([]) == 0
    out = capsys.readouterr().out
    assert 'decks/guide.fr.yaml: deck "guide" (fr, built-in), 23 cards' in out.replace("\\", "/")
    for theme, count in [("data_protection", 10), ("digital_tools", 3), ("netiquette", 6), ("ethics", 4)]:
        assert any(line.split() == [theme] + [str(count)] * 5 for line in out.splitlines()), theme
    assert any(line.split() == ["total"] + ["23"] * 5 for line in out.splitlines())
    assert "board with 4 levels, 5 narrator prompts" in out
    assert out.rstrip().endswith("OK: all decks are valid")


def test_validate_a_good_custom_directory(tmp_path, capsys):
    (tmp_path / "team.fr.yaml").write_text(textwrap.dedent("""\
        schema_version: 1
        deck: team
        language: fr
        cards:
          - id: team-01
            theme: ethics
            title: T
            situation: S
            questions: ["Q ?"]
        """), encoding="utf-8")
    assert validate_main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f'{tmp_path / "team.fr.yaml"}: deck "team" (fr, custom), 1 cards' in out
    assert any(line.split() == ["ethics", "4", "4", "4", "5", "4"] for line in out.splitlines())


def test_validate_a_broken_file(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("schema_version: 1\ndeck: bad\nlanguage: fr\ncards:\n  - id: b-1\n    theme: ethics\n",
                    encoding="utf-8")
    assert validate_main([str(path)]) == 1
    err = capsys.readouterr().err
    assert "error: 1 deck file(s) skipped:" in err
    assert f'{path}:5: card "b-1": title: missing' in err
    assert f'{path}:5: card "b-1": questions: missing' in err


def test_validate_reports_broken_built_in_decks(monkeypatch, capsys):
    def broken(_paths):
        raise DeckError(['decks/guide.fr.yaml:12: card "dp-01": questions: missing'])

    monkeypatch.setattr("bot.decks.cli.load_library", broken)
    assert validate_main([]) == 1
    assert 'decks/guide.fr.yaml:12: card "dp-01": questions: missing' in capsys.readouterr().err


def test_main_entry_point_runs_validate_decks(capsys):
    from bot.__main__ import main

    assert main(["validate-decks"]) == 0
    assert "OK: all decks are valid" in capsys.readouterr().out
