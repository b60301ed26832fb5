"""The built-in content: every card of the guide, in both languages, faithful to the guide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.game.folding import fold
from bot.decks.loader import DECKS_DIR, RESOURCES_DIR

# The whole guide, when it is beside the clone (../shared/seeds/, from a checkout or a worktree).
GUIDE = next((p / "shared/seeds/004_49f918ca66af6f74.txt" for p in Path(__file__).resolve().parents
              if (p / "shared/seeds/004_49f918ca66af6f74.txt").exists()), None)
# The guide's passages these checks need, kept in the repository (with its attribution).
EXCERPT = Path(__file__).resolve().parents[1] / "fixtures" / "guide-fr-excerpt.txt"
EXPECTED = {"data_protection": 10, "digital_tools": 3, "netiquette": 6, "ethics": 4}
PREFIX = {"data_protection": "dp", "digital_tools": "tools", "netiquette": "net", "ethics": "eth"}
GUIDE_ORDER = [f"{PREFIX[t]}-{n:02d}" for t, count in EXPECTED.items() for n in range(1, count + 1)]


def test_every_card_by_theme_in_both_languages(library):
    assert library.themes() == list(EXPECTED)
    assert set(library.languages) >= {"fr", "en"}
    for lang in ("fr", "en"):
        for theme, count in EXPECTED.items():
            cards = [c for c in library.cards(lang, theme) if c.language == lang]
            assert len(cards) == count, (lang, theme)
            assert [c.id for c in cards] == [f"{PREFIX[theme]}-{n:02d}" for n in range(1, count + 1)]
    fr_ids = [c.id for c in library.cards("fr")]
    en_ids = [c.id for c in library.cards("en")]
    assert fr_ids == en_ids == GUIDE_ORDER


def test_each_ethics_card_has_a_dilemma_and_only_those(library):
    for lang in ("fr", "en"):
        for card in library.cards(lang):
            assert (card.dilemma is not None) == (card.theme == "ethics"), card.id


def test_translations_have_the_same_shape(library):
    for card_id in GUIDE_ORDER:
        fr, en = library.card(card_id, "fr"), library.card(card_id, "en")
        assert (fr.language, en.language) == ("fr", "en")
        assert fr.theme == en.theme
        assert len(fr.questions) == len(en.questions), card_id
        assert len(fr.people) == len(en.people), card_id
        assert fr.situation.count("\n\n") == en.situation.count("\n\n"), card_id
        assert fr.deck == en.deck == "guide"
        assert "2021-1-FR01-KA220-HED-000027512" in fr.source and "2021-1-FR01-KA220-HED-000027512" in en.source


def test_attribution_in_every_content_file():
    for path in [*DECKS_DIR.glob("guide.*.yaml"), *RESOURCES_DIR.glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert "2021-1-FR01-KA220-HED-000027512" in text, path
        assert "DLiS" in text and "2024" in text, path
        for school in ("IRTS Hauts-de-France", "HELMO", "CRAMIF", "Aurel Vlaicu", "ACSEA", "KEPSIPI"):
            assert school in text, (path, school)


def test_no_invented_or_empty_links():
    for path in [*DECKS_DIR.glob("guide.*.yaml"), *RESOURCES_DIR.glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert "](#)" not in text and "http" not in text and "www." not in text, path


# --- faithfulness to the guide ------------------------------------------------------

def _norm(text: str) -> str:
    text = text.replace("**", "").replace("\u2019", "'")
    return " ".join(fold(text).split())


def _guide_text() -> str:
    assert EXCERPT.exists(), f"{EXCERPT} is missing: the guide's passages the card checks compare with"
    return EXCERPT.read_text(encoding="utf-8")


def _passages() -> list[str]:
    return [p.strip("\n") for p in _guide_text().split("=== passage ===\n")[1:]]


def test_the_guide_excerpt_keeps_its_attribution_and_is_the_guides_words():
    head = _guide_text().split("=== passage ===")[0]
    assert "DLiS" in head and "2021-1-FR01-KA220-HED-000027512" in head and "Erasmus+" in head
    assert len(_passages()) == 2
    if GUIDE is None:
        pytest.skip("the whole guide is not beside the clone: the excerpt cannot be compared with it here")
    guide = GUIDE.read_text(encoding="utf-8")
    for passage in _passages():
        assert passage in guide, passage[:80]


def _guide_cards() -> list[dict]:
    """The guide's 23 situations in order: title, situation, dilemma, questions."""
    text = _guide_text()
    body = text[text.index("\nSITUATION 1\n"):text.index("PROTECTION DES DONNÉES – RGPD")]
    running_head = "Netiquettes : pour des usages éthiques des réseaux sociaux numériques"
    cards = []
    for block in re.split(r"(?m)^\s*SITUATION \d+\s*$", body)[1:]:
        # Bullets are printed "> …" or "- > …"; a running head repeats on netiquette pages.
        lines = [re.sub(r"^-\s+(?=>)", "", ln.strip()) for ln in block.splitlines()]
        lines = [ln for ln in lines if ln and ln != running_head]
        title, rest = lines[0], lines[1:]
        paragraphs = [ln for ln in rest if not ln.startswith(">")]
        questions = [ln.lstrip(">").strip() for ln in rest if ln.startswith(">")]
        dilemma = None
        if "Dilemme éthique" in paragraphs:
            cut = paragraphs.index("Dilemme éthique")
            paragraphs, dilemma = paragraphs[:cut], " ".join(paragraphs[cut + 1:])
        cards.append({"title": title, "situation": " ".join(paragraphs),
                      "dilemma": dilemma, "questions": questions})
    return cards


