"""The board stays up and says what is wrong: each fault of the suite, seen through the Textual
Pilot while the board is running and watching the folder.

For every damaged file: wait (bounded) until `app.state.warnings` names the file, check the board
still shows the last good data, and that the warnings page (key `w`) lists it. For failing writes
(read-only folder, full disk): the board shows 'NOT recorded', keeps running, and records again once
the disk works. Also: the folder removed and restored, and polling mode picking up another
process's CLI write.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import paratui.app.board_app as board_app_module
from paratui.store.journal import new_event
from tests import fault_helpers as fh
from tests.helpers import NOW, NOW_DT, demo_copy

DAYDIR = "journal/2026-11-23"
SIZE = (120, 40)


@pytest.fixture
def board_room(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PARATUI_NOW", NOW)
    monkeypatch.setenv("PARATUI_HOST", "wall")
    monkeypatch.setenv("PARATUI_LOGIN", "jthomas")
    root = demo_copy(tmp_path / "room")
    # something in the journal from another machine, so "the last good data" is not just the schedule
    event = new_event("move", "AL", {"student": "S04", "to": "nurse", "with": ["AL"]}, NOW_DT, "alopez", "ws2")
    day = root / DAYDIR
    day.mkdir(parents=True)
    (day / "ws2--alopez.json").write_text(json.dumps({"_default": {"1": event.to_doc()}}))
    return root


def _out(app) -> dict[str, str]:
    """Students out of the room → where (at 10:15 on Monday S01 is in a gen-ed class)."""
    return {s.id: s.location for s in app.state.students if s.out}


BASE = {"S01": "gened-3", "S04": "nurse"}


async def _move_s01_to_bathroom(pilot) -> None:
    """m, 1 (the first student, S01), b (bathroom): the board's own write path."""
    await pilot.press("m")
    await pilot.pause()
    await pilot.press("1")
    await pilot.pause()
    await pilot.press("b")
    await pilot.pause()


async def _expect_named(app, pilot, name: str, *also: str) -> None:
    await fh.wait_until(pilot, lambda: name in fh.warnings_text(app), what=f"a warning naming {name}")
    for bit in also:
        assert bit in fh.warnings_text(app)
    page = await fh.warnings_screen_text(app, pilot)
    assert name in page
    assert app.is_running


# -- damaged files -------------------------------------------------------------------------------
JOURNAL_DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "garbage": lambda raw: b"\x00\xff garbage",
}


@pytest.mark.parametrize("kind", sorted(JOURNAL_DAMAGE))
async def test_board_damaged_journal_file(board_room, kind):
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        assert _out(app) == BASE
        before = app.state
        victim = board_room / DAYDIR / "ws2--alopez.json"
        victim.write_bytes(JOURNAL_DAMAGE[kind](victim.read_bytes()))
        await _expect_named(app, pilot, "ws2--alopez.json")
        assert _out(app) == BASE  # its last good events are kept
        assert app.state.staff == before.staff
        # the board still records (in its own file) and shows it
        await _move_s01_to_bathroom(pilot)
        await fh.wait_until(pilot, lambda: _out(app) == {**BASE, "S01": "bathroom"}, what="S01 out")
        assert any(t.startswith("Recorded") for t, _, _ in app.notes)


TOML_DAMAGE = {
    "classroom-syntax": ("classroom.toml", ('room = "Room 12"', 'room = "Room 12'), ()),
    "classroom-unknown-role": ("classroom.toml", ('role = "para"', 'role = "aide"'), ("staff[1].role", "'aide'")),
    "schedule-syntax": ("schedule.toml", ('time = "08:00-08:30"', "time = 08:00-08:30"), ()),
    "schedule-unknown-place": ("schedule.toml", ('at = "room"', 'at = "moon"'), ("monday[0].at", "not a location id")),
}


