"""Dates, clock, weekdays, lists of days and zone cities come from CLDR (Babel), in each room's language."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from bot.messages.catalogue import Catalogue
from bot.schedule import Recurrence, wording

CATALOGUE = Catalogue.load()


def text(lang: str):
    return lambda key, **p: CATALOGUE.text(lang, key, **p)


@pytest.mark.parametrize("lang, expected", [
    ("fr", "mardi 9 mars 2027 à 15:00"),
    ("en", "Tuesday, 9 March 2027 at 15:00"),
    ("ro", "marți, 9 martie 2027, ora 15:00"),
    ("el", "Τρίτη 9 Μαρτίου 2027, στις 3:00\u202fμ.μ."),  # CLDR: a narrow no-break space
    ("de", "Dienstag, 9. März 2027 um 15:00"),
])
def test_dates_and_times_in_each_languages_own_order(lang, expected):
    moment = datetime(2027, 3, 9, 13, 0, tzinfo=timezone.utc)
    assert wording.when(text(lang), moment, "Europe/Bucharest") == expected


@pytest.mark.parametrize("lang, cities", [
    ("fr", ["Bucarest", "Vienne", "Athènes", "Bruxelles"]),
    ("en", ["Bucharest", "Vienna", "Athens", "Brussels"]),
    ("ro", ["București", "Viena", "Atena", "Bruxelles"]),
    ("el", ["Βουκουρέστι", "Βιέννη", "Αθήνα", "Βρυξέλλες"]),
    ("de", ["Bukarest", "Wien", "Athen", "Brüssel"]),
])
def test_zone_cities_in_the_rooms_language(lang, cities):
    zones = ["Europe/Bucharest", "Europe/Vienna", "Europe/Athens", "Europe/Brussels"]
    assert [wording.city(z, text(lang)) for z in zones] == cities


def test_the_odd_time_sentence_names_the_city_in_german():
    rule = Recurrence((7,), time(2, 30), "Europe/Vienna", date(2027, 3, 21))
    odd = rule.next_odd(datetime(2027, 3, 15, tzinfo=timezone.utc))
    sentence = wording.odd_time(text("de"), rule, *odd)
    assert "in Wien" in sentence and "Vienna" not in sentence
    assert sentence.startswith("⚠️ Sonntag, 28. März 2027: 02:30 gibt es in Wien nicht")


@pytest.mark.parametrize("lang, one, two, three", [
    ("fr", "mardi", "lundi et jeudi", "lundi, mercredi et vendredi"),
    ("en", "Tuesday", "Monday and Thursday", "Monday, Wednesday and Friday"),
    ("ro", "marți", "luni și joi", "luni, miercuri și vineri"),
    ("el", "Τρίτη", "Δευτέρα και Πέμπτη", "Δευτέρα, Τετάρτη και Παρασκευή"),
    ("de", "Dienstag", "Montag und Donnerstag", "Montag, Mittwoch und Freitag"),
])
def test_weekdays_and_lists_from_cldr(lang, one, two, three):
    assert wording.day_list(text(lang), (2,)) == one
    assert wording.day_list(text(lang), (1, 4)) == two
    assert wording.day_list(text(lang), (1, 3, 5)) == three


def test_weekday_and_month_names_left_the_catalogue():
    for lang in CATALOGUE.languages:
        assert not [k for k in CATALOGUE.messages[lang] if k.startswith(("schedule.weekday.", "schedule.month."))]


def test_a_rule_in_romanian_reads_with_de_from_twenty_weeks_on():
    rule = Recurrence((1,), time(10), "Europe/Bucharest", date(2027, 3, 1), interval=20, count=21)
    assert wording.rule(text("ro"), rule) == ("la fiecare 20 de săptămâni, luni la 10:00 (Europe/Bucharest), "
                                              "de 21 de ori")
