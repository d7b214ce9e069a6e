"""The quick-logging history of a room: every data, ABC and timer event of the log stream (and of
the day folders of journals older than it), and the retracts among them, for the student screen
(a board itself reads only today and yesterday).

A `JournalReader` with the same rules for what it reads (regular files only, bounded, no recursion,
clashes resolved alike), keeping only those events: a year of moves and assignments is ~85 % of the
journal and none of it is needed here, so it is dropped as each file is parsed. Like the board's
reader, a second `read()` re-parses only the files that changed (a stat of each).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Callable

from paratui.model.events import DATA_TYPES, Event
from paratui.store.journal_reader import JournalReader, _Cached

KEPT = (*DATA_TYPES, "retract")


def _compact(e: Event, shared: dict[tuple, dict]) -> Event:
    """The same event, its short texts and its payload shared with every other event holding equal
    ones. A year holds ~25k of these and most payloads repeat exactly ({"student": "S05", "goal":
    "aac", "value": "+", "prompt": "I"}): one dict serves them all, as do "S05", "aac", logins and
    hosts — about half the memory of the history. The id, the time and the values are unchanged;
    events are read-only, so sharing is safe."""
    e.type = sys.intern(e.type)
    e.login, e.host = sys.intern(e.login), sys.intern(e.host)
    if e.staff is not None:
        e.staff = sys.intern(e.staff)
    items = tuple((sys.intern(k), sys.intern(v) if isinstance(v, str) and len(v) <= 40 else v)
                  for k, v in e.payload.items())
    if all(v is None or isinstance(v, (str, int, float)) for _k, v in items):
        key = (*items, *(type(v) for _k, v in items))  # True == 1 == 1.0, but they are not the same value
        same = shared.get(key)
        if same is None:
            same = dict(items)
            if len(shared) < _SHARED_MAX:  # free texts (ABC notes) are rarely equal: not kept forever
                shared[key] = same
        e.payload = same
    else:  # a list or a table inside: its own copy, as read
        e.payload = dict(items)
    return e


_SHARED_MAX = 20_000


class DataHistory(JournalReader):
    """Reads the day folders, keeping only quick-logging events and retracts."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shared: dict[tuple, dict] = {}  # payload items → the one dict every equal payload uses

    def _parse(self, path: Path, sig: tuple[int, int, int]) -> _Cached:
        cached = super()._parse(path, sig)
        kept = [_compact(e, self._shared) for e in cached.events if e.type in KEPT]
        self._last_good[str(path)] = kept
        return _Cached(cached.signature, kept, cached.problem)

    def day_dirs(self) -> list[Path]:
        """The log stream's day folders (quick-logging entries and their retracts live there), and
        the day folders of a journal written before the log stream existed."""
        return self.log_dirs()

    def events(self) -> list[Event]:
        """Every kept event of every day folder (re-reading only changed files); problems are the
        board's to show, so they are not repeated here."""
        events, _problems, _changed = self.read(self.day_dirs())
        return events


class HistoryCache:
    """One room's `DataHistory`, loaded on a thread of its own (a year takes a second or two), shared
    by every student screen of the process. `events` is the last complete read (None until the first
    one is done); `refresh()` reads again in the background (only changed files are parsed)."""

    def __init__(self, root: Path):
        self.reader = DataHistory(root / "journal", root)
        self._index: tuple[list[Event] | None, dict[str, list[Event]]] = (None, {})
        self._lock = threading.Lock()  # guards `_busy` (held only for a moment)
        self._reading = threading.Lock()  # one read of the reader at a time
        self._busy = False
        self.listeners: list[Callable[[], None]] = []  # called on the loading thread when done

    def refresh(self) -> None:
        with self._lock:
            if self._busy:
                return
            self._busy = True
        threading.Thread(target=self._load, name="paratui-history", daemon=True).start()

    @property
    def events(self) -> list[Event] | None:
        return self._index[0]

    def student_events(self, student: str) -> list[Event] | None:
        """One student's data, ABC and timer events and the retracts of them (None: not read yet)."""
        events, by_student = self._index
        return None if events is None else by_student.get(student, _NO_EVENTS)

    def _set(self, events: list[Event]) -> None:
        by_student: dict[str, list[Event]] = {}
        owner: dict[str, str] = {}
        retracts: list[Event] = []
        for e in events:
            if e.type == "retract":
                retracts.append(e)
                continue
            sid = e.payload.get("student")
            if isinstance(sid, str):
                by_student.setdefault(sid, []).append(e)
                owner[e.id] = sid
        for r in retracts:
            sid = owner.get(str(r.payload.get("target")))
            if sid is not None:
                by_student[sid].append(r)
        self._index = (events, by_student)  # one assignment: readers see the old or the new index

    def load_now(self) -> list[Event]:
        """Read in this thread (the CLI, tests, the bench)."""
        with self._reading:
            events = self.reader.events()
            if events is not self.events:
                self._set(events)
        return events

    def _load(self) -> None:
        changed = False
        try:
            with self._reading:
                events = self.reader.events()
                changed = events is not self.events
                if changed:
                    self._set(events)
        finally:
            with self._lock:
                self._busy = False
        if changed:
            for listener in list(self.listeners):
                listener()


_NO_EVENTS: list[Event] = []  # shared (never changed): the same object until the index changes
_CACHES: dict[Path, HistoryCache] = {}


def history_for(root: Path) -> HistoryCache:
    """The process's history of the room at `root`."""
    key = Path(root).absolute()
    if key not in _CACHES:
        _CACHES[key] = HistoryCache(key)
    return _CACHES[key]
