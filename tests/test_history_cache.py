"""`paratui history` of the whole journal goes through this machine's cache of rows
(paratui.store.history_cache): what it prints must be what reading every file prints — after new
writes, an undo of an old event, a changed classroom — and no cache file, however odd, may change
it or stop it."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from paratui.model import access
from paratui.model.history import FORMATS, history_rows, render
from paratui.store.history_cache import cache_folder
from paratui.store.room import Room
from tests.helpers import run_cli


def _expected(root: Path, fmt: str, **filters) -> str:
    """What the history is, from every file read afresh (no cache involved)."""
    snap = Room(root).folder.load(date(2026, 11, 23), whole_journal=True)
    refused = access.refused_events(snap.events, snap.classroom, snap.schedule)
    out = render(history_rows(snap.events, snap.classroom, refused=refused, **filters), fmt, snap.classroom)
    return out.replace("\r\n", "\n")  # as a text-mode pipe reads the CLI's CSV


def _history(root: Path, *args: str) -> str:
    return run_cli("history", *args, data=root, check=True).stdout


def _cli(root: Path, *args: str, now: str = "2026-11-23T10:15") -> None:
    run_cli(*args, data=root, check=True, env={"PARATUI_NOW": now})


@pytest.fixture
def busy_room(room_dir):
    """Three days: a task added one day and done the next, a move undone a day later, an event the
    writer's role did not allow (NOT APPLIED), a note and its acknowledgement."""
    _cli(room_dir, "task", "add", "Call home about the trip", "--as", "JT", now="2026-11-19T09:00")
    _cli(room_dir, "move", "K.B.", "--to", "bathroom", "--as", "AL", now="2026-11-19T09:30")
    _cli(room_dir, "note", "Fire drill at 2", "--to", "AL", "--urgent", "--as", "JT", now="2026-11-19T10:00")
    board = run_cli("board", "--json", data=room_dir, check=True, env={"PARATUI_NOW": "2026-11-20T08:00"}).stdout
    task = json.loads(board)["tasks"][0]["id"]
    _cli(room_dir, "task", "done", task[:6], "--as", "AL", now="2026-11-20T08:30")
    _cli(room_dir, "move", "K.B.", "--to", "office", "--as", "AL", now="2026-11-20T08:50")
    _cli(room_dir, "back", "K.B.", "--as", "AL", now="2026-11-20T09:00")
    _cli(room_dir, "undo", "--as", "AL", now="2026-11-20T09:05")
    _cli(room_dir, "log", "R.N.", "count", "+", "--as", "DP", now="2026-11-20T09:10")
    return room_dir


def test_the_cached_history_prints_what_reading_every_file_prints(busy_room):
    for fmt in FORMATS:
        want = _expected(busy_room, fmt)
        assert _history(busy_room, "--format", fmt) == want  # first run: everything read, then kept
        assert _history(busy_room, "--format", fmt) == want  # from the cache
    folder = cache_folder(busy_room)
    files = list(folder.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not str(folder).startswith(str(busy_room))  # never in the shared folder
    # filters give what they give without a cache
    assert _history(busy_room, "--student", "K.B.") == _expected(busy_room, "text", student="S02")
    assert _history(busy_room, "--staff", "AL", "--format", "csv") == _expected(busy_room, "csv", staff="AL")


def test_new_writes_and_an_undo_of_an_older_day_show_at_once(busy_room):
    _history(busy_room)  # cached
    _cli(busy_room, "move", "E.M.", "--to", "office", "--as", "MR")
    # the teacher (Ms. R) retracts Ms. L's move of four days ago, today: that old row now says so
    old_move = json.loads(_history(busy_room, "--format", "json"))[1]
    assert old_move["type"] == "move" and old_move["retracted_by"] is None
    _cli(busy_room, "retract", old_move["id"][:8], "--as", "MR")
    text = _history(busy_room)
    assert text == _expected(busy_room, "text")
    assert "retracted by Ms. R at 2026-11-23 10:15" in text and "Ms. R took E.M. to Office" in text


def test_a_changed_classroom_is_not_answered_from_the_cache(busy_room):
    _history(busy_room)
    toml = busy_room / "classroom.toml"
    toml.write_text(toml.read_text().replace('short = "Ms. L"', 'short = "Ana"'))
    text = _history(busy_room)
    assert "Ana" in text and "Ms. L " not in text and text == _expected(busy_room, "text")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong version", "wrong types", "huge", "symlink",
                                    "fifo", "folder", "fields"])
