"""This account's copy of the summary of closed task months, so a board's first read costs the same
in year three as in week one.

A board folds the task months older than last month once (paratui.store.journal_reader `_Settled`):
tasks done long ago are left out, what is still open is kept. Folding them means parsing every old
task file, which grows with the years (a quarter of a second with three school years). The result is
small, so each writer keeps it in this account's own cache folder (paratui.store.user_cache:
`~/.cache/paratui/settled/<folder hash>/settled.HOST--LOGIN`, never in the data folder, even when
XDG_CACHE_HOME points into it) and the next process to start reuses it when every file it summarises
still has the same path, size, modification time and content (a digest of its bytes: reading and
hashing them is a fraction of parsing them, and a same-size rewrite with its time put back is seen).

What is kept: the events still needed (in full); for each event left out, a checksum of its id, of
its task's id and which file holds it (so that when a recent event is about one of them — a task
done long ago, undone today — only the few files holding that task are read again); the folders and
files summarised with their sizes, times and digests; and the newest event time among them (the
summary holds for any day after it).

The file is only ever a hint: read bounded, a regular file (never through a link) used only when
this account owns it, every field checked, every event parsed as if read from the journal; anything
unexpected and it is ignored (the months are read in full, as before). Deleting it is always safe;
a home that cannot be written just has no cache.
"""

from __future__ import annotations

import json
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from paratui.model.events import Event, Origin, event_from_doc
from paratui.store.atomic import atomic_write
from paratui.store.journal import parse_json
from paratui.store.safe_read import MiB, read_regular
from paratui.store.user_cache import cache_folder

VERSION = 5  # 3: each event's origin (its file and the file's owner) kept beside it; 4: unsigned too;
# 5: the PIN key that signed it (`pin_sig`: docs/trust.md)
MAX_BYTES = 16 * MiB
_RECORD = 20  # an index record: id checksum (8 hex), task id checksum (8 hex), file number (4 hex)
_HEX = re.compile(r"[0-9a-f]*")

# (st_size, st_mtime_ns, st_ino, st_ctime_ns, the digest of its bytes)
Signature = tuple[int, int, int, int, str]


def id_check(eid: Any) -> str:
    """A short checksum of an event id (8 hex digits): equal ids, equal checksums."""
    return f"{zlib.crc32(str(eid).encode('utf-8', 'surrogatepass')):08x}"


class _Changed(Exception):
    pass


_NONE: frozenset[str] = frozenset()
_COPY: frozenset[str] = frozenset({"copy"})  # compared by identity


