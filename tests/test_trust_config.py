"""Configuration mistakes never lock people out (issue 7, section 4), and the files paratui reads
(classroom.toml, schedule.toml, binder pages) are read without trusting them.

A typo in classroom.toml or schedule.toml after a good version was read once: every new process (a
CLI write, `board --json`, a board after a reboot) still works from the last good copy kept in
journal/.last-good/ and says file:line:field. Only a folder that was never good is refused.
Unknown references (a full name typed where an id belongs) are never echoed. FIFOs, devices,
huge files and folders named like a page give a warning, never a hang.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from paratui.model.classroom import parse_classroom
from paratui.model.errors import ConfigError
from paratui.model.schedule import parse_schedule
from paratui.store import folder as folder_module
from paratui.store import last_good as last_good_module
from paratui.store.folder import DataFolder, FolderError
from paratui.store.last_good import FOLDER
from tests import fault_helpers as fh
from tests.helpers import DAY, env_for

NAME = "Evander Moonbeam"  # a (fictional) student's full name, in classroom.toml's `name`


def _bounded() -> None:
    # A reader that follows a link to /dev/zero must fail, not eat the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


def cli(data: Path, *args: str, host: str = "ws", login: str = "jthomas", timeout: float = 30):
    """A new process, as after a reboot or over SSH; a hang fails the test (TimeoutExpired)."""
    return subprocess.run([sys.executable, "-m", "paratui", *args, "--data", str(data)],
                          capture_output=True, text=True, env=env_for(host, login), timeout=timeout,
                          preexec_fn=_bounded)


def fifo(path: Path) -> None:
    """A FIFO at `path`. Should a reader in this process block on it, a writer comes along after a
    while and closes it at once, so the test fails instead of hanging."""
    os.mkfifo(path)

    def release() -> None:
        time.sleep(20)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # nobody is blocked on it

    threading.Thread(target=release, daemon=True).start()


def board_json(data: Path, **kw) -> dict:
    r = cli(data, "board", "--json", **kw)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def edit(path: Path, old: str, new: str, count: int = 1) -> str:
    text = path.read_text()
    assert old in text
    text = text.replace(old, new, count)
    path.write_text(text)
    return text


def copies(room: Path) -> list[str]:
    folder = room / "journal" / FOLDER
    # the classroom's and schedule's copies (goal files have theirs too: tests/test_streams.py)
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("students.")) if folder.is_dir() else []


COLOUR = ('initials = "K.B."', 'initials = "K.B."\ncolour = "blue"')
JTT = ('  JT = "readers_b"', '  JTT = "readers_b"')


# -- a new process after a typo ------------------------------------------------------------------
def test_new_process_with_typo_in_classroom_uses_the_last_good_version(fault_room):
    good = board_json(fault_room)  # a good load once: the last good copy exists now
    assert good["warnings"] == []
    assert copies(fault_room) == ["classroom.toml.ws--jthomas", "plans.2026-W48.toml.ws--jthomas",
                                  "schedule.toml.ws--jthomas"]
    bad = edit(fault_room / "classroom.toml", *COLOUR)

    state = board_json(fault_room, host="laptop", login="mrivera")  # another machine, another login
    [warning] = [w for w in state["warnings"] if "classroom.toml" in w]
    assert warning.startswith(f"classroom.toml:{line_of(bad, 'colour')}: students[1].colour: unknown key")
    assert re.search(r"\(showing the last good version from \d{4}-\d\d-\d\d \d\d:\d\d\)$", warning), warning
    assert [s["id"] for s in state["students"]] == [s["id"] for s in good["students"]]

    # writes work too, and the plain board shows the same warning
    r = cli(fault_room, "move", "S01", "--to", "nurse", "--as", "JT")
    assert r.returncode == 0, r.stderr
    r = cli(fault_room, "board")
    assert r.returncode == 0 and "students[1].colour" in r.stdout
    # a bad version never replaces a good copy
    assert "colour" not in (fault_room / "journal" / FOLDER / "classroom.toml.ws--jthomas").read_text()


def test_new_process_with_typo_in_schedule_uses_the_last_good_version(fault_room):
    good = board_json(fault_room)
    bad = edit(fault_room / "schedule.toml", *JTT)
    state = board_json(fault_room)
    [warning] = [w for w in state["warnings"] if "schedule.toml" in w]
    assert warning.startswith(f"schedule.toml:{line_of(bad, 'JTT')}: monday[2].with: ")
    assert "last good version from" in warning
    assert state["staff"] == good["staff"] and state["students"] == good["students"]


def test_new_process_with_a_toml_syntax_error_uses_the_last_good_version(fault_room):
    board_json(fault_room)
    bad = edit(fault_room / "schedule.toml", '  JT = "readers_b"', '  JT = "readers_b')
    state = board_json(fault_room)
    [warning] = [w for w in state["warnings"] if "schedule.toml" in w]
    line = line_of(bad, 'JT = "readers_b')
    assert warning.startswith(f"schedule.toml:{line}: [monday.with] JT: "), warning
    assert "last good version from" in warning


def test_missing_file_in_a_new_process_uses_the_last_good_version(fault_room):
    board_json(fault_room)
    (fault_room / "schedule.toml").unlink()
    state = board_json(fault_room)
    assert any(w.startswith("schedule.toml: missing (showing the last good version from") for w in state["warnings"])


def test_no_good_version_ever_is_a_clear_error(fault_room):
    bad = edit(fault_room / "classroom.toml", *COLOUR)  # before any process ever read it
    for args in (("board", "--json"), ("board",), ("move", "S01", "--to", "nurse", "--as", "JT")):
        r = cli(fault_room, *args)
        assert r.returncode != 0
        assert "Traceback" not in r.stderr
        assert f"classroom.toml:{line_of(bad, 'colour')}: students[1].colour: unknown key" in r.stderr
        assert r.stdout == ""
    assert copies(fault_room) == []  # nothing bad is kept as "good"


def test_a_planted_or_damaged_copy_is_skipped(fault_room):
    board_json(fault_room)
    folder = fault_room / "journal" / FOLDER
    good = (folder / "classroom.toml.ws--jthomas").read_text()
    # newer than the good copy: a bad version, garbage, a folder and a FIFO under copy-like names
    (folder / "classroom.toml.evil--x").write_text(good.replace('role = "para"', 'role = "boss"', 1))
    (folder / "classroom.toml.junk--y").write_bytes(b"\xff\xfe garbage [[[")
    (folder / "classroom.toml.dir--z").mkdir()
    fifo(folder / "classroom.toml.fifo--w")
    edit(fault_room / "classroom.toml", *COLOUR)
    state = board_json(fault_room)
    assert len(state["staff"]) == 6 and any("students[1].colour" in w for w in state["warnings"])
    # only bad copies left: refused, clearly
    (folder / "classroom.toml.ws--jthomas").unlink()
    r = cli(fault_room, "board", "--json")
    assert r.returncode != 0 and "students[1].colour" in r.stderr and "Traceback" not in r.stderr


def test_a_copy_from_another_machine_is_used(fault_room):
    board_json(fault_room)
    folder = fault_room / "journal" / FOLDER
    for name in ("classroom.toml", "schedule.toml"):  # as a sync tool would bring them
        os.rename(folder / f"{name}.ws--jthomas", folder / f"{name}.other-pc--alopez")
    edit(fault_room / "classroom.toml", *COLOUR)
    state = board_json(fault_room)
    assert len(state["students"]) == 8 and any("last good version from" in w for w in state["warnings"])


def test_classroom_change_that_breaks_the_schedule_keeps_both_consistent(fault_room):
    """A valid classroom.toml that no longer fits schedule.toml (an adult removed): a new process
    shows the last good pair and says why, instead of refusing."""
    board_json(fault_room)
    edit(fault_room / "classroom.toml", 'id = "JT"', 'id = "JX"')
    state = board_json(fault_room)
    assert "JT" in {s["id"] for s in state["staff"]}
    text = "\n".join(state["warnings"])
    assert "classroom.toml: the current version does not fit schedule.toml (showing the last good version from" in text
    assert re.search(r"schedule\.toml:\d+: monday\[0\]\.with: ", text)


# -- the last good copy itself -------------------------------------------------------------------
def test_copy_written_only_when_the_text_changed(fault_room):
    folder = DataFolder(fault_room, writer="ws--jthomas")
    folder.load(DAY)
    copy = fault_room / "journal" / FOLDER / "classroom.toml.ws--jthomas"
    assert copy.read_bytes() == (fault_room / "classroom.toml").read_bytes()
    before = copy.stat()
    DataFolder(fault_room, writer="ws--jthomas").load(DAY)  # a new process, same text
    folder.load(DAY)  # a reload
    after = copy.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    edit(fault_room / "classroom.toml", 'room = "Room 12"', 'room = "Room 12B"')
    folder.load(DAY)
    assert 'room = "Room 12B"' in copy.read_text()


def test_copy_that_cannot_be_written_never_fails_the_process(fault_room, monkeypatch):
    def refuse(path, data, **kw):
        raise PermissionError(13, "Read-only file system", str(path))

    monkeypatch.setattr(last_good_module, "atomic_write", refuse)
    snap = DataFolder(fault_room).load(DAY)
    assert snap.warnings == [] and copies(fault_room) == []


def test_copies_never_go_through_a_link_out_of_the_folder(fault_room, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "classroom.toml.ws--jthomas").write_text("garbage = [")
    (fault_room / "journal" / FOLDER).symlink_to(outside)
    board_json(fault_room)
    assert [p.name for p in outside.iterdir()] == ["classroom.toml.ws--jthomas"]
    assert (outside / "classroom.toml.ws--jthomas").read_text() == "garbage = ["
    # nor are copies read through it
    (fault_room / "journal" / FOLDER).unlink()
    (fault_room / "journal" / FOLDER).mkdir()
    good = (fault_room / "classroom.toml").read_text()
    (outside / "classroom.toml.ws--jthomas").write_text(good)
    (fault_room / "journal" / FOLDER / "classroom.toml.ws--jthomas").symlink_to(outside / "classroom.toml.ws--jthomas")
    edit(fault_room / "classroom.toml", *COLOUR)
    r = cli(fault_room, "board", "--json")
    assert r.returncode != 0 and "students[1].colour" in r.stderr


def test_journal_readers_ignore_the_copies(fault_room):
    board_json(fault_room)
    r = cli(fault_room, "move", "S01", "--to", "nurse", "--as", "JT")
    assert r.returncode == 0, r.stderr
    events, problems = fh.read_everything(fault_room / "journal")
    assert problems == [] and len(events) == 1
    assert DataFolder(fault_room).load(DAY, whole_journal=True).warnings == []


def test_an_unchanged_file_is_not_read_again(fault_room, monkeypatch):
    folder = DataFolder(fault_room)
    folder.load(DAY)
    reads = []
    real = folder_module.read_regular
    monkeypatch.setattr(folder_module, "read_regular", lambda path, *a, **k: reads.append(path) or real(path, *a, **k))
    folder.load(DAY)
    assert reads == []
    edit(fault_room / "binder" / "monday.md", "Monday", "Mon")
    folder.load(DAY)
    assert [p.name for p in reads] == ["monday.md"]


# -- what the files may contain ------------------------------------------------------------------
def test_utf8_byte_order_mark_is_accepted(fault_room):
    for name in ("classroom.toml", "schedule.toml"):
        path = fault_room / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # old Notepad
    (fault_room / "binder" / "monday.md").write_bytes(b"\xef\xbb\xbf# Monday BOM\n")
    state = board_json(fault_room)
    assert state["warnings"] == []
    snap = DataFolder(fault_room).load(DAY)
    assert snap.binder_titles["monday"] == "Monday BOM"


def test_syntax_error_names_line_table_and_key(fault_room):
    path = fault_room / "schedule.toml"
    bad = edit(path, '  AL = "readers_c"', '  AL = readers_c')
    with pytest.raises(FolderError) as e:
        DataFolder(fault_room).load(DAY)
    [problem] = e.value.problems
    assert problem.startswith(f"schedule.toml:{line_of(bad, 'AL = readers_c')}: [monday.with] AL: "), problem


QUOTED_KEY_TWICE = {
    "table": f'\n["{NAME}"]\n["{NAME}"]\n',  # tomllib: Cannot declare ('Evander Moonbeam',) twice
    "inline": f'\nx = {{ "{NAME}" = 1, "{NAME}" = 2 }}\n',  # tomllib: Duplicate inline table key '…'
}


@pytest.mark.parametrize("case", sorted(QUOTED_KEY_TWICE))
def test_syntax_error_never_repeats_a_quoted_key(fault_room, case):
    """A quoted key can be anything, a full name too: tomllib's own message repeats it."""
    path = fault_room / "classroom.toml"
    text = path.read_text() + QUOTED_KEY_TWICE[case]
    path.write_text(text)
    with pytest.raises(FolderError) as e:
        DataFolder(fault_room).load(DAY)
    [problem] = e.value.problems
    assert problem.startswith(f"classroom.toml:{len(text.splitlines())}: ")
    assert "Evander" not in problem and "Moonbeam" not in problem


