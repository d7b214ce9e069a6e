"""The events that mark a student absent over a stretch of days, for the IEP progress report: the
day folders' `day.change` student-absent and moves to an `away` place, and the retracts of them.

A period's day folders hold every move of every day (a quarter of a year: tens of thousands of
events), so they are not all parsed: a `JournalReader` with the same rules for what it reads
(regular files, bounded, no recursion) parses only the files whose bytes name a student absence or
an away place; then only the files that name one of those events' ids (where a retract of one is).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from paratui.model.events import Event
from paratui.store.journal import MAX_FILE_BYTES, day_dir
from paratui.store.journal_reader import FileSig, JournalReader, _Cached
from paratui.store.safe_read import read_regular


class _Marked(JournalReader):
    """Parses only the files holding one of `markers` (bytes); keeps the events `keep` says."""

    def __init__(self, journal: Path, markers: Iterable[bytes], keep: Any) -> None:
        super().__init__(journal, journal.parent)
        self.markers = tuple(markers)
        self.keep = keep

    def _parse(self, path: Path, sig: FileSig) -> _Cached:
        try:
            raw = read_regular(path, MAX_FILE_BYTES, root=self.journal)
        except OSError:
            return super()._parse(path, sig)  # its problem, said the reader's way
        if not any(m in raw for m in self.markers):
            return _Cached(sig, [], None)
        cached = super()._parse(path, sig)
        return _Cached(cached.signature, [e for e in cached.events if self.keep(e)], cached.problem)


def absence_events(journal: Path, start: date, end: date, away: Iterable[str]) -> list[Event]:
    """Every `day.change` student-absent and move to one of the `away` places in the day folders from
    `start` to `end`, and the retracts of them (not yet screened: the caller screens them)."""
    days = [day_dir(journal, start + timedelta(days=i)) for i in range((end - start).days + 1)]
    dirs = [d for d in days if d.is_dir()]
    if not dirs:
        return []
    places = set(away)
    markers = [b"student-absent", *(f'"{p}"'.encode() for p in places)]

    def absent(e: Event) -> bool:
        return (e.type == "day.change" and e.payload.get("kind") == "student-absent") or (
            e.type == "move" and e.payload.get("to") in places)

    found, _problems, _ = _Marked(journal, markers, absent).read(dirs)
    if not found:
        return []
    ids = {e.id for e in found}
    retracts, _problems, _ = _Marked(journal, [i.encode() for i in ids], lambda e: e.type == "retract"
                                     and e.payload.get("target") in ids).read(dirs)
    return sorted([*found, *retracts], key=lambda e: e.sort_key)
