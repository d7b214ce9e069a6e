"""A journal nothing can stop (issue 7, section 3): whatever another writer of the shared folder puts
there (a FIFO, a link to a device, a deeply nested file, a folder or a file where the other belongs,
an event id with different content, a planted lock link, a lock held by a stopped process), every
board and every command still returns, and says what is wrong. Also the permission model for several
accounts (umask 077, a second real OS account, root in someone else's folder, setup_shared).

Tests that need root (chown, useradd, runuser) skip with the reason when they cannot run.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

import paratui
from paratui import cli
from paratui.store import journal as journal_module
from paratui.store import journal_reader
from paratui.store.journal import JournalWriter, new_event, too_deep
from paratui.store.journal_reader import JournalReader
from paratui.store.room import Room
from paratui.store.sharing import setup_shared, shared_problems
from tests import fault_helpers as fh
from tests.helpers import NOW_DT, demo_copy, env_for, run_cli

DAYDIR = "journal/2026-11-23"
OWN = "ws--jthomas.json"  # the fault_room's writer (host ws, login jthomas)
MOVE = ("move", "S01", "--to", "bathroom", "--as", "JT")
IS_ROOT = os.geteuid() == 0


def _move(sid: str, to: str = "bathroom", login: str = "alopez", host: str = "ws2"):
    return new_event("move", "AL", {"student": sid, "to": to, "with": ["AL"]}, NOW_DT, login, host)


def _write_journal(path: Path, docs: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"_default": {str(i): d for i, d in enumerate(docs, 1)}}))


def _board(data: Path) -> dict:
    r = run_cli("board", "--json", data=data)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)


def _warnings(state: dict) -> str:
    return json.dumps(state.get("warnings", state), ensure_ascii=False)


def _all_events(journal: Path):
    events, problems = fh.read_everything(journal)
    return {e.id: e for e in events}, problems


# -- files that are not files --------------------------------------------------------------------
def test_fifo_in_todays_folder_neither_blocks_the_board_nor_a_write(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    _write_journal(day / "ws2--alopez.json", [_move("S04", "nurse").to_doc()])
    os.mkfifo(day / "x.json")
    state = _board(fault_room)  # used to block forever in open()
    assert "journal/2026-11-23/x.json: is not a regular file (a FIFO; not read)" in _warnings(state)
    assert "S04" in json.dumps(state)  # the other files are still read
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 0, r.stderr
    events, problems = _all_events(fault_room / "journal")
    assert len(events) == 2 and any("x.json" in p and "FIFO" in p for p in problems)


def test_symlink_to_dev_zero_is_not_read(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    (day / "x.json").symlink_to("/dev/zero")
    state = _board(fault_room)  # used to read until memory ran out
    assert "x.json: is a symbolic link out of the data folder (not followed)" in _warnings(state)
    assert run_cli(*MOVE, data=fault_room).returncode == 0


def test_writers_own_file_as_a_symlink_to_a_device_moves_to_a_sibling(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    (day / OWN).symlink_to("/dev/zero")
    event = Room(fault_room, clock=lambda: NOW_DT).record("back", "JT", {"student": "S01"})
    assert (day / OWN).is_symlink() and os.readlink(day / OWN) == "/dev/zero"  # replaced nothing
    events, _ = _all_events(fault_room / "journal")
    assert event.id in events and (day / "ws--jthomas.1.json").is_file()


def test_a_link_inside_the_journal_is_still_read(fault_room):
    day = fault_room / DAYDIR
    elsewhere = fault_room / "journal" / "2026-11-20"
    e = _move("S05", "office")
    _write_journal(elsewhere / "a--b.json", [e.to_doc()])
    day.mkdir(parents=True)
    (day / "a--b.json").symlink_to(elsewhere / "a--b.json")
    reader = JournalReader(fault_room / "journal")
    events, problems, _ = reader.read([day])
    assert [x.id for x in events] == [e.id] and problems == []


def test_oversized_file_is_skipped_with_a_warning(fault_room, monkeypatch):
    day = fault_room / DAYDIR
    _write_journal(day / "big--one.json", [_move(f"S0{i}").to_doc() for i in range(1, 9)])
    _write_journal(day / "ws2--alopez.json", [_move("S04", "nurse").to_doc()])
    monkeypatch.setattr(journal_reader, "MAX_FILE_BYTES", 1024)
    events, problems = _all_events(fault_room / "journal")
    assert len(events) == 1
    assert any("big--one.json" in p and "limit (not read)" in p for p in problems), problems


# -- deep nesting --------------------------------------------------------------------------------
def test_deeply_nested_file_is_a_warning_not_a_traceback(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    (day / "x.json").write_bytes(b"[" * 100_000)
    (day / "y.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)  # valid JSON, just as deep
    state = _board(fault_room)
    text = _warnings(state)
    assert "journal/2026-11-23/x.json: nested more than" in text
    assert "journal/2026-11-23/y.json: nested more than" in text
    assert run_cli(*MOVE, data=fault_room).returncode == 0


def test_deep_payload_below_the_recursion_limit_is_refused_too(fault_room):
    # parses (depth 300 < 1000), but would blow up later in repr, json.dumps or the model
    doc = _move("S01").to_doc()
    doc["payload"]["with"] = json.loads("[" * 300 + "]" * 300)
    _write_journal(fault_room / DAYDIR / "x--y.json", [doc])
    events, problems = _all_events(fault_room / "journal")
    assert events == {} and any("x--y.json: nested more than" in p for p in problems)


def test_writers_own_deep_file_is_left_alone(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    deep = b'{"_default": {"1": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    (day / OWN).write_bytes(deep)
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 0, r.stderr
    assert (day / OWN).read_bytes() == deep and (day / "ws--jthomas.1.json").is_file()


def test_too_deep_counts_nesting_not_brackets():
    flat = json.dumps({"_default": {str(i): {"payload": {"with": ["[[[[", "{{{{"]}} for i in range(500)}})
    assert not too_deep(flat.encode())
    assert too_deep(("[" * 100 + "]" * 100).encode())
    assert not too_deep(("[" * 20 + "]" * 20).encode())
    # strings ending in an escaped backslash, holding escaped quotes and brackets, do not hide nesting
    tricky = ['a\\', '\\"[', '"]]]', "\\\\", '\\\"{']
    deep: object = tricky
    for _ in range(80):
        deep = [tricky, deep, {"k\\": tricky}]
    assert too_deep(json.dumps(deep).encode()) and too_deep(json.dumps(deep, ensure_ascii=False).encode())
    assert not too_deep(json.dumps([tricky] * 50).encode())


# -- folders and files in each other's places ----------------------------------------------------
def test_a_folder_named_like_the_writers_file(fault_room):
    day = fault_room / DAYDIR
    (day / OWN).mkdir(parents=True)
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 0, r.stderr  # used to exit 1
    assert (day / OWN).is_dir() and (day / "ws--jthomas.1.json").is_file()
    state = _board(fault_room)
    assert f"journal/2026-11-23/{OWN}: is not a regular file (a folder; not read)" in _warnings(state)
    assert "S01" in json.dumps(state["students"] if "students" in state else state)


def test_journal_folder_replaced_by_a_file(fault_room):
    journal = fault_room / "journal"
    shutil.rmtree(journal)
    journal.write_text("oops")
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 1
    assert "journal is a file, not a folder; move it away" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert "journal is a file, not a folder" in _warnings(_board(fault_room))
    assert journal.read_text() == "oops"


def test_todays_folder_replaced_by_a_file(fault_room):
    (fault_room / DAYDIR).write_text("oops")
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 1
    assert "journal/2026-11-23 is a file, not a folder; move it away" in r.stderr, r.stderr
    assert "journal/2026-11-23 is a file, not a folder" in _warnings(_board(fault_room))
    # tasks go to another folder and still work
    r = run_cli("task", "add", "copies", "--as", "JT", data=fault_room)
    assert r.returncode == 0, r.stderr


def test_day_folder_linking_out_of_the_journal_is_neither_read_nor_written(fault_room, tmp_path):
    outside = tmp_path / "outside"
    _write_journal(outside / "a--b.json", [_move("S02").to_doc()])
    (fault_room / DAYDIR).symlink_to(outside)
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 1 and "is a link out of the journal folder" in r.stderr, r.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["a--b.json"]
    assert "journal/2026-11-23 is a link out of the journal folder" in _warnings(_board(fault_room))


# -- one event id, two contents ------------------------------------------------------------------
def test_same_event_id_with_different_content_keeps_the_first_written(fault_room):
    tasks = fault_room / "journal" / "tasks" / "2026-11"
    task = new_event("task.add", "AL", {"text": "copies for math", "for": None, "due": None},
                     NOW_DT, "alopez", "ws2")
    forged = task.to_doc()
    forged["payload"] = {**forged["payload"], "text": "nothing to do"}
    forged["written"] = task.written + 1  # written later, but in a path that sorts first
    _write_journal(tasks / "aa--mallory.json", [forged])
    _write_journal(tasks / "ws2--alopez.json", [task.to_doc()])
    board = Room(fault_room, clock=lambda: NOW_DT).board()
    assert [t.text for t in board.tasks] == ["copies for math"]
    [warning] = [w for w in board.warnings if task.id[:12] in w]
    assert "journal/tasks/2026-11/aa--mallory.json" in warning
    assert "journal/tasks/2026-11/ws2--alopez.json" in warning
    assert "first-written" in warning
    # the CLI says the same
    assert "aa--mallory.json" in _warnings(_board(fault_room))


def test_same_id_in_many_files_warns_once_per_pair_of_files(fault_room):
    day = fault_room / DAYDIR
    originals = [_move(f"S0{i}") for i in range(1, 6)]
    copies = [{**e.to_doc(), "written": e.written + 5, "payload": {"student": "S08", "to": "nurse"}}
              for e in originals]
    _write_journal(day / "ws2--alopez.json", [e.to_doc() for e in originals])
    _write_journal(day / "zz--copy.json", copies)
    events, problems = fh.read_everything(fault_room / "journal")
    assert len(problems) == 1 and "5 events" in problems[0] and "and 2 more" in problems[0]
    assert {e.payload["student"] for e in events} == {"S01", "S02", "S03", "S04", "S05"}


def test_identical_copies_of_an_event_stay_silent(fault_room):
    day = fault_room / DAYDIR
    e = _move("S01")
    _write_journal(day / "ws2--alopez.json", [e.to_doc()])
    _write_journal(day / "ws2--alopez.sync-conflict-20261123-101500-ABC.json", [e.to_doc()])
    events, problems = fh.read_everything(fault_room / "journal")
    assert problems == [] and [x.id for x in events] == [e.id, e.id]


# -- the writer's lock ---------------------------------------------------------------------------
@pytest.mark.parametrize("target_exists", [False, True])
def test_planted_lock_symlink_is_not_followed(fault_room, tmp_path, target_exists):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    target = tmp_path / "somefile"
    if target_exists:
        target.write_text("precious")
    (day / f".{OWN}.lock").symlink_to(target)
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 0, r.stderr
    if target_exists:
        assert target.read_text() == "precious"
    else:
        assert not target.exists() and not target.is_symlink()
    assert (day / f".{OWN}.lock").is_symlink()
    assert (day / f".{OWN}.lock.1").is_file()
    assert (day / OWN).is_file()


def test_planted_fifo_as_lock_does_not_block(fault_room):
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    os.mkfifo(day / f".{OWN}.lock")
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 0, r.stderr


HOLD = """
import os, signal, sys
from paratui.store import journal