def test_syntax_error_keeps_a_plain_key_in_tomllibs_message(fault_room):
    path = fault_room / "classroom.toml"
    path.write_text(path.read_text() + "\n[extra]\n[extra]\n")
    with pytest.raises(FolderError) as e:
        DataFolder(fault_room).load(DAY)
    assert "Cannot declare extra twice" in e.value.problems[0]


def test_duplicate_initials_and_hotkeys_are_warnings(fault_room):
    path = fault_room / "classroom.toml"
    edit(path, 'initials = "K.B."', 'initials = "e.m."')  # same as S01's E.M. once normalised
    bad = edit(path, 'key = "w"', 'key = "b"')
    snap = DataFolder(fault_room).load(DAY)  # the room still loads
    assert [s.initials for s in snap.classroom.students][:2] == ["E.M.", "e.m."]
    initials, key = line_of(bad, 'initials = "e.m."'), _nth_line(bad, 'key = "b"', 1)
    assert snap.warnings == [
        f"classroom.toml:{initials}: students[1].initials: also the initials of students[0]",
        f"classroom.toml:{key}: locations[8].key: 'b' is also the key of locations[5]",
    ]


def _nth_line(text: str, needle: str, nth: int) -> int:
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][nth]


def test_duplicate_ids_are_errors_naming_both(fault_room):
    bad = edit(fault_room / "classroom.toml", 'id = "S02"', 'id = "S01"')
    with pytest.raises(FolderError) as e:
        DataFolder(fault_room).load(DAY)
    line = _nth_line(bad, 'id = "S01"', 1)
    assert f"classroom.toml:{line}: students[1].id: also the id of students[0]" in e.value.problems