def test_french_cards_match_the_guide_text(library):
    guide = _guide_cards()
    assert len(guide) == 23
    for card_id, expected in zip(GUIDE_ORDER, guide):
        card = library.card(card_id, "fr")
        assert _norm(card.title) == _norm(expected["title"]), card_id
        assert _norm(card.situation) == _norm(expected["situation"]), card_id
        assert [_norm(q) for q in card.questions] == [_norm(q) for q in expected["questions"]], card_id
        if expected["dilemma"] is None:
            assert card.dilemma is None, card_id
        else:
            assert _norm(card.dilemma) == _norm(expected["dilemma"]), card_id


# Spelling slips of the guide corrected in resources/fr.yaml (see decks/README.md).
CORRECTIONS = {"Garantissez": "Garantisiez", "WhatsApp, Viber": "Whastapp, Viber"}


def test_french_board_prompts_and_rgpd_resources_are_the_guides_words(library):
    guide = _norm(_guide_text())
    pieces = [*library.prompts("fr")]
    for level in library.board("fr"):
        pieces += [level.description, *level.questions]
    for section in library.resources("data_protection", "fr") + library.resources("ethics", "fr"):
        pieces += list(section.items)
    for piece in pieces:
        for fixed, original in CORRECTIONS.items():
            piece = piece.replace(fixed, original)
        assert _norm(piece) in guide, piece


# --- resources, board, prompts -------------------------------------------------------

def test_resources_for_every_theme_in_both_languages(library):
    for theme in EXPECTED:
        fr, en = library.resources(theme, "fr"), library.resources(theme, "en")
        assert 3 <= len(fr) <= 8 and len(fr) == len(en), theme
        for fr_section, en_section in zip(fr, en):
            assert len(fr_section.items) == len(en_section.items), fr_section.title
            for section in (fr_section, en_section):
                size = len(section.title) + len(section.text) + len(section.note) + sum(map(len, section.items))
                assert section.title and (section.text or section.items) and size <= 3500
    titles = [s.title for s in library.resources("data_protection", "fr")]
    assert any("RGPD" in t for t in titles) and "Données sensibles" in titles
    golden_rules = library.resources("data_protection", "fr")[0].items
    assert len(golden_rules) == 8 and golden_rules[0] == "La finalité du traitement"


def test_systems_board_has_four_levels_with_the_guides_questions(library):
    for lang in ("fr", "en"):
        levels = library.board(lang)
        assert [lv.id for lv in levels] == ["individual", "team", "organisation", "policy"]
        assert [lv.number for lv in levels] == [1, 2, 3, 4]
        assert [len(lv.questions) for lv in levels] == [0, 3, 2, 4]
        assert all(lv.name and lv.description for lv in levels)
        assert library.board_title(lang) and library.board_intro(lang)
    assert library.board("fr")[1].questions[0] == "Que pouvons-nous faire à notre niveau ?"
    assert library.board("en")[3].name == "Local / national / European policy"


def test_narrator_prompts(library):
    assert library.prompts("fr") == [
        "Qu'en pensez-vous ?",
        "Quelles sont les questions que se pose la travailleuse sociale ?",
        "Quel(s) problème(s) soulève la situation exposée ?",
        "Quel regard portez-vous sur la problématique identifiée ?",
        "Quels sont les enjeux dans cette situation ?",
    ]
    assert len(library.prompts("en")) == 5 and library.prompts("en")[0] == "What do you think?"
    assert library.prompts("de")[0] == "Was denken Sie darüber?"
    assert library.prompts("it") == library.prompts("fr")  # unknown language: the guide's


# --- finding cards and themes by name ----------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("dp-01", ("card", "dp-01")),
    ("DP-01", ("card", "dp-01")),
    ("dp1", ("card", "dp-01")),
    ("eth 4", ("card", "eth-04")),
    ("data_protection", ("theme", "data_protection")),
    ("data-protection", ("theme", "data_protection")),
    ("protection des données", ("theme", "data_protection")),
    ("Protection des donnees", ("theme", "data_protection")),
    ("donnees", ("theme", "data_protection")),
    ("RGPD", ("theme", "data_protection")),
    ("data protection", ("theme", "data_protection")),
    ("outils", ("theme", "digital_tools")),
    ("déconnexion", ("theme", "digital_tools")),
    ("netiquette", ("theme", "netiquette")),
    ("Nétiquettes", ("theme", "netiquette")),
    ("réseaux sociaux", ("theme", "netiquette")),
    ("ethique", ("theme", "ethics")),
    ("Éthique", ("theme", "ethics")),
    ("ethics", ("theme", "ethics")),
    ("posture", ("theme", "ethics")),
    ("1", ("theme", "data_protection")),
    ("4", ("theme", "ethics")),
    ("numérique", None),  # in three themes' names: ambiguous
    ("5", None),
    ("dp-11", None),
    ("", None),
    ("quelque chose", None),
])
def test_resolve(library, typed, expected):
    assert library.resolve(typed, "fr") == expected


def test_theme_titles_and_card_fallback(library):
    assert library.theme_title("ethics", "fr") == "Adopter une posture éthique numérique"
    assert library.theme_title("ethics", "en") == "Adopting an ethical digital stance"
    assert library.theme_title("ethics", "ro") == "Adoptarea unei atitudini etice în mediul digital"
    assert library.theme_title("ethics", "it") == "Adopter une posture éthique numérique"
    assert library.card("dp-01", "el").language == "el"
    assert library.card("dp-01", "it").language == "fr"
    assert library.card("nope", "fr") is None
