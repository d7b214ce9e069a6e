"""Fast for years: a board's read of a folder holding years of events gives the same board as reading
everything, costs the same (in entries stat'ed, files parsed) as in week one, and polling looks only
where the board reads. Counts, never timings.
"""

from __future__ import annotations

import json
import os
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from paratui.model.board import build_board
from paratui.model.events import Event
from paratui.store import journal as journal_module
from paratui.store import journal_reader
from paratui.store.folder import DataFolder
from paratui.store.journal import JournalWriter, new_event
from paratui.store.journal_reader import JournalReader
from paratui.store.watcher import BoardSnapshot, FolderWatcher
from tests.helpers import DAY, NOW_DT, demo_copy

STAFF = ["MR", "JT", "AL", "DP", "SK"]
STUDENTS = [f"S0{i}" for i in range(1, 9)]
WRITERS = ["ws--jthomas", "laptop--mrivera"]
LONG_AGO_NS = 1_600_000_000 * 10**9  # 2020: folders last changed long before any listing


class History:
    """Events written straight into journal files the way JournalWriter lays them out."""

    def __init__(self, root: Path, seed: int):
        self.root = root
        self.journal = root / "journal"
        self.rng = random.Random(seed)
        self.files: dict[Path, list[dict]] = {}
        self.written = 1_700_000_000 * 10**9
        self.tasks: list[Event] = []
        self.dones: list[Event] = []
        self.retracted: set[str] = set()
        self.open: list[Event] = []
        self.dirty: set[Path] = set()

    def emit(self, type_: str, when: datetime, payload: dict, task_stream: bool = False) -> Event:
        self.written += self.rng.randrange(1, 10**9)
        e = Event(f"{self.rng.getrandbits(128):032x}", type_, when, self.written, self.rng.choice(STAFF),
                  "login", "host", payload)
        writer = self.rng.choice(WRITERS)
        if task_stream or type_ in ("task.add", "task.done"):
            path = self.journal / "tasks" / f"{when:%Y-%m}" / f"{writer}.json"
        else:
            path = self.journal / when.date().isoformat() / f"{writer}.json"
        self.files.setdefault(path, []).append(e.to_doc())
        self.dirty.add(path)
        if type_ == "retract":
            self.retracted.add(payload["target"])
        elif type_ == "task.add":
            self.tasks.append(e)
            self.open.append(e)
        elif type_ == "task.done":
            self.dones.append(e)
        return e

    def day(self, d: date) -> None:
        """A day's moves and backs (some left open at night), tasks, dones (some days late, some
        of long-done tasks again), and undos, now and then of something done months ago."""
        rng = self.rng
        at = lambda h, m: datetime.combine(d, datetime.min.time()) + timedelta(hours=h, minutes=m)  # noqa: E731
        for s in rng.sample(STUDENTS, 3):
            self.emit("move", at(rng.randint(8, 15), rng.randint(0, 59)),
                      {"student": s, "to": rng.choice(["bathroom", "nurse", "gened-3"]), "with": []})
            if rng.random() < 0.7:
                self.emit("back", at(15, rng.randint(0, 59)), {"student": s})
        for _ in range(rng.randint(1, 3)):
            due = at(rng.randint(9, 15), 0).isoformat(timespec="minutes") if rng.random() < 0.5 else None
            self.emit("task.add", at(rng.randint(8, 14), rng.randint(0, 59)),
                      {"text": rng.choice(["copies", "call home", "laminate"]), "for": rng.choice([None, *STAFF]),
                       "due": due})
        for t in rng.sample(self.open, min(len(self.open), rng.randint(1, 4))):  # most within days
            self.open.remove(t)
            done = self.emit("task.done", at(15, rng.randint(0, 59)), {"task": t.id})
            if rng.random() < 0.1:  # "not done yet after all", a minute later
                self.emit("retract", done.time + timedelta(minutes=1), {"target": done.id}, True)
        if self.dones and rng.random() < 0.15:  # months later: an old done undone (the task re-opens)
            old = rng.choice(self.dones)
            self.emit("retract", at(12, rng.randint(0, 59)), {"target": old.id}, True)
        if self.tasks and rng.random() < 0.05:  # an old task deleted
            self.emit("retract", at(12, rng.randint(0, 59)), {"target": rng.choice(self.tasks).id}, True)

    def flush(self) -> None:
        for path in self.dirty:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(json.dumps({"_default": {str(i): d for i, d in enumerate(self.files[path], 1)}}))
            os.replace(tmp, path)  # as every writer does: a rename, which changes the folder
        self.dirty = set()

    def age_folders(self) -> None:
        """Every folder as if last changed long ago (a real year's old months)."""
        for d in [self.journal, *self.journal.rglob("*")]:
            if d.is_dir():
                os.utime(d, ns=(LONG_AGO_NS, LONG_AGO_NS))


