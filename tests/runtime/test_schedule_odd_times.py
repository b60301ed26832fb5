"""A typed time in the spring gap or the autumn fold: the bot says what will happen, in fr and en."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.config import ScheduleConfig
from bot.messages.catalogue import Catalogue
from bot.schedule import ScheduleError, parse_schedule, wording
from tests.helpers.schedule_world import TRAINER, Clock, World

CATALOGUE = Catalogue.load()
NOW = datetime(2027, 3, 15, 9, 0, tzinfo=timezone.utc)


def sentence(typed: str, language: str, now: datetime = NOW) -> str | None:
    rule = parse_schedule(typed, now, "Europe/Paris", language).recurrence
    odd = rule.next_odd(now)
    if odd is None:
        return None
    return wording.odd_time(lambda key, **p: CATALOGUE.text(language, key, **p), rule, *odd)


@pytest.mark.parametrize("language, expected", [
    ("fr", "⚠️ Le dimanche 28 mars 2027, 02:30 n'existe pas à Paris (on avance l'heure) : la séance sera à 03:30."),
    ("en", "⚠️ On Sunday, 28 March 2027, 02:30 does not exist in Paris (clocks go forward): "
           "the session will be at 03:30."),
])
def test_a_time_in_the_spring_gap(language, expected):
    typed = "dimanche 02:30 Europe/Paris à partir du 2027-03-21" if language == "fr" \
        else "sunday 02:30 Europe/Paris from 2027-03-21"
    assert sentence(typed, language) == expected


@pytest.mark.parametrize("language, expected", [
    ("fr", "⚠️ Le dimanche 31 octobre 2027, 01:30 arrive deux fois à New York (on recule l'heure) : "
           "la séance sera au premier 01:30, avant le changement d'heure."),
    ("en", "⚠️ On Sunday, 31 October 2027, 01:30 comes twice in New York (clocks go back): "
           "the session will be at the first 01:30, before the change."),
])
def test_a_time_in_the_autumn_fold(language, expected):
    # New York goes back on 7 November 2027; 31 October is Europe's. One each.
    typed = "dimanche 01:30 America/New_York à partir du 2027-11-01" if language == "fr" \
        else "sunday 01:30 America/New_York from 2027-11-01"
    got = sentence(typed, language)
    assert got == expected.replace("31 octobre", "7 novembre").replace("31 October", "7 November")
    europe = sentence(typed.replace("America/New_York", "Europe/Paris").replace("01:30", "02:30")
                      .replace("2027-11-01", "2027-10-25"), language)
    assert "31" in europe and ("deux fois à Paris" in europe or "twice in Paris" in europe)


def test_an_ordinary_time_says_nothing():
    assert sentence("mardi 14:00 Europe/Brussels", "fr") is None
    assert sentence("sunday 03:30 Europe/Paris", "en") is None  # after the change: exists once


def test_an_unknown_zone_is_echoed_as_typed():
    with pytest.raises(ScheduleError) as info:
        parse_schedule("mardi 14:00 Europe/Nowhere", NOW, "Europe/Paris", "fr")
    assert info.value.params == {"zone": "Europe/Nowhere"}
    text = CATALOGUE.text("fr", info.value.key, **info.value.params)
    assert "Europe/Nowhere" in text and "europe/nowhere" not in text


async def test_the_bot_says_it_at_creation_and_in_the_list(tmp_path):
    world = World(tmp_path / "bot.db", Clock(NOW), ScheduleConfig())
    await world.start()
    try:
        said = await world.command(TRAINER, "!planifier dimanche 02:30 Europe/Paris à partir du 2027-03-21")
        assert "Planification n° 1" in said
        assert "Le dimanche 28 mars 2027, 02:30 n'existe pas à Paris (on avance l'heure) : " \
               "la séance sera à 03:30." in said
        listed = await world.command(TRAINER, "!planifier liste")
        assert "02:30 n'existe pas à Paris" in listed and "03:30" in listed
        said = await world.command(TRAINER, "!planifier mardi 14:00 europe/brussels")
        assert "(Europe/Brussels)" in said and "n'existe pas" not in said  # the canonical name
        said = await world.command(TRAINER, "!planifier mardi 14:00 Europe/NoWhere")
        assert "« Europe/NoWhere »" in said
    finally:
        await world.stop()
