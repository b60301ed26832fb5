"""The config loader: dotted keys in errors, placeholders refused, secrets kept out."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from bot.config import KNOWN_KEYS, PLACEHOLDERS, ConfigError, load_config, parse_config
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


def test_example_documents_every_known_key():
    text = EXAMPLE.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    lines = text.splitlines()
    for section, keys in KNOWN_KEYS.items():
        assert section in data, f"config.example.yaml lacks the section {section}"
        for key in keys:
            # A key may be commented out (optional) but must be present, with a
            # comment line just above it.
            pattern = re.compile(rf"^\s*#?\s*{re.escape(key)}:")
            index = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
            assert index is not None, f"config.example.yaml does not document {section}.{key}"
            assert lines[index - 1].strip().startswith("#"), f"{section}.{key} has no comment above it"


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