# -- privacy: a full name where an id belongs ----------------------------------------------------
NAME_IN_ID_PLACES = {
    "group": ("classroom.toml", 'readers_a = ["S01"', f'readers_a = ["{NAME}"', "groups.readers_a[0]"),
    "one-to-one": ("classroom.toml", 'one_to_one = "DP"', f'one_to_one = "{NAME}"', "students[4].one_to_one"),
    "with": ("schedule.toml", '  JT = "readers_b"', f'  JT = ["S04", "{NAME}"]', "monday[2].with.JT[1]"),
    "where": ("schedule.toml", '  S05 = "sensory-room"', f'  "{NAME}" = "sensory-room"', "monday[4].where"),
    "staff-key": ("schedule.toml", '  JT = "readers_b"', f'  "{NAME}" = "readers_b"', "monday[2].with"),
    "at": ("schedule.toml", 'at = "carpet"', f'at = "{NAME}"', "monday[1].at"),
    "quoted-key": ("classroom.toml", 'initials = "K.B."', f'initials = "K.B."\n"{NAME}" = true', "students[1]"),
}


@pytest.mark.parametrize("case", sorted(NAME_IN_ID_PLACES))
def test_full_name_where_an_id_belongs_is_never_echoed(fault_room, case):
    name, old, new, field = NAME_IN_ID_PLACES[case]
    # before any good load: the refusal does not echo it either
    path = fault_room / name
    good = path.read_text()
    bad = edit(path, old, new)
    r = cli(fault_room, "board", "--json")
    assert r.returncode != 0 and field in r.stderr
    assert "Evander" not in r.stdout + r.stderr and "Moonbeam" not in r.stdout + r.stderr
    path.write_text(good)
    board_json(fault_room)
    path.write_text(bad)
    line = line_of(bad, new.splitlines()[-1])
    for args in (("board", "--json"), ("board", "--plain"), ("board",)):
        r = cli(fault_room, *args)
        assert r.returncode == 0, r.stderr
        out = r.stdout + r.stderr
        assert f"{name}:{line}: {field}: " in out, out[-2000:]
        assert "Evander" not in out and "Moonbeam" not in out


