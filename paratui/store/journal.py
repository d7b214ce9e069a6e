"""The event journal: one TinyDB file per writer per day, merged on read.

Why this shape (see FIELD.md): TinyDB is not safe for two processes on one file, locks don't cross
machines or sync tools, and a file that grows all year makes every insert slower. So each writer
(host + login) owns its files, rewrites them atomically under an OS lock, and readers merge all files,
dropping duplicate ids. A day's file stays small, so a write costs the same in June as in September.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from tinydb import TinyDB
from tinydb.storages import Storage

from paratui.model.events import TASK_TYPES, Event, event_from_doc
from paratui.store.atomic import atomic_write

TASKS_DIR = "tasks"


class JournalWriteError(Exception):
    """A write that did not reach the disk. Nothing was acknowledged."""


_UNREAD = object()


class AtomicJSONStorage(Storage):
    """TinyDB storage that replaces the file atomically on write.

    TinyDB's own JSONStorage keeps the file open and rewrites it in place: a crash mid-write leaves
    half a file, and another process sees it torn. This one reads the file once per instance (TinyDB
    reads it twice per insert) — the writer makes a fresh instance for each write, under the lock.
    """

    def __init__(self, path: str | Path, preloaded=_UNREAD):
        self.path = Path(path)
        self._data = preloaded

    def read(self):
        if self._data is _UNREAD:
            self._data = self._load()
        return self._data

    def _load(self):
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        return json.loads(raw)

    def write(self, data) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        self._data = data

    def close(self) -> None:
        pass


def is_journal_file(name: str) -> bool:
    """A file readers merge. Skips our temp files, editor swap/backup files and sync-tool temp files;
    keeps sync-conflict copies (`x.sync-conflict-….json`, `x (conflicted copy).json`)."""
    return (
        name.endswith(".json")
        and not name.startswith((".", "~"))
        and ".syncthing." not in name
        and ".goutputstream" not in name
    )


def day_dir(journal: Path, day: date) -> Path:
    return journal / day.isoformat()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An OS lock beside the file (the file itself is replaced, so it cannot carry the lock)."""
    lock_path = path.parent / f".{path.name}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class JournalWriter:
    """Appends events to this writer's own files. `append` returns only once the event is on disk."""

    def __init__(self, journal: Path, writer: str):
        self.journal = journal
        self.writer = writer

    def file_for(self, event: Event, task_stream: bool = False) -> Path:
        """Day events go to the day's folder; tasks (and undoing them) to the month's task folder,
        because a task outlives the day it was written."""
        if task_stream or event.type in TASK_TYPES:
            return self.journal / TASKS_DIR / f"{event.time:%Y-%m}" / f"{self.writer}.json"
        return day_dir(self.journal, event.time.date()) / f"{self.writer}.json"

    def append(self, event: Event, task_stream: bool = False) -> Path:
        path = self.file_for(event, task_stream)
        try:
            self._make_dirs(path.parent)
            with _locked(path):
                path, data = self._usable(path)
                db = TinyDB(path, storage=lambda p: AtomicJSONStorage(p, preloaded=data))
                try:
                    db.insert(event.to_doc())
                finally:
                    db.close()
        except OSError as e:
            raise JournalWriteError(f"could not write {path}: {e.strerror or e}") from e
        return path

    def _make_dirs(self, folder: Path) -> None:
        """New day/month folders take the journal folder's permissions, so a room that made journal/
        group-writable (several OS accounts on one workstation) stays that way."""
        if folder.is_dir():
            return
        if not self.journal.parent.is_dir():
            # The data folder itself is gone (removed, share unmounted, mid-restore): never re-create
            # it, or the event would land in a ghost folder while the board says "recorded".
            raise FileNotFoundError(errno.ENOENT, "the data folder is missing", str(self.journal.parent))
        self.journal.mkdir(exist_ok=True)
        mode = self.journal.stat().st_mode & 0o7777
        missing = []
        p = folder
        while not p.exists() and p != self.journal:
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            try:
                d.mkdir()
                os.chmod(d, mode)
            except FileExistsError:
                pass  # another writer made it a moment ago

    @staticmethod
    def _usable(path: Path) -> tuple[Path, dict | None]:
        """Our file and what it holds, or if someone damaged it, the next free sibling: never write
        over a file we cannot parse (that would erase the events in it)."""
        candidate, n = path, 0
        while True:
            try:
                data = AtomicJSONStorage(candidate).read()
                # TinyDB needs {table: {doc_id: doc}}; valid JSON of another shape is just as unusable
                if data is None or (isinstance(data, dict) and all(isinstance(t, dict) for t in data.values())):
                    return candidate, data
            except (ValueError, UnicodeDecodeError):
                pass
            n += 1
            candidate = path.with_name(f"{path.stem}.{n}.json")