@dataclass
class Cached:
    """A summary read from the cache: what was kept, and how to find what was left out."""

    kept: list[Event]
    newest: datetime
    files: list[str]  # the summarised files, in reading order
    sigs: dict[str, Signature]
    index: str  # _RECORD-character records, one per event left out
    checks: set[str] = field(default_factory=set)  # the id checksums of the events left out
    _seen: dict[str, frozenset[str]] = field(default_factory=dict)  # event id → what it is about
    _families: dict[str, list[Event]] = field(default_factory=dict)  # task checksum → its events
    dirs: list[str] = field(default_factory=list)
    dirty: bool = False  # families were read from the files since: worth keeping in the cache

    def _records(self, check: str, at: int) -> list[tuple[str, str, int]]:
        """The index records whose id checksum (`at` 0) or task checksum (`at` 8) is `check`:
        (id checksum, task checksum, file number). A few look-ups of a rare event: a search each."""
        x, out = self.index, []
        k = x.find(check)
        while k >= 0:
            if k % _RECORD == at:
                r = k - at
                out.append((x[r:r + 8], x[r + 8:r + 16], int(x[r + 16:r + 20], 16)))
            k = x.find(check, k + 1)
        return out

    def about(self, events: list[Event], kept_ids: set[str],
              parse: Callable[[str], list[Event] | None]) -> list[Event] | None:
        """The left-out events that `events` (recent ones) bring back: every event of each task a
        recent event is about (done again, its done undone). None when the summary cannot answer
        (a recent event is a copy of a summarised one, or a file changed): fold the months in full.
        What each event is about is worked out once (the summarised files do not change under it)."""
        def read(numbers: Iterable[int]) -> list[Event]:
            out: list[Event] = []
            for n in sorted(set(numbers)):
                if n >= len(self.files):
                    raise _Changed  # not a record this summary could have written
                found = parse(self.files[n])
                if found is None:
                    raise _Changed
                out += found
            return out

        seen, tasks = self._seen, set[str]()
        try:
            for e in events:
                if e.id in kept_ids:
                    return None
                hit = seen.get(e.id)
                if hit is None:
                    hit = seen[e.id] = self._classify(e, read)
                if hit is _COPY:
                    return None
                tasks |= hit
            back: list[Event] = []
            for task in sorted(tasks):
                family = self._families.get(task)
                if family is None:
                    found = read(n for _, _, n in self._records(task, 8))
                    tids = {x.id for x in found if x.type == "task.add" and id_check(x.id) == task
                            and x.id not in kept_ids}
                    dones = {x.id for x in found if x.type == "task.done" and x.payload.get("task") in tids}
                    undone = {x.id for x in found if x.type == "retract" and x.payload.get("target") in dones}
                    ids = tids | dones | undone
                    family = self._families[task] = [x for x in found if x.id in ids]
                    self.dirty = True
                back += family
            return back
        except _Changed:
            return None

    def _classify(self, e: Event, read: Callable[[Iterable[int]], list[Event]]) -> frozenset[str]:
        """_COPY when `e` is itself a left-out event; else the task checksums of the left-out event
        it is about (none when it is about none)."""
        if id_check(e.id) in self.checks:
            if any(x.id == e.id for x in read(n for _, _, n in self._records(id_check(e.id), 0))):
                return _COPY
        ref = e.payload.get("task") if e.type == "task.done" else \
            e.payload.get("target") if e.type == "retract" else None
        if isinstance(ref, str) and id_check(ref) in self.checks:
            records = self._records(id_check(ref), 0)
            known = {t for _, t, _ in records if any(x.id == ref for x in self._families.get(t, ()))}
            if known:  # a family kept in the cache already holds it
                return frozenset(known)
            if any(x.id == ref for x in read(n for _, _, n in records)):
                return frozenset(t for _, t, _ in records)
        return _NONE


def index_of(order: list[str], cache: dict, dropped: dict[str, str]) -> str | None:
    """The index records of the events left out (`dropped`: id → task id) of the files in `order`
    (`cache`: path → what the reader parsed, with `.events`); None when there are too many files."""
    if len(order) > 0xFFFF:
        return None
    return "".join(f"{id_check(e.id)}{id_check(dropped[e.id])}{n:04x}"
                   for n, path in enumerate(order) for e in cache[path].events if e.id in dropped)


def _origins_of(events: Iterable[Event]) -> list[list[str | None] | None]:
    return [None if e.origin is None else [e.origin.file, e.origin.owner, e.origin.signer, e.origin.pin]
            for e in events]


def _with_origins(docs: Any, origins: Any) -> list[Event]:
    """Events from the cache with the origins kept beside them (ValueError/TypeError: not as saved)."""
    if not isinstance(docs, list) or not isinstance(origins, list) or len(origins) != len(docs):
        raise ValueError("origins do not match the events")
    out = []
    shared: dict[tuple[str, str, str | None, str | None], Origin] = {}
    for doc, o in zip(docs, origins):
        e = event_from_doc(doc)
        if o is not None:
            if not (isinstance(o, list) and len(o) == 4 and isinstance(o[0], str) and isinstance(o[1], str)
                    and (o[2] is None or isinstance(o[2], str)) and (o[3] is None or isinstance(o[3], str))):
                raise ValueError("not an origin")
            e.origin = shared.setdefault((o[0], o[1], o[2], o[3]), Origin(o[0], o[1], o[2], o[3]))
        out.append(e)
    return out


