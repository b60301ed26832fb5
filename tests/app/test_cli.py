"""The command line as people type it: each form, its exit code and its message.

Most forms run in this process (``bot.__main__.main``); one runs as the real
``python -m bot`` to prove the entry point. `check-config --connect` against a
running bot is in tests/devtools/test_lifecycle_synapse.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import __version__
from bot.__main__ import CONFIG_ENV, main
from bot.devtools.homeserver import free_port
from tests.helpers.paths import ROOT



def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bad(tmp_path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text("matrix: {homeserver: ftp://example.org, user_id: '@bot:example.org', password: x}\n"
                    f"storage: {{data_dir: {tmp_path / 'data'}}}\n")
    return path


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump({
        "matrix": {"homeserver": f"http://127.0.0.1:{free_port()}", "user_id": "@bot:example.org",
                   "password": "a-real-secret-1"},
        "storage": {"data_dir": str(tmp_path / "data")},
        "access": {"trainers": ["@anne:example.org"], "invite_servers": ["example.org"]},
    }))
    return path


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"reflextics {__version__}")


def test_run_help_lists_its_options(capsys):
    code, out, _ = run(capsys, "run", "--help")
    assert code == 0
    assert "usage: reflextics run [-h] [--config FILE]" in out
    assert CONFIG_ENV in out


@pytest.mark.parametrize("argv", [
    ["run", "--config", "{bad}"],
    ["--config", "{bad}", "run"],
    ["-c", "{bad}"],
    ["run", "-c", "{bad}"],
], ids=["after run", "before run", "no command", "short, after run"])
def test_config_before_or_after_the_command(capsys, bad, argv):
    code, _, err = run(capsys, *(a.format(bad=bad) for a in argv))
    assert (code, err.strip()) == (2, "config error: matrix.homeserver: must be an http(s) URL")


def test_config_from_the_environment(capsys, bad, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(bad))
    code, _, err = run(capsys, "run")
    assert (code, err.strip()) == (2, "config error: matrix.homeserver: must be an http(s) URL")


def test_no_config_says_where_one_may_come_from(capsys, monkeypatch):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    code, _, err = run(capsys, "run")
    assert code == 2
    assert f"no config file: give --config FILE (before or after `run`) or set {CONFIG_ENV}" in err


def test_unknown_option_is_a_usage_error(capsys):
    code, _, err = run(capsys, "run", "--confg", "x.yaml")
    assert code == 2 and "unrecognized arguments: --confg" in err


def test_check_config_valid(capsys, good):
    code, out, err = run(capsys, "check-config", str(good))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{good}: valid"
    assert any(line.split() == ["account", "@bot:example.org", "(logs", "in", "with", "its", "password,",
                                "device", "REFLEXTICS)"] for line in lines), out
    assert any("data dir" in line and "created at the first start" in line for line in lines), out
    assert any("invites from" in line and "the trainers, anyone on example.org" in line for line in lines), out
    assert not (good.parent / "data").exists()  # checking creates nothing


def test_check_config_invalid(capsys, bad, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(bad))  # the file may come from the environment too
    code, out, err = run(capsys, "check-config")
    assert (code, out, err.strip()) == (2, "", "config error: matrix.homeserver: must be an http(s) URL")


def test_check_config_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "check-config", str(tmp_path / "nope.yaml"))
    assert code == 2 and "cannot read the config file" in err


def test_check_config_connect_to_an_unreachable_homeserver(capsys, good):
    code, out, _ = run(capsys, "check-config", "--connect", "--config", str(good))
    url = yaml.safe_load(good.read_text())["matrix"]["homeserver"]
    assert code == 1
    assert f"{url} unreachable (ClientConnectorError: Cannot connect to host" in out
    assert not (good.parent / "data").exists()


def test_the_real_entry_point(good, tmp_path):
    """`python -m bot run --config FILE`, as a process; and check-config the same way."""
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(good)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and f"{good}: valid" in result.stdout, result.stderr
    bad = tmp_path / "empty.yaml"
    bad.write_text("")
    result = subprocess.run([sys.executable, "-m", "bot", "run", "--config", str(bad)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("config error: "), result.stderr