def stop(self, data):
    print("holding", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)  # like a hung NFS call, inside the lock

journal.AtomicJSONStorage.write = stop
from paratui import cli
sys.argv = ["paratui", "move", "S02", "--to", "nurse", "--as", "JT", "--data", sys.argv[1]]
sys.exit(cli.main(sys.argv[1:]))
"""


def _wait_for_line(proc: subprocess.Popen, want: str, timeout: float = 30) -> None:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if line.strip() != want:
        raise AssertionError(f"child did not say {want!r}: {line!r}")


def test_lock_held_by_a_stopped_process_fails_within_the_bounded_wait_naming_it(fault_room):
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(fault_room)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_line(child, "holding")
        r = run_cli(*MOVE, data=fault_room, env={"PARATUI_LOCK_WAIT": "1"})
        assert r.returncode == 1
        assert "NOT recorded" in r.stderr
        assert f"locked by process {child.pid} on ws (paratui move)" in r.stderr, r.stderr
        assert f"kill {child.pid}" in r.stderr
        assert "Traceback" not in r.stderr
        # another writer (another login) is not held up
        r = run_cli(*MOVE, data=fault_room, env={"PARATUI_LOGIN": "alopez", "PARATUI_LOCK_WAIT": "1"})
        assert r.returncode == 0, r.stderr
    finally:
        child.kill()
        child.wait(timeout=30)
    r = run_cli("back", "S01", "--as", "JT", data=fault_room, env={"PARATUI_LOCK_WAIT": "1"})
    assert r.returncode == 0, r.stderr  # the kernel released the lock with the process


def test_lock_stamp_never_echoes_the_command_line(fault_room, monkeypatch):
    monkeypatch.setenv("PARATUI_NOW", NOW_DT.isoformat())
    cli.main(["move", "E.M.", "--to", "bathroom", "--as", "JT", "--data", str(fault_room)])
    stamp = (fault_room / DAYDIR / f".{OWN}.lock").read_text()
    assert stamp.startswith(f"pid {os.getpid()} on ws (paratui move) #")
    assert "Emma" not in stamp


def test_a_garbled_lock_stamp_is_not_repeated(tmp_path):
    lock = journal_module._Lock(tmp_path / "x.json", 0.0, "journal/x.json")
    text = lock._stuck_message(b"pid 1 on \x1b]52;c;evil\x07 (rm -rf) #00")
    assert "\x1b" not in text and "evil" not in text and "another process of this host and login" in text


# -- permissions and accounts --------------------------------------------------------------------
def _cli_with_umask(data: Path, *args: str, umask: int = 0o077) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paratui", *args, "--data", str(data)], capture_output=True,
                          text=True, env=dict(os.environ), timeout=60, preexec_fn=lambda: os.umask(umask))


def test_umask_077_still_makes_group_readable_files_and_folders(fault_room):
    r = _cli_with_umask(fault_room, *MOVE)
    assert r.returncode == 0, r.stderr
    r = _cli_with_umask(fault_room, "task", "add", "copies", "--as", "JT")
    assert r.returncode == 0, r.stderr
    journal = fault_room / "journal"
    for folder in (journal, journal / "2026-11-23", journal / "tasks", journal / "tasks" / "2026-11"):
        assert stat.S_IMODE(folder.stat().st_mode) & 0o755 == 0o755, (folder, oct(folder.stat().st_mode))
    for f in (journal / "2026-11-23" / OWN, journal / "tasks" / "2026-11" / OWN,
              journal / "2026-11-23" / f".{OWN}.lock"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, (f, oct(f.stat().st_mode))


def test_the_writer_makes_a_readable_journal_folder_under_umask_077(fault_room):
    shutil.rmtree(fault_room / "journal")
    writer = JournalWriter(fault_room / "journal", "ws--jthomas")
    old = os.umask(0o077)
    try:
        path = writer.append(_move("S01", login="jthomas", host="ws"))
    finally:
        os.umask(old)
    for folder in (fault_room / "journal", path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755, (folder, oct(folder.stat().st_mode))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_cli_write_under_umask_077_into_a_room_without_a_journal_folder(fault_room):
    shutil.rmtree(fault_room / "journal")
    r = _cli_with_umask(fault_room, *MOVE)
    assert r.returncode == 0, r.stderr
    for folder in fault_room.joinpath("journal").rglob("*"):
        if folder.is_dir():
            assert stat.S_IMODE(folder.stat().st_mode) & 0o055 == 0o055, folder
    assert stat.S_IMODE(fault_room.joinpath("journal").stat().st_mode) & 0o055 == 0o055


def test_an_existing_private_file_becomes_readable_on_the_next_write(fault_room):
    room = Room(fault_room, clock=lambda: NOW_DT)
    path = room.writer.append(_move("S01", login="jthomas", host="ws"))
    os.chmod(path, 0o600)  # written by an older paratui under umask 077
    room.record("back", "JT", {"student": "S01"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_new_folders_keep_the_journals_setgid_and_sticky_bits(fault_room):
    journal = fault_room / "journal"
    os.chmod(journal, 0o3775)
    path = Room(fault_room, clock=lambda: NOW_DT).record("back", "JT", {"student": "S01"})
    day = journal / "2026-11-23"
    assert stat.S_IMODE(day.stat().st_mode) == 0o3775
    del path


needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root (chown to another account)")


@needs_root
def test_root_refuses_to_write_into_a_journal_it_does_not_own(fault_room):
    os.chown(fault_room / "journal", 54321, -1)
    r = run_cli(*MOVE, data=fault_room)
    assert r.returncode == 1
    assert "refusing to write as root into journal" in r.stderr and "without sudo" in r.stderr, r.stderr
    assert not (fault_room / DAYDIR).exists()


@needs_root
def test_own_file_owned_by_another_account_is_left_alone(fault_room):
    room = Room(fault_room, clock=lambda: NOW_DT)
    first = room.record("back", "JT", {"student": "S01"})
    own = fault_room / DAYDIR / OWN
    os.chown(own, 54321, -1)  # e.g. left by another account's run with the same login name
    before = own.read_bytes()
    second = room.record("back", "JT", {"student": "S02"})
    assert own.read_bytes() == before and (fault_room / DAYDIR / "ws--jthomas.1.json").is_file()
    events, problems = _all_events(fault_room / "journal")
    assert {first.id, second.id} <= set(events) and problems == []


def test_setup_shared_makes_a_sticky_setgid_journal(fault_room):
    room = Room(fault_room, clock=lambda: NOW_DT)
    room.record("back", "JT", {"student": "S01"})
    room.record("task.add", "JT", {"text": "copies", "for": None, "due": None})
    journal = fault_room / "journal"
    os.chmod(journal / "2026-11-23" / OWN, 0o600)
    os.chmod(journal, 0o775)
    assert shared_problems(fault_room)  # group-writable, not sticky
    lines = setup_shared(fault_room)
    assert any("3775" in line for line in lines) and not any("could not" in line for line in lines), lines
    for folder in (journal, journal / "2026-11-23", journal / "tasks", journal / "tasks" / "2026-11"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o3775, folder
    assert stat.S_IMODE((journal / "2026-11-23" / OWN).stat().st_mode) == 0o644
    assert (fault_room / "classroom.toml").stat().st_mode & 0o040
    assert fault_room.stat().st_mode & stat.S_ISGID
    assert shared_problems(fault_room) == []
    assert setup_shared(fault_room)  # again: nothing breaks


def test_setup_shared_refuses_an_unknown_group(fault_room):
    with pytest.raises(ValueError, match="no group named"):
        setup_shared(fault_room, group=f"no-such-group-{uuid.uuid4().hex[:6]}")


# -- a second real OS account --------------------------------------------------------------------
def _interpreter_for(user: str, env: dict) -> list[str] | None:
    """A python the other account can run with this checkout importable (the venv's interpreter
    may live in root's home, which other accounts cannot enter), or None."""
    repo = str(Path(paratui.__file__).resolve().parents[1])
    site = next((p for p in sys.path if p.endswith("site-packages") and Path(p, "tinydb").is_dir()), "")
    candidates = [sys.executable, shutil.which("python3"), "/usr/bin/python3", "/usr/local/bin/python3"]
    for exe in dict.fromkeys(candidates):  # the venv's first; a system one if root's home is closed
        if not exe or not os.path.exists(exe):
            continue
        probe = subprocess.run(["runuser", "-u", user, "--", "env", f"PYTHONPATH={repo}:{site}", exe, "-c",
                                "import sys, paratui.cli, tinydb; assert sys.version_info >= (3, 11)"],
                               capture_output=True, text=True, env=env, timeout=60)
        if probe.returncode == 0:
            return [exe]
    return None


@pytest.fixture
def second_account():
    """(user, group): a throwaway account in a throwaway group, removed afterwards."""
    if not IS_ROOT:
        pytest.skip("needs root to create a second OS account (useradd)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "runuser"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    tag = uuid.uuid4().hex[:6]
    user, group = f"ptui{tag}", f"ptuig{tag}"
    made = subprocess.run(["groupadd", group], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"groupadd failed: {made.stderr.strip()}")
    made = subprocess.run(["useradd", "-M", "-N", "-g", group, "-s", "/bin/sh", user], capture_output=True,
                          text=True)
    if made.returncode != 0:
        subprocess.run(["groupdel", group], capture_output=True)
        pytest.skip(f"useradd failed: {made.stderr.strip()}")
    try:
        yield user, group
    finally:
        subprocess.run(["userdel", user], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)


def test_a_second_account_reads_what_the_first_wrote_and_cannot_replace_it(second_account):
    user, group = second_account
    base = Path(tempfile.mkdtemp(prefix="paratui-shared-"))  # under /tmp: pytest's tmp is private to root
    try:
        os.chmod(base, 0o755)
        room = demo_copy(base / "room")
        os.chmod(room, 0o775)
        setup_shared(room, group=group)
        env = env_for("ws", "jthomas")
        repo = str(Path(paratui.__file__).resolve().parents[1])
        site = next((p for p in sys.path if p.endswith("site-packages") and Path(p, "tinydb").is_dir()), "")
        exe = _interpreter_for(user, env)
        if exe is None:
            pytest.skip(f"no Python that account {user} can run with this checkout importable")

        def as_other(*args: str, login: str = "alopez") -> subprocess.CompletedProcess:
            cmd = ["runuser", "-u", user, "--", "env", f"PYTHONPATH={repo}:{site}", "PYTHONDONTWRITEBYTECODE=1",
                   f"PARATUI_LOGIN={login}", "PARATUI_HOST=ws2", f"HOME={base}",
                   "sh", "-c", 'umask 077; exec "$@"', "sh", *exe, *args]
            return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)

        # the first account (root here, in a folder root owns) writes under umask 077
        first = subprocess.run([sys.executable, "-m", "paratui", *MOVE, "--data", str(room)], capture_output=True,
                               text=True, env=env, timeout=60, preexec_fn=lambda: os.umask(0o077))
        assert first.returncode == 0, first.stderr
        # the second account reads it: no warning, S01 is out
        r = as_other("-m", "paratui", "board", "--json", "--data", str(room))
        assert r.returncode == 0, r.stderr
        state = json.loads(r.stdout)
        assert state.get("warnings") in ([], None), state.get("warnings")
        assert "bathroom" in json.dumps(state)
        # and writes its own file into the day folder the first one made
        r = as_other("-m", "paratui", "move", "S02", "--to", "nurse", "--as", "AL", "--data", str(room))
        assert r.returncode == 0, r.stderr
        day = room / DAYDIR
        theirs = day / "ws2--alopez.json"
        assert theirs.stat().st_uid == pwd.getpwnam(user).pw_uid
        assert theirs.stat().st_gid == grp.getgrnam(group).gr_gid  # setgid journal
        events, problems = _all_events(room / "journal")
        assert problems == [] and {e.payload["student"] for e in events.values()} == {"S01", "S02"}
        # the sticky folder: the second account cannot rename over the first one's file
        mine = day / OWN
        before = mine.read_bytes()
        mv = subprocess.run(["runuser", "-u", user, "--", "mv", "-f", str(theirs), str(mine)],
                            capture_output=True, text=True, timeout=60)
        assert mv.returncode != 0 and mine.read_bytes() == before
        # a file the other account cannot read is a warning on its board, naming the file
        os.chmod(mine, 0o600)
        r = as_other("-m", "paratui", "board", "--json", "--data", str(room))
        assert r.returncode == 0, r.stderr
        assert f"journal/2026-11-23/{OWN}: cannot read: permission denied" in _warnings(json.loads(r.stdout))
    finally:
        shutil.rmtree(base, ignore_errors=True)


# -- the watcher and the open board --------------------------------------------------------------
def test_polling_watcher_never_walks_through_links_and_survives_a_fifo(fault_room, tmp_path):
    from paratui.store.watcher import FolderWatcher

    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "pipe.json")
    day = fault_room / DAYDIR
    day.mkdir(parents=True)
    os.mkfifo(day / "x.json")
    (day / "zero.json").symlink_to("/dev/zero")
    (fault_room / "journal" / "out").symlink_to(outside)
    (fault_room / "journal" / "loop").symlink_to(fault_room)
    calls = []
    watcher = FolderWatcher(fault_room, lambda: calls.append(1), poll=0.05)
    watcher.start()
    try:
        assert watcher.mode.startswith("polling")
        [emitter] = list(watcher._observer.emitters)
        _wait(lambda: getattr(emitter, "_snapshot", None) is not None, "the first snapshot")
        paths = {os.fsdecode(p) for p in emitter._snapshot.paths}
        assert str(day / "x.json") in paths
        assert not [p for p in paths if "/journal/out/" in p or "/journal/loop/" in p], "walked through a link"
        _write_journal(day / "ws2--alopez.json", [_move("S04").to_doc()])
        _wait(lambda: calls, "a change to be noticed")
    finally:
        watcher.stop()


def _wait(condition, what: str, timeout: float = 15) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


async def test_open_board_keeps_running_beside_a_fifo_and_a_deep_file(fault_room):
    app = fh.board_app(fault_room)
    async with app.run_test(size=(120, 40)) as pilot:
        day = fault_room / DAYDIR
        day.mkdir(parents=True, exist_ok=True)
        os.mkfifo(day / "x.json")
        (day / "y.json").write_bytes(b"[" * 100_000)
        await fh.wait_until(pilot, lambda: "x.json" in fh.warnings_text(app) and "y.json" in fh.warnings_text(app),
                            what="warnings naming both files")
        assert "FIFO" in fh.warnings_text(app) and "nested" in fh.warnings_text(app)
        assert app.is_running
        await pilot.press("q")
        await fh.wait_until(pilot, lambda: not app.is_running, what="q to quit")
