"""The data folder on disk: atomic writes, merging writers' files, and surviving bad files."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from paratui.model.events import Event
from paratui.store import identity
from paratui.store.atomic import atomic_write
from paratui.store.folder import DataFolder, FolderError, locate
from paratui.store.journal import JournalWriter, is_journal_file, new_event
from paratui.store.journal_reader import JournalReader
from paratui.store.room import Room

TODAY = date(2026, 11, 23)
WHEN = datetime(2026, 11, 23, 10, 15)


def move(student="S01", to="bathroom", staff="JT") -> Event:
    return new_event("move", staff, {"student": student, "to": to, "with": [staff]}, WHEN, "me", "host")


def test_atomic_write_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "f.json"
    atomic_write(target, b"old")
    atomic_write(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_writer_files_are_per_writer_per_day_and_tinydb_shaped(room_dir):
    journal = room_dir / "journal"
    a, b = JournalWriter(journal, "ws--ann"), JournalWriter(journal, "laptop--bob")
    e1, e2 = move("S01"), move("S02")
    p1, p2 = a.append(e1), b.append(e2)
    assert p1 == journal / "2026-11-23" / "ws--ann.json" and p2.name == "laptop--bob.json"
    doc = json.loads(p1.read_text())
    assert doc["_default"]["1"]["id"] == e1.id  # a TinyDB file anyone can open with TinyDB
    task = new_event("task.add", "MR", {"text": "Copies", "for": None, "due": None}, WHEN, "me", "host")
    assert a.append(task) == journal / "tasks" / "2026-11" / "ws--ann.json"
    events, problems, _ = JournalReader(journal).read(JournalReader(journal).board_dirs(TODAY))
    assert {e.id for e in events} == {e1.id, e2.id, task.id} and problems == []


def test_sync_conflict_copies_merge_and_temp_swap_files_are_ignored(room_dir):
    journal = room_dir / "journal"
    path = JournalWriter(journal, "ws--ann").append(move("S01"))
    day = path.parent
    shutil.copy(path, day / "ws--ann.sync-conflict-20261123-101500-ABCDEFG.json")  # same events again
    extra = move("S02")
    conflict = json.loads(path.read_text())
    conflict["_default"]["2"] = extra.to_doc()
    (day / "ws--ann (conflicted copy 2026-11-23).json").write_text(json.dumps(conflict))
    for junk in ("4913", "ws--ann.json~", ".ws--ann.json.swp", ".goutputstream-XYZ12",
                 ".syncthing.ws--ann.json.tmp", ".ws--ann.json.abc.tmp"):
        (day / junk).write_text("{garbage")
    reader = JournalReader(journal)
    events, problems, _ = reader.read([day])
    assert sorted(e.payload["student"] for e in {e.id: e for e in events}.values()) == ["S01", "S02"]
    assert problems == []
    assert is_journal_file("x.sync-conflict-20261123-101500-ABCDEFG.json") and not is_journal_file("4913")


def test_corrupt_file_is_reported_and_its_last_good_events_kept(room_dir):
    journal = room_dir / "journal"
    path = JournalWriter(journal, "ws--ann").append(move("S01"))
    other = JournalWriter(journal, "ws--bob").append(move("S02"))
    reader = JournalReader(journal, room_dir)
    assert len(reader.read([path.parent])[0]) == 2
    path.write_text('{"_default": {"1": {"id": ')  # someone's editor, a bad copy…
    events, problems, changed = reader.read([path.parent])
    assert changed and len(events) == 2  # nothing lost from view
    assert len(problems) == 1 and "journal/2026-11-23/ws--ann.json:1:" in problems[0]
    assert "keeping its 1 earlier events" in problems[0]
    # a fresh reader (a board started now) still reads the good file and reports the bad one
    events, problems, _ = JournalReader(journal, room_dir).read([path.parent])
    assert [e.payload["student"] for e in events] == ["S02"] and "ws--ann.json" in problems[0]
    assert other.exists()


def test_writer_never_writes_over_a_file_it_cannot_parse(room_dir):
    journal = room_dir / "journal"
    writer = JournalWriter(journal, "ws--ann")
    path = writer.append(move("S01"))
    path.write_text("not json at all")
    second = writer.append(move("S02"))
    assert path.read_text() == "not json at all"  # left for a person to look at
    assert second.name == "ws--ann.1.json"
    assert json.loads(second.read_text())["_default"]["1"]["payload"]["student"] == "S02"


def test_only_changed_files_are_read_again(room_dir, monkeypatch):
    journal = room_dir / "journal"
    for name in ("a--1", "b--2", "c--3"):
        JournalWriter(journal, name).append(move())
    reader = JournalReader(journal)
    dirs = [journal / "2026-11-23"]
    reader.read(dirs)
    parsed = []
    original = reader._parse
    monkeypatch.setattr(reader, "_parse", lambda path, sig: parsed.append(path.name) or original(path, sig))
    _, _, changed = reader.read(dirs)
    assert parsed == [] and not changed
    JournalWriter(journal, "b--2").append(move("S03"))
    _, _, changed = reader.read(dirs)
    assert parsed == ["b--2.json"] and changed


def test_locate_finds_the_line_of_a_field():
    text = 'room = "R"\n\n[[staff]]\nid = "A"\nrole = "para"\n\n[[staff]]\nid = "B"\nrole = "boss"\n'
    assert locate(text, "staff[1].role") == 9
    assert locate(text, "staff[0].id") == 4
    assert locate(text, "room") == 1


def test_broken_toml_keeps_the_last_good_version_and_says_where(room_dir):
    folder = DataFolder(room_dir)
    good = folder.load(TODAY)
    classroom = room_dir / "classroom.toml"
    text = classroom.read_text()
    classroom.write_text(text.replace('role = "para"', 'role = "parra"', 1))
    snap = folder.load(TODAY)
    assert snap.classroom == good.classroom
    [warning] = [w for w in snap.warnings if "classroom.toml" in w]
    line = text.splitlines().index('role = "para"') + 1
    assert warning.startswith(f"classroom.toml:{line}: staff[1].role: 'parra' is not one of")
    assert "last good version" in warning
    classroom.write_text(text + "\n[[staff]\n")  # a syntax error
    snap = folder.load(TODAY)
    assert any(w.startswith("classroom.toml:") and "line" not in w.split(":", 2)[2][:5] for w in snap.warnings)
    classroom.write_text("")  # VS Code truncates before it writes
    assert any("classroom.toml: empty" in w for w in folder.load(TODAY).warnings)
    classroom.write_text(text)
    assert folder.load(TODAY).warnings == []


def test_a_folder_that_was_never_good_is_an_error(tmp_path):
    with pytest.raises(FolderError, match="paratui init"):
        DataFolder(tmp_path).load(TODAY)


def test_removed_folder_keeps_the_last_board(room_dir, tmp_path):
    room = Room(room_dir)
    room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
    assert any(s.out for s in room.board().students if s.id == "S01")
    moved = tmp_path / "elsewhere"
    os.rename(room_dir, moved)
    state = room.board()
    assert any("data folder is missing" in w for w in state.warnings)
    assert next(s for s in state.students if s.id == "S01").location == "bathroom"
    os.rename(moved, room_dir)
    assert room.board().warnings == ()


def test_room_undo_retracts_my_last_and_tasks_go_to_the_task_stream(room_dir):
    room = Room(room_dir)
    first = room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
    room.record("move", "AL", {"student": "S02", "to": "nurse", "with": ["AL"]})
    task = room.record("task.add", "JT", {"text": "Copies", "for": None, "due": None})
    retract, undone = room.undo("JT")
    assert undone.id == task.id
    assert (room_dir / "journal" / "tasks" / "2026-11" / "testhost--tester.json").exists()
    assert room.undo("JT")[1].id == first.id
    state = room.board()
    assert not state.tasks
    assert [s.id for s in state.students if s.out and s.location != "gened-3"] == ["S02"]
    assert room.undo("JT") is None


def test_every_event_records_who_which_login_and_host(room_dir):
    event = Room(room_dir).record("back", "JT", {"student": "S01"})
    stored = json.loads(next(Path(room_dir, "journal", "2026-11-23").glob("*.json")).read_text())
    doc = stored["_default"]["1"]
    assert (doc["id"], doc["staff"], doc["login"], doc["host"], doc["time"][:19]) == (
        event.id, "JT", identity.login(), identity.host(), "2026-11-23T10:15:00")  # OS login and host, not PARATUI_*
    assert datetime.fromisoformat(doc["time"]).utcoffset() is not None  # the writer's UTC offset


def test_watcher_polls_on_a_network_share_and_sees_changes(room_dir, tmp_path):
    """inotify cannot see another machine's writes on NFS/SMB: there the watcher polls by itself."""
    import threading

    from paratui.store.watcher import FolderWatcher, filesystem_type

    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/vda / ext4 rw 0 0\nserver:/rooms {room_dir} nfs4 rw 0 0\n")
    assert filesystem_type(room_dir / "journal", mounts) == "nfs4"
    changed = threading.Event()
    watcher = FolderWatcher(room_dir, changed.set, mounts_file=mounts)
    watcher.start()
    try:
        assert watcher.mode.startswith("polling") and "nfs4" in watcher.reason
        Room(room_dir).record("back", "JT", {"student": "S01"})
        assert changed.wait(10), "the polling watcher never noticed the write"
    finally:
        watcher.stop()
    local = FolderWatcher(room_dir, lambda: None, mounts_file=tmp_path / "none")
    local.start()
    try:
        assert local.mode == "inotify"
    finally:
        local.stop()
