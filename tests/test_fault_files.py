"""Damaged and odd files in the data folder, at the store and CLI level (the board's view of the
same faults is in test_fault_board.py).

Covers: corrupt / truncated / empty / garbage / non-UTF-8 journal files (reported with the file's
name, other files still read, the last good events kept, the writer never writes over a file it
cannot parse); broken classroom.toml and schedule.toml (syntax and semantic errors: the warning
names file, line and field; the last good version stays in use); binder pages emptied mid-save;
editor temp/swap/backup files (vim `4913` and `~`, `.swp`, gedit `.goutputstream-*`, VS Code's
truncate-then-write); Syncthing `.syncthing.*.tmp` (skipped) and `.sync-conflict-*` copies (merged,
no duplicates).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paratui.model.events import live_events
from paratui.store.folder import DataFolder
from paratui.store.journal import JournalWriter, new_event
from paratui.store.journal_reader import JournalReader
from paratui.store.room import Room
from tests import fault_helpers as fh
from tests.helpers import DAY, NOW_DT

DAYDIR = "journal/2026-11-23"



def _move(sid: str, to: str = "bathroom"):
    return new_event("move", "JT", {"student": sid, "to": to, "with": ["JT"]}, NOW_DT, "jthomas", "ws")


def _write_journal(path: Path, events) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"_default": {str(i): e.to_doc() for i, e in enumerate(events, 1)}}))


def _room(fault_room) -> Room:
    return Room(fault_room, clock=lambda: NOW_DT)


# -- journal files -------------------------------------------------------------------------------
GARBAGE = {
    "truncated": None,  # filled in from a real file below
    "empty": b"",
    "whitespace": b"  \n",
    "binary": bytes(range(256)) * 4,
    "not-utf8": b'{"_default": {"1": {"id": "\xff\xfe"}}}',
    "not-json": b"hello, this is not json",
    "json-list": b"[]",
    "no-default-table": b'{"other": {}}',
    "default-not-object": b'{"_default": []}',
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_damaged_journal_file_is_reported_and_the_others_still_read(fault_room, kind):
    day = fault_room / DAYDIR
    good = [_move("S01"), _move("S02", "nurse")]
    _write_journal(day / "other--alopez.json", good)
    victim = day / "ws2--mrivera.json"
    victims_events = [_move("S03", "office")]
    _write_journal(victim, victims_events)

    room = _room(fault_room)
    snap = room.snapshot()  # the reader has now seen the victim's good version
    assert {e.id for e in snap.events} == {e.id for e in good + victims_events}

    raw = victim.read_bytes()
    victim.write_bytes(raw[: len(raw) // 2] if kind == "truncated" else GARBAGE[kind])
    snap = room.snapshot()
    assert any("ws2--mrivera.json" in w for w in snap.warnings), snap.warnings
    ids = {e.id for e in snap.events}
    assert {e.id for e in good} <= ids
    # the last good events of the damaged file are kept (this reader saw them before)
    assert victims_events[0].id in ids

    # a fresh reader (a board started now) still gets every other file and names the bad one
    events, problems = fh.read_everything(fault_room / "journal")
    assert {e.id for e in good} <= {e.id for e in events}
    if kind not in ("empty", "whitespace"):
        assert any("ws2--mrivera.json" in p for p in problems), problems
    board = room.board(snap)
    assert {s.id for s in board.out_of_room} >= {"S01", "S02"}


def test_bad_document_inside_a_journal_file_names_the_document(fault_room):
    day = fault_room / DAYDIR
    ok = _move("S01")
    day.mkdir(parents=True)
    (day / "x--y.json").write_text(json.dumps({"_default": {
        "1": ok.to_doc(), "2": {"id": "abc", "type": "move", "time": "yesterday"},
        "3": {"id": "def", "type": "move", "time": "2026-11-23T10:00:00", "payload": {"to": "nurse"}}, "4": 7}}))
    events, problems = fh.read_everything(fault_room / "journal")
    assert [e.id for e in events] == [ok.id]
    text = "; ".join(problems)
    for doc in ("document 2", "document 3", "document 4"):
        assert doc in text
    assert "x--y.json" in text and "'time'" in text and "student" in text


@pytest.mark.parametrize("kind", ["truncated", "not-json", "binary", "not-utf8"])
def test_writer_never_writes_over_its_own_damaged_file(fault_room, kind):
    room = _room(fault_room)
    first = room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
    own = fault_room / DAYDIR / "ws--jthomas.json"
    raw = own.read_bytes()
    damaged = raw[:-7] if kind == "truncated" else GARBAGE[kind]
    own.write_bytes(damaged)
    second = room.record("back", "JT", {"student": "S01"})  # must not raise, must not erase
    assert own.read_bytes() == damaged
    events, problems = fh.read_everything(fault_room / "journal")
    assert second.id in {e.id for e in events}
    assert (fault_room / DAYDIR / "ws--jthomas.1.json").exists()
    assert any("ws--jthomas.json" in p for p in problems)
    del first


# (was a bug, fixed in 1d086e1: valid JSON of another shape crashed TinyDB.insert)
@pytest.mark.parametrize("content", [b"[]", b'{"_default": []}', b'"x"', b"5"])
def test_writer_survives_valid_json_that_is_not_a_journal(fault_room, content):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    own = day / "ws--jthomas.json"
    own.write_bytes(content)
    event = _room(fault_room).record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
    assert own.read_bytes() == content
    events, _ = fh.read_everything(fault_room / "journal")
    assert event.id in {e.id for e in events}


def test_cli_write_with_non_journal_json_file(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    (day / "ws--jthomas.json").write_text('{"_default": []}')
    r = fh.cli(fault_room, "move", "S01", "--to", "bathroom", "--as", "JT", host="ws", login="jthomas")
    assert "Traceback" not in r.stderr
    assert r.returncode == 0, r.stderr


def test_cli_board_and_write_work_beside_a_garbage_journal_file(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    (day / "someone--else.json").write_bytes(b"\x00garbage")
    r = fh.cli(fault_room, "move", "S01", "--to", "bathroom", "--as", "JT", host="ws", login="jthomas")
    assert r.returncode == 0, r.stderr
    r = fh.cli(fault_room, "board", "--json")
    assert r.returncode == 0, r.stderr
    state = json.loads(r.stdout)
    assert "someone--else.json" in json.dumps(state)  # the warning travels with the board
    assert (day / "someone--else.json").read_bytes() == b"\x00garbage"


# -- TOML ----------------------------------------------------------------------------------------
def _line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[nth]


TOML_CASES = {
    # name: (file, transform(text) -> text, expected bits of the warning besides file:line)
    "classroom-syntax": ("classroom.toml", lambda t: t.replace('short = "Mr. T"', 'short = "Mr. T', 1),
                         'short = "Mr. T', []),
    "classroom-unknown-role": ("classroom.toml", lambda t: t.replace('role = "para"', 'role = "aide"', 1),
                               'role = "aide"', ["staff[1].role", "'aide'"]),
    "schedule-syntax": ("schedule.toml", lambda t: t.replace('time = "08:00-08:30"', 'time = 08:00-08:30"', 1),
                        'time = 08:00-08:30"', []),
    "schedule-unknown-place": ("schedule.toml", lambda t: t.replace('at = "room"', 'at = "moon"', 1),
                               'at = "moon"', ["monday[0].at", "not a location id"]),
    "schedule-unknown-staff": ("schedule.toml", lambda t: t.replace('  MR = "all"', '  ZZ = "all"', 1),
                               'ZZ = "all"', ["monday[0].with", "staff id"]),
}


@pytest.mark.parametrize("case", sorted(TOML_CASES))
def test_broken_toml_names_file_line_field_and_keeps_last_good(fault_room, case):
    name, transform, marker, bits = TOML_CASES[case]
    room = _room(fault_room)
    room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
    before = room.board()
    assert before.warnings == ()
    path = fault_room / name
    good = path.read_text()
    bad = transform(good)
    assert bad != good
    path.write_text(bad)
    after = room.board()
    [warning] = [w for w in after.warnings if name in w]
    assert warning.startswith(f"{name}:{_line_of(bad, marker)}:"), warning
    for b in bits:
        assert b in warning
    assert "last good" in warning
    assert (after.staff, after.students) == (before.staff, before.students)  # the last good version
    # the CLI still reads the board (it has no last good version in a fresh process: it says so)
    r = fh.cli(fault_room, "board")
    assert name in r.stderr + r.stdout
    # fixed again: the warning goes, the board is as before
    path.write_text(good)
    assert room.board().warnings == ()


def test_vscode_truncate_then_write_of_toml(fault_room):
    room = _room(fault_room)
    before = room.board()
    path = fault_room / "classroom.toml"
    good = path.read_text()
    path.write_bytes(b"")  # VS Code: truncate …
    mid = room.board()
    assert any(w.startswith("classroom.toml: empty") and "last good" in w for w in mid.warnings), mid.warnings
    assert mid.students == before.students and mid.room == before.room
    path.write_text(good.replace('room = "Room 12"', 'room = "Room 12B"'))  # … then write
    after = room.board()
    assert after.warnings == () and after.room == "Room 12B"


def test_toml_missing_then_back(fault_room):
    room = _room(fault_room)
    before = room.board()
    path = fault_room / "schedule.toml"
    good = path.read_text()
    path.unlink()
    mid = room.board()
    assert any("schedule.toml: missing" in w for w in mid.warnings)
    assert mid.staff == before.staff
    path.write_text(good)
    assert room.board().warnings == ()


def test_binder_page_mid_save_keeps_the_page(fault_room):
    room = _room(fault_room)
    snap = room.snapshot()
    monday = snap.binder["monday"]
    assert monday.strip()
    (fault_room / "binder" / "monday.md").write_text("")
    snap = room.snapshot()
    assert snap.binder["monday"] == monday
    assert any("binder/monday.md" in w and "empty" in w for w in snap.warnings)
    (fault_room / "binder" / "monday.md").write_text("# Monday\n\nnew plan\n")
    snap = room.snapshot()
    assert "new plan" in snap.binder["monday"] and snap.warnings == []


# -- editors and sync tools ----------------------------------------------------------------------
def test_editor_and_sync_temp_files_are_ignored(fault_room):
    room = _room(fault_room)
    room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
    before = room.board()
    day = fault_room / DAYDIR
    own = day / "ws--jthomas.json"
    stray = _move("S08", "nurse").to_doc()
    junk = b'{"_default": {"1": ' + json.dumps(stray).encode()  # half a file
    for folder in (fault_room, fault_room / "binder", day):
        (folder / "4913").write_bytes(b"")  # vim's probe
        (folder / ".goutputstream-X1Y2Z3").write_bytes(junk)  # gedit
    (fault_room / "classroom.toml~").write_text("garbage = [")  # vim backup
    (fault_room / ".classroom.toml.swp").write_bytes(b"\x00b0VIM 9.0")
    (fault_room / "binder" / "monday.md~").write_text("old")
    (fault_room / "binder" / ".monday.md.swp").write_bytes(b"\x00")
    (day / "ws--jthomas.json~").write_bytes(junk)
    (day / ".ws--jthomas.json.swp").write_bytes(junk)
    (day / ".syncthing.ws2--alopez.json.tmp").write_bytes(junk)  # Syncthing, mid-receive
    (day / f".{own.name}.abc123.tmp").write_bytes(junk)  # our own temp file of a killed writer
    after = room.board()
    assert after.warnings == ()
    assert after == before
    r = fh.cli(fault_room, "move", "S02", "--to", "nurse", "--as", "JT", host="ws", login="jthomas")
    assert r.returncode == 0, r.stderr
    assert "S08" not in {s.id for s in room.board().out_of_room}


def test_syncthing_conflict_copies_merge_without_duplicates(fault_room):
    day = fault_room / DAYDIR
    tasks = fault_room / "journal" / "tasks" / "2026-11"
    shared = [_move("S01"), _move("S02", "nurse")]
    task = new_event("task.add", "AL", {"text": "copies", "for": None, "due": None}, NOW_DT, "alopez", "ws2")
    only_in_copy = _move("S03", "office")
    _write_journal(day / "ws2--alopez.json", shared)
    _write_journal(day / "ws2--alopez.sync-conflict-20261123-101500-ABCDEFG.json", shared + [only_in_copy])
    _write_journal(day / "ws2--alopez (conflicted copy 2026-11-23).json", shared)
    _write_journal(tasks / "ws2--alopez.json", [task])
    _write_journal(tasks / "ws2--alopez.sync-conflict-20261123-101501-HIJKLMN.json", [task])
    board = _room(fault_room).board()
    assert board.warnings == ()
    assert {s.id for s in board.out_of_room} == {"S01", "S02", "S03"}
    assert [t.id for t in board.tasks] == [task.id]
    snap = _room(fault_room).snapshot()
    assert len(live_events(snap.events)) == 4
    # undoing an event that is in three files retracts it everywhere
    r = fh.cli(fault_room, "undo", "--as", "JT", host="ws", login="jthomas")
    assert r.returncode == 0, r.stderr
    board = _room(fault_room).board()
    assert len(board.out_of_room) == 2


def test_reader_forgets_a_file_that_is_deleted(fault_room):
    day = fault_room / DAYDIR
    e = _move("S01")
    _write_journal(day / "a--b.json", [e])
    reader = JournalReader(fault_room / "journal")
    events, _, changed = reader.read(reader.all_dirs())
    assert [x.id for x in events] == [e.id] and changed
    (day / "a--b.json").unlink()
    events, problems, changed = reader.read(reader.all_dirs())
    assert events == [] and problems == [] and changed


def test_writer_into_the_day_folder_created_by_sync_tool_with_foreign_files(fault_room):
    # A sync tool created the day folder and other machines' files before this machine wrote.
    day = fault_room / DAYDIR
    _write_journal(day / "other--x.json", [_move("S04")])
    writer = JournalWriter(fault_room / "journal", "ws--jthomas")
    writer.append(_move("S05"))
    events, problems = fh.read_everything(fault_room / "journal")
    assert problems == [] and len(events) == 2
    assert DataFolder(fault_room).load(DAY).warnings == []