def school_days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1) if (first + timedelta(n)).weekday() < 5]


def make_history(root: Path, first: date, last: date, seed: int = 5) -> History:
    demo_copy(root)
    h = History(root, seed)
    for d in school_days(first, last):
        h.day(d)
    h.flush()
    return h


def full_board(root: Path, now: datetime):
    """The board from every event of the folder, read by a fresh reader without any summary."""
    snap = DataFolder(root).load(now.date(), whole_journal=True)
    return build_board(snap.classroom, snap.schedule, snap.events, now, snap.binder_titles, snap.warnings), \
        snap.events


def board_of(folder: DataFolder, now: datetime):
    snap = folder.load(now.date())
    return build_board(snap.classroom, snap.schedule, snap.events, now, snap.binder_titles, snap.warnings), snap


def test_three_years_give_the_same_board_with_and_without_the_summary(tmp_path):
    root = tmp_path / "room"
    h = make_history(root, date(2024, 9, 2), date(2026, 11, 20))
    h.age_folders()
    folder = DataFolder(root)
    now = datetime(2026, 11, 23, 10, 15)
    ours, snap = board_of(folder, now)
    expected, everything = full_board(root, now)
    assert ours == expected
    assert len(snap.events) < len(everything) / 5, "old months were not summarised"
    assert ours.tasks and ours.students
    # days go by, events arrive (some about tasks done months ago), the month turns: the same reader
    # keeps giving the board a full read gives
    for step in range(12):
        now += timedelta(days=3, hours=1)
        if now.weekday() < 5:
            h.day(now.date())
            if step % 3 == 0:  # re-open a task that was done more than a month ago
                old = next(d for d in h.dones if d.time < now - timedelta(days=70))
                h.emit("retract", now - timedelta(minutes=5), {"target": old.id}, True)
            if step % 4 == 1:  # and do one again
                h.emit("task.done", now - timedelta(minutes=3), {"task": h.tasks[3].id})
            h.flush()
        ours, snap = board_of(folder, now)
        expected, everything = full_board(root, now)
        assert ours == expected, f"boards differ on {now}"


def test_a_retract_today_of_a_done_from_long_ago_reopens_the_task(tmp_path):
    root = tmp_path / "room"
    h = make_history(root, date(2025, 9, 1), date(2026, 11, 20), seed=9)
    h.age_folders()
    folder = DataFolder(root)
    now = NOW_DT
    before, _ = board_of(folder, now)
    dones = {t.id: [d for d in h.dones if d.payload["task"] == t.id] for t in h.tasks}
    task = next(t for t in h.tasks if t.time < datetime(2026, 3, 1) and t.id not in h.retracted
                and len(dones[t.id]) == 1 and dones[t.id][0].id not in h.retracted
                and dones[t.id][0].time < datetime(2026, 3, 1))
    assert task.id not in {r.id for r in before.tasks}
    done = dones[task.id][0]
    undo = new_event("retract", "MR", {"target": done.id}, now, "mrivera", "laptop")
    JournalWriter(root / "journal", "laptop--mrivera").append(undo, task_stream=True)
    after, _ = board_of(folder, now)
    assert task.id in {r.id for r in after.tasks if not r.done}
    assert after == full_board(root, now)[0]


