"""Loading and validating the bot's YAML configuration.

Fails fast with the dotted key and the reason (``matrix.homeserver: must be an
http(s) URL``), rejects values left at the example's placeholders, and never puts a
secret in a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config.reader import PLACEHOLDERS, ConfigError, Reader
from bot.schedule.recurrence import canonical_zone

__all__ = [
    "AccessConfig", "Config", "ConfigError", "GameConfig", "KNOWN_KEYS", "LANGUAGES", "MatrixConfig",
    "PLACEHOLDERS", "PrivacyConfig", "RoomsConfig", "SECRET_KEYS", "ScheduleConfig", "load_config", "parse_config",
]

SECRET_KEYS = {"matrix.password", "matrix.access_token", "matrix.pickle_key"}
LANGUAGES = ("fr", "en", "ro", "el", "de")
USER_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
SERVER_NAME = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


# Every key the bot reads, by section: anything else is a typo worth reporting.
KNOWN_KEYS: dict[str, set[str]] = {
    "matrix": {
        "homeserver", "user_id", "password", "access_token", "device_id", "device_name",
        "pickle_key", "sync_timeout_seconds", "backoff_max_seconds", "key_wait_seconds",
        "send_retries", "reset_foreign_cross_signing",
    },
    "storage": {"data_dir"},
    "access": {"trainers", "facilitator_power_level", "invite_users", "invite_servers"},
    "rooms": {"require_encryption", "default_language", "only_cross_signed_senders"},
    "commands": {"prefix"},
    "logging": {"level"},
    "game": {
        "card_seconds", "turn_seconds", "resources_seconds", "actions_seconds",
        "amend_seconds", "reminder_seconds", "silence_seconds", "auto_advance",
        "max_turn_chars",
    },
    "decks": {"directories"},
    "privacy": {"retention_days", "keep_game_records", "commands_per_minute"},
    "schedule": {"default_timezone", "reminders_minutes_before", "grace_minutes", "duration_minutes"},
}


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    password: str | None = None
    access_token: str | None = None
    device_id: str = "REFLEXTICS"
    device_name: str = "Réflex'tics bot"
    pickle_key: str | None = None
    sync_timeout_seconds: float = 30.0
    backoff_max_seconds: float = 60.0
    key_wait_seconds: float = 5.0
    send_retries: int = 8
    reset_foreign_cross_signing: bool = False  # see bot/matrix/identity/cross_signing.py

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return f"MatrixConfig(homeserver={self.homeserver!r}, user_id={self.user_id!r}, device_id={self.device_id!r})"


@dataclass(frozen=True)
class AccessConfig:
    trainers: tuple[str, ...] = ()
    facilitator_power_level: int = 50
    invite_users: tuple[str, ...] = ()
    invite_servers: tuple[str, ...] = ()

    def may_invite(self, user_id: str) -> bool:
        server = user_id.split(":", 1)[1] if ":" in user_id else ""
        return (
            user_id in self.invite_users
            or user_id in self.trainers
            or server in self.invite_servers
        )


@dataclass(frozen=True)
class RoomsConfig:
    require_encryption: bool = True
    default_language: str = "fr"
    only_cross_signed_senders: bool = False


@dataclass(frozen=True)
class GameConfig:
    """Step durations and timing of a game, in seconds."""

    card_seconds: int = 120
    turn_seconds: int = 180
    resources_seconds: int = 300
    actions_seconds: int = 600
    amend_seconds: int = 600
    reminder_seconds: int = 30
    silence_seconds: int = 60
    auto_advance: bool = True
    max_turn_chars: int = 4000


@dataclass(frozen=True)
class ScheduleConfig:
    """Recurring sessions: default zone, reminders (minutes before), lateness allowed after downtime."""

    default_timezone: str = "Europe/Paris"
    reminders_minutes_before: tuple[float, ...] = (1440, 15)
    grace_minutes: float = 30
    duration_minutes: int = 90  # the length of the event in the calendar file


@dataclass(frozen=True)
class Config:
    matrix: MatrixConfig
    data_dir: Path
    access: AccessConfig = field(default_factory=AccessConfig)
    rooms: RoomsConfig = field(default_factory=RoomsConfig)
    prefix: str = "!"
    log_level: str = "INFO"
    game: GameConfig = field(default_factory=GameConfig)
    deck_dirs: tuple[Path, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    source: Path | None = None
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    privacy: PrivacyConfig = field(default_factory=lambda: PrivacyConfig())


@dataclass(frozen=True)
class PrivacyConfig:
    """Retention of game texts and per-user throttling."""

    retention_days: float = 30
    keep_game_records: bool = True
    commands_per_minute: int = 30


def parse_config(data: Any, source: Path | None = None) -> Config:
    """Validate a parsed YAML document; relative paths resolve against its file."""
    if not isinstance(data, dict):
        raise ConfigError("(top level): must be a mapping of sections (matrix, storage, …)")
    r = Reader(data)
    for section, keys in KNOWN_KEYS.items():
        r.section(section)
        for key in data.get(section) or {}:
            if key not in keys:
                raise ConfigError(f"{section}.{key}: unknown key (known: {', '.join(sorted(keys))})")
    for section in data:
        if section not in KNOWN_KEYS:
            raise ConfigError(f"{section}: unknown section (known: {', '.join(KNOWN_KEYS)})")

    homeserver = r.string("matrix.homeserver", required=True)
    if not re.match(r"^https?://[^\s/]+", homeserver):
        raise ConfigError("matrix.homeserver: must be an http(s) URL")
    user_id = r.string("matrix.user_id", required=True)
    if not USER_ID.match(user_id):
        raise ConfigError("matrix.user_id: must be a full Matrix user id like @bot:example.org")
    password = r.string("matrix.password")
    access_token = r.string("matrix.access_token")
    if not password and not access_token:
        raise ConfigError("matrix.password: set a password or matrix.access_token")
    device_id = r.string("matrix.device_id", "REFLEXTICS")
    if not DEVICE_ID.match(device_id):
        raise ConfigError("matrix.device_id: must be 1-64 letters, digits, '_' or '-'")
    matrix = MatrixConfig(
        homeserver=homeserver.rstrip("/"),
        user_id=user_id,
        password=password,
        access_token=access_token,
        device_id=device_id,
        device_name=r.string("matrix.device_name", "Réflex'tics bot"),
        pickle_key=r.string("matrix.pickle_key"),
        sync_timeout_seconds=r.number("matrix.sync_timeout_seconds", 30, 1, 300),
        backoff_max_seconds=r.number("matrix.backoff_max_seconds", 60, 0.1, 3600),
        key_wait_seconds=r.number("matrix.key_wait_seconds", 5, 0, 86400),
        send_retries=r.integer("matrix.send_retries", 8, 0, 100),
        reset_foreign_cross_signing=r.boolean("matrix.reset_foreign_cross_signing", False),
    )

    data_dir_text = r.string("storage.data_dir", required=True)
    data_dir = Path(data_dir_text).expanduser()

    access = AccessConfig(
        trainers=r.strings("access.trainers", USER_ID, "a Matrix user id"),
        facilitator_power_level=r.integer("access.facilitator_power_level", 50, 0, 1_000_000),
        invite_users=r.strings("access.invite_users", USER_ID, "a Matrix user id"),
        invite_servers=r.strings("access.invite_servers", SERVER_NAME, "a server name"),
    )
    rooms = RoomsConfig(
        require_encryption=r.boolean("rooms.require_encryption", True),
        default_language=r.choice("rooms.default_language", "fr", LANGUAGES),
        only_cross_signed_senders=r.boolean("rooms.only_cross_signed_senders", False),
    )
    prefix = r.string("commands.prefix", "!")
    if len(prefix) > 3 or any(c.isspace() or c.isalnum() for c in prefix):
        raise ConfigError("commands.prefix: must be 1-3 punctuation characters, such as !")
    log_level = r.choice("logging.level", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
    day = 24 * 3600
    game = GameConfig(
        card_seconds=r.integer("game.card_seconds", 120, 5, day),
        turn_seconds=r.integer("game.turn_seconds", 180, 5, day),
        resources_seconds=r.integer("game.resources_seconds", 300, 5, day),
        actions_seconds=r.integer("game.actions_seconds", 600, 5, day),
        amend_seconds=r.integer("game.amend_seconds", 600, 5, day),
        reminder_seconds=r.integer("game.reminder_seconds", 30, 0, day),
        silence_seconds=r.integer("game.silence_seconds", 60, 0, day),
        auto_advance=r.boolean("game.auto_advance", True),
        max_turn_chars=r.integer("game.max_turn_chars", 4000, 100, 60000),
    )
    deck_dirs = tuple(
        _resolve(Path(d).expanduser(), source) for d in r.strings("decks.directories")
    )
    return Config(matrix, _resolve(data_dir, source), access, rooms, prefix, log_level, game, deck_dirs, data, source,
                  schedule=_schedule(r), privacy=PrivacyConfig(
                      retention_days=r.number("privacy.retention_days", 30, 0, 3650),
                      keep_game_records=r.boolean("privacy.keep_game_records", True),
                      commands_per_minute=r.integer("privacy.commands_per_minute", 30, 1, 10000)))


def _schedule(r: Reader) -> ScheduleConfig:
    zone = canonical_zone(r.string("schedule.default_timezone", "Europe/Paris"))
    if zone is None:
        raise ConfigError("schedule.default_timezone: must be an IANA time zone such as Europe/Paris")
    present, reminders = r._get("schedule.reminders_minutes_before")
    if not present:
        reminders = [1440, 15]
    if not isinstance(reminders, list) or not all(
            isinstance(m, (int, float)) and not isinstance(m, bool) and 0 < m <= 20160 for m in reminders):
        raise ConfigError("schedule.reminders_minutes_before: must be a list of minutes, each above 0 "
                          "and at most 20160 (two weeks)")
    return ScheduleConfig(
        default_timezone=zone,
        reminders_minutes_before=tuple(sorted(set(reminders), reverse=True)),
        grace_minutes=r.number("schedule.grace_minutes", 30, 0, 24 * 60),
        duration_minutes=r.integer("schedule.duration_minutes", 90, 5, 24 * 60),
    )


def _resolve(path: Path, source: Path | None) -> Path:
    """Relative paths in a config file are relative to that file."""
    if not path.is_absolute() and source is not None:
        return source.parent / path
    return path


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; raise ConfigError naming the key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from None
    return parse_config(data, path.resolve())
