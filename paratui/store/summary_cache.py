"""This machine's copy of the summary of closed task months, so a board's first read costs the same
in year three as in week one.

A board folds the task months older than last month once (paratui.store.journal_reader `_Settled`):
tasks done long ago are left out, what is still open is kept. Folding them means parsing every old
task file, which grows with the years (a quarter of a second with three school years). The result is
small, so each writer keeps it in `journal/.cache/settled.HOST--LOGIN` (hidden and not `*.json`:
journal readers and watchers skip it; one file per writer, like the journal, so machines that sync
the folder never write the same file) and the next process to start reuses it when every file it
summarises still has the same path, size and modification time.

What is kept: the events still needed (in full), a checksum of each event id left out (so that a
recent event about one of them — a task done long ago, undone today — makes the reader fold the old
months in full again, as it would without the cache), the folders and files summarised with their
sizes and times, and the newest event time among them (the summary holds for any day after it).

The file is only ever a hint: read with the same care as any file of the folder (regular, bounded,
no recursion), used only when this account owns it, every field checked, every event parsed as if
read from the journal; anything unexpected and it is ignored (the months are read in full, as
before). A folder that cannot be written (a read-only share) just has no cache.
"""

from __future__ import annotations

import json
import os
import re
import stat
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from paratui.model.events import Event, event_from_doc
from paratui.store.atomic import atomic_write
from paratui.store.journal import FILE_MODE, JournalWriteError, make_journal_dirs, parse_json, root_refusal
from paratui.store.safe_read import MiB, read_regular

FOLDER = ".cache"
VERSION = 1
MAX_BYTES = 16 * MiB
_HEX = re.compile(r"[0-9a-f]*")

Signature = tuple[int, int]  # (st_size, st_mtime_ns)


def id_check(eid: Any) -> str:
    """A short checksum of an event id (8 hex digits): equal ids, equal checksums."""
    return f"{zlib.crc32(str(eid).encode('utf-8', 'surrogatepass')):08x}"


class SummaryCache:
    def __init__(self, journal: Path, writer: Callable[[], str]):
        self.journal = journal
        self._writer = writer

    def path(self) -> Path:
        return self.journal / FOLDER / f"settled.{self._writer()}"

    def load(self, dirs: list[str], files: dict[str, Signature]) -> tuple[list[Event], set[str], datetime] | None:
        """(events kept, checksums of the ids left out, newest event time) when the cache summarises
        exactly `dirs` holding exactly `files`; None for anything else."""
        try:
            path = self.path()
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                return None  # a link, a FIFO, or a file planted by another account: never trusted
            data = parse_json(read_regular(path, MAX_BYTES, root=self.journal))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                return None
            if data.get("dirs") != [self._rel(d) for d in dirs]:
                return None
            stored = data.get("files")
            if not isinstance(stored, dict) or len(stored) != len(files):
                return None
            for p, sig in files.items():
                if stored.get(self._rel(p)) != list(sig):
                    return None
            newest = data.get("newest")
            dropped = data.get("dropped")
            kept = data.get("kept")
            if not isinstance(newest, str) or not isinstance(dropped, str) or not isinstance(kept, list):
                return None
            if len(dropped) % 8 or not _HEX.fullmatch(dropped):
                return None
            when = datetime.fromisoformat(newest)
            if when.tzinfo is not None:
                return None
            events = [event_from_doc(doc) for doc in kept]
            checks = {dropped[i:i + 8] for i in range(0, len(dropped), 8)}
            return events, checks, when
        except (OSError, ValueError, TypeError, RecursionError, OverflowError):
            return None

    def save(self, dirs: list[str], files: dict[str, Signature], kept: Iterable[Event],
             dropped: Iterable[str], newest: datetime) -> None:
        """Keep the summary for the next process. Never raises."""
        try:
            data = {"version": VERSION, "dirs": [self._rel(d) for d in dirs],
                    "files": {self._rel(p): list(sig) for p, sig in sorted(files.items())},
                    "newest": newest.isoformat(), "kept": [e.to_doc() for e in kept],
                    "dropped": "".join(sorted({id_check(x) for x in dropped}))}
            raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
            if root_refusal(self.journal) is not None:
                return  # root in someone else's folder: never leave root-owned files there
            path = self.path()
            make_journal_dirs(self.journal, path.parent)
            atomic_write(path, raw, mode=FILE_MODE)
        except (OSError, JournalWriteError, ValueError, TypeError, OverflowError):
            pass

    def _rel(self, path: str) -> str:
        return os.path.relpath(path, self.journal)