@pytest.mark.parametrize("case", sorted(TOML_DAMAGE))
async def test_board_broken_toml(board_room, case):
    name, (old, new), bits = TOML_DAMAGE[case]
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        before = app.state
        path = board_room / name
        good = path.read_text()
        bad = good.replace(old, new, 1)
        path.write_text(bad)
        line = next(i for i, l in enumerate(bad.splitlines(), 1) if new in l)
        await _expect_named(app, pilot, f"{name}:{line}:", "last good", *bits)
        assert (app.state.room, app.state.staff, app.state.students) == (before.room, before.staff, before.students)
        path.write_text(good)
        await fh.wait_until(pilot, lambda: name not in fh.warnings_text(app), what="the warning to clear")


async def test_board_vscode_truncate_then_write(board_room):
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        before = app.state
        path = board_room / "classroom.toml"
        good = path.read_text()
        with open(path, "r+b") as f:  # truncate … (the editor has not written yet)
            f.truncate(0)
        await _expect_named(app, pilot, "classroom.toml: empty")
        assert app.state.students == before.students and app.state.room == "Room 12"
        with open(path, "wb") as f:  # … then write the new content into the same inode
            f.write(good.replace('room = "Room 12"', 'room = "Room 12B"').encode())
        await fh.wait_until(pilot, lambda: app.state.room == "Room 12B", what="the new room name")
        assert app.state.warnings == ()


async def test_board_binder_page_mid_save(board_room):
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        monday = app.snapshot.binder["monday"]
        (board_room / "binder" / "monday.md").write_text("")
        await _expect_named(app, pilot, "binder/monday.md")
        assert app.snapshot.binder["monday"] == monday
        (board_room / "binder" / "monday.md").write_text("# Monday\n\nthe new plan\n")
        await fh.wait_until(pilot, lambda: "the new plan" in app.snapshot.binder["monday"], what="new page")
        assert app.state.warnings == ()


async def test_board_editor_and_sync_files(board_room):
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        day = board_room / DAYDIR
        stray = new_event("move", "AL", {"student": "S07", "to": "office", "with": []}, NOW_DT, "x", "y")
        junk = json.dumps({"_default": {"1": stray.to_doc()}}).encode()
        for folder in (board_room, board_room / "binder", day):
            (folder / "4913").write_bytes(b"")
            (folder / ".goutputstream-AB12CD").write_bytes(junk[:20])
        (board_room / "schedule.toml~").write_text("[[broken")
        (day / ".syncthing.ws3--mrivera.json.tmp").write_bytes(junk)
        (day / "ws2--alopez.json~").write_bytes(junk[:10])
        # a Syncthing conflict copy: one event also in the real file, one only in the copy
        s06 = new_event("move", "AL", {"student": "S06", "to": "office", "with": ["AL"]}, NOW_DT, "alopez", "ws2")
        original = json.loads((day / "ws2--alopez.json").read_text())["_default"]["1"]
        (day / "ws2--alopez.sync-conflict-20261123-101500-ABCDEFG.json").write_text(
            json.dumps({"_default": {"1": original, "2": s06.to_doc()}}))
        await fh.wait_until(pilot, lambda: "S06" in _out(app), what="the conflict copy merged")
        assert _out(app) == {**BASE, "S06": "office"}  # not S07 (temp files are skipped)
        assert app.state.warnings == ()
        assert app.is_running


async def test_board_folder_removed_and_restored(board_room, tmp_path):
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        before = app.state
        aside = tmp_path / "aside"
        shutil.move(board_room, aside)
        await _expect_named(app, pilot, "data folder is missing")
        assert app.state.students == before.students
        shutil.copytree(aside, board_room)  # restored from a backup: new inodes
        await fh.wait_until(pilot, lambda: app.state.warnings == (), what="the warning to clear")
        # the board watches the restored folder: another process's write shows up
        r = fh.cli(board_room, "move", "S02", "--to", "nurse", "--as", "MR", host="ws3", login="mrivera")
        assert r.returncode == 0, r.stderr
        await fh.wait_until(pilot, lambda: "S02" in _out(app), what="the CLI write")
        assert app.watcher is not None and app.watcher.healthy()


