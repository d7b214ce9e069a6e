"""Helpers for the fault-tolerance suite (tests/test_fault_*.py).

Also a tiny writer program, run as a separate process by the concurrency and kill -9 tests:

    python tests/fault_helpers.py JOURNAL_DIR COUNT GO_FILE

It appends COUNT events (COUNT = 0: forever) through the store API (`JournalWriter.append`) as the
writer named by PARATUI_HOST / PARATUI_LOGIN and prints each event id on its own line, flushed, only
after `append` returned: a printed id is an *acknowledged* event. It prints `ready` first and starts
writing once GO_FILE exists (so several writers start at the same moment).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

HERE = Path(__file__).resolve().parent
NOW = "2026-11-23T10:15"  # a Monday, during a block of the demo schedule
NOW_DT = datetime.fromisoformat(NOW)
DAY = NOW_DT.date()


# -- data folders and processes ------------------------------------------------------------------
def demo_copy(target: Path) -> Path:
    """A fresh copy of the demo room (never write into the checkout's data/)."""
    from paratui.store import paths

    shutil.copytree(paths.demo_data(), target, ignore=shutil.ignore_patterns("journal", "recurring.toml"))
    (target / "journal").mkdir(exist_ok=True)
    return target


def env_for(host: str = "testhost", login: str = "tester", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARATUI_")}
    env.update(PARATUI_NOW=NOW, PARATUI_HOST=host, PARATUI_LOGIN=login, **extra)
    return env


def cli(data: Path, *args: str, host: str = "testhost", login: str = "tester",
        timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m paratui ARGS --data DATA` in its own process."""
    return subprocess.run([sys.executable, "-m", "paratui", *args, "--data", str(data)],
                          capture_output=True, text=True, env=env_for(host, login), timeout=timeout)


def spawn_writer(journal: Path, count: int, go: Path, host: str, login: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HERE / "fault_helpers.py"), str(journal), str(count), str(go)],
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
def board_app(data: Path, **kwargs):
    from paratui.app.board_app import BoardApp
    from paratui.store import paths
    from paratui.store.room import Room

    app = BoardApp(Room(data, clock=lambda: NOW_DT), as_staff="JT",
                   theme_folders=[paths.builtin_themes()], **kwargs)
    app.notes = []  # every notification the board showed: (title, message, severity)
    real_notify = app.notify

    def notify(message, *, title="", severity="information", **kw):
        app.notes.append((title, str(message), severity))
        return real_notify(message, title=title, severity=severity, **kw)

    app.notify = notify
    return app


async def wait_until(pilot, condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    """Bounded wait for an outcome (not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what or condition}")
        await pilot.pause(0.05)


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


# -- the writer program --------------------------------------------------------------------------
def _writer_main(journal: str, count: str, go: str) -> None:
    from paratui.store import identity
    from paratui.store.journal import JournalWriter, new_event

    writer = JournalWriter(Path(journal), identity.writer_name())
    login, host = identity.login(), identity.host()
    kinds = [("move", {"student": "S01", "to": "bathroom", "with": ["JT"]}),
             ("back", {"student": "S01"}),
             ("task.add", {"text": "copies", "for": None, "due": None})]
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    while not os.path.exists(go):
        time.sleep(0.001)
    n, limit = 0, int(count)
    while limit == 0 or n < limit:
        type_, payload = kinds[n % len(kinds)]
        event = new_event(type_, "JT", payload, NOW_DT, login, host)
        writer.append(event)
        os.write(out.fileno(), (event.id + "\n").encode())  # one write(): a kill never splits a line
        n += 1


if __name__ == "__main__":
    _writer_main(*sys.argv[1:4])


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
