"""Conflict copies of the room's own files (paratui.store.conflicts), with real files: `paratui check`
names them as conflicts (a goal file's copy is not "not a student id", a binder page's copy is not a
page), `check --conflicts` prints each as a diff against the real file, and `--keep-copy` /
`--keep-original` keep one version, the other moved into conflicts-kept/, nothing deleted. The
journal's own conflict copies are still merged by id (tests/test_store.py) and never named here."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from paratui.cli import main
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
    assert any("(made by device ABCDEFG 2026-11-23 10:12:00)" in x for x in out)
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
