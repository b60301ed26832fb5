"""What an operator installs: the systemd unit and the package metadata.

The unit is checked by systemd's own reader (`systemd-analyze verify`, offline)
where it is installed; it has not been run under systemd on the CI machine,
which has no systemd as PID 1.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from tests.helpers.paths import ROOT

UNIT = ROOT / "deploy" / "reflextics.service"


def directives(text: str) -> dict[tuple[str, str], list[str]]:
    """(section, key) -> values, in order (a key may repeat, as SystemCallFilter does)."""
    found: dict[tuple[str, str], list[str]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault((section, key), []).append(value)
    return found


def test_the_unit_is_hardened_and_restarts_on_failure():
    unit = directives(UNIT.read_text())
    service = {key: values[-1] for (section, key), values in unit.items() if section == "Service"}
    assert service["User"] == service["Group"] == "reflextics"
    assert service["ExecStart"] == "/opt/reflextics/bin/reflextics run"
    assert service["ExecStartPre"] == "/opt/reflextics/bin/reflextics check-config"
    assert service["Environment"] == "REFLEXTICS_CONFIG=/etc/reflextics/config.yaml"
    # storage.data_dir: /var/lib/reflextics, the bot's own, nothing else writable.
    assert (service["StateDirectory"], service["StateDirectoryMode"], service["UMask"]) == ("reflextics", "0700", "0077")
    assert service["ProtectSystem"] == "strict"
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "RestrictSUIDSGID"):
        assert service[key] == "yes", key
    assert service["CapabilityBoundingSet"] == ""
    # A requested stop exits 0; a config error exits 2, which no restart fixes.
    assert (service["Restart"], service["RestartPreventExitStatus"], service["KillSignal"]) == \
        ("on-failure", "2", "SIGTERM")
    assert unit[("Install", "WantedBy")] == ["multi-user.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_the_unit_without_complaint(tmp_path):
    # The unit as installed, but with the console script of this environment.
    script = Path(sys.executable).parent / "reflextics"
    if not script.exists():
        pytest.skip("the reflextics console script is not installed next to this Python")
    copy = tmp_path / "reflextics.service"
    copy.write_text(UNIT.read_text().replace("/opt/reflextics/bin/reflextics", str(script)))
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_licence_is_an_spdx_expression():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "EUPL-1.2"
    assert project["project"]["license-files"] == ["LICENSE"]
    # PEP 639's fields need setuptools 77 or newer to build.
    assert "setuptools>=77" in project["build-system"]["requires"]
