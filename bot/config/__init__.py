"""The bot's configuration: the YAML file read into typed, validated sections.

``schema`` declares the sections (each setting once: default, bounds, meaning; the
``game`` section is the game's own ``Settings``), ``reader`` reads them, its errors
naming the dotted key. May import the pure core (zone names); nothing else of
the bot.
"""

from bot.config.reader import PLACEHOLDERS, ConfigError
from bot.config.schema import (
    KNOWN_KEYS,
    LANGUAGES,
    SECRET_KEYS,
    SECTIONS,
    AccessConfig,
    Config,
    MatrixConfig,
    PrivacyConfig,
    RoomsConfig,
    ScheduleConfig,
    load_config,
    parse_config,
)

__all__ = [
    "AccessConfig", "Config", "ConfigError", "KNOWN_KEYS", "LANGUAGES", "MatrixConfig",
    "PLACEHOLDERS", "PrivacyConfig", "RoomsConfig", "SECRET_KEYS", "SECTIONS", "ScheduleConfig", "load_config",
    "parse_config",
]
