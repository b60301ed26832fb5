"""Signals at every moment: `reflextics local` and the bot stop everything they started.

Each moment is found in the process's own output (a line it prints when it gets
there), never by sleeping: the signal is sent as soon as that line is read.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.devtools import processes
from bot.devtools.homeserver import free_port, port_is_free
from tests.helpers.paths import ROOT
from tests.helpers.spawned import PYTHON, Output, clean, finish, group_gone, spawn

def assert_nothing_left(process: subprocess.Popen, directory: Path, port: int, synapse_pid: int | None) -> None:
    """No process of the run, no homeserver on its data, its port free again."""
    synapse = directory / "synapse"
    assert group_gone(process.pid), "a process of the run's group is still there"
    if synapse_pid is not None:
        assert not processes.alive(synapse_pid), f"homeserver {synapse_pid} still running"
    assert processes.with_argument(str(synapse / "homeserver.yaml")) == []
    assert not (synapse / "running.json").exists()
    assert port_is_free(port)


def start_local(directory: Path, port: int) -> tuple[subprocess.Popen, Output]:
    return spawn([*PYTHON, "local", "--dir", str(directory), "--port", str(port)])


# The moments of a start-up, by the line that announces each, and the signal sent there.
MOMENTS = [
    ("before the homeserver answers", r"Homeserver process (\d+) started; waiting", signal.SIGINT),
    ("during registration", r"registering the accounts", signal.SIGTERM),
    ("before the first sync", r"Logged in as .*, device (\S+)$", signal.SIGINT),
    ("after ready", r"the bot is ready", signal.SIGTERM),
]


@pytest.mark.synapse
def test_local_stops_at_every_moment_and_starts_again_on_the_same_port(tmp_path):
    directory, port = tmp_path / ".local", free_port()
    logins = []
    for moment, pattern, sig in MOMENTS:
        process, out = start_local(directory, port)
        try:
            synapse_pid = int(out.wait_for(r"Homeserver process (\d+) started").group(1))
            out.wait_for(pattern)
            if moment == "after ready":
                check_connected(directory)
            process.send_signal(sig)
            code = finish(process)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        text = out.text()
        assert code == 0, f"{moment}, {sig.name}: exit {code}\n{text}"
        clean(text)
        assert_nothing_left(process, directory, port, synapse_pid)
        if "password" in text:
            logins.append(re.search(r"your password\s+: (\S+)", text).group(1))

    # A new run on the same port and data: same accounts, same bot device; then
    # SIGKILL, which no handler sees: the homeserver still goes (it dies with its owner).
    session = json.loads((directory / "bot" / "session.json").read_text())
    process, out = start_local(directory, port)
    try:
        synapse_pid = int(out.wait_for(r"Homeserver process (\d+) started").group(1))
        assert out.wait_for(r"homeserver URL : (\S+)").group(1) == f"http://127.0.0.1:{port}"
        assert out.wait_for(r"your password\s+: (\S+)").group(1) == logins[-1]
        assert out.wait_for(r"Logged in as @reflextics:localhost, device (\S+)$").group(1) == session["device_id"]
        out.wait_for("the bot is ready")
        assert "Stopped a homeserver" not in out.text()
    finally:
        finish(process, signal.SIGKILL)
    assert wait_until(lambda: not processes.alive(synapse_pid)), "the homeserver outlived its killed owner"
    assert len(set(logins)) == 1


def check_connected(directory: Path) -> None:
    """`check-config --connect` on a running bot's config: read-only, the bot's own device and identity."""
    config = directory / "bot-config.yaml"
    session_before = (directory / "bot" / "session.json").read_bytes()
    result = subprocess.run([*PYTHON, "check-config", "--connect", str(config)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"{config}: valid" in out
    assert "@reflextics:localhost: logged in with the stored session" in out
    assert re.search(r"device\s+REFLEXTICS: keys on the homeserver, signed by the account's self-signing key", out)
    assert re.search(r"cross-signing\s+the bot's own identity \(master key \S+\)", out)

    # Without a stored session: a password login as a temporary device, deleted after.
    data = yaml.safe_load(config.read_text())
    data["storage"]["data_dir"] = str(directory / "elsewhere")
    fresh = directory / "fresh-config.yaml"
    fresh.write_text(yaml.safe_dump(data))
    result = subprocess.run([*PYTHON, "check-config", "--connect", str(fresh)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "logged in with matrix.password, as a temporary device" in result.stdout
    assert re.search(r"devices\s+2 on the account: .*\(this check\)", result.stdout), result.stdout
    assert "an identity the bot did not make" in result.stdout  # its keys are in the other data dir
    assert not (directory / "elsewhere").exists()
    again = subprocess.run([*PYTHON, "check-config", "--connect", str(config)], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert re.search(r"devices\s+1 on the account: REFLEXTICS$", again.stdout, re.M), again.stdout
    assert (directory / "bot" / "session.json").read_bytes() == session_before


def wait_until(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # polling another process's end
    return True


@pytest.mark.synapse
def test_a_homeserver_left_running_is_stopped_and_a_taken_port_is_named(tmp_path):
    directory, port = tmp_path / ".local", free_port()
    process, out = start_local(directory, port)
    try:
        out.wait_for("registering the accounts")
    finally:
        assert finish(process, signal.SIGINT) == 0
    # A port held by someone else: the run says so, who holds it, how to free it.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        process, out = start_local(directory, taken)
        assert finish(process) == 1
        text = out.text()
        assert f"port {taken} on 127.0.0.1 is in use by process {os.getpid()}: stop it (kill {os.getpid()}), " \
               f"or choose another port (make run PORT={taken + 1}" in text, text
        clean(text)

    # What an older version left behind: a homeserver in its own session, no record.
    synapse = directory.resolve() / "synapse"
    orphan = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "-c", str(synapse / "homeserver.yaml")],
                              cwd=synapse, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        # Another port than last time: local.json does not keep the old one.
        other = free_port()
        process, out = start_local(directory, other)
        try:
            note = out.wait_for(r"Stopped a homeserver \(pid (\d+)\) that an earlier run left running")
            assert int(note.group(1)) == orphan.pid
            assert orphan.wait(30) is not None
            assert out.wait_for(r"homeserver URL : (\S+)").group(1) == f"http://127.0.0.1:{other}"

            # A second run on the same data while this one goes on is refused.
            second, second_out = start_local(directory, free_port())
            assert finish(second) == 1
            assert re.search(rf"is in use by the homeserver \(pid \d+, port {other}\) of a run still going "
                             rf"\(pid {process.pid}\): use that one, or stop it \(kill {process.pid}\)",
                             second_out.text()), second_out.text()
            out.wait_for("the bot is ready")
        finally:
            assert finish(process, signal.SIGINT) == 0
        clean(out.text())
        assert_nothing_left(process, directory, other, None)
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()