# -- failing writes ------------------------------------------------------------------------------
async def test_board_read_only_folder(board_room):
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        with fh.read_only(board_room) as ok:
            if not ok:
                pytest.skip("read-only bind mounts are not permitted here")
            await _move_s01_to_bathroom(pilot)
            await fh.wait_until(pilot, lambda: any(t == "NOT recorded" for t, _, _ in app.notes),
                                what="NOT recorded")
            assert _out(app) == BASE and app.is_running
            error = next(m for t, m, s in app.notes if t == "NOT recorded")
            assert "Read-only file system" in error
            app.notes.clear()
        await _move_s01_to_bathroom(pilot)  # writable again
        await fh.wait_until(pilot, lambda: _out(app).get("S01") == "bathroom", what="S01 out")
        assert not any(t == "NOT recorded" for t, _, _ in app.notes)


async def test_board_full_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("PARATUI_HOST", "wall")
    monkeypatch.setenv("PARATUI_LOGIN", "jthomas")
    mnt = tmp_path / "small"
    with fh.tmpfs(mnt, "256k") as ok:
        if not ok:
            pytest.skip("mounting a tmpfs is not permitted here")
        root = demo_copy(mnt / "room")
        app = fh.board_app(root)
        async with app.run_test(size=SIZE) as pilot:
            filler = mnt / "filler"
            fh.fill_disk(filler)
            await _move_s01_to_bathroom(pilot)
            await fh.wait_until(pilot, lambda: any(t == "NOT recorded" for t, _, _ in app.notes),
                                what="NOT recorded")
            assert "No space left" in next(m for t, m, s in app.notes if t == "NOT recorded")
            assert _out(app).get("S01") == "gened-3" and app.is_running
            filler.unlink()
            await _move_s01_to_bathroom(pilot)
            await fh.wait_until(pilot, lambda: _out(app).get("S01") == "bathroom", what="S01 out")


async def test_board_write_beside_non_journal_json(board_room):
    (board_room / DAYDIR / "wall--jthomas.json").write_text('{"_default": []}')
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        await _move_s01_to_bathroom(pilot)
        await fh.wait_until(pilot, lambda: not app.is_running or any(
            t in ("NOT recorded", "Recorded (Mr. T)") for t, _, _ in app.notes), what="an answer")
        assert app.is_running
        await fh.wait_until(pilot, lambda: _out(app).get("S01") == "bathroom", what="S01 out")
        assert (board_room / DAYDIR / "wall--jthomas.json").read_text() == '{"_default": []}'
        assert "wall--jthomas.json" in fh.warnings_text(app)


# -- polling -------------------------------------------------------------------------------------
async def test_board_polling_sees_another_process(board_room, monkeypatch):
    # no safety-net rescan: only the polling observer can bring the change in
    monkeypatch.setattr(board_app_module, "RESCAN_S", 3600.0)
    app = fh.board_app(board_room, poll=0.2)
    async with app.run_test(size=SIZE) as pilot:
        # the watcher starts right after the first paint
        await fh.wait_until(pilot, lambda: app.watcher is not None, what="the watcher")
        assert app.watcher.mode.startswith("polling")
        r = fh.cli(board_room, "move", "S03", "--to", "office", "--as", "MR", host="ws3", login="mrivera")
        assert r.returncode == 0, r.stderr
        await fh.wait_until(pilot, lambda: "S03" in _out(app), what="the other process's write")
        r = fh.cli(board_room, "task", "add", "call home", "--as", "MR", host="ws3", login="mrivera")
        assert r.returncode == 0, r.stderr
        await fh.wait_until(pilot, lambda: any(t.text == "call home" for t in app.state.tasks), what="the task")


async def test_board_write_while_folder_missing(board_room, tmp_path):
    app = fh.board_app(board_room)
    async with app.run_test(size=SIZE) as pilot:
        shutil.move(board_room, tmp_path / "aside")
        await _expect_named(app, pilot, "data folder is missing")
        await _move_s01_to_bathroom(pilot)
        await fh.wait_until(pilot, lambda: any(t == "NOT recorded" or t.startswith("Recorded")
                                               for t, _, _ in app.notes), what="an answer")
        ghost = board_room.exists()
        assert any(t == "NOT recorded" for t, _, _ in app.notes), app.notes
        assert not ghost
