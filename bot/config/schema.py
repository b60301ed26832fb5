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
from bot.game.declared import declared, setting
from bot.game.weekplan import parse_quiet
from bot.game.settings import Settings
from bot.schedule.recurrence import canonical_zone

__all__ = [
    "AccessConfig", "Config", "ConfigError", "KNOWN_KEYS", "LANGUAGES", "MatrixConfig",
    "PLACEHOLDERS", "PrivacyConfig", "RoomsConfig", "SECRET_KEYS", "SECTIONS", "ScheduleConfig", "load_config",
    "parse_config",
]

SECRET_KEYS = {"matrix.password", "matrix.access_token", "matrix.pickle_key"}
LANGUAGES = ("fr", "en", "ro", "el", "de")
USER_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
SERVER_NAME = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def _url(key: str, value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(f"{key}: must be an http(s) URL")
    return value.rstrip("/")


def _user_id(key: str, value: str) -> str:
    if not USER_ID.match(value):
        raise ConfigError(f"{key}: must be a full Matrix user id like @bot:example.org")
    return value


def _device_id(key: str, value: str) -> str:
    if not DEVICE_ID.match(value):
        raise ConfigError(f"{key}: must be 1-64 letters, digits, '_' or '-'")
    return value


def _prefix(key: str, value: str) -> str:
    if len(value) > 3 or any(c.isspace() or c.isalnum() for c in value):
        raise ConfigError(f"{key}: must be 1-3 punctuation characters, such as !")
    return value


def _zone(key: str, value: str) -> str:
    zone = canonical_zone(value)
    if zone is None:
        raise ConfigError(f"{key}: must be an IANA time zone such as Europe/Paris")
    return zone


def _quiet_hours(key: str, value: str) -> str:
    if parse_quiet(value) is None:
        raise ConfigError(f"{key}: must be HH:MM-HH:MM (e.g. 20:00-08:00), or none")
    return value


def _user_ids(key: str, value: tuple[str, ...]) -> tuple[str, ...]:
    return _each(key, value, USER_ID, "a Matrix user id")


def _server_names(key: str, value: tuple[str, ...]) -> tuple[str, ...]:
    return _each(key, value, SERVER_NAME, "a server name")


def _each(key: str, value: tuple[str, ...], pattern: re.Pattern, what: str) -> tuple[str, ...]:
    for item in value:
        if not pattern.match(item):
            raise ConfigError(f"{key}: {item!r} is not {what}")
    return value


def _reminders(key: str, value: Any) -> tuple[float, ...]:
    if not isinstance(value, (list, tuple)) or not all(
            isinstance(m, (int, float)) and not isinstance(m, bool) and 0 < m <= 20160 for m in value):
        raise ConfigError(f"{key}: must be a list of minutes, each above 0 and at most 20160 (two weeks)")
    return tuple(sorted(set(value), reverse=True))


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str = setting(None, "The homeserver's URL.", required=True, check=_url)
    user_id: str = setting(None, "The bot's full Matrix user id.", required=True, check=_user_id)
    password: str | None = setting(None, "The account's password (or an access_token).")
    access_token: str | None = setting(None, "An access token instead of the password.")
    device_id: str = setting("REFLEXTICS", "The bot's one device: keep it the same across restarts.",
                             check=_device_id)
    device_name: str = setting("Réflex'tics bot", "The device's name as other users' clients show it.")
    pickle_key: str | None = setting(None, "The key of the crypto store (else pickle.key in the data dir).")
    sync_timeout_seconds: float = setting(30.0, "How long one sync request waits for news.", 1, 300)
    backoff_max_seconds: float = setting(60.0, "The longest wait between retries when the homeserver fails.",
                                         0.1, 3600)
    key_wait_seconds: float = setting(5.0, "How long a room's later events wait behind an unreadable one.",
                                      0, 86400)
    send_retries: int = setting(8, "Attempts at sending one message before giving up.", 0, 100)
    # see bot/matrix/identity/cross_signing.py
    reset_foreign_cross_signing: bool = setting(False, "Replace a cross-signing identity the bot did not make.")

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return f"MatrixConfig(homeserver={self.homeserver!r}, user_id={self.user_id!r}, device_id={self.device_id!r})"


@dataclass(frozen=True)
class StorageSection:
    data_dir: str = setting(None, "Where the bot keeps its database, session and keys.", required=True)


@dataclass(frozen=True)
class AccessConfig:
    trainers: tuple[str, ...] = setting((), "Users who may steer games in every room.", check=_user_ids)
    facilitator_power_level: int = setting(50, "The room power level that makes someone a facilitator.",
                                           0, 1_000_000)
    invite_users: tuple[str, ...] = setting((), "Users whose invites the bot accepts.", check=_user_ids)
    invite_servers: tuple[str, ...] = setting((), "Servers whose users' invites the bot accepts.",
                                              check=_server_names)

    def may_invite(self, user_id: str) -> bool:
        server = user_id.split(":", 1)[1] if ":" in user_id else ""
        return (
            user_id in self.invite_users
            or user_id in self.trainers
            or server in self.invite_servers
        )


@dataclass(frozen=True)
class RoomsConfig:
    require_encryption: bool = setting(True, "Refuse to play in rooms without end-to-end encryption.")
    default_language: str = setting("fr", "The language of a room that has not chosen one.", choices=LANGUAGES)
    only_cross_signed_senders: bool = setting(False, "Ignore messages from devices their owner did not verify.")
    quiet_hours: str = setting("20:00-08:00", "Week games: no nudge or count then, in the room's zone "
                                              "(each room may change it with !semaine).", check=_quiet_hours)


@dataclass(frozen=True)
class CommandsSection:
    prefix: str = setting("!", "What starts a command (1-3 punctuation characters).", check=_prefix)


@dataclass(frozen=True)
class LoggingSection:
    level: str = setting("INFO", "The log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR"))


