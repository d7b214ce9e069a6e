"""Conflict copies of the room's own files (paratui.store.conflicts), with real files: `paratui check`
names them as conflicts (a goal file's copy is not "not a student id", a binder page's copy is not a
page), `check --conflicts` prints each as a diff against the real file, and `--keep-copy` /
`--keep-original` keep one version, the other moved into conflicts-kept/, nothing deleted. The
journal's own conflict copies are still merged by id (tests/test_store.py) and never named here."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from paratui.cli import main
from paratui.store import paths
from paratui.store.conflicts import KEPT, find_conflicts, original_name
from paratui.store.folder import DataFolder

SYNC_CLASSROOM = "classroom.sync-conflict-20261123-101200-ABCDEFG.toml"
OTHER_SCHEDULE = "schedule (conflicted copy).toml"
GOALS = "students/S01.sync-conflict-20261123-101300-HIJKLMN.toml"
PAGE = "binder/monday (conflicted copy 2026-11-23).md"


@pytest.fixture
def room(room_dir: Path) -> Path:
    return room_dir


def _conflict(room: Path, original: str, copy: str, old: str, new: str) -> None:
    text = (room / original).read_text(encoding="utf-8")
    assert old in text
    (room / copy).write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_names_of_conflict_copies() -> None:
    assert original_name(SYNC_CLASSROOM) == ("classroom.toml", "ABCDEFG", "2026-11-23 10:12:00")
    assert original_name(OTHER_SCHEDULE) == ("schedule.toml", None, None)
    assert original_name("monday (conflicted copy 2026-11-23).md") == ("monday.md", None, "2026-11-23")
    assert original_name("monday (Ann's conflicted copy 2026-11-23).md") == ("monday.md", None, "2026-11-23")
    assert original_name("classroom.toml") is None and original_name("S01.toml") is None
    assert original_name("notes.sync-conflict-2026-ABC.toml") is None


def test_check_names_each_conflict_copy_as_a_conflict(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--data", str(room)]) == 0
    capsys.readouterr()
    _conflict(room, "classroom.toml", SYNC_CLASSROOM, 'room = "Room 12"', 'room = "Room 12B"')
    _conflict(room, "schedule.toml", OTHER_SCHEDULE, "[", "# edited elsewhere\n[")
    shutil.copy(room / "students/S01.toml", room / GOALS)
    shutil.copy(room / "binder/monday.md", room / PAGE)
    assert main(["check", "--data", str(room)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4, out
    for copy, original in ((SYNC_CLASSROOM, "classroom.toml"), (OTHER_SCHEDULE, "schedule.toml"),
                           (GOALS, "students/S01.toml"), (PAGE, "binder/monday.md")):
        line = next(x for x in out if x.startswith(f"{copy}: "))
        assert f"a conflict copy of {original}" in line and f"--keep-copy {copy}" in line
    assert any("a conflict copy of classroom.toml (device ABCDEFG, 2026-11-23 10:12:00)" in x for x in out)
    assert not any("not a student id" in x for x in out)


def test_the_board_names_them_too_and_shows_no_copy_as_a_page(room: Path) -> None:
    shutil.copy(room / "students/S01.toml", room / GOALS)
    shutil.copy(room / "binder/monday.md", room / PAGE)
    snap = DataFolder(room).load(date(2026, 11, 23))
    named = [w for w in snap.warnings if "a conflict copy of" in w]
    assert [w.split(":")[0] for w in named] == [PAGE, GOALS]
    assert not any("not a student id" in w for w in snap.warnings)
    assert "monday (conflicted copy 2026-11-23)" not in snap.binder and "monday" in snap.binder


def test_conflicts_prints_a_diff_of_each(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--conflicts", "--data", str(room)]) == 0
    assert "no conflict copies" in capsys.readouterr().out
    _conflict(room, "classroom.toml", SYNC_CLASSROOM, 'room = "Room 12"', 'room = "Room 12B\x1b[2J"')
    assert main(["check", "--conflicts", "--data", str(room)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == f"=== {SYNC_CLASSROOM}"
    assert "--- classroom.toml" in lines and f"+++ {SYNC_CLASSROOM}" in lines
    assert any(x.startswith('-room = "Room 12" ') for x in lines)
    assert any(x.startswith('+room = "Room 12B␛[2J" ') for x in lines)  # data, never a terminal command
    assert "\x1b" not in captured.out
    assert "1 conflict copy" in captured.err


def test_keep_the_copy_moves_the_old_version_aside(room: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARATUI_NOW", "2026-11-23T10:20")
    before = (room / "classroom.toml").read_bytes()
    _conflict(room, "classroom.toml", SYNC_CLASSROOM, 'room = "Room 12"', 'room = "Room 12B"')
    copy = (room / SYNC_CLASSROOM).read_bytes()
    assert main(["check", "--keep-copy", SYNC_CLASSROOM, "--data", str(room)]) == 0
    out = capsys.readouterr().out
    assert (room / "classroom.toml").read_bytes() == copy
    assert (room / KEPT / "20261123-102000" / "classroom.toml").read_bytes() == before  # nothing lost
    assert (room / KEPT / "20261123-102000" / SYNC_CLASSROOM).read_bytes() == copy
    assert not (room / SYNC_CLASSROOM).exists()
    assert f"moved aside: {SYNC_CLASSROOM} → {KEPT}/20261123-102000/{SYNC_CLASSROOM}" in out
    assert not [n for n in room.iterdir() if n.name.startswith(".classroom")]  # no temp file left
    assert main(["check", "--data", str(room)]) == 0  # resolved: clean again


def test_keep_the_original_by_any_path(room: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARATUI_NOW", "2026-11-23T10:20")
    shutil.copy(room / "binder/monday.md", room / PAGE)
    (room / PAGE).write_text("# Monday\nthe other machine's edit\n", encoding="utf-8")
    before = (room / "binder/monday.md").read_bytes()
    monkeypatch.chdir(room / "binder")
    assert main(["check", "--keep-original", "monday (conflicted copy 2026-11-23).md", "--data", str(room)]) == 0
    assert (room / "binder/monday.md").read_bytes() == before
    assert (room / KEPT / "20261123-102000" / PAGE).read_text() == "# Monday\nthe other machine's edit\n"
    assert find_conflicts(room) == []
    # the same second again: a second folder, never over the first
    shutil.copy(room / "students/S01.toml", room / GOALS)
    assert main(["check", "--keep-original", str(room / GOALS), "--data", str(room)]) == 0
    assert (room / KEPT / "20261123-102000-2" / GOALS).exists()
    capsys.readouterr()


def test_keep_refuses_what_is_not_a_conflict_or_not_toml(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--keep-copy", "classroom.toml", "--data", str(room)]) == 2
    assert "is not a conflict copy" in capsys.readouterr().err
    (room / SYNC_CLASSROOM).write_text('room = "Room 12\n', encoding="utf-8")  # broken TOML
    before = (room / "classroom.toml").read_bytes()
    assert main(["check", "--keep-copy", SYNC_CLASSROOM, "--data", str(room)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert (room / "classroom.toml").read_bytes() == before and (room / SYNC_CLASSROOM).exists()
    assert not (room / KEPT).exists()


def test_the_journals_conflict_copies_are_merged_not_named(room: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARATUI_NOW", "2026-11-23T10:15")
    assert main(["move", "E.M.", "--to", "bathroom", "--as", "JT", "--data", str(room)]) == 0
    [written] = [p for p in (room / "journal").rglob("*.json") if not p.name.startswith(".")]
    shutil.copy(written, written.with_name(written.stem + ".sync-conflict-20261123-101500-ABCDEFG.json"))
    capsys.readouterr()
    assert main(["check", "--data", str(room)]) == 0
    assert main(["check", "--conflicts", "--data", str(room)]) == 0
    capsys.readouterr()
    assert main(["history", "--format", "json", "--data", str(room)]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries if isinstance(entries, list) else entries["entries"]) == 1  # merged by id: once


# -- a real conflict, made by the real Syncthing pair ---------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("syncthing") and shutil.which("curl")) and not os.environ.get("CI"),
                    reason="needs syncthing and curl")
def test_a_conflict_made_by_syncthing_is_named_and_resolved_everywhere(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Both machines edit classroom.toml while apart; Syncthing leaves a sync-conflict copy on both;
    `check` names it, `--keep-copy` on one machine resolves it on both."""
    from tests.test_sync_health import _until

    socks = [socket.socket() for _ in range(4)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    gui1, gui2, sync1, sync2 = (s.getsockname()[1] for s in socks)
    for s in socks:
        s.close()
    root = tmp_path / "pair"
    env = {**os.environ, "ROOT": str(root), "GUI1": str(gui1), "GUI2": str(gui2), "SYNC1": str(sync1),
           "SYNC2": str(sync2)}
    pair = subprocess.run(["bash", str(Path(__file__).parents[1] / "tools" / "syncthing-pair.sh")], env=env,
                          capture_output=True, text=True, timeout=150)
    assert pair.returncode == 0, pair.stderr
    info = dict(kv.split("=", 1) for kv in pair.stdout.split() if "=" in kv)
    pids = [int(p) for p in (root / "pids").read_text().split()]
    a, b = root / "A", root / "B"

    def api(port: int, path: str) -> None:
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST",
                                     headers={"X-API-Key": info["APIKEY"]})
        urllib.request.urlopen(req, timeout=10).read()

    try:
        shutil.copytree(paths.demo_data(), a, dirs_exist_ok=True, ignore=shutil.ignore_patterns("journal"))
        _until(lambda: (b / "classroom.toml").exists()
               and (b / "classroom.toml").read_bytes() == (a / "classroom.toml").read_bytes(), "the first sync", 120)
        api(gui1, f"/rest/system/pause?device={info['ID2']}")
        api(gui2, f"/rest/system/pause?device={info['ID1']}")
        for side, name in ((a, "Room 12A"), (b, "Room 12B")):
            text = (side / "classroom.toml").read_text(encoding="utf-8")
            (side / "classroom.toml").write_text(text.replace('room = "Room 12"', f'room = "{name}"', 1),
                                                 encoding="utf-8")
            time.sleep(1.1)  # two edits a second apart: the older one loses
        api(gui1, "/rest/db/scan?folder=room")
        api(gui2, "/rest/db/scan?folder=room")
        api(gui1, f"/rest/system/resume?device={info['ID2']}")
        api(gui2, f"/rest/system/resume?device={info['ID1']}")
        _until(lambda: find_conflicts(a) and find_conflicts(b), "a sync-conflict copy on both machines", 120)
        [conflict] = find_conflicts(a)
        assert conflict.original == "classroom.toml" and conflict.device is not None
        capsys.readouterr()
        assert main(["check", "--data", str(a)]) == 1
        assert capsys.readouterr().out.startswith(f"{conflict.copy}: a conflict copy of classroom.toml")
        assert main(["check", "--conflicts", "--data", str(a)]) == 1
        diff = capsys.readouterr().out
        assert '-room = "Room 12B"' in diff and '+room = "Room 12A"' in diff
        assert main(["check", "--keep-copy", conflict.copy, "--data", str(a)]) == 0
        _until(lambda: not find_conflicts(b) and b"Room 12A" in (b / "classroom.toml").read_bytes(),
               "the resolution to reach the other machine", 120)
        assert (b / KEPT).is_dir()  # both versions kept there too
        assert main(["check", "--data", str(b)]) == 0
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