def test_a_file_arriving_late_in_an_old_month_is_read(tmp_path):
    """A sync tool brings a laptop's old month late: it lands by a rename, which changes the folder."""
    root = tmp_path / "room"
    h = make_history(root, date(2025, 9, 1), date(2026, 11, 20), seed=3)
    h.age_folders()
    folder = DataFolder(root)
    now = NOW_DT
    board_of(folder, now)
    task = h.tasks[5]
    late = Event("a" * 32, "retract", datetime(2026, 2, 3, 9, 0), 1, "MR", "x", "y", {"target": task.id})
    old_month = root / "journal" / "tasks" / "2026-02"
    tmp = old_month / ".late.tmp"
    tmp.write_text(json.dumps({"_default": {"1": late.to_doc()}}))
    os.replace(tmp, old_month / "old-laptop--dp.json")
    ours, snap = board_of(folder, now)
    assert late.id in {e.id for e in snap.events}
    assert ours == full_board(root, now)[0]


def test_a_read_that_finds_nothing_new_costs_the_same_in_year_three_as_in_week_one(tmp_path, monkeypatch):
    today = DAY
    # week one of a room that started in late October: a month of tasks last month, one this month
    week = make_history(tmp_path / "week", today - timedelta(days=30), today - timedelta(days=1))
    years = make_history(tmp_path / "years", today - timedelta(days=3 * 365), today - timedelta(days=1))
    costs = {}
    for name, h in (("week", week), ("years", years)):
        h.age_folders()
        reader = JournalReader(h.journal)
        first, _, changed = reader.read(reader.board_dirs(today))
        assert changed
        parsed: list[str] = []
        original = reader._parse
        monkeypatch.setattr(reader, "_parse", lambda path, sig: parsed.append(path.name) or original(path, sig))  # noqa: B023
        reader.stats = 0
        again, _, changed = reader.read(reader.board_dirs(today))
        assert again is first and not changed and parsed == []  # the same result, nothing re-read
        old_months = sum(1 for d in reader.task_dirs() if d.name < f"{today.replace(day=1) - timedelta(1):%Y-%m}")
        costs[name] = (reader.stats, old_months)
        # one new event: only its file is read again
        JournalWriter(h.journal, "ws--jthomas").append(new_event("back", "JT", {"student": "S01"},
                                                                  NOW_DT, "jthomas", "ws"))
        events, _, changed = reader.read(reader.board_dirs(today))
        assert changed and parsed == ["ws--jthomas.json"] and len(events) == len(first) + 1
    (week_stats, week_old), (years_stats, years_old) = costs["week"], costs["years"]
    assert week_old == 0 and years_old >= 30
    # the same listing of today's, yesterday's and two task folders; one stat per old month on top
    assert years_stats - years_old == week_stats


def test_old_months_files_are_checked_again_once_in_a_while(tmp_path, monkeypatch):
    """A file edited in place in an old month (no rename: its folder does not change) is seen at the
    next full check."""
    root = tmp_path / "room"
    h = make_history(root, date(2026, 1, 5), date(2026, 11, 20), seed=4)
    h.age_folders()
    reader = JournalReader(h.journal)
    events, _, _ = reader.read(reader.board_dirs(DAY))
    path = next(p for p in h.files if p.parent.name == "2026-02" and p.parent.parent.name == "tasks")
    docs = json.loads(path.read_text())
    docs["_default"]["999"] = Event("b" * 32, "task.add", datetime(2026, 2, 2, 9), 5, "MR", "x", "y",
                                    {"text": "edited in", "for": None, "due": None}).to_doc()
    with open(path, "r+") as f:  # in place, as some editors do
        f.write(json.dumps(docs))
    os.utime(path.parent, ns=(LONG_AGO_NS, LONG_AGO_NS))
    same, _, changed = reader.read(reader.board_dirs(DAY))
    assert not changed and "b" * 32 not in {e.id for e in same}
    monkeypatch.setattr(journal_reader, "SETTLED_CHECK_S", 0.0)
    seen, _, changed = reader.read(reader.board_dirs(DAY))
    assert changed and "b" * 32 in {e.id for e in seen}


def test_the_board_reads_yesterday(room_dir):
    journal = room_dir / "journal"
    reader = JournalReader(journal)
    assert reader.board_dirs(DAY)[:2] == [journal / "2026-11-23", journal / "2026-11-22"]
    sunday = new_event("move", "JT", {"student": "S01", "to": "nurse", "with": []},
                       datetime(2026, 11, 22, 23, 50), "jthomas", "ws")
    JournalWriter(journal, "ws--jthomas").append(sunday)
    events, _, _ = reader.read(reader.board_dirs(DAY))
    assert sunday.id in {e.id for e in events}


