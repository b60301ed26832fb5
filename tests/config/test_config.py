"""The config loader: dotted keys in errors, placeholders refused, secrets kept out."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from bot.config import KNOWN_KEYS, PLACEHOLDERS, SECTIONS, ConfigError, load_config, parse_config
from bot.game import Settings
from bot.game.declared import declared
from tests.helpers.paths import ROOT
from tests.helpers.config import minimal

EXAMPLE = ROOT / "config.example.yaml"


def error_of(data) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return str(info.value)


def test_minimal_config_gets_defaults():
    config = parse_config(minimal())
    assert config.matrix.homeserver == "https://matrix.test.org"
    assert config.matrix.device_id == "REFLEXTICS"
    assert config.matrix.reset_foreign_cross_signing is False
    assert config.rooms.require_encryption is True
    assert config.rooms.default_language == "fr"
    assert config.rooms.only_cross_signed_senders is False
    assert config.matrix.key_wait_seconds == 5
    assert config.prefix == "!"
    assert config.access.facilitator_power_level == 50
    assert config.game.turn_seconds == 180
    assert config.deck_dirs == ()


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"matrix__homeserver": "matrix.test.org"}, "matrix.homeserver: must be an http(s) URL"),
        ({"matrix__homeserver": 12}, "matrix.homeserver: must be a string"),
        ({"matrix__user_id": "bot"}, "matrix.user_id: must be a full Matrix user id like @bot:example.org"),
        ({"matrix__password": None}, "matrix.password: set a password or matrix.access_token"),
        ({"matrix__device_id": "a b"}, "matrix.device_id: must be 1-64 letters, digits, '_' or '-'"),
        ({"matrix__sync_timeout_seconds": 0}, "matrix.sync_timeout_seconds: must be between 1 and 300"),
        ({"matrix__send_retries": 2.5}, "matrix.send_retries: must be a whole number"),
        ({"matrix__colour": "red"}, "matrix.colour: unknown key"),
        ({"matrix__reset_foreign_cross_signing": "yes"}, "matrix.reset_foreign_cross_signing: must be true or false"),
        ({"rooms__require_encryption": "yes"}, "rooms.require_encryption: must be true or false"),
        ({"rooms__default_language": "it"}, "rooms.default_language: must be one of fr, en, ro, el, de"),
        ({"rooms__only_cross_signed_senders": "no"}, "rooms.only_cross_signed_senders: must be true or false"),
        ({"access__trainers": "@a:b.c"}, "access.trainers: must be a list of strings"),
        ({"access__invite_users": ["alice"]}, "access.invite_users: 'alice' is not a Matrix user id"),
        ({"commands__prefix": "go"}, "commands.prefix: must be 1-3 punctuation characters, such as !"),
        ({"game__turn_seconds": 1}, "game.turn_seconds: must be between 5 and 86400"),
        ({"game__auto_advance": 1}, "game.auto_advance: must be true or false"),
        ({"decks__directories": [3]}, "decks.directories: must be a list of strings"),
    ],
)
def test_errors_name_the_dotted_key(overrides, expected):
    assert error_of(minimal(**overrides)).startswith(expected)


def test_unknown_section_and_non_mapping():
    data = minimal()
    data["matrx"] = {}
    assert error_of(data).startswith("matrx: unknown section")
    assert error_of(["a"]).startswith("(top level): must be a mapping")
    data = minimal()
    data["matrix"] = "x"
    assert error_of(data) == "matrix: must be a mapping"


def test_required_keys():
    data = minimal()
    del data["storage"]
    assert error_of(data) == "storage.data_dir: is required"


@pytest.mark.parametrize("key", sorted(PLACEHOLDERS))
def test_example_placeholders_are_refused(key):
    data = minimal()
    section, name = key.split(".")
    data[section][name] = PLACEHOLDERS[key]
    assert error_of(data) == f"{key}: still has the example's placeholder value; set your own"


def test_secrets_never_in_messages_or_repr():
    config = parse_config(minimal(matrix__access_token="syt_token_value"))
    assert "hunter2" not in repr(config) and "syt_token" not in repr(config)
    message = error_of(minimal(matrix__password=["hunter2-very-secret"]))
    assert "hunter2" not in message


def test_relative_paths_resolve_against_the_config_file(tmp_path):
    path = tmp_path / "conf" / "bot.yaml"
    path.parent.mkdir()
    data = minimal(decks__directories=["my-decks"])
    data["storage"]["data_dir"] = "state"
    path.write_text(yaml.safe_dump(data))
    config = load_config(path)
    assert config.data_dir == path.parent.resolve() / "state"
    assert config.deck_dirs == (path.parent.resolve() / "my-decks",)


def test_bad_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("matrix:\n  homeserver: [oops\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: not valid YAML at line")


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert "cannot read the config file" in str(info.value)


def test_example_file_is_refused_only_for_its_placeholders(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match="placeholder"):
        parse_config(data)
    data["matrix"].update(homeserver="https://m.test.org", user_id="@b:test.org", password="pw")
    config = parse_config(data, EXAMPLE)
    assert config.data_dir == ROOT / "data"


# A key line of the example, set or commented out (optional): "  name: value" or "  # name: value".
EXAMPLE_KEY = re.compile(r'^  (?:# ?)?([a-z][a-z_]*): ?("|\[|-?\d|true$|false$)')


def documented_keys(text: str) -> dict[str, list[tuple[int, str]]]:
    """Section -> (line index, key) of every key line the example shows under it."""
    found: dict[str, list[tuple[int, str]]] = {}
    section = None
    for index, line in enumerate(text.splitlines()):
        if re.match(r"^[a-z_]+:", line):
            section = line.split(":")[0]
            found[section] = []
        elif section and (m := EXAMPLE_KEY.match(line)):
            found[section].append((index, m.group(1)))
    return found


def test_example_documents_every_declared_key_and_no_other():
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    documented = documented_keys(text)
    assert set(documented) == set(KNOWN_KEYS), "config.example.yaml: the declared sections"
    for section, keys in KNOWN_KEYS.items():
        shown = {key for _, key in documented[section]}
        assert not keys - shown, f"config.example.yaml does not document {section}: {sorted(keys - shown)}"
        assert not shown - keys, f"config.example.yaml documents unknown keys in {section}: {sorted(shown - keys)}"
        for index, key in documented[section]:
            assert lines[index - 1].strip().startswith("#"), f"{section}.{key} has no comment above it"


def test_the_example_gives_the_declared_defaults():
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for section, cls in SECTIONS.items():
        for f, d in declared(cls):
            key = f"{section}.{f.name}"
            if not d.in_config or d.required or key in PLACEHOLDERS or f.name not in data[section]:
                continue
            value = data[section][f.name]
            assert (tuple(value) if isinstance(value, list) else value) == f.default, key


def test_the_documented_check_fails_on_a_missing_or_unknown_key():
    text = EXAMPLE.read_text(encoding="utf-8")
    without = documented_keys(text.replace("  turn_seconds: 180\n", ""))
    assert "turn_seconds" not in {key for _, key in without["game"]}
    extra = documented_keys(text.replace("  turn_seconds: 180\n", "  turn_seconds: 180\n  # tunr_seconds: 9\n"))
    assert "tunr_seconds" in {key for _, key in extra["game"]}


def test_a_declared_setting_is_read_with_its_bounds_and_default():
    assert parse_config(minimal(game__amend_seconds=90)).game.amend_seconds == 90
    assert parse_config(minimal()).game == Settings()
    assert error_of(minimal(game__amend_seconds=4)) == "game.amend_seconds: must be between 5 and 86400"
    assert error_of(minimal(game__max_players=3)).startswith("game.max_players: unknown key")


def test_cli_malformed_config_gives_one_line_and_nonzero_exit(tmp_path):
    path = tmp_path / "config.yaml"
    data = minimal(matrix__homeserver="ftp://nope")
    path.write_text(yaml.safe_dump(data))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["config error: matrix.homeserver: must be an http(s) URL"]
    assert "hunter2" not in result.stderr + result.stdout
