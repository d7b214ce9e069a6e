"""The teacher over SSH: a real sshd on loopback, a real ssh client, and (for the board) a real
terminal in tmux. `.ci/run` installs openssh-server and tmux; elsewhere these tests skip when the tools
are missing (in CI they fail instead, so they can never silently stop running)."""

from __future__ import annotations

import getpass
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import NOW, run_cli

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
MISSING = [tool for tool, path in (("sshd", SSHD), ("ssh", shutil.which("ssh")), ("tmux", shutil.which("tmux")),
                                   ("ssh-keygen", shutil.which("ssh-keygen")))
           if not path or not Path(path).exists()]
if MISSING and not os.environ.get("CI"):
    pytest.skip(f"needs {', '.join(MISSING)} (apt-get install openssh-server tmux)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sshd(tmp_path):
    """An sshd for this test only, on 127.0.0.1, key login for the current user."""
    keys = tmp_path / "ssh"
    keys.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
    (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
    port = _free_port()
    config = keys / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {keys / 'host'}
AuthorizedKeysFile {keys / 'authorized_keys'}
PidFile {keys / 'sshd.pid'}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
""")
    Path("/run/sshd").mkdir(exist_ok=True) if os.geteuid() == 0 else None
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=open(keys / "sshd.log", "w"))
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    base = ["ssh", "-p", str(port), "-i", str(keys / "client"), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", f"{getpass.getuser()}@127.0.0.1"]
    yield base
    proc.terminate()
    proc.wait(timeout=5)


def remote(command: list[str], data: Path, **env: str) -> str:
    """The shell command the SSH server runs: this venv's paratui, the fixed clock, the test folder."""
    settings = {"PARATUI_NOW": NOW, **env}
    return " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in settings.items()),
                     shlex.quote(sys.executable), "-m", "paratui", *map(shlex.quote, command),
                     "--data", shlex.quote(str(data))])


def test_cli_over_ssh_without_a_terminal_records_the_ssh_login(sshd, room_dir):
    out = subprocess.run([*sshd, remote(["board", "--plain"], room_dir)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Room 12 — Monday 2026-11-23 10:15")
    out = subprocess.run([*sshd, remote(["move", "E.M.", "--to", "office", "--as", "MR"], room_dir)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "E.M. → Office with Ms. R" in out.stdout
    [path] = list((room_dir / "journal").rglob("*.json"))
    doc = json.loads(path.read_text())["_default"]["1"]
    assert doc["login"] == getpass.getuser() and doc["staff"] == "MR"


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def _wait_screen(session: str, *words: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(session)
        if all(w in screen for w in words):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"never saw {words} on the screen:\n{screen}")


def test_the_board_over_ssh_in_a_real_terminal(sshd, room_dir, tmp_path):
    session = f"paratui-ssh-{os.getpid()}"
    board = remote(["--as", "MR"], room_dir, TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
    command = " ".join(shlex.quote(a) for a in [*sshd[:1], "-t", *sshd[1:], board])
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command], check=True)
    try:
        _wait_screen(session, "Room 12", "you: Ms. R", "live (inotify)", "Adults")
        # steer the room from the SSH board: "taking K.B. to the bathroom" is m 2 b
        for key in ("m", "2", "b"):
            subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
            time.sleep(0.3)
        _wait_screen(session, "Bathroom", "Ms. R")
        data = json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)
        kb = next(s for s in data["students"] if s["initials"] == "K.B.")
        assert kb["location"] == "bathroom" and kb["with"] == ["MR"]
        # a change made in the classroom shows up on the teacher's SSH board by itself
        run_cli("move", "T.H.", "--to", "nurse", "--as", "JT", data=room_dir, check=True)
        _wait_screen(session, "T.H.", "Nurse")
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0
            if not alive:
                break
            time.sleep(0.1)
        assert not alive, "the board did not quit on q"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