# -- polling -------------------------------------------------------------------------------------
def test_a_poll_lstats_as_many_entries_in_year_three_as_in_week_one(tmp_path):
    today = DAY
    counts = {}
    for name, first in (("week", today - timedelta(days=30)), ("years", today - timedelta(days=3 * 365))):
        h = make_history(tmp_path / name, first, today - timedelta(days=1))
        JournalWriter(h.journal, "ws--jthomas").append(new_event("back", "JT", {"student": "S01"},
                                                                  NOW_DT, "jthomas", "ws"))
        snap = BoardSnapshot(str(h.root), today)
        counts[name] = snap.counter[0]
        paths = {os.path.relpath(p, h.root) for p in snap.paths}
        assert {"classroom.toml", "schedule.toml", "binder/monday.md", "journal", "journal/tasks",
                "journal/2026-11-23/ws--jthomas.json", "journal/tasks/2026-10"} <= paths
        assert not [p for p in paths if p.startswith("journal/2026-11-1")]  # older days: never
    assert counts["years"] == counts["week"]
    whole_tree = sum(1 for _ in (tmp_path / "years").rglob("*"))
    assert whole_tree > 10 * counts["years"]


def test_polling_sees_writes_where_the_board_reads_and_only_there(tmp_path, monkeypatch):
    today = DAY
    h = make_history(tmp_path / "room", today - timedelta(days=60), today - timedelta(days=1))
    before = BoardSnapshot(str(h.root), today)
    changes = {
        "journal/2026-11-22/late--x.json": True,  # yesterday (a Sunday: the folder is new)
        "journal/2026-11-23/ws--y.json": True,  # today
        "journal/tasks/2026-10/ws--y.json": True,  # last month's tasks
        "binder/friday.md": True,
        "journal/2026-10-01/ws--y.json": False,  # an old day: the board does not read it
    }
    for rel in changes:
        (h.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (h.root / rel).write_text("{}")
    after = BoardSnapshot(str(h.root), today)
    diff = after - before
    new = {os.path.relpath(p, h.root) for p in [*diff.files_created, *diff.files_modified]}
    assert new == {rel for rel, seen in changes.items() if seen}


def test_polling_watcher_notices_a_write_in_yesterdays_folder(room_dir):
    import threading

    changed = threading.Event()
    watcher = FolderWatcher(room_dir, changed.set, poll=0.05)
    watcher.start()
    try:
        assert watcher.mode.startswith("polling")
        [emitter] = list(watcher._observer.emitters)
        import time

        deadline = time.monotonic() + 10
        while emitter.counter[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        changed.clear()
        late = new_event("back", "JT", {"student": "S01"}, datetime(2026, 11, 22, 23, 0), "jthomas", "ws")
        JournalWriter(room_dir / "journal", "ws--jthomas").append(late)
        assert changed.wait(10), "the polling watcher never noticed a write in yesterday's folder"
    finally:
        watcher.stop()


# -- the writer's file stays small -------------------------------------------------------------------
def test_a_writer_whose_file_is_full_starts_a_sibling(room_dir, monkeypatch):
    monkeypatch.setattr(journal_module, "ROLL_BYTES", 20_000)
    journal = room_dir / "journal"
    writer = JournalWriter(journal, "ws--ann")
    first = writer.append(new_event("move", "JT", {"student": "S01", "to": "nurse", "with": []},
                                    NOW_DT, "ann", "ws"))
    paths = [first]
    for _i in range(120):
        paths.append(writer.append(new_event("back", "JT", {"student": "S01"}, NOW_DT, "ann", "ws")))
    names = sorted({p.name for p in paths})
    assert names[0] == "ws--ann.1.json" and "ws--ann.json" in names and len(names) >= 2
    assert all(p.stat().st_size <= 20_000 + 1_000 for p in {*paths})  # never rewritten once full
    reader = JournalReader(journal)
    events, problems, _ = reader.read(reader.board_dirs(DAY))
    assert len(events) == 121 and problems == []