def new_event(type: str, staff: str | None, payload: dict, when: datetime, login: str, host: str) -> Event:
    # uuid4: unique across machines without coordination; `written` orders events sharing a time.
    return Event(uuid.uuid4().hex, type, when, time.time_ns(), staff, login, host, payload)


@dataclass
class _Cached:
    signature: tuple[int, int, int]
    events: list[Event]
    problem: str | None


class JournalReader:
    """Merges journal files, re-reading only those whose size, mtime or inode changed.

    A file that fails to parse is reported (path + reason) and its last good events are kept.
    """

    def __init__(self, journal: Path, label_root: Path | None = None):
        self.journal = journal
        self.label_root = label_root or journal.parent
        self._cache: dict[Path, _Cached] = {}
        self._last_good: dict[Path, list[Event]] = {}

    def task_dirs(self) -> list[Path]:
        try:
            return sorted(p for p in (self.journal / TASKS_DIR).iterdir() if p.is_dir())
        except OSError:
            return []

    def board_dirs(self, today: date) -> list[Path]:
        """What a board for `today` needs: today's folder and every month of tasks."""
        return [day_dir(self.journal, today), *self.task_dirs()]

    def all_dirs(self) -> list[Path]:
        try:
            days = [p for p in self.journal.iterdir() if p.is_dir() and p.name != TASKS_DIR]
        except OSError:
            days = []
        return sorted(days) + self.task_dirs()

    def read(self, dirs: list[Path]) -> tuple[list[Event], list[str], bool]:
        """(events, problems, whether anything changed since the last read)."""
        seen: set[Path] = set()
        changed = False
        for d in dirs:
            try:
                entries = list(os.scandir(d))
            except OSError:
                continue
            for entry in entries:
                if not is_journal_file(entry.name):
                    continue
                path = Path(entry.path)
                try:
                    st = entry.stat()
                except OSError:
                    continue
                seen.add(path)
                sig = (st.st_mtime_ns, st.st_size, st.st_ino)
                cached = self._cache.get(path)
                if cached is None or cached.signature != sig:
                    self._cache[path] = self._parse(path, sig)
                    changed = True
        for gone in set(self._cache) - seen:
            del self._cache[gone]
            self._last_good.pop(gone, None)
            changed = True
        events: list[Event] = []
        problems: list[str] = []
        for path in sorted(seen):
            c = self._cache[path]
            events.extend(c.events)
            if c.problem:
                problems.append(c.problem)
        return events, problems, changed

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.label_root))
        except ValueError:
            return str(path)

    def _parse(self, path: Path, sig: tuple[int, int, int]) -> _Cached:
        label = self._label(path)
        keep = self._last_good.get(path, [])
        note = f" (keeping its {len(keep)} earlier events)" if keep else ""
        try:
            raw = path.read_bytes()
        except OSError as e:
            return _Cached(sig, keep, f"{label}: cannot read: {e.strerror}{note}")
        if not raw.strip():
            return _Cached(sig, keep, f"{label}: empty file{note}")
        try:
            data = json.loads(raw)
        except UnicodeDecodeError:
            return _Cached(sig, keep, f"{label}: not UTF-8 text{note}")
        except json.JSONDecodeError as e:
            return _Cached(sig, keep, f"{label}:{e.lineno}:{e.colno}: {e.msg}{note}")
        table = data.get("_default") if isinstance(data, dict) else None
        if not isinstance(table, dict):
            return _Cached(sig, keep, f"{label}: not a journal (no \"_default\" table){note}")
        events, bad = [], []
        for doc_id, doc in table.items():
            try:
                events.append(event_from_doc(doc))
            except ValueError as e:
                bad.append(f"{label}: document {doc_id}: {e}")
        self._last_good[path] = events
        return _Cached(sig, events, "; ".join(bad) or None)
