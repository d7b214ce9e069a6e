"""What keeps a write's way to every open screen short (issue 8's live target, measured in
bench/bench_live.py), checked as behaviour: the board's own reading never wakes it, a file being
written to is read again only for what is new (and a changed document is never taken for the old
one), and a move redraws the rows it changed without laying out the whole screen again."""

from __future__ import annotations

import json
import threading
import time

from paratui.app.panes import AdultsPane, OutPane, StudentsPane, UncoveredPane
from paratui.store import paths
from paratui.store.journal_reader import JournalReader
from paratui.store.room import Room
from paratui.store.watcher import FolderWatcher
from tests.helpers import make_app


def test_reading_the_folder_never_wakes_the_board_and_a_write_does(room_dir, monkeypatch):
    """Each reload opens the folder's files; inotify reports every open and close unless asked not
    to, and the observer's threads then handle them in Python while the next reload runs."""
    from paratui.store import watcher as watching

    room = Room(room_dir)
    room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
    room.snapshot()  # a first read writes this machine's last-good copies: a real write, once
    handled: list[str] = []
    original = watching._Handler.dispatch

    def dispatch(self, event):
        handled.append(event.event_type)
        return original(self, event)

    monkeypatch.setattr(watching._Handler, "dispatch", dispatch)
    changed = threading.Event()
    watcher = FolderWatcher(room_dir, changed.set)
    watcher.start()
    try:
        assert watcher.mode == "inotify"
        for _ in range(20):  # what every reload does: open and read the folder's files
            for f in room_dir.rglob("*"):
                if f.is_file():
                    f.read_bytes()
            Room(room_dir).snapshot()
        time.sleep(0.3)  # give inotify the time to deliver what it would
        assert handled == [] and not changed.is_set()
        Room(room_dir).record("back", "JT", {"student": "S01"})
        assert changed.wait(5)
    finally:
        watcher.stop()


def _journal(path, docs: dict[str, dict]) -> None:
    path.write_text(json.dumps({"_default": docs}))


def _doc(n: int, student: str = "S01", to: str = "bathroom") -> dict:
    return {"id": f"{n:032x}", "type": "move", "time": f"2026-11-23T10:{n:02d}:00", "written": n, "staff": "JT",
            "login": "jt", "host": "ws", "payload": {"student": student, "to": to, "with": ["JT"]}}


def test_a_file_written_to_is_read_again_in_full_where_a_document_changed(tmp_path):
    journal = tmp_path / "journal"
    day = journal / "2026-11-23"
    day.mkdir(parents=True)
    f = day / "ws--jt.json"
    reader = JournalReader(journal)
    docs = {str(n): _doc(n) for n in range(1, 4)}
    for step in range(3):  # the writer appends one event at a time
        docs[str(4 + step)] = _doc(4 + step)
        _journal(f, docs)
        events, problems, _ = reader.read([day])
        assert [e.written for e in events] == list(range(1, 5 + step)) and problems == []
    first = {e.id: e for e in events}
    # a hand edit changes an early document in place; and one more event is appended
    docs["2"] = _doc(2, to="office")
    docs["7"] = _doc(7)
    _journal(f, docs)
    events, _, _ = reader.read([day])
    by_id = {e.id: e for e in events}
    assert by_id[_doc(2)["id"]].payload["to"] == "office"  # read again, never the old version
    assert by_id[_doc(1)["id"]] is first[_doc(1)["id"]]  # unchanged: the same event, not parsed again
    assert len(events) == 7
    # a document that turns bad is reported (and left out), not taken for its old version
    docs["3"] = {"id": _doc(3)["id"], "type": "move", "time": "not a time"}
    _journal(f, docs)
    events, problems, _ = reader.read([day])
    assert len(events) == 6 and any("document 3" in p for p in problems)


def count_layouts(screen) -> list[int]:
    """A list that gets one item each time `screen` lays out its widgets again."""
    layouts: list[int] = []
    original = screen._refresh_layout

    def counted(*args, **kwargs):
        layouts.append(1)
        return original(*args, **kwargs)

    screen._refresh_layout = counted
    return layouts


