"""Caches keyed on content, never in the shared folder (issue 18): a journal file rewritten in place
with the same size and its time put back (os.utime) is seen by `paratui history`, by a board started
afterwards (the summary of closed months) and by a board already open; and with XDG_CACHE_HOME inside
the data folder, no cache is written there."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

from paratui.store import journal_reader
from paratui.store.folder import DataFolder
from tests.helpers import run_cli
from tests.test_years import board_of, make_history

NOW = datetime(2026, 11, 23, 10, 15)


def _rewrite_in_place(path: Path, old: str, new: str) -> None:
    """Same size, same inode, the modification time put back: only the content differs."""
    assert len(old.encode()) == len(new.encode()) and old != new
    st = path.stat()
    raw = path.read_bytes()
    assert old.encode() in raw
    with open(path, "r+b") as f:
        f.write(raw.replace(old.encode(), new.encode()))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)


def _texts(snap) -> set[str]:
    return {e.payload.get("text") for e in snap.events if e.type == "task.add"}


def test_history_sees_a_same_size_rewrite_with_its_time_put_back(room_dir):
    run_cli("task", "add", "Call home about the trip", "--as", "JT", data=room_dir, check=True)
    assert "Call home about the trip" in run_cli("history", data=room_dir, check=True).stdout  # cached now
    [month] = (room_dir / "journal" / "tasks" / "2026-11").glob("*.json")
    _rewrite_in_place(month, "about the trip", "about the TRIP")
    out = run_cli("history", data=room_dir, check=True).stdout
    assert "Call home about the TRIP" in out and "about the trip" not in out


def test_an_open_board_sees_a_same_size_rewrite_with_its_time_put_back(room_dir):
    run_cli("task", "add", "Copies for Friday", "--as", "JT", data=room_dir, check=True)
    folder = DataFolder(room_dir)
    assert "Copies for Friday" in _texts(folder.load(NOW.date()))
    [month] = (room_dir / "journal" / "tasks" / "2026-11").glob("*.json")
    _rewrite_in_place(month, "Copies for Friday", "COPIES for Friday")
    assert "COPIES for Friday" in _texts(folder.load(NOW.date()))


def _old_open_task(root: Path) -> tuple[Path, str]:
    """A task still open from a month the summary of closed months covers, and the file holding it."""
    snap = DataFolder(root).load(NOW.date())
    for e in sorted(snap.events, key=lambda e: e.time):
        if e.type == "task.add" and e.time.date() < date(2026, 10, 1):
            for path in (root / "journal" / "tasks" / f"{e.time:%Y-%m}").glob("*.json"):
                if e.id in path.read_text():
                    return path, e.payload["text"]
    raise AssertionError("no open task in a settled month")


def test_the_summary_of_closed_months_sees_a_same_size_rewrite_with_its_time_put_back(tmp_path, monkeypatch):
    root = tmp_path / "room"
    h = make_history(root, date(2026, 6, 1), date(2026, 11, 20), seed=3)
    h.age_folders()
    open_board = DataFolder(root)
    board_of(open_board, NOW)  # the summary is made and kept in this account's cache
    path, text = _old_open_task(root)
    changed = text.swapcase()
    _rewrite_in_place(path, json.dumps(text)[1:-1], json.dumps(changed)[1:-1])
    assert changed in _texts(DataFolder(root).load(NOW.date()))  # a board started now
    monkeypatch.setattr(journal_reader, "SETTLED_CHECK_S", 0.0)  # its files are stat'ed again now
    assert changed in _texts(open_board.load(NOW.date()))  # and the one already open


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_no_cache_is_written_into_the_data_folder_even_when_xdg_cache_home_points_there(tmp_path, monkeypatch):
    root = tmp_path / "room"
    h = make_history(root, date(2026, 6, 1), date(2026, 11, 20), seed=4)
    h.age_folders()
    DataFolder(root).load(NOW.date())  # the last good copies (the folder's own data, not a cache)
    before = _files(root)
    home = tmp_path / "home"
    for xdg in (root / "journal" / ".cache", root / "cache"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
        monkeypatch.setenv("HOME", str(home))
        board_of(DataFolder(root), NOW)
        run_cli("history", data=root, check=True, env={"XDG_CACHE_HOME": str(xdg), "HOME": str(home)})
        assert _files(root) == before
    # … the caches went to the home's own cache folder instead
    assert {p.name for p in (home / ".cache" / "paratui").iterdir()} == {"history", "settled"}
    # and with the home inside the data folder too, there is no cache at all
    monkeypatch.setenv("HOME", str(root / "binder"))
    board_of(DataFolder(root), NOW)
    run_cli("history", data=root, check=True, env={"XDG_CACHE_HOME": str(root / "cache"), "HOME": str(root / "binder")})
    assert _files(root) == before
