"""A real terminal for the board: a tmux server of the test's own (never the developer's), the
shell command that runs this venv's paratui at the fixed clock on a test folder, and the paratui
processes running on that folder (shared by tests/test_ssh.py and tests/test_bursts_tmux.py)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import paratui
from tests.helpers import NOW

CHECKOUT = Path(paratui.__file__).resolve().parents[1]  # the paratui under test, not an installed one


def remote(command: list[str], data: Path, **env: str) -> str:
    """The shell command the SSH server runs: this venv's Python on this checkout's paratui (sshd
    starts the command in the home folder with a fresh environment: without PYTHONPATH it would run
    whatever paratui the venv has installed, maybe another checkout's), the fixed clock, the folder."""
    settings = {"PARATUI_NOW": NOW, "PYTHONPATH": str(CHECKOUT), **env}
    return " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in settings.items()),
                     shlex.quote(sys.executable), "-m", "paratui", *map(shlex.quote, command),
                     "--data", shlex.quote(str(data))])


def _paratui_pids(data: Path) -> list[int]:
    """The live processes running paratui on `data` (argument by argument, so not ssh or tmux)."""
    found = subprocess.run(["pgrep", "-f", str(data)], capture_output=True, text=True).stdout.split()
    pids = []
    for pid in map(int, found):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(data).encode() in argv and state != "Z":
            pids.append(pid)
    return pids


def _gone_within(data: Path, seconds: float) -> list[int]:
    """Waits until no paratui runs on `data`; returns the pids still alive after `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := _paratui_pids(data)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Tmux:
    """A tmux server of this test's own (`tmux -L NAME`), so another tmux on the machine never matters."""

    def __init__(self):
        self.socket = f"paratui-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = {k: v for k, v in os.environ.items() if k != "TMUX"}

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              env=self.env, check=check)

    def screen(self, session: str) -> str:
        return self("capture-pane", "-p", "-t", session, check=False).stdout

    def wait_screen(self, session: str, *words: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(session)
            if all(w in screen for w in words):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"never saw {words} on the screen:\n{screen}")

    def alive(self, session: str) -> bool:
        return self("has-session", "-t", session, check=False).returncode == 0

    def pane_pid(self, session: str) -> int:
        return int(self("display-message", "-p", "-t", session, "#{pane_pid}").stdout.strip())

    def close(self) -> None:
        self("kill-server", check=False)