class SummaryCache:
    def __init__(self, journal: Path, writer: Callable[[], str]):
        self.journal = journal
        self._writer = writer

    def path(self) -> Path | None:
        folder = cache_folder(self.journal.parent, "settled")
        return None if folder is None else folder / f"settled.{self._writer()}"

    def load(self, dirs: list[str], stated: dict[str, tuple[int, int, int, int]],
             digest_of: Callable[[str], str | None]) -> Cached | None:
        """The summary of exactly `dirs` holding exactly the files `stated` ({path: (size, mtime,
        inode, ctime)} in reading order) with the bytes it was made from, or None. A file stat'ed as
        it was when the summary was made holds them (its change time cannot be put back); any other
        is read and hashed (`digest_of`) to be sure."""
        try:
            path = self.path()
            if path is None:
                return None
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                return None  # a link, a FIFO, or a file planted by another account: never trusted
            data = parse_json(read_regular(path, MAX_BYTES))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                return None
            if data.get("dirs") != [self._rel(d) for d in dirs]:
                return None
            sigs = self._same_files(data.get("files"), stated, digest_of)
            if sigs is None:
                return None
            newest, index, kept = data.get("newest"), data.get("index"), data.get("kept")
            if not isinstance(newest, str) or not isinstance(index, str) or not isinstance(kept, list):
                return None
            if len(index) % _RECORD or not _HEX.fullmatch(index):
                return None
            when = datetime.fromisoformat(newest)
            if when.tzinfo is not None:
                return None
            events = _with_origins(kept, data.get("origins"))
            checks = {index[k:k + 8] for k in range(0, len(index), _RECORD)}
            families = data.get("families", {})
            if not isinstance(families, dict) or not all(
                    isinstance(k, str) and len(k) == 8 and _HEX.fullmatch(k) and isinstance(v, list)
                    for k, v in families.items()):
                return None
            family_origins = data.get("family_origins", {})
            if not isinstance(family_origins, dict):
                return None
            found = {k: _with_origins(v, family_origins.get(k)) for k, v in families.items()}
            hashed = any(tuple(f[1:5]) != stated[p] for f, p in zip(data["files"], stated))
            return Cached(events, when, list(sigs), sigs, index, checks, _families=found, dirs=list(dirs),
                          dirty=hashed)  # hashed: saved again with the files' new times, not hashed next time
        except (OSError, ValueError, TypeError, RecursionError, OverflowError):
            return None

    def save(self, dirs: list[str], sigs: dict[str, Signature], kept: Iterable[Event], index: str | None,
             newest: datetime, families: dict[str, list[Event]] | None = None) -> None:
        """Keep the summary for the next process (`sigs` in reading order; `families`: the left-out
        tasks recent events were about, by task checksum, ready for the next start). Never raises."""
        if index is None:
            return
        try:
            data = {"version": VERSION, "dirs": [self._rel(d) for d in dirs],
                    "files": [[self._rel(p), *sig] for p, sig in sigs.items()],
                    "newest": newest.isoformat(), "kept": [e.to_doc() for e in kept], "index": index,
                    "families": {k: [e.to_doc() for e in v] for k, v in sorted((families or {}).items())},
                    "origins": _origins_of(kept),
                    "family_origins": {k: _origins_of(v) for k, v in sorted((families or {}).items())}}
            raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
            path = self.path()
            if path is None:
                return  # every cache folder lies inside the data folder: no cache
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # whole or not at all, but not waiting for the disk: a cache lost in a power cut is made again
            atomic_write(path, raw, mode=0o600, durable=False)
        except (OSError, ValueError, TypeError, OverflowError):
            pass

    def save_cached(self, c: Cached) -> None:
        """Write `c` again with the families found since it was read."""
        c.dirty = False
        self.save(c.dirs, c.sigs, c.kept, c.index, c.newest, c._families)

    def _same_files(self, files: Any, stated: dict[str, tuple[int, int, int, int]],
                    digest_of: Callable[[str], str | None]) -> dict[str, Signature] | None:
        """The files' signatures now, when the summary's `files` are exactly these with the same bytes."""
        if not isinstance(files, list) or len(files) != len(stated):
            return None
        sigs: dict[str, Signature] = {}
        for f, (p, st) in zip(files, stated.items()):
            if not (isinstance(f, list) and len(f) == 6 and f[0] == self._rel(p) and isinstance(f[5], str)
                    and f[1] == st[0]):  # another size: never the same bytes
                return None
            if tuple(f[1:5]) != st and digest_of(p) != f[5]:
                return None
            sigs[p] = (*st, f[5])
        return sigs

    def _rel(self, path: str) -> str:
        return os.path.relpath(path, self.journal)
