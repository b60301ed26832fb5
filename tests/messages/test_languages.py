"""Five languages: complete, in step, and the validator pointing at the line to fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.commands.parsing import COMMANDS, names, parse
from bot.decks import DeckError, load_library
from bot.decks.loader import DECKS_DIR, RESOURCES_DIR
from bot.game import Wording, build_synthesis, to_markdown
from bot.game.state import GameState
from bot.messages.catalogue import LOCALES_DIR, Catalogue, placeholders
from bot.messages.completeness import check_all, check_catalogue, check_decks, check_resources
from bot.messages.languagecheck import foreign_language
from bot.messages.narration import Narrator, RoomView

LANGUAGES = ("fr", "en", "ro", "el", "de")


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue.load()


# --- complete and in step ---------------------------------------------------------

def test_nothing_to_report_in_the_shipped_content():
    assert [str(p) for p in check_all()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_in_every_language_with_the_same_placeholders(catalogue, lang):
    reference = catalogue.messages["fr"]
    table = catalogue.messages[lang]
    assert set(table) == set(reference)
    assert {k for k in reference if placeholders(table[k]) != placeholders(reference[k])} == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_card_resource_board_and_prompt_in_every_language(library, lang):
    own = [c.id for c in library.cards(lang) if c.language == lang]
    assert own == [c.id for c in library.cards("fr")] and len(own) == 23
    assert [level.id for level in library.board(lang)] == ["individual", "team", "organisation", "policy"]
    assert len(library.prompts(lang)) == 5
    for theme in library.themes():
        assert len(library.resources(theme, lang)) == len(library.resources(theme, "fr"))


@pytest.mark.parametrize("lang", ("ro", "el", "de"))
def test_translations_say_what_they_are(library, lang):
    deck = next(d for d in library.decks if d.language == lang)
    assert deck.review == "pending"
    for path in (DECKS_DIR / f"guide.{lang}.yaml", RESOURCES_DIR / f"{lang}.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "review: pending" in text
        assert "2021-1-FR01-KA220-HED-000027512" in text and "DLiS" in text


def test_validate_decks_checks_the_languages_too(capsys):
    assert main(["validate-decks"]) == 0
    assert "OK: every language is complete" in capsys.readouterr().out


# --- the validator names the file and line ------------------------------------------

def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_a_string_missing_from_one_language_is_reported_with_file_and_line(tmp_path):
    root = _copy(LOCALES_DIR, tmp_path)
    ro = root / "ro" / "game.yaml"
    ro.write_text("\n".join(l for l in ro.read_text(encoding="utf-8").splitlines()
                            if not l.startswith("game.turn_done:")) + "\n", encoding="utf-8")
    problems = [str(p) for p in check_catalogue(root)]
    fr_line = _line_of(root / "fr" / "game.yaml", "game.turn_done:")
    assert problems == [f"{root / 'fr' / 'game.yaml'}:{fr_line}: game.turn_done: missing from the ro catalogue "
                        f"({root / 'ro' / 'game.yaml'})"]


def test_placeholders_that_differ_and_text_left_in_french_are_reported(tmp_path):
    root = _copy(LOCALES_DIR, tmp_path)
    de = root / "de" / "game.yaml"
    text = de.read_text(encoding="utf-8")
    text = text.replace('game.turn_done: "Danke, {speaker}!"', 'game.turn_done: "Danke, {sprecher}!"')
    text = text.replace('game.no_turn_now: "Jetzt ist nicht die Zeit der Gesprächsrunde."',
                        'game.no_turn_now: "Ce n\'est pas le moment du tour de parole pour les joueuses."')
    de.write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_catalogue(root)]
    assert f"{de}:{_line_of(de, 'game.turn_done:')}: game.turn_done: placeholders {{sprecher}} differ from fr " \
           "({speaker})" in problems
    assert f"{de}:{_line_of(de, 'game.no_turn_now:')}: game.no_turn_now: this text seems to be in fr, not de" \
        in problems


def test_a_card_missing_from_one_language_is_reported_with_file_and_line(tmp_path):
    decks = _copy(DECKS_DIR, tmp_path)
    el = decks / "guide.el.yaml"
    text = el.read_text(encoding="utf-8")
    start = text.index("  - id: dp-03")
    end = text.index("  - id: dp-04")
    el.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(DeckError) as caught:
        load_library(decks_dir=decks)
    fr = decks / "guide.fr.yaml"
    assert f'{fr}:{_line_of(fr, "- id: dp-03")}: card "dp-03": missing from the el version ({el})' \
        in caught.value.errors


def test_a_card_with_a_question_less_and_a_paragraph_left_untranslated(tmp_path):
    decks = _copy(DECKS_DIR, tmp_path)
    ro = decks / "guide.ro.yaml"
    text = ro.read_text(encoding="utf-8")
    text = text.replace('      - "Să le șteargă din calculator?"\n', "")
    romanian = next(line for line in text.splitlines() if line.startswith("      Vine vacanța!"))
    text = text.replace(romanian, "      Bientôt les vacances! Anne, assistante sociale, profite de ce dernier jour pour "
                        "trier ses dossiers et ranger son bureau. Elle se demande quoi faire des informations "
                        "personnelles des usagers dont l'accompagnement est terminé.")
    ro.write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_decks(decks)]
    assert any(p.startswith(f"{ro}:") and 'card "dp-03": questions: 3 where fr has 4' in p for p in problems)
    assert any(p.startswith(f"{ro}:") and "situation: this text seems to be in fr, not ro" in p for p in problems)


def test_a_resource_section_missing_from_one_language(tmp_path):
    resources = _copy(RESOURCES_DIR, tmp_path)
    de = resources / "de.yaml"
    text = de.read_text(encoding="utf-8")
    start = text.index('    - title: "Digitales Abschalten"')
    end = text.index('    - title: "Strategien zum Abschalten"')
    de.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = [str(p) for p in check_resources(resources)]
    assert problems == [f"{de}:{_line_of(de, 'digital_tools:')}: theme \"digital_tools\": sections: 6 where fr has 7"]


@pytest.mark.parametrize("text, lang, expected", [
    ("Je ne connais pas cette carte, tapez la commande pour avoir la liste.", "ro", "fr"),
    ("This card is not in the deck that the room uses for the game.", "de", "en"),
    ("Die Karte ist nicht in dem Kartensatz, den der Raum für das Spiel nutzt.", "en", "de"),
    ("Cartonașul nu este în setul pe care camera îl folosește pentru joc.", "fr", "ro"),
    ("Η κάρτα δεν υπάρχει στην τράπουλα που χρησιμοποιεί η αίθουσα.", "de", "el"),
    ("Cette carte n'est pas dans le jeu que le salon utilise pour la partie.", "el", "fr"),
    ("Camille P. et WhatsApp", "ro", None),  # too short to judge
    ("Η Camille P. στέλνει στο WhatsApp τα έγγραφα του φακέλου της στην κοινωνική λειτουργό.", "el", None),
])
def test_the_language_heuristic(text, lang, expected):
    assert foreign_language(text, lang) == expected


# --- command words of every language ---------------------------------------------------

def test_every_command_has_a_name_in_every_language_and_no_name_means_two_things():
    for cid in COMMANDS:
        assert set(names(cid)) == set(LANGUAGES), cid
        for lang, name in names(cid).items():
            assert parse("!" + name).name == cid, (cid, lang, name)


@pytest.mark.parametrize("typed, command, language", [
    ("!ajutor", "help", "ro"), ("!Βοήθεια", "help", "el"), ("!ΒΟΗΘΕΙΑ", "help", "el"), ("!βοηθεια", "help", "el"),
    ("!hilfe", "help", "de"), ("!intra", "join", "ro"), ("!INTRĂ", "join", "ro"), ("!ιδέες", "actions", "el"),
    ("!ιδεες", "actions", "el"), ("!überspringen", "skip", "de"), ("!ueberspringen", "skip", None),
    ("!ξέχασέ-με", "forget_me", "el"), ("!uită-mă", "forget_me", "ro"), ("!carte ro", "card", "fr"),
    ("!card el", "card", "en"), ("!κάρτα", "card", "el"), ("!cartonaș", "card", "ro"), ("!karte", "card", "de"),
    ("!passe", "pass", None), ("!status", "status", None),
])
def test_native_command_names_fold_case_and_accents(typed, command, language):
    parsed = parse(typed)
    assert (parsed.name, parsed.language) == (command, language)


@pytest.mark.parametrize("word, level", [
    ("echipa", "team"), ("echipă", "team"), ("Politik", "policy"), ("ομάδα", "team"), ("ΟΜΑΔΑ", "team"),
    ("πολιτική", "policy"), ("organizație", "organisation"), ("individuell", "individual"), ("ατομικό", "individual"),
])
def test_levels_in_every_language(word, level):
    from bot.commands.play import parse_level

    assert parse_level(word) == level


# --- a bilingual room ---------------------------------------------------------------------

def _view(library, main="fr", also=("ro",)):
    return RoomView(main, "!", lambda user: user.split(":")[0].lstrip("@"), library, also=also)


def test_a_bilingual_message_is_the_main_language_then_the_second_below(catalogue, library):
    narrator = Narrator(catalogue, library)
    rendered = narrator.message(_view(library), "game.no_game")
    french = catalogue.text("fr", "game.no_game", prefix="!")
    romanian = catalogue.text("ro", "game.no_game", prefix="!")
    assert rendered.body == f"{french}\n\n── Română ──\n{romanian}"
    assert rendered.html.count("<hr><blockquote>") == 1 and rendered.html.endswith("</blockquote>")
    one = narrator.message(_view(library, "de", ()), "game.no_game")
    assert one.body == catalogue.text("de", "game.no_game", prefix="!")


def test_a_bilingual_card_and_board_show_both_translations(catalogue, library):
    narrator = Narrator(catalogue, library)
    view = _view(library, "el", ("de",))
    card = narrator.card(view, library.card("eth-04", "el"))
    greek, _, german = card.body.partition("── Deutsch ──")
    assert "Δεοντολογία" in greek and "Ηθικό δίλημμα" in greek
    assert "Berufsethische Grundsätze" in german and "Ethisches Dilemma" in german
    board = narrator.board(view)
    assert "Πίνακας των συστημάτων" in board.body and "Spielplan der Handlungsebenen" in board.body
    # One message while it fits (issue 14), each holding both languages of its sections.
    sections = narrator.resources(view, "ethics")
    assert all("── Deutsch ──" in s.body for s in sections)
    everything = "\n".join(s.body for s in sections)
    for lang in ("el", "de"):
        assert all(section.title in everything for section in library.resources("ethics", lang))
    split = narrator.resources(view, "ethics", max_chars=1)  # one group per section when too long
    assert len(split) == len(library.resources("ethics", "el")) and all("── Deutsch ──" in s.body for s in split)


def test_the_synthesis_words_its_labels_in_both_languages_and_what_people_wrote_once(catalogue, library):
    state = GameState(phase="finished", card_id="dp-01", theme="data_protection", players=("@a:x",))
    view = _view(library)
    from bot.messages.synthesis_post import SynthesisWriter

    document = SynthesisWriter(Narrator(catalogue, library)).markdown(view, state, True)
    assert document.startswith("# Synthèse de la partie Réflex'tics · Sinteza jocului Réflex'tics\n")
    assert "Collecte des données, finalité" in document and "Colectarea datelor, scopul" in document
    # Without a second language, one language only (the core's old behaviour).
    plain = to_markdown(build_synthesis(state, True), text=lambda key, **p: catalogue.text("de", key, **p),
                        user_name=str, card_title=str, theme_title=str)
    assert plain.startswith("# Synthese des Réflex'tics-Spiels\n")
    two = to_markdown(build_synthesis(state, True), text=lambda key, **p: catalogue.text("de", key, **p),
                      user_name=str, card_title=str, theme_title=str,
                      also=(Wording(lambda key, **p: catalogue.text("el", key, **p), str, str),))
    assert two.startswith("# Synthese des Réflex'tics-Spiels · Σύνθεση του παιχνιδιού Réflex'tics\n")


# --- the room's languages in the store ----------------------------------------------------

async def test_a_room_keeps_one_or_two_languages(tmp_path):
    from bot.store import Store

    store = await Store.open(tmp_path / "db.sqlite")
    try:
        assert await store.room_languages("!r:x") is None
        await store.set_room_languages("!r:x", ("fr", "ro"))
        assert await store.room_languages("!r:x") == ("fr", "ro")
        assert await store.room_language("!r:x") == "fr"
        await store.set_room_language("!r:x", "el")
        assert await store.room_languages("!r:x") == ("el",)
    finally:
        await store.close()


def test_a_date_is_worded_in_each_language_of_the_room(catalogue, library):
    from datetime import datetime, timezone

    from bot.messages.narration import PerLanguage
    from bot.schedule import wording

    moment = datetime(2027, 3, 9, 13, 0, tzinfo=timezone.utc)
    when = PerLanguage(lambda lang: wording.when(lambda key, **p: catalogue.text(lang, key, **p), moment,
                                                 "Europe/Bucharest"))
    rendered = Narrator(catalogue, library).message(_view(library), "schedule.reminder",
                                                     (("when", when), ("theme", "")))
    assert "mardi 9 mars 2027 à 15:00" in rendered.body
    assert "marți, 9 martie 2027, ora 15:00" in rendered.body
