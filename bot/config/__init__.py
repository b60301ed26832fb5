"""The bot's configuration: the YAML file read into typed, validated sections.

``schema`` holds the sections and their checks, ``reader`` the typed reader whose
errors name the dotted key. May import the pure core (zone names); nothing else of
the bot.
"""

from bot.config.reader import PLACEHOLDERS, ConfigError
from bot.config.schema import (
    KNOWN_KEYS,
    LANGUAGES,
    SECRET_KEYS,
    AccessConfig,
    Config,
    GameConfig,
    MatrixConfig,
    PrivacyConfig,
    RoomsConfig,
    ScheduleConfig,
    load_config,
    parse_config,
)

__all__ = [
    "AccessConfig", "Config", "ConfigError", "GameConfig", "KNOWN_KEYS", "LANGUAGES", "MatrixConfig",
    "PLACEHOLDERS", "PrivacyConfig", "RoomsConfig", "SECRET_KEYS", "ScheduleConfig", "load_config", "parse_config",
]