@dataclass(frozen=True)
class DecksSection:
    directories: tuple[str, ...] = setting((), "Directories of custom deck files, besides the built-in decks.")


@dataclass(frozen=True)
class ScheduleConfig:
    """Recurring sessions: default zone, reminders (minutes before), lateness allowed after downtime."""

    default_timezone: str = setting("Europe/Paris", "The zone of a schedule typed without one.", check=_zone)
    reminders_minutes_before: tuple[float, ...] = setting((1440, 15), "Reminders before a session, in minutes.",
                                                          check=_reminders)
    grace_minutes: float = setting(30, "How late a missed session may still open after downtime.", 0, 24 * 60)
    duration_minutes: int = setting(90, "The length of the event in the calendar file.", 5, 24 * 60)


@dataclass(frozen=True)
class PrivacyConfig:
    """Retention of game texts and per-user throttling."""

    retention_days: float = setting(30, "Days after its end that an ended game's texts are kept (0: purged at once).",
                                    0, 3650)
    keep_game_records: bool = setting(True, "A purged game leaves a record that it happened, without texts.")
    commands_per_minute: int = setting(30, "Commands one person may send per minute.", 1, 10000)


# The config file's sections, in the order errors and docs name them.
SECTIONS: dict[str, type] = {
    "matrix": MatrixConfig, "storage": StorageSection, "access": AccessConfig, "rooms": RoomsConfig,
    "commands": CommandsSection, "logging": LoggingSection, "game": Settings, "decks": DecksSection,
    "privacy": PrivacyConfig, "schedule": ScheduleConfig,
}
# Every key the bot reads, by section: anything else is a typo worth reporting.
KNOWN_KEYS: dict[str, set[str]] = {
    section: {f.name for f, d in declared(cls) if d.in_config} for section, cls in SECTIONS.items()
}


@dataclass(frozen=True)
class Config:
    matrix: MatrixConfig
    data_dir: Path
    access: AccessConfig = field(default_factory=AccessConfig)
    rooms: RoomsConfig = field(default_factory=RoomsConfig)
    prefix: str = "!"
    log_level: str = "INFO"
    game: Settings = field(default_factory=Settings)
    deck_dirs: tuple[Path, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    source: Path | None = None
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)


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

    matrix = MatrixConfig(**r.declared("matrix", MatrixConfig))
    if not matrix.password and not matrix.access_token:
        raise ConfigError("matrix.password: set a password or matrix.access_token")
    data_dir = Path(r.declared("storage", StorageSection)["data_dir"]).expanduser()
    deck_dirs = tuple(_resolve(Path(d).expanduser(), source)
                      for d in r.declared("decks", DecksSection)["directories"])
    return Config(
        matrix, _resolve(data_dir, source), AccessConfig(**r.declared("access", AccessConfig)),
        RoomsConfig(**r.declared("rooms", RoomsConfig)), r.declared("commands", CommandsSection)["prefix"],
        r.declared("logging", LoggingSection)["level"], Settings(**r.declared("game", Settings)), deck_dirs, data,
        source, schedule=ScheduleConfig(**r.declared("schedule", ScheduleConfig)),
        privacy=PrivacyConfig(**r.declared("privacy", PrivacyConfig)))


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