# -- files that are not sane files ---------------------------------------------------------------
def test_fifo_and_device_as_classroom_toml_do_not_hang(fault_room):
    board_json(fault_room)
    path = fault_room / "classroom.toml"
    path.unlink()
    fifo(path)
    state = board_json(fault_room)  # would block forever on open()
    assert any(w.startswith("classroom.toml: is not a regular file (a FIFO") and "last good version" in w
               for w in state["warnings"]), state["warnings"]
    path.unlink()
    path.symlink_to("/dev/zero")  # would read forever
    state = board_json(fault_room)
    assert any(w.startswith("classroom.toml: is a symbolic link out of the data folder") for w in state["warnings"])
    assert len(state["students"]) == 8


def test_huge_toml_is_not_read(fault_room):
    board_json(fault_room)
    path = fault_room / "schedule.toml"
    with open(path, "a") as f:
        f.write("# padding\n" * (folder_module.TOML_LIMIT // 10 + 1))
    state = board_json(fault_room)
    assert any(w.startswith("schedule.toml: is ") and "MiB limit" in w for w in state["warnings"])


def test_odd_binder_pages_are_warnings_and_the_rest_still_shows(fault_room):
    binder = fault_room / "binder"
    fifo(binder / "fifo.md")
    (binder / "zero.md").symlink_to("/dev/zero")
    (binder / "folder.md").mkdir()
    with open(binder / "huge.md", "wb") as f:
        f.truncate(folder_module.BINDER_LIMIT + 1)
    long_page = "# Long\n\n" + "A line of a very long page.\n" * 20_000  # ~540 KiB
    (binder / "long.md").write_text(long_page)
    (binder / "latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))

    state = board_json(fault_room)  # a new process: no hang, no endless read
    assert len(state["students"]) == 8
    text = "\n".join(state["warnings"])
    for page in ("fifo.md", "zero.md", "folder.md", "huge.md", "long.md"):
        assert f"binder/{page}: " in text, text
    assert "binder/latin1.md:1: not UTF-8" in text

    (binder / "zero.md").unlink()  # (never read /dev/zero inside the test process itself)
    snap = DataFolder(fault_room).load(DAY)
    assert snap.binder["monday"].strip()  # the good pages are all there
    assert not {"fifo", "zero", "folder"} & set(snap.binder)
    assert "too large for the board" in snap.binder["huge"]  # a notice keeps the tab
    shown = snap.binder["long"]
    assert len(shown) < folder_module.BINDER_SHOWN + 1000 and long_page.startswith(shown.split("\n\n---")[0])
    assert "longer than the board shows" in shown
    assert snap.binder["latin1"].startswith("# Caf\ufffd")


def test_a_page_that_turns_into_a_fifo_keeps_its_last_good_text(fault_room):
    folder = DataFolder(fault_room)
    monday = folder.load(DAY).binder["monday"]
    page = fault_room / "binder" / "monday.md"
    page.unlink()
    fifo(page)
    snap = folder.load(DAY)
    assert snap.binder["monday"] == monday
    assert any(w.startswith("binder/monday.md: is not a regular file") and "last good" in w for w in snap.warnings)


# -- the parsers take anything without crashing --------------------------------------------------
ODD = [None, 0, -1, True, 1.5, "", " ", "x", "all", [], [1], ["x", 2], {}, {"a": 1}, [[[]]], [{}], {"with": 5}]


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_parsers_only_ever_raise_config_errors(value):
    base_c = {"room": "R", "staff": [{"id": "T", "name": "T", "role": "teacher"}],
              "students": [{"id": "S1", "initials": "A.B."}], "locations": [{"id": "room", "label": "Room"}],
              "groups": {"g": ["S1"]}}
    good = parse_classroom(base_c)
    block = {"time": "09:00-10:00", "activity": "A", "at": "room", "with": {"T": "all"}, "where": {"S1": "room"}}
    tries = []
    for key in base_c:
        tries.append((parse_classroom, {**base_c, key: value}))
    for key in ("staff", "students", "locations"):
        for field in ("id", "name", "role", "initials", "label", "kind", "key", "one_to_one", "logins",
                      "expected_minutes", "supervised"):
            tries.append((parse_classroom, {**base_c, key: [{**base_c[key][0], field: value}]}))
    tries.append((parse_classroom, {**base_c, "groups": {"g": value}}))
    for field in block:
        tries.append((lambda d: parse_schedule(d, good), {"monday": [{**block, field: value}]}))
    tries.append((lambda d: parse_schedule(d, good), {"monday": [{**block, "with": {"T": value}}]}))
    odd = {"T": {"with": value, "at": value, "activity": value}}
    tries.append((lambda d: parse_schedule(d, good), {"monday": [{**block, "with": odd}]}))
    tries.append((lambda d: parse_schedule(d, good), {"monday": [{**block, "where": {"S1": value}}]}))
    tries.append((lambda d: parse_schedule(d, good), {"monday": value}))
    for parse, data in tries:
        try:
            parse(data)
        except ConfigError as e:
            assert all(str(p) for p in e.problems)
