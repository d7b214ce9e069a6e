"""The quick-logging history of a room: every data, ABC and timer event of the log stream (and of
the day folders of journals older than it), and the retracts among them, for the student screen
(a board itself reads only today and yesterday).

A `JournalReader` with the same rules for what it reads (regular files only, bounded, no recursion,
clashes resolved alike). A year holds ~25k entries, and a board keeps running all day with the
history loaded, so the entries are not kept as events: each file's entries are packed per student
(compact JSON, compressed: ~1/6 of the memory of the events) and one student's are unpacked each
time their screen asks (a few thousand events, ~20 ms), not kept. Retracts stay events (few, and
any student's entry may be their target). Like the board's reader, a second `read()` re-parses only the
files that changed (a stat of each).
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from paratui.model.events import DATA_TYPES, Event, Origin
from paratui.store.journal_reader import JournalReader, _Cached

KEPT = (*DATA_TYPES, "retract")

Packed = dict[str, bytes]  # student id → their entries of one file, packed


def _pack(events: list[Event]) -> Packed:
    rows: dict[str, list[list[Any]]] = {}
    for e in events:
        sid = e.payload.get("student")
        if isinstance(sid, str):
            o = e.origin  # which file, owned by whom: the screening needs it (paratui.model.access)
            # the instant too (`at`) and the fold: the local time alone is the first hour's in the repeated
            # hour of a fall-back night, and the screen orders a student's entries by the instant
            rows.setdefault(sid, []).append([e.id, e.type, e.time.isoformat(), e.time.fold, e.at, e.written,
                                             e.staff, e.login, e.host, e.payload, o and o.file, o and o.owner,
                                             o and o.signer, o and o.pin])
    # ASCII escapes: a lone surrogate read from a file (JSON allows "\ud800") packs and unpacks as it was
    return {sid: zlib.compress(json.dumps(r, separators=(",", ":")).encode(), 6)
            for sid, r in rows.items()}


def _unpack(blob: bytes, texts: dict[str, str], payloads: dict[tuple, dict]) -> list[Event]:
    """Rows packed by `_pack` from events already checked on read: rebuilt as they were. Equal
    payloads and short texts become one object (`shared`): most of a student's entries repeat
    ({"student": "S05", "goal": "aac", "value": "+", "prompt": "I"}): `texts` and `payloads` hold
    the ones seen so far."""
    def one(value: Any) -> Any:
        if isinstance(value, str) and len(value) <= 40:
            return texts.setdefault(value, value)
        return value

    out = []
    origins: dict[tuple[str, str, str | None, str | None], Origin] = {}
    for i, t, when, fold, at, w, s, lg, h, p, file, owner, signer, pin in json.loads(zlib.decompress(blob)):
        key = (*p.items(), *map(type, p.values()))  # the types too: True == 1, not the same value
        try:
            payload = payloads.get(key)
        except TypeError:  # a list inside (unhashable): its own copy
            payload = {one(k): one(v) for k, v in p.items()}
        else:
            if payload is None:
                payload = payloads[key] = {one(k): one(v) for k, v in p.items()}
        origin = None if file is None else origins.setdefault((file, owner, signer, pin),
                                                              Origin(file, owner, signer, pin))
        time = datetime.fromisoformat(when)
        out.append(Event(i, one(t), time.replace(fold=1) if fold else time, w, one(s), one(lg), one(h), payload,
                         origin, at))
    return out


class DataHistory(JournalReader):
    """Reads the day folders, keeping each file's quick-logging entries packed per student, and its
    retracts as events (what `read` returns)."""

    background = True  # read on a thread while the board runs (JournalReader.background)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.packed: dict[str, Packed] = {}  # file → its entries per student

    def _parse(self, path: Path, sig: tuple[int, int, int, int]) -> _Cached:
        earlier = self._last_good.get(str(path))
        cached = super()._parse(path, sig)
        if earlier is not None and cached.events is earlier:
            return cached  # unreadable now: its earlier entries (still packed) and retracts stay
        entries = [e for e in cached.events if e.type in DATA_TYPES]
        retracts = [e for e in cached.events if e.type == "retract"]
        key = sys.intern(str(path))  # the same string as the reader's own tables hold
        self.packed[key] = _pack(entries)
        self._last_good[key] = retracts
        return _Cached(cached.signature, retracts, cached.problem)

    def _forget(self, keep: set[str]) -> bool:
        for p in [p for p in self.packed if p not in keep]:
            del self.packed[p]
        return super()._forget(keep)

    def day_dirs(self) -> list[Path]:
        """The log stream's day folders (quick-logging entries and their retracts live there), and
        the day folders of a journal written before the log stream existed."""
        return self.log_dirs()

    def events(self) -> list[Event]:
        """The retracts of every day folder (re-reading only changed files; the entries are in
        `packed`); problems are the board's to show, so they are not repeated here."""
        events, _problems, _changed = self.read(self.day_dirs())
        return events


class _Index:
    """One complete read: each student's packed entries (in file order) and every retract. A
    student's events are unpacked on each ask (a few thousand events, ~20 ms) and not kept: the
    screen that asked folds them into what it shows and lets them go (a year of one student is
    ~1.2 MiB of events, which a board running all day should not hold for a screen long closed)."""

    _serials = itertools.count(1)

    def __init__(self, retracts: list[Event], packed: dict[str, Packed]):
        self.serial = next(self._serials)  # which read this is (`HistoryCache.version`)
        self.retracts = retracts
        self.blobs: dict[str, list[bytes]] = {}
        for path in sorted(packed, key=lambda p: p.split("/")):
            for sid, blob in packed[path].items():
                self.blobs.setdefault(sid, []).append(blob)

    def student(self, sid: str) -> list[Event]:
        texts: dict[str, str] = {}
        payloads: dict[tuple, dict] = {}
        found = [e for blob in self.blobs.get(sid, ()) for e in _unpack(blob, texts, payloads)]
        ids = {e.id for e in found}
        found += [r for r in self.retracts if r.payload.get("target") in ids]
        return found


class HistoryCache:
    """One room's `DataHistory`, loaded on a thread of its own (a year takes a second or two), shared
    by every student screen of the process. `loaded` says whether a first read is done; `refresh()`
    reads again in the background (only changed files are parsed)."""

    def __init__(self, root: Path):
        self.reader = DataHistory(root / "journal", root)
        self._index: tuple[list[Event] | None, _Index | None] = (None, None)
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
        """The retracts of the last complete read (None: not read yet)."""
        return self._index[0]

    @property
    def loaded(self) -> bool:
        return self._index[1] is not None

    @property
    def version(self) -> int | None:
        """Which complete read the history is (None: not read yet): it changes when the history
        does, so a screen can tell whether to ask for its student's events again."""
        index = self._index[1]
        return None if index is None else index.serial

    def student_events(self, student: str) -> list[Event] | None:
        """One student's data, ABC and timer events and the retracts of them (None: not read yet).
        Unpacked afresh on each call (not kept): ask again only when `version` changed."""
        index = self._index[1]
        return None if index is None else index.student(student)

    def _set(self, events: list[Event]) -> None:
        # one assignment: readers see the old index or the new one
        self._index = (events, _Index(events, dict(self.reader.packed)))

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


_CACHES: dict[Path, HistoryCache] = {}


def history_for(root: Path) -> HistoryCache:
    """The process's history of the room at `root`."""
    key = Path(root).absolute()
    if key not in _CACHES:
        _CACHES[key] = HistoryCache(key)
    return _CACHES[key]
