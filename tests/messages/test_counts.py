"""Counts read by each language's CLDR plural rules (Babel); lists joined as each language joins them."""

from __future__ import annotations

import pytest

from bot.messages.catalogue import Catalogue

CATALOGUE = Catalogue.load()
COUNTS = (0, 1, 2, 5, 20, 21, 101)


# Each language's plural rules, number by number (CLDR): Romanian takes "de" from 20 on,
# except after 1–19 in the hundreds (101 cartonașe); French says "0 carte".
CARDS = {
    "fr": ["0 carte", "1 carte", "2 cartes", "5 cartes", "20 cartes", "21 cartes", "101 cartes"],
    "en": ["0 cards", "1 card", "2 cards", "5 cards", "20 cards", "21 cards", "101 cards"],
    "ro": ["0 cartonașe", "1 cartonaș", "2 cartonașe", "5 cartonașe", "20 de cartonașe", "21 de cartonașe",
           "101 cartonașe"],
    "el": ["0 κάρτες", "1 κάρτα", "2 κάρτες", "5 κάρτες", "20 κάρτες", "21 κάρτες", "101 κάρτες"],
    "de": ["0 Karten", "1 Karte", "2 Karten", "5 Karten", "20 Karten", "21 Karten", "101 Karten"],
}
EXTENDED = {
    "fr": ["0 minute", "1 minute", "2 minutes", "5 minutes", "20 minutes", "21 minutes", "101 minutes"],
    "en": ["0 more minutes", "1 more minute", "2 more minutes", "5 more minutes", "20 more minutes",
           "21 more minutes", "101 more minutes"],
    "ro": ["0 minute", "1 minut", "2 minute", "5 minute", "20 de minute", "21 de minute", "101 minute"],
    "el": ["0 λεπτά", "1 λεπτό", "2 λεπτά", "5 λεπτά", "20 λεπτά", "21 λεπτά", "101 λεπτά"],
    "de": ["0 Minuten", "1 Minute", "2 Minuten", "5 Minuten", "20 Minuten", "21 Minuten", "101 Minuten"],
}
SESSIONS = {
    "fr": [", 0 fois", ", 1 fois", ", 2 fois", ", 5 fois", ", 20 fois", ", 21 fois", ", 101 fois"],
    "en": [", 0 times", ", once", ", 2 times", ", 5 times", ", 20 times", ", 21 times", ", 101 times"],
    "ro": [", de 0 ori", ", o singură dată", ", de 2 ori", ", de 5 ori", ", de 20 de ori", ", de 21 de ori",
           ", de 101 ori"],
    "el": [", 0 φορές", ", 1 φορά", ", 2 φορές", ", 5 φορές", ", 20 φορές", ", 21 φορές", ", 101 φορές"],
    "de": [", 0-mal", ", einmal", ", 2-mal", ", 5-mal", ", 20-mal", ", 21-mal", ", 101-mal"],
}


@pytest.mark.parametrize("lang", ["fr", "en", "ro", "el", "de"])
def test_counts_follow_each_languages_plural_rules(lang):
    assert [CATALOGUE.text(lang, "game.count.cards", count=n) for n in COUNTS] == CARDS[lang]
    extended = [CATALOGUE.text(lang, "game.extended", count=n, time="1 min") for n in COUNTS]
    assert all(words in sentence for words, sentence in zip(EXTENDED[lang], extended)), extended
    assert [CATALOGUE.text(lang, "schedule.rule.count", count=n) for n in COUNTS] == SESSIONS[lang]


def test_an_abbreviation_ends_the_sentence_with_one_full_stop():
    from bot.messages.render import render_template

    assert CATALOGUE.text("de", "game.extended", count=2, time="3 Min.") == "⏱️ 2 Minuten mehr: Es bleiben 3 Min."
    assert render_template("Es bleiben {time}.", {"time": "3 Min."}).body == "Es bleiben 3 Min."
    assert render_template("Il reste {time}.", {"time": "3 min"}).body == "Il reste 3 min."


def test_greek_says_one_minute_in_the_singular():
    # The review's "1 λεπτά" after !prolonger 1.
    assert CATALOGUE.text("el", "game.extended", count=1, time="3 λεπ.") == "⏱️ 1 λεπτό ακόμη: μένουν 3 λεπ."


@pytest.mark.parametrize("lang", ["fr", "en", "ro", "el", "de"])
def test_every_plural_entry_has_the_languages_cldr_forms(lang):
    needed = set(CATALOGUE.locale(lang).plural_form.tags) | {"other"}
    assert CATALOGUE.plurals[lang], "no plural entries"
    for key, forms in CATALOGUE.plurals[lang].items():
        assert set(forms) == needed, (lang, key, sorted(forms))


def test_a_list_of_players_is_joined_as_the_language_joins_lists():
    from bot.messages.catalogue import listed

    assert listed(["Ana", "Ion", "Maria"], CATALOGUE.locale("ro")) == "Ana, Ion și Maria"
    assert listed(["Eva", "Jonas"], CATALOGUE.locale("de")) == "Eva und Jonas"
    assert listed(["Alex"], CATALOGUE.locale("fr")) == "Alex"
