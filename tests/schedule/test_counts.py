"""!planifier: the number of sessions as each language writes it (German "6-mal" first)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.schedule import ScheduleError, parse_schedule

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("typed, language, count", [
    ("Montag 10:00 6-mal", "de", 6),
    ("Montag 10 Uhr 6-mal", "de", 6),
    ("Montag 10:00 6mal", "de", 6),
    ("Montag 10:00 6 Mal", "de", 6),
    ("Montag 10:00 sechsmal", "de", 6),
    ("Montag 10:00 zwölfmal", "de", 12),
    ("Montag 10:00 einmal", "de", 1),
    ("Montag 10:00 6 Termine", "de", 6),
    ("lundi 10h 6 fois", "fr", 6),
    ("lundi 10h six fois", "fr", 6),
    ("lundi 10h une seule fois", "fr", 1),
    ("lundi 10h 8 séances", "fr", 8),
    ("monday 10:00 6 times", "en", 6),
    ("monday 10:00 six times", "en", 6),
    ("monday 10:00 once", "en", 1),
    ("monday 10:00 twice", "en", 2),
    ("monday 10:00 6x", "en", 6),
    ("luni 10:00 de 6 ori", "ro", 6),
    ("luni 10:00 de 20 de ori", "ro", 20),
    ("luni 10:00 de două ori", "ro", 2),
    ("luni 10:00 o singură dată", "ro", 1),
    ("luni 10:00 o dată", "ro", 1),
    ("luni 10:00 6 ședințe", "ro", 6),
    ("Δευτέρα 10:00 6 φορές", "el", 6),
    ("Δευτέρα 10:00 δύο φορές", "el", 2),
    ("Δευτέρα 10:00 μία φορά", "el", 1),
    ("Δευτέρα 10:00 6 συνεδρίες", "el", 6),
])
def test_the_number_of_sessions_in_natural_spellings(typed, language, count):
    rule = parse_schedule(typed, NOW, "Europe/Paris", language).recurrence
    assert rule.count == count
    assert rule.weekdays == (1,) and rule.at.hour == 10


def test_what_the_bot_writes_in_german_it_reads_back():
    # schedule.rule.count says ", 6-mal": a trainer copying it gets the same schedule.
    assert parse_schedule("Montag 10:00, 6-mal", NOW, "Europe/Berlin", "de").recurrence.count == 6


@pytest.mark.parametrize("typed", ["lundi 10h 6", "lundi 10h mal", "lundi 10h 6-fach"])
def test_a_count_without_its_word_is_not_guessed(typed):
    with pytest.raises(ScheduleError):
        parse_schedule(typed, NOW, "Europe/Paris", "fr")


def test_an_interval_written_out_in_german_and_romanian():
    assert parse_schedule("Montag 10:00 alle zwei Wochen", NOW, "Europe/Berlin", "de").recurrence.interval == 2
    assert parse_schedule("luni 10:00 la fiecare trei săptămâni", NOW, "Europe/Bucharest", "ro").recurrence.interval == 3


def test_what_the_bot_writes_in_romanian_it_reads_back():
    # schedule.rule.every_weeks and .count from 20 on: "la fiecare 20 de săptămâni", "de 21 de ori".
    rule = parse_schedule("luni 10:00 la fiecare 20 de săptămâni, de 21 de ori", NOW, "Europe/Bucharest", "ro").recurrence
    assert (rule.interval, rule.count) == (20, 21)


@pytest.mark.parametrize("typed, language", [
    ("Montag 10:00 jede Woche", "de"), ("Montag 10:00 wöchentlich", "de"),
    ("luni 10:00 în fiecare săptămână", "ro"), ("luni 10:00 săptămânal", "ro"),
    ("Δευτέρα 10:00 κάθε εβδομάδα", "el"), ("lundi 10h chaque semaine", "fr"), ("monday 10:00 weekly", "en"),
])
def test_every_week_in_five_languages(typed, language):
    assert parse_schedule(typed, NOW, "Europe/Paris", language).recurrence.interval == 1
