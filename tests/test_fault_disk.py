"""The disk says no: a read-only data folder, a full disk, the data folder removed and restored.

Real where possible: the tests run as root (chmod does not stop root), so "read-only" is a
read-only bind mount of the folder over itself and "full" is a tiny tmpfs. Where mounting is not
permitted the real-mount tests skip and the fallbacks below still run (a file where the day folder
should be; os.replace raising EROFS / ENOSPC in-process).

Each time: the write fails loudly (JournalWriteError; CLI exit 1 with 'NOT recorded'), nothing
acknowledged is lost, the existing file is intact, and the next write works once the disk does.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from paratui.store import atomic
from paratui.store.journal import JournalWriteError
from paratui.store.room import Room
from tests import fault_helpers as fh
from tests.helpers import NOW_DT, demo_copy

DAYDIR = "journal/2026-11-23"
MOVE = {"student": "S01", "to": "bathroom", "with": ["JT"]}



def _room(root: Path) -> Room:
    return Room(root, clock=lambda: NOW_DT)


def _cli_move(root: Path, sid: str = "S02"):
    return fh.cli(root, "move", sid, "--to", "nurse", "--as", "JT", host="ws", login="jthomas")


def _ids(root: Path) -> set[str]:
    events, problems = fh.read_everything(root / "journal")
    assert problems == []
    return {e.id for e in events}


def _assert_failed_loudly(result) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "NOT recorded" in result.stderr
    assert "Traceback" not in result.stderr
    assert "recorded:" not in result.stdout


# -- read-only -----------------------------------------------------------------------------------
def test_read_only_folder_real_mount(fault_room):
    room = _room(fault_room)
    acked = {room.record("move", "JT", MOVE).id, room.record("task.add", "JT", {"text": "x"}).id}
    own = fault_room / DAYDIR / "ws--jthomas.json"
    before = own.read_bytes()
    with fh.read_only(fault_room) as ok:
        if not ok:
            pytest.skip("read-only bind mounts are not permitted here (see the fallbacks below)")
        with pytest.raises(OSError):
            (fault_room / "probe").write_text("x")  # really read-only, even for root
        with pytest.raises(JournalWriteError):
            room.record("back", "JT", {"student": "S01"})
        with pytest.raises(JournalWriteError):
            room.record("task.add", "JT", {"text": "y"})
        _assert_failed_loudly(_cli_move(fault_room))
        # a brand-new day folder cannot be made either
        r = fh.cli(fault_room, "move", "S03", "--to", "nurse", "--as", "JT", host="newhost", login="x")
        _assert_failed_loudly(r)
        # reading still works, with everything acknowledged
        assert _ids(fault_room) == acked
        board = fh.cli(fault_room, "board", "--json")
        assert board.returncode == 0, board.stderr
    assert own.read_bytes() == before
    assert _ids(fault_room) == acked
    # writable again: the next write works
    assert _cli_move(fault_room).returncode == 0
    assert len(_ids(fault_room)) == 3


def test_read_only_fallback_file_where_the_day_folder_should_be(fault_room):
    (fault_room / "journal" / "2026-11-23").write_text("not a folder")
    with pytest.raises(JournalWriteError):
        _room(fault_room).record("move", "JT", MOVE)
    _assert_failed_loudly(_cli_move(fault_room))
    assert (fault_room / "journal" / "2026-11-23").read_text() == "not a folder"


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EIO])
def test_replace_failing_fallback(fault_room, monkeypatch, code):
    room = _room(fault_room)
    acked = room.record("move", "JT", MOVE).id
    own = fault_room / DAYDIR / "ws--jthomas.json"
    before = own.read_bytes()

    def refuse(src, dst):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(JournalWriteError) as info:
        room.record("back", "JT", {"student": "S01"})
    assert os.strerror(code) in str(info.value)
    monkeypatch.undo()
    assert own.read_bytes() == before
    assert not [p for p in own.parent.iterdir() if p.name.endswith(".tmp")]  # temp file cleaned up
    assert _ids(fault_room) == {acked}


# -- full disk -----------------------------------------------------------------------------------
def test_full_disk_real_tmpfs(tmp_path, monkeypatch):
    monkeypatch.setenv("PARATUI_HOST", "ws")
    monkeypatch.setenv("PARATUI_LOGIN", "jthomas")
    mnt = tmp_path / "small"
    with fh.tmpfs(mnt, "512k") as ok:
        if not ok:
            pytest.skip("mounting a tmpfs is not permitted here (see test_replace_failing_fallback)")
        root = demo_copy(mnt / "room")
        room = Room(root, clock=lambda: NOW_DT)
        acked = [room.record("move", "JT", MOVE).id for _ in range(20)]
        own = root / DAYDIR / "ws--jthomas.json"
        # fill the disk
        filler = mnt / "filler"
        fh.fill_disk(filler)
        before = own.read_bytes()
        failures = 0
        for _ in range(3):
            try:
                acked.append(room.record("back", "JT", {"student": "S01"}).id)
            except JournalWriteError as e:
                failures += 1
                assert "No space left" in str(e)
        assert failures == 3
        r = fh.cli(root, "move", "S02", "--to", "nurse", "--as", "JT", host="ws", login="jthomas")
        _assert_failed_loudly(r)
        assert "No space left" in r.stderr
        # the existing file is intact and nothing acknowledged is lost
        assert own.read_bytes() == before
        assert json.loads(before)["_default"]
        assert _ids(root) == set(acked)
        assert not [p for p in own.parent.iterdir() if p.name.endswith(".tmp")]
        # the board still reads
        board = fh.cli(root, "board", "--json")
        assert board.returncode == 0, board.stderr
        # space again: the next write works
        filler.unlink()
        assert _cli_move(root).returncode == 0
        assert len(_ids(root)) == len(acked) + 1


# -- the data folder removed and restored -------------------------------------------------------
def test_folder_removed_and_restored(fault_room, tmp_path):
    room = _room(fault_room)
    acked = room.record("move", "JT", MOVE).id
    before = room.board()
    aside = tmp_path / "aside"
    shutil.move(fault_room, aside)
    mid = room.board()
    assert any("data folder is missing" in w for w in mid.warnings)
    assert mid.students == before.students and mid.staff == before.staff
    r = _cli_move(fault_room)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "recorded:" not in r.stdout
    assert not fault_room.exists()
    # restored (as a copy: new inodes everywhere, like a restore from backup)
    shutil.copytree(aside, fault_room)
    after = room.board()
    assert after.warnings == () and after.students == before.students
    assert _cli_move(fault_room).returncode == 0
    assert acked in _ids(fault_room) and len(_ids(fault_room)) == 2


def test_write_while_folder_missing_fails_loudly(fault_room, tmp_path):
    room = _room(fault_room)
    room.record("move", "JT", MOVE)
    room.board()
    shutil.move(fault_room, tmp_path / "aside")
    try:
        with pytest.raises(JournalWriteError):
            room.record("back", "JT", {"student": "S01"})
    finally:
        ghost = fault_room.exists()
    assert not ghost, "the write re-created the missing data folder"
