"""The journal's streams and what reads them: quick-logging entries in their own stream (the board reads
a day of it, a report only the months it covers), journals from before that stream, this machine's
cache of closed task months, goal files' last-good copies, and the lock stamp's command names.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from paratui.cli import build_parser
from paratui.model import commands, data_commands
from paratui.model.board import build_board
from paratui.model.events import Event
from paratui.store import journal as journal_module
from paratui.store.folder import DataFolder
from paratui.store.journal import JournalWriter, new_event
from paratui.store.journal_reader import JournalReader
from paratui.store.room import Room
from paratui.store.summary_cache import SummaryCache
from paratui.store.watcher import BoardSnapshot, is_relevant
from tests.helpers import NOW_DT, run_cli
from tests.test_years import LONG_AGO_NS, board_of, full_board, make_history

NOW = NOW_DT  # Monday 2026-11-23 10:15


def room_at(root: Path, when: datetime) -> Room:
    return Room(root, clock=lambda: when)


def files(journal: Path) -> list[str]:
    return sorted(p.relative_to(journal).as_posix() for p in journal.rglob("*.json"))


def write_legacy(journal: Path, day: date, docs: list[dict], writer: str = "old-ws--jthomas") -> Path:
    """A day file as paratui wrote it before the log stream (quick-logging entries in the day folder)."""
    path = journal / day.isoformat() / f"{writer}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"_default": {str(i): d for i, d in enumerate(docs, 1)}}))
    return path


def ev(type_: str, when: datetime, payload: dict, staff: str = "JT", eid: str | None = None) -> Event:
    e = new_event(type_, staff, payload, when, "jthomas", "old-ws")
    if eid:
        e.id = eid
    return e


# -- writing: where each kind of event goes ----------------------------------------------------------

def test_logging_entries_and_their_undos_go_to_the_log_stream_and_nothing_else_does(room_dir):
    room = room_at(room_dir, NOW)
    ctx = room.context("JT")
    room.apply(data_commands.log(ctx, "K.B.", "greet"), "JT")
    room.apply(data_commands.abc(room.context("DP"), "R.N.", "elopement", "1", "1", "1"), "DP")
    room.apply(data_commands.timer_start(room.context("DP"), "R.N.", "tantrum"), "DP")
    room.apply(commands.move(room.context("JT"), "K.B.", "bathroom"), "JT")
    room.apply(commands.task_add(room.context("JT"), "copies"), "JT")
    journal = room_dir / "journal"
    log = "log/2026-11/23/testhost--tester.json"
    assert files(journal) == ["2026-11-23/testhost--tester.json", log, "tasks/2026-11/testhost--tester.json"]
    by_file = {f: [d["type"] for d in json.loads((journal / f).read_text())["_default"].values()]
               for f in files(journal)}
    assert by_file[log] == ["data", "abc", "timer.start"]
    assert by_file["2026-11-23/testhost--tester.json"] == ["move"]
    # JT undoes the task, the move, then (the next day) the tally: each retract in its target's stream
    assert room.undo("JT")[1].type == "task.add"
    assert room.undo("JT")[1].type == "move"
    for f in ("tasks/2026-11/testhost--tester.json", "2026-11-23/testhost--tester.json"):
        assert [d["type"] for d in json.loads((journal / f).read_text())["_default"].values()][-1] == "retract"
    later = room_at(room_dir, NOW + timedelta(days=1))  # the next day: the undo goes beside the entry
    change = commands.undo(later.context("JT"))
    assert change is not None and change.type == "retract"
    later.apply(change, "JT")
    types = [d["type"] for d in json.loads((journal / log).read_text())["_default"].values()]
    assert types == ["data", "abc", "timer.start", "retract"]
    assert not (journal / "log" / "2026-11" / "24").exists() and not (journal / "2026-11-24").exists()


def test_the_board_counts_todays_entries_and_finds_a_timer_left_running_on_the_last_school_day(room_dir):
    friday = datetime(2026, 11, 20, 14, 0)
    fri = room_at(room_dir, friday)
    fri.apply(data_commands.timer_start(fri.context("DP"), "R.N.", "tantrum"), "DP")
    fri.apply(data_commands.log(fri.context("JT"), "K.B.", "greet"), "JT")
    thursday = room_at(room_dir, friday - timedelta(days=1))
    thursday.apply(data_commands.log(thursday.context("JT"), "K.B.", "greet"), "JT")
    monday = room_at(room_dir, NOW)
    monday.apply(data_commands.log(monday.context("JT"), "K.B.", "greet", "3"), "JT")
    snap = monday.snapshot()
    kinds = sorted((e.time.date().isoformat(), e.type) for e in snap.events)
    # Monday's entry and the last log day before it (Friday: the timer), not Thursday's
    assert kinds == [("2026-11-20", "data"), ("2026-11-20", "timer.start"), ("2026-11-23", "data")]
    board = monday.board(snap)
    assert not any(d.student == "S02" and d.goal == "greet" for d in board.data_due)
    assert any(d.student == "S05" for d in board.data_due)


def test_the_board_reads_a_days_worth_of_the_log_stream_in_any_month(room_dir):
    journal = room_dir / "journal"
    w = JournalWriter(journal, "ws--jthomas")
    for day in range(3, 21):  # most of a month of entries before today
        w.append(ev("data", datetime(2026, 11, day, 9), {"student": "S02", "goal": "greet", "count": 1}))
    w.append(ev("timer.start", datetime(2026, 10, 30, 9), {"student": "S05", "goal": "tantrum"}))
    reader = JournalReader(journal)
    dirs = reader.board_dirs(NOW.date())
    assert [d for d in dirs if "log" in d.parts] == [journal / "log/2026-11/23", journal / "log/2026-11/20"]
    first_of_month = reader.board_dirs(date(2026, 11, 2))  # Monday 2 November: Friday 30 October
    assert [d for d in first_of_month if "log" in d.parts] == [journal / "log/2026-11/02", journal / "log/2026-10/30"]
    events, problems, _ = reader.read(first_of_month)
    assert problems == [] and [e.type for e in events if e.type == "timer.start"] == ["timer.start"]


# -- reports: only the log stream, only the months asked for -------------------------------------------

def test_a_report_reads_only_the_log_stream_days_in_its_range(room_dir, monkeypatch):
    journal = room_dir / "journal"
    w = JournalWriter(journal, "ws--jthomas")
    for when in (datetime(2026, 9, 14, 9), datetime(2026, 10, 5, 9), datetime(2026, 11, 20, 9)):
        w.append(ev("data", when, {"student": "S02", "goal": "greet", "count": 2}))
        w.append(ev("move", when, {"student": "S01", "to": "nurse", "with": []}))
        w.append(ev("task.add", when, {"text": "copies", "for": None, "due": None}))
    folder = DataFolder(room_dir)
    parsed: list[str] = []
    original = folder.reader._parse
    monkeypatch.setattr(folder.reader, "_parse",
                        lambda path, sig: parsed.append(path.relative_to(journal).as_posix()) or original(path, sig))
    snap = folder.load(NOW.date(), log_range=(date(2026, 10, 1), date(2026, 10, 31)))
    assert parsed == ["log/2026-10/05/ws--jthomas.json"]
    assert [(e.type, e.time.month) for e in snap.events] == [("data", 10)]
    parsed.clear()
    snap = DataFolder(room_dir).load(NOW.date(), log_range=(None, None))
    assert sorted(e.time.month for e in snap.events if e.type == "data") == [9, 10, 11]


def test_the_report_from_the_command_line_counts_entries_and_their_undos(room_dir):
    env = {"PARATUI_NOW": "2026-10-05T09:00"}
    run_cli("log", "K.B.", "greet", "4", "--as", "JT", data=room_dir, env=env, check=True)
    run_cli("log", "K.B.", "greet", "1", "--as", "JT", data=room_dir, env=env, check=True)
    run_cli("undo", "--as", "JT", data=room_dir, env={"PARATUI_NOW": "2026-11-23T10:00"}, check=True)
    run_cli("log", "K.B.", "greet", "2", "--as", "MR", data=room_dir, check=True)
    out = run_cli("report", "K.B.", "--goal", "greet", "--format", "csv", "--from", "2026-10-01", "--to",
                  "2026-10-31", data=room_dir, check=True).stdout
    rows = out.strip().splitlines()[1:]
    assert [r.split(",")[6] for r in rows] == ["4"]  # the undone 1 (undone in November) and November's 2 left out
    whole = run_cli("report", "K.B.", "--goal", "greet", "--format", "csv", data=room_dir, check=True).stdout
    assert sorted(r.split(",")[6] for r in whole.strip().splitlines()[1:]) == ["2", "4"]


def test_journals_from_before_the_log_stream_still_count(room_dir):
    """Entries in the day folders (as paratui wrote them before) count on the board and in reports,
    beside new ones in the log stream; a retract written then, in the day folder, still undoes."""
    journal = room_dir / "journal"
    start = ev("timer.start", datetime(2026, 11, 23, 9, 0), {"student": "S05", "goal": "tantrum"}, "DP")
    tally = ev("data", datetime(2026, 11, 23, 9, 5), {"student": "S02", "goal": "greet", "count": 3})
    wrong = ev("data", datetime(2026, 11, 23, 9, 6), {"student": "S02", "goal": "greet", "count": 9})
    undo = ev("retract", datetime(2026, 11, 23, 9, 7), {"target": wrong.id})
    old = ev("data", datetime(2026, 10, 7, 9, 0), {"student": "S02", "goal": "greet", "count": 5})
    write_legacy(journal, date(2026, 11, 23), [e.to_doc() for e in (start, tally, wrong, undo)])
    write_legacy(journal, date(2026, 10, 7), [old.to_doc()])
    room = room_at(room_dir, NOW)
    board = room.board()
    assert [(t.student, t.goal) for t in board.timers] == [("S05", "tantrum")]
    assert not any(d.student == "S02" and d.goal == "greet" for d in board.data_due)
    stop = data_commands.timer_stop(room.context("DP"), "R.N.", "tantrum")  # the old timer is found
    assert stop.payload["start"] == start.id
    room.apply(stop, "DP")
    room.apply(data_commands.log(room.context("JT"), "K.B.", "greet", "2"), "JT")
    assert room.board().timers == ()
    out = run_cli("report", "K.B.", "--goal", "greet", "--format", "csv", data=room_dir, check=True).stdout
    counts = sorted(r.split(",")[6] for r in out.strip().splitlines()[1:])
    assert counts == ["2", "3", "5"]  # old and new entries; the undone 9 left out
    october = run_cli("report", "K.B.", "--goal", "greet", "--format", "csv", "--from", "2026-10-01", "--to",
                      "2026-10-31", data=room_dir, check=True).stdout
    assert [r.split(",")[6] for r in october.strip().splitlines()[1:]] == ["5"]


def test_reader_log_dirs_pick_legacy_day_folders_only_before_the_log_stream_began(room_dir):
    journal = room_dir / "journal"
    for d in ("2026-09-01", "2026-10-01", "2026-11-02", "2026-11-23"):
        (journal / d).mkdir()
    for d in ("2026-11/02", "2026-11/23"):
        (journal / "log" / d).mkdir(parents=True)
    reader = JournalReader(journal)
    assert reader.log_dirs() == [journal / "2026-09-01", journal / "2026-10-01", journal / "2026-11-02",
                                 journal / "log/2026-11/02", journal / "log/2026-11/23"]
    assert reader.log_dirs(date(2026, 9, 15), date(2026, 11, 10)) == [
        journal / "2026-10-01", journal / "2026-11-02", journal / "log/2026-11/02"]
    everything = reader.all_dirs()
    assert journal / "log/2026-11/23" in everything and journal / "2026-11-23" in everything


# -- polling sees the log stream where the board reads it ----------------------------------------------

def test_polling_and_the_watcher_look_at_todays_log_folder(room_dir):
    root = room_dir
    assert is_relevant(root, str(root / "journal/log/2026-11/23/ws--jt.json"))
    assert is_relevant(root, str(root / "journal/log/2026-11/23"))
    assert is_relevant(root, str(root / "journal/log/2026-11"))
    assert not is_relevant(root, str(root / "journal/.cache/settled.ws--jt"))
    journal = root / "journal"
    for d in ("2026-11/19", "2026-11/20", "2026-11/23"):
        (journal / "log" / d).mkdir(parents=True)
        (journal / "log" / d / "ws--jt.json").write_text("{}")
    seen = {os.path.relpath(p, journal) for p in BoardSnapshot(str(root), NOW.date()).paths}
    assert {"log/2026-11/23/ws--jt.json", "log/2026-11/20/ws--jt.json"} <= seen
    assert "log/2026-11/19/ws--jt.json" not in seen


# -- this machine's cache of closed task months ----------------------------------------------------------

def _history(tmp_path: Path, seed: int = 7):
    root = tmp_path / "room"
    h = make_history(root, date(2024, 9, 2), date(2026, 11, 20), seed=seed)
    h.age_folders()
    return root, h


def _counting(folder: DataFolder, monkeypatch) -> list[str]:
    parsed: list[str] = []
    original = folder.reader._parse
    monkeypatch.setattr(folder.reader, "_parse", lambda path, sig: parsed.append(str(path)) or original(path, sig))
    return parsed


def _settled_cache(root: Path) -> Path:
    """This account's summary of the room's closed months (in its own cache folder, not the room's)."""
    path = SummaryCache(root / "journal", lambda: "testhost--tester").path()
    assert path is not None
    return path


_TEMPLATE_CACHES: dict[Path, Path] = {}  # a module-wide room → its cache, made under its own XDG_CACHE_HOME


def _copied_cache(template: Path, root: Path) -> Path:
    """The template room's cache, copied to where this account keeps the cache of `root` (a copy of it)."""
    cache = _settled_cache(root)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(_TEMPLATE_CACHES[template].read_bytes())
    return cache


def _old_task_files(parsed: list[str]) -> list[str]:
    return [p for p in parsed if "/tasks/" in p and p.split("/tasks/")[1][:7] < "2026-10"]


def test_a_second_start_reuses_the_summary_of_closed_months_and_gives_the_same_board(tmp_path, monkeypatch):
    root, h = _history(tmp_path)
    first = DataFolder(root)
    parsed = _counting(first, monkeypatch)
    board1, _ = board_of(first, NOW)
    read_first = _old_task_files(parsed)
    assert len(read_first) > 40  # the first start reads every old month
    cache = _settled_cache(root)
    assert cache.is_file()
    second = DataFolder(root)
    parsed = _counting(second, monkeypatch)
    board2, snap = board_of(second, NOW)
    # the second reads only the few files holding tasks that recent events are about (re-opened ones)…
    assert 0 < len(_old_task_files(parsed)) < len(read_first) / 4
    third = DataFolder(root)  # … and keeps those tasks in the cache: the third reads none
    parsed = _counting(third, monkeypatch)
    assert board_of(third, NOW)[0] == board1 and _old_task_files(parsed) == []
    expected, _ = full_board(root, NOW)
    assert board1 == board2 == expected
    # and keeps giving the full read's board as days pass and old tasks are re-opened
    now = NOW
    for step in range(6):
        now += timedelta(days=1)
        if now.weekday() < 5:
            h.day(now.date())
            if step % 2 == 0:
                old = next(d for d in h.dones if d.time < now - timedelta(days=90) and d.id not in h.retracted)
                h.emit("retract", now - timedelta(minutes=5), {"target": old.id}, True)
            h.flush()
        fresh = DataFolder(root)
        assert board_of(fresh, now)[0] == full_board(root, now)[0], f"boards differ on {now}"


def test_a_changed_old_file_is_read_again_not_taken_from_the_cache(tmp_path, monkeypatch):
    root, h = _history(tmp_path, seed=8)
    board_of(DataFolder(root), NOW)
    path = next(p for p in h.files if p.parent.name == "2025-02" and p.parent.parent.name == "tasks")
    docs = json.loads(path.read_text())
    added = Event("c" * 32, "task.add", datetime(2025, 2, 3, 9), 5, "MR", "x", "y",
                  {"text": "edited in", "for": None, "due": None})
    docs["_default"]["999"] = added.to_doc()
    path.write_text(json.dumps(docs))  # in place: same folder, new size and time
    os.utime(path.parent, ns=(LONG_AGO_NS, LONG_AGO_NS))
    folder = DataFolder(root)
    parsed = _counting(folder, monkeypatch)
    board, snap = board_of(folder, NOW)
    assert "c" * 32 in {e.id for e in snap.events} and _old_task_files(parsed)
    assert board == full_board(root, NOW)[0]


@pytest.fixture(scope="module")
def cached_room(tmp_path_factory):
    """Two and a half years of history, read once (so its cache exists), and the full read's board."""
    root, _ = _history(tmp_path_factory.mktemp("cached"), seed=9)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in (("PARATUI_LOGIN", "tester"), ("PARATUI_HOST", "testhost"),
                           ("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))):
            mp.setenv(key, value)
        board_of(DataFolder(root), NOW)
        _TEMPLATE_CACHES[root] = _settled_cache(root)
        return root, full_board(root, NOW)[0]


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff garbage", b"[" * 100_000, b'{"version": 1}', b'{"version": 1, "dirs": 5}',
    b'{"version": 2, "dirs": [], "files": {}, "newest": "x", "kept": [], "dropped": ""}',
    "fifo", "link to /dev/zero", "stale", "bad index",
])
def test_a_broken_or_hostile_cache_is_ignored(tmp_path, cached_room, content):
    import shutil

    template, expected = cached_room
    root = tmp_path / "room"
    shutil.copytree(template, root, symlinks=True)
    cache = _copied_cache(template, root)
    data = json.loads(cache.read_text())
    cache.unlink()
    if content == "fifo":
        os.mkfifo(cache)
    elif content == "link to /dev/zero":
        cache.symlink_to("/dev/zero")
    elif content == "stale":  # right signatures, but claims an event the files do not hold
        data["kept"].append(Event("d" * 32, "task.add", datetime(2025, 1, 6, 9), 1, "MR", "x", "y",
                                  {"text": "planted", "for": None, "due": None}).to_doc())
        data["files"][0][1] += 1  # … for a file whose size differs
        cache.write_text(json.dumps(data))
    elif content == "bad index":  # records pointing at files that are not there
        data["index"] = data["index"][:-4] + "ffff" if data["index"] else "0" * 16 + "ffff"
        cache.write_text(json.dumps(data))
    else:
        assert isinstance(content, bytes)
        cache.write_bytes(content)
    board, snap = board_of(DataFolder(root), NOW)
    assert board == expected and "d" * 32 not in {e.id for e in snap.events}


def test_a_cache_written_by_another_account_is_never_used(tmp_path, monkeypatch, cached_room):
    import shutil

    root = tmp_path / "room"
    shutil.copytree(cached_room[0], root)
    cache = _copied_cache(cached_room[0], root)
    data = json.loads(cache.read_text())
    data["kept"].append(Event("e" * 32, "task.add", datetime(2025, 1, 6, 9), 1, "MR", "x", "y",
                              {"text": "planted", "for": None, "due": None}).to_doc())
    cache.write_text(json.dumps(data))
    real = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real + 1)  # as if another account owned the file
    _, snap = board_of(DataFolder(root), NOW)
    assert "e" * 32 not in {e.id for e in snap.events}


# -- goal files: last-good copies on disk --------------------------------------------------------------

def test_a_broken_goal_file_on_a_fresh_start_shows_the_last_good_goals_and_says_where(room_dir):
    good = DataFolder(room_dir).load(NOW.date())
    goals = [g.id for g in good.classroom.plans["S05"].goals]
    copies = sorted(p.name for p in (room_dir / "journal" / ".last-good").iterdir())
    assert "students.S05.toml.testhost--tester" in copies
    path = room_dir / "students" / "S05.toml"
    text = path.read_text()
    path.write_text(text.replace('kind = "trials"', 'kind = "trails"', 1))
    snap = DataFolder(room_dir).load(NOW.date())  # a new process: nothing in memory
    assert [g.id for g in snap.classroom.plans["S05"].goals] == goals
    problem = next(w for w in snap.warnings if w.startswith("students/S05.toml"))
    assert problem.startswith("students/S05.toml:") and "kind" in problem
    assert "showing the last good version from " in problem
    # and what a CLI command sees: the goal still exists
    out = run_cli("log", "R.N.", "aac", "+", "--prompt", "V", "--as", "DP", data=room_dir, check=True)
    assert "aac" in out.stdout
    # a broken file never becomes a "good" copy
    copy = room_dir / "journal" / ".last-good" / "students.S05.toml.testhost--tester"
    assert copy.read_text() == text


def test_a_goal_file_broken_before_it_was_ever_good_has_no_goals_and_a_warning(room_dir):
    path = room_dir / "students" / "S05.toml"
    path.write_text("[[goals]\n")
    snap = DataFolder(room_dir).load(NOW.date())
    assert "S05" not in snap.classroom.plans
    assert any(w.startswith("students/S05.toml:1") and "last good" not in w for w in snap.warnings)


# -- the lock stamp ----------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, doing", [
    (["--data", "x", "log", "K.B.", "greet"], "paratui log"),
    (["abc", "R.N.", "--behavior", "1"], "paratui abc"),
    (["timer", "start", "R.N.", "tantrum"], "paratui timer start"),
    (["timer", "stop", "R.N.", "tantrum"], "paratui timer stop"),
    (["report", "K.B."], "paratui report"),
    (["task", "done", "ab12"], "paratui task done"),
])
def test_the_lock_stamp_names_every_command(argv, doing):
    assert build_parser().parse_args(argv).doing == doing
    assert journal_module._STAMP.match(f"pid 12 on ws (paratui {doing[8:]}) #ab12")