async def test_a_move_redraws_its_rows_without_laying_out_the_screen(room_dir):
    """At 120×40 a move (an adult takes a student out, leaving their group with no adult) changes
    rows in four panes; the Out of room and Uncovered panes keep room for a few rows, so the screen
    is not laid out again and every pane still shows the new state."""
    app = make_app(room_dir, as_staff="JT", watch=False, theme_folders=[paths.builtin_themes()])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        layouts = count_layouts(app.screen)
        heights = {p: app.query_one(p).outer_size.height for p in (OutPane, UncoveredPane)}
        Room(room_dir).record("move", "JT", {"student": "S02", "to": "bathroom", "with": ["JT"]})
        app.reload()
        await pilot.pause()
        await pilot.pause()
        assert "K.B." in str(app.query_one(OutPane).content)
        assert "no adult" in str(app.query_one(UncoveredPane).content)
        assert "Bathroom" in str(app.query_one(StudentsPane).content)
        assert "since" in str(app.query_one(AdultsPane).content)
        assert {p: app.query_one(p).outer_size.height for p in heights} == heights
        assert layouts == []


def _fresh(fn, *args, **kwargs):
    """`fn` as if nothing had been folded before (its memos emptied for the call, then put back)."""
    from paratui.model import notes, tasks

    kept = tasks._DAY[0], tasks._ROWS[0], notes._LAST[0]
    tasks._DAY[0] = None
    tasks._ROWS[0] = (None, (0, 0, 0), ((), ()))
    notes._LAST[0] = ((), None, ())
    try:
        return fn(*args, **kwargs)
    finally:
        tasks._DAY[0], tasks._ROWS[0], notes._LAST[0] = kept


def test_the_folds_taken_from_the_last_reload_are_exactly_what_folding_again_gives():
    """Tasks and notes are folded once per day and set of events; the clock then only says which
    tasks are overdue or due years away. Walk the clock across due times, midnight, two years on and
    a typo'd due date, adding an event now and then: every answer equals a fold from scratch."""
    from datetime import datetime, timedelta

    from paratui.model.events import Event
    from paratui.model.notes import fold_notes
    from paratui.model.tasks import fold_tasks

    t0 = datetime(2026, 11, 23, 7, 58, 30)
    events: list[Event] = []
    dues = ["2026-11-23T08:00", "2026-11-23T08:01:30", "2026-11-24T08:00", "9999-01-01T00:00", "soon", None,
            "2024-11-21T08:05"]  # two years (FAR_DUE) before 08:05 today: "years away" from then on
    for i, due in enumerate(dues):
        events.append(Event(f"t{i:031d}", "task.add", t0 - timedelta(hours=1), i, "JT", payload={
            "text": f"task {i}", "for": None, "due": due}))
    events.append(Event("n" + "0" * 31, "note", t0 - timedelta(days=1), 9, "JT", payload={
        "text": "urgent", "to": ["AL"], "urgent": True}))
    events.append(Event("m" + "0" * 31, "note", t0 - timedelta(hours=1), 10, "JT", payload={
        "text": "today's handoff", "to": ["AL"]}))
    now = t0
    for step in range(40):
        now += {20: timedelta(hours=24), 35: timedelta(days=733)}.get(step, timedelta(seconds=50))  # midnight, years
        if step == 10:
            events = [*events, Event("d" + "0" * 31, "task.done", now, 20, "AL", payload={"task": events[0].id})]
        if step == 30:
            events = [*events, Event("a" + "0" * 31, "ack", now, 21, "AL", payload={"note": "n" + "0" * 31})]
        got = fold_tasks(events, now), fold_notes(events, now)
        again = fold_tasks(events, now), fold_notes(events, now)  # from the memo
        assert got == again == (_fresh(fold_tasks, events, now), _fresh(fold_notes, events, now))


async def test_the_alarm_panes_keep_their_height_through_the_block(room_dir):
    """Two adults step out: the Uncovered pane grows once (four students with no adult); one comes
    back and goes out again, and again: the pane keeps its height, the screen is not laid out again,
    and what it says follows every move."""
    app = make_app(room_dir, as_staff="JT", watch=False, theme_folders=[paths.builtin_themes()])
    writer = Room(room_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        writer.record("move", "MR", {"student": "S06", "to": "office", "with": ["MR"]})
        writer.record("move", "JT", {"student": "S02", "to": "bathroom", "with": ["JT"]})
        app.reload()
        await pilot.pause()
        await pilot.pause()
        grown = app.query_one(UncoveredPane).outer_size.height
        assert str(app.query_one(UncoveredPane).content).count("no adult") == 4
        layouts = count_layouts(app.screen)
        for i in range(4):
            if i % 2 == 0:
                writer.record("back", "JT", {"student": "S02"})
            else:
                writer.record("move", "JT", {"student": "S02", "to": "bathroom", "with": ["JT"]})
            app.reload()
            await pilot.pause()
            await pilot.pause()
            shown = str(app.query_one(UncoveredPane).content)
            assert shown.count("no adult") == (2 if i % 2 == 0 else 4)
            assert app.query_one(UncoveredPane).outer_size.height == grown
        assert layouts == []