def test_a_damaged_cache_changes_nothing(busy_room, damage, tmp_path):
    want = _expected(busy_room, "text")
    assert _history(busy_room) == want
    folder = cache_folder(busy_room)
    victim = sorted(folder.iterdir())[0]
    text = victim.read_text(encoding="utf-8", errors="surrogatepass")
    victim.unlink()
    if damage == "garbage":
        victim.write_bytes(os.urandom(3000))
    elif damage == "truncated":
        victim.write_text(text[: len(text) // 2])
    elif damage == "wrong version":
        victim.write_text(text.replace('"version":1', '"version":99', 1))
    elif damage == "wrong types":
        victim.write_text(text.replace('"files":[[', '"files":[[7,', 1))
    elif damage == "huge":
        with open(victim, "wb") as f:
            f.truncate(200 * 1024 * 1024)  # sparse: 200 MB of nothing
    elif damage == "symlink":
        other = tmp_path / "elsewhere"
        other.write_text(text)
        victim.symlink_to(other)
    elif damage == "fifo":
        os.mkfifo(victim)
    elif damage == "folder":
        victim.mkdir()
    elif damage == "fields":  # a row with a field too many, and one whose `written` is not a number
        lines = text.split("\n")
        lines[1] += "\x1fextra"
        victim.write_text("\n".join(lines))
    assert _history(busy_room) == want  # read in full again, the same rows


def test_odd_ids_in_the_journal_are_shown_as_read_and_not_kept(busy_room):
    """An event whose id or student holds control characters (a hand-edited file) cannot be stored
    a line per row: its file is read every time, and the history is still right."""
    day = busy_room / "journal" / "2026-11-21"
    day.mkdir(parents=True)
    doc = {"id": "odd\x1fid\nwith breaks", "type": "move", "time": "2026-11-21T09:00:00",
           "written": 5, "staff": "JT", "login": "x", "host": "y",
           "payload": {"student": "S0\x1e1", "to": "bathroom", "with": ["JT"]}}
    (day / "odd--x.json").write_text(json.dumps({"_default": {"1": doc}}))
    want = _expected(busy_room, "json")
    assert _history(busy_room, "--format", "json") == want
    assert _history(busy_room, "--format", "json") == want


def test_one_day_shows_the_undo_made_days_later(room_dir):
    """`--date` reads that day and the two weeks after it: the teacher's undo on Monday of a move
    made on Friday is on Friday's line."""
    _cli(room_dir, "move", "E.M.", "--to", "office", "--as", "AL", now="2026-11-20T09:00")
    friday = json.loads(_history(room_dir, "--date", "2026-11-20", "--format", "json"))
    _cli(room_dir, "retract", friday[0]["id"][:8], "--as", "MR")
    friday = json.loads(_history(room_dir, "--date", "2026-11-20", "--format", "json"))
    assert [(r["text"], r["retracted_by"]) for r in friday] == [
        ("Ms. L took E.M. to Office", "Ms. R at 2026-11-23 10:15")]


def test_history_is_printed_in_pieces_that_join_to_the_whole(room_dir):
    """A busy room's years are a million rows: `render_parts` hands them out a few thousand at a
    time, and what the pieces join to is `render`'s text, byte for byte (JSON as json.dumps lays it
    out: nested lists, empty ones, None, true/false, text that is not ASCII)."""
    from paratui.model.history import HistoryRow, render_parts

    classroom = Room(room_dir).snapshot().classroom
    rows = [HistoryRow(f"{i:032x}", "2026-11-23 10:15", "move", "JT", "Mr. T", "jthomas", "room12-ws",
                       f"K.B. to the café {i} \"quoted\"", ("S02", "S05")[: i % 3], "Ms. R at 2026-11-23 10:20"
                       if i % 7 == 0 else None, "not allowed" if i % 11 == 0 else None, i % 2 == 0, i % 5 == 0)
            for i in range(9000)]
    for fmt in FORMATS:
        parts = list(render_parts(iter(rows), fmt, classroom))
        assert len(parts) >= 3 and "".join(parts) == render(rows, fmt, classroom)
        assert "".join(render_parts(iter(()), fmt, classroom)) == render([], fmt, classroom)
    assert "".join(render_parts(iter(rows), "json", classroom)) == json.dumps(
        [r._asdict() | {"students": [{"S02": "K.B.", "S05": "R.N."}.get(k, k) for k in r.students]} for r in rows],
        indent=2, ensure_ascii=False)


def test_copies_of_a_file_list_each_event_once_cached_or_not(busy_room):
    """A sync tool's copy of a writer's file (the same events, another name): each event once, on
    the first run and from the cache (the rows are read a month at a time, copies share their time)."""
    day = busy_room / "journal" / "2026-11-20"
    original = sorted(day.glob("*.json"))[0]
    (day / f"{original.stem}.copy-from-laptop.json").write_bytes(original.read_bytes())
    want = _expected(busy_room, "text")
    assert _history(busy_room) == want and _history(busy_room) == want
    assert len(want.splitlines()) == len({line.split("[")[-1] for line in want.splitlines()})


def test_a_first_run_over_many_months_prints_what_reading_every_file_prints(room_dir):
    """A first run (no cache, or a new classroom) works a month at a time, saving each month's rows
    before reading the next (a million events do not fit in memory at once): what a later month's
    event refers to in an earlier one (a task done in November that was added in September, a move
    of October retracted in November) reads as when every file is read together, and so does a
    retract written into an earlier month's folder of an event in a later one (found nowhere until
    that month is done). Each month's cache file is made."""
    _cli(room_dir, "task", "add", "Order the visual timers", "--as", "MR", now="2026-09-15T09:00")
    _cli(room_dir, "move", "K.B.", "--to", "office", "--as", "AL", now="2026-10-02T09:30")
    october = json.loads(_history(room_dir, "--format", "json"))
    _cli(room_dir, "task", "done", october[0]["id"][:8], "--as", "AL", now="2026-11-19T09:00")
    _cli(room_dir, "retract", october[1]["id"][:8], "--as", "MR", now="2026-11-20T09:00")
    _cli(room_dir, "move", "E.M.", "--to", "library", "--as", "MR", now="2026-11-20T10:00")
    later = json.loads(_history(room_dir, "--format", "json"))[-1]
    # a hand-written retract, in a September day file, of the November move (the writer's clock)
    sept = room_dir / "journal" / "2026-09-16"
    sept.mkdir()
    doc = {"id": "f" * 32, "type": "retract", "time": "2026-11-20T10:05:00", "written": 1, "staff": "MR",
           "login": "", "host": "", "payload": {"target": later["id"]}}
    (sept / "ws--hand.json").write_text(json.dumps({"_default": {"1": doc}}))
    folder = cache_folder(room_dir)
    for fmt in FORMATS:
        for f in folder.iterdir():
            f.unlink()
        want = _expected(room_dir, fmt)
        assert _history(room_dir, "--format", fmt) == want  # the first run, month by month
        assert {f.name for f in folder.iterdir()} >= {"2026-09.rows", "2026-10.rows", "2026-11.rows"}
        assert _history(room_dir, "--format", fmt) == want  # from the cache
    text = _history(room_dir)
    lines = [line.split("  [")[0] for line in text.splitlines()]
    assert lines == [
        "2026-09-15 09:00  Ms. R    task for anyone: Order the visual timers",
        "2026-10-02 09:30  Ms. L    Ms. L took K.B. to Office  (retracted by Ms. R at 2026-11-20 09:00)",
        "2026-11-19 09:00  Ms. L    task done: Order the visual timers",
        "2026-11-20 09:00  Ms. R    undone: Ms. L took K.B. to Office",
        "2026-11-20 10:00  Ms. R    Ms. R took E.M. to Library  (retracted by Ms. R at 2026-11-20 10:05)",
        "2026-11-20 10:05  Ms. R    undone: Ms. R took E.M. to Library"], text


def test_a_cached_month_printed_as_kept_shows_a_later_months_retract(room_dir):
    """A month the cache holds whole is printed from its kept text lines: an event of October
    retracted in November (October's cache file unchanged) says "retracted by" on its line, and the
    text is what reading every file prints; its kept lines are what `text_line` makes."""
    from paratui.store import history_cache

    _cli(room_dir, "move", "K.B.", "--to", "office", "--as", "AL", now="2026-10-02T09:30")
    _cli(room_dir, "move", "E.M.", "--to", "library", "--as", "AL", now="2026-10-02T09:40")
    _cli(room_dir, "back", "E.M.", "--as", "AL", now="2026-10-02T09:50")
    october = json.loads(_history(room_dir, "--format", "json"))
    assert _history(room_dir) == _expected(room_dir, "text")
    kept = cache_folder(room_dir) / "2026-10.rows"
    before = kept.read_bytes()
    assert b"Ms. L took K.B. to Office\x1f" in before  # the line as printed, kept
    _cli(room_dir, "retract", october[1]["id"][:8], "--as", "MR", now="2026-11-20T09:00")
    text = _history(room_dir)
    assert kept.read_bytes() == before  # October was not described again: its lines were printed
    assert text == _expected(room_dir, "text")
    assert "Ms. L took E.M. to Library  (retracted by Ms. R at 2026-11-20 09:00)" in text
    assert text.count("retracted by") == 1
    # the month read as rows (a filter) and as kept lines agree
    csv_text = _history(room_dir, "--format", "csv")
    assert csv_text == _expected(room_dir, "csv") and csv_text.count("Ms. R at 2026-11-20 09:00") == 1
    snap = Room(room_dir).snapshot()
    with history_cache._Stream(room_dir, snap.classroom, snap.schedule, None, None) as m:
        whole = [c for c in m.chunks(whole=True) if isinstance(c, history_cache._Month)]
        assert whole and all(c.lines is not None for c in whole)


def test_a_kept_csv_line_quotes_a_retract_as_the_csv_module_does(room_dir):
    """The teacher's short name holds a comma and a quote: the "retracted_by" cell put into a kept
    CSV line is quoted as a row written afresh quotes it."""
    toml = room_dir / "classroom.toml"
    toml.write_text(toml.read_text().replace('short = "Ms. R"', 'short = "Ms. R, \\"lead\\""'))
    _cli(room_dir, "move", "K.B.", "--to", "office", "--as", "AL", now="2026-10-02T09:30")
    first = json.loads(_history(room_dir, "--format", "json"))[0]
    _history(room_dir, "--format", "csv")
    _cli(room_dir, "retract", first["id"][:8], "--as", "MR", now="2026-11-20T09:00")
    csv_text = _history(room_dir, "--format", "csv")
    assert csv_text == _expected(room_dir, "csv")
    assert '"Ms. R, ""lead"" at 2026-11-20 09:00"' in csv_text
