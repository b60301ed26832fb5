"""The ``schedule`` section of the config: defaults, fractional minutes, errors naming the key."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_config
from tests.helpers.config import minimal


def test_defaults():
    config = parse_config(minimal())
    assert config.schedule.default_timezone == "Europe/Paris"
    assert config.schedule.reminders_minutes_before == (1440, 15)
    assert config.schedule.grace_minutes == 30


def test_values_and_fractional_minutes():
    config = parse_config(minimal(schedule__default_timezone="america/montreal",
                                  schedule__reminders_minutes_before=[0.25, 60, 60], schedule__grace_minutes=2.5))
    assert config.schedule.default_timezone == "America/Montreal"
    assert config.schedule.reminders_minutes_before == (60, 0.25)
    assert config.schedule.grace_minutes == 2.5
    assert parse_config(minimal(schedule__reminders_minutes_before=[])).schedule.reminders_minutes_before == ()


@pytest.mark.parametrize("overrides, expected", [
    ({"schedule__default_timezone": "Europe/Bruxelles"}, "schedule.default_timezone: must be an IANA time zone"),
    ({"schedule__reminders_minutes_before": 15}, "schedule.reminders_minutes_before: must be a list of minutes"),
    ({"schedule__reminders_minutes_before": [0]}, "schedule.reminders_minutes_before: must be a list of minutes"),
    ({"schedule__reminders_minutes_before": [True]}, "schedule.reminders_minutes_before: must be a list"),
    ({"schedule__grace_minutes": -1}, "schedule.grace_minutes: must be between 0 and 1440"),
    ({"schedule__duration_minutes": 1.5}, "schedule.duration_minutes: must be a whole number"),
    ({"schedule__reminder": [15]}, "schedule.reminder: unknown key"),
])
def test_errors_name_the_key(overrides, expected):
    with pytest.raises(ConfigError) as info:
        parse_config(minimal(**overrides))
    assert str(info.value).startswith(expected)
