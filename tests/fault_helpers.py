"""Helpers for the fault-tolerance suite (tests/test_fault_*.py), on top of tests/helpers.py."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from textual.pilot import Pilot

from paratui.app.board_app import BoardApp
from paratui.store import paths
from tests.helpers import NOW_DT, env_for, make_app, run_cli, wait_for

HERE = Path(__file__).resolve().parent


# -- data folders and processes ------------------------------------------------------------------
def cli(data: Path, *args: str, host: str = "testhost", login: str = "tester",
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`paratui ARGS --data DATA` in its own process, as `login` on `host` (not this test's)."""
    return run_cli(*args, data=data, env=env_for(host, login), timeout=timeout)


def spawn_writer(journal: Path, count: int, go: Path, host: str, login: str) -> subprocess.Popen[str]:
    """tests/fault_writer.py writing COUNT events as `login` on `host`."""
    return subprocess.Popen([sys.executable, str(HERE / "fault_writer.py"), str(journal), str(count), str(go)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env_for(host, login))


def wait_ready(proc: subprocess.Popen, timeout: float = 30) -> None:
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(f"writer did not start: {line!r} {proc.stderr.read()}")


def acked_ids(stdout_text: str) -> list[str]:
    """Complete id lines only (a line is one write() to the pipe, so a kill cannot split it)."""
    return [l for l in stdout_text.split("\n")[:-1] if len(l) == 32] if stdout_text else []


# -- reading back --------------------------------------------------------------------------------
def read_everything(journal: Path):
    """(events, problems) over every folder of the journal, with a fresh JournalReader."""
    from paratui.store.journal_reader import JournalReader

    reader = JournalReader(journal)
    events, problems, _ = reader.read(reader.all_dirs())
    return events, problems


def journal_files(journal: Path) -> list[Path]:
    from paratui.store.journal import is_journal_file

    return sorted(p for p in journal.rglob("*") if p.is_file() and is_journal_file(p.name))


def assert_all_parse(journal: Path) -> None:
    for p in journal_files(journal):
        data = json.loads(p.read_bytes())
        assert isinstance(data.get("_default"), dict), p


# -- mounts (tests run as root in CI containers; skip or fall back when not permitted) -----------
def _run(*argv: str) -> bool:
    return subprocess.run(argv, capture_output=True).returncode == 0


@contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[bool]:
    """A small tmpfs at `mountpoint`; yields False when mounting is not possible here."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    ok = os.geteuid() == 0 and _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                                    str(mountpoint))
    try:
        yield ok
    finally:
        if ok:
            _run("umount", "-l", str(mountpoint))


@contextmanager
def read_only(folder: Path) -> Iterator[bool]:
    """Bind-mount `folder` read-only over itself (root cannot write there either); yields False
    when bind mounts are not possible here."""
    ok = os.geteuid() == 0 and _run("mount", "--bind", str(folder), str(folder))
    if ok and not _run("mount", "-o", "remount,ro,bind", str(folder)):
        _run("umount", str(folder))
        ok = False
    try:
        yield ok
    finally:
        if ok:
            _run("umount", "-l", str(folder))


# -- the board -----------------------------------------------------------------------------------
def board_app(data: Path, **kwargs: Any) -> BoardApp:
    """The board as JT at NOW, keeping every notification it showed in `app.notes`:
    (title, message, severity)."""
    app = make_app(data, clock=lambda: NOW_DT, as_staff="JT", theme_folders=[paths.builtin_themes()], **kwargs)
    app.notes = []
    real_notify = app.notify

    def notify(message, *, title="", severity="information", **kw):
        app.notes.append((title, str(message), severity))
        return real_notify(message, title=title, severity=severity, **kw)

    app.notify = notify
    return app


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    """Bounded wait for an outcome (not a timing assertion)."""
    if not await wait_for(pilot, condition, timeout):
        raise AssertionError(f"gave up waiting for {what or condition}")


def warnings_text(app) -> str:
    return "\n".join(app.state.warnings) if app.state else ""


async def warnings_screen_text(app, pilot) -> str:
    """Open the warnings page (key w), return its Markdown source, close it again."""
    await pilot.press("w")
    await wait_until(pilot, lambda: app.screen.id == "warnings", 5, "the warnings page")
    text = app.screen.markdown
    await pilot.press("escape")
    await wait_until(pilot, lambda: app.screen.id != "warnings", 5, "the warnings page to close")
    return text


def student(app, sid: str):
    return next(s for s in app.state.students if s.id == sid)


def fill_disk(filler: Path) -> None:
    """Write zeros into `filler` until its filesystem is full (ENOSPC)."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)