def test_fold_of_the_board_is_unchanged_by_the_stream_it_came_from(room_dir):
    """The same entries, legacy (day folder) or new (log stream), make the same board."""
    legacy_root = room_dir.parent / "legacy"
    import shutil

    shutil.copytree(room_dir, legacy_root)
    entries = [ev("data", datetime(2026, 11, 23, 9, m), {"student": "S02", "goal": "greet", "count": 1})
               for m in range(3)] + [ev("timer.start", datetime(2026, 11, 23, 9, 30), {"student": "S05",
                                                                                       "goal": "tantrum"})]
    write_legacy(legacy_root / "journal", NOW.date(), [e.to_doc() for e in entries])
    w = JournalWriter(room_dir / "journal", "old-ws--jthomas")
    for e in entries:
        w.append(e)
    boards = []
    for r in (room_dir, legacy_root):
        snap = DataFolder(r).load(NOW.date())
        boards.append(build_board(snap.classroom, snap.schedule, snap.events, NOW))
    assert boards[0] == boards[1] and boards[0].timers


# -- a task done long ago ------------------------------------------------------------------------------

def test_marking_a_task_done_long_ago_says_it_is_already_done(room_dir):
    journal = room_dir / "journal"
    w = JournalWriter(journal, "laptop--mrivera")
    add = ev("task.add", datetime(2026, 8, 31, 9), {"text": "laminate", "for": None, "due": None}, "MR")
    w.append(add)
    w.append(ev("task.done", datetime(2026, 9, 1, 14), {"task": add.id}, "AL"))
    assert add.id not in {e.id for e in DataFolder(room_dir).load(NOW.date()).events}  # left out of the board
    r = run_cli("task", "done", add.id[:6], "--as", "JT", data=room_dir)
    assert r.returncode == 2
    assert f"task {add.id[:6]} is already done (by Ms. L at 2026-09-01 14:00)" in r.stderr
    unknown = run_cli("task", "done", "zzzz", "--as", "JT", data=room_dir)
    assert unknown.returncode == 2 and "matches no task" in unknown.stderr
