"""This machine's cache of `paratui history` rows, so the history of a school year prints in well
under a second: reading and checking a year's journal (~130k events, ~30 MB) and describing every
event takes seconds, and all but today's files are the same as last time.

For each journal file it keeps the rows `paratui.model.history` made of its events, with a digest
of the file's bytes (never its size and time alone: a same-size rewrite with its time put back is
seen) and its stat signature with the change time, which os.utime cannot put back: a file whose
signature is the same as when its digest was taken is not read again to hash it (that would add a
tenth to every cached run), and the files those rows also depend on (a "done" names its task, an "undone"
names what it undid: the rows of those files' events were read to describe them). A file's rows are
used again only when it and every file they depend on are unchanged, the classroom and schedule
(short names, roles, goals, NOT APPLIED reasons) read the same, and so does the time zone; a
file whose rows refer to an event found nowhere is worked out again whenever anything changed.
Everything else is read and described as before, and the cache brought up to date.

Where: `$XDG_CACHE_HOME/paratui/history/<folder hash>/` (default ~/.cache; paratui.store.user_cache),
one file per month of the journal, readable only by this account. Never in the data folder, even when
XDG_CACHE_HOME points into it: it is large, it holds the same student data as the journal, and it
must never be synced. It is only ever a hint: read bounded, a
regular file owned by this account, every field checked; anything unexpected and that month is
read in full. Deleting it is always safe.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import operator
import os
import re
import stat
import time
import zlib
from pathlib import Path
from typing import Callable, Iterator

from paratui.model.access import refused_events
from paratui.model.classroom import Classroom
from paratui.model.events import Event, refers_to
from paratui.model.history import (
    CSV_HEADER,
    HistoryRow,
    cells,
    csv_cell,
    csv_field,
    csv_parts,
    history_rows,
    students_of,
)
from paratui.model.schedule import Schedule
from paratui.model.text import clean
from paratui.store import keys, user_cache
from paratui.store.atomic import atomic_write
from paratui.store.journal import MAX_FILE_BYTES
from paratui.store.journal_reader import FileSig, JournalReader, _path_key, owners_vouch, signatures_checked
from paratui.store.safe_read import MiB, UnsafeFile, read_regular
from paratui.store.user_cache import digest

# 4: late entries' observed time; 5: unsigned events refused once their writer has a key;
# 6: "y" for a signature checked and matching (the CSV's `signed` column); 7: rows in time order with
# their file entry's number, a checksum, the first time and the retracts in the head (read a month at a time)
# 8: at the shared login, a change beyond a para's rights needs its person's PIN key (`pin_sig`)
# 9: rows ordered by the instant (its microseconds ahead of the local time): the repeated hour of a
# fall-back night in order
# 10: each month's text lines as `paratui history` prints them, and its ids, after its rows
# 11: and its CSV lines
VERSION = 11
MAX_BYTES = 128 * MiB
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def cache_folder(data_root: Path) -> Path | None:
    """This account's history cache of the data folder at `data_root` (None: no place for one
    outside that folder)."""
    return user_cache.cache_folder(data_root, "history")


def fingerprint(classroom: Classroom, schedule: Schedule, vouched: bool = False, signed: bool = False) -> str:
    """What every row depends on besides the journal: the classroom as read (names, roles, goals from
    the plans), the schedule (a related-service provider's own students), the time zone (rows show
    local times), whether files' owners vouch for their writers and signatures are checked, and the
    enrolled keys (NOT APPLIED reasons: paratui.store.journal_reader.owners_vouch, paratui.store.keys),
    this module's version. (A file's owner changes only
    by root's chown, which is out of this cache's reach, as root is of paratui's.)"""
    h = hashlib.sha256(f"{VERSION}|{time.strftime('%z')}|{time.tzname}|{os.environ.get('TZ', '')}|"
                       f"{vouched}|{signed}|{classroom.keys!r}|".encode())
    h.update(repr((classroom, schedule)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _month(rel: str) -> str:
    m = _MONTH.search(rel)
    return f"{m.group(1)}-{m.group(2)}" if m else "other"


# A row as kept: the event's instant and ISO local time (`_stamp`: sorts as the instant does, the local
# time shown from `_SHOWN` on), `written` (20 digits), id, type, staff id,
# login, host and text as shown, students' ids apart by RS (\x1e), the NOT APPLIED reason, the id a
# retract undoes (NAK, \x15, for none) and "u" for an unsigned event in a room with enrolled keys, "y"
# for one whose signature was checked and matches (else empty).
# Stored a line per row in time order, each with the number of its file entry last (13 fields apart by
# US, \x1f): splitting is what lets a year load fast, and the stream reads a month as it is. Shown
# fields are clean single lines (no control characters); a file whose ids hold one is not kept (it is
# read every time instead). After the rows (head "lines": their sizes), when no event is in the month
# twice: the same rows as `paratui history` prints them (`_printed_lines`: as text, then as CSV),
# then their ids, a line each.
Row = list
_US, _RS, _NONE = "\x1f", "\x1e", "\x15"
_ORDER = operator.itemgetter(0, 1, 2)  # time, written, id: the history's order
_TIME = operator.itemgetter(0)
_EPOCH_US = 10**17  # microseconds added to the instant: every date a datetime holds (year 1 on) is 18 digits
_SHOWN = 19  # where a row's local time starts in its first field (after the 18 digits and a space)


def _stamp(e: Event) -> str:
    """The first field of `e`'s row: its instant (microseconds, 18 digits: sorts as the instant does,
    so a `back` at 01:20 CST comes after a `move` at 01:30 CDT the same fall-back night) and its ISO
    local time, as shown."""
    return f"{round(e.at * 1_000_000) + _EPOCH_US:018d} {e.time.isoformat()}"


def _shown(stamp: str) -> str:
    """"2026-11-23 10:15": the local minute of a row's first field."""
    return f"{stamp[_SHOWN:_SHOWN + 10]} {stamp[_SHOWN + 11:_SHOWN + 16]}"


def _written(n: int) -> str:
    """`written` as text that sorts as the number does (20 digits: nanoseconds to the year 5138)."""
    return f"{n:020d}"


def _make_row(e: Event, row: HistoryRow, kids: tuple[str, ...]) -> tuple[Row, bool]:
    """The row of `e`, and whether it can be stored."""
    ref = refers_to(e) if e.type == "retract" else None
    raw = (e.id, e.type, e.staff or "", ref or "-", *kids)
    shown = (row.login, row.host, row.text, row.not_applied or "")  # clean lines, but never trusted blindly
    safe = (all(x.isprintable() for x in raw) and all(raw[:2]) and all(kids) and 0 <= e.written < 10**20
            and not any(c in x for x in shown for c in "\n\x1f\x1e\x15"))
    return [_stamp(e), _written(e.written), e.id, e.type, e.staff or "", row.login, row.host, row.text,
            _RS.join(kids) if safe else tuple(kids),  # (not stored: the students as they are)
            _NONE if row.not_applied is None else row.not_applied, _NONE if ref is None else ref,
            "u" if row.unsigned else "y" if row.signed else ""], safe


class _Entry:
    """One journal file's rows, and what they were worked out from (`keep`: they can be stored).
    `rows` None: kept in this machine's cache, read when asked (`_Month.fill`)."""

    def __init__(self, digest: str, sig: FileSig | None, deps: list[str], missing: bool, rows: list[Row] | None,
                 keep: bool = True, month: _Month | None = None):
        self.digest, self.sig, self.deps, self.missing, self._rows, self.keep = digest, sig, deps, missing, rows, keep
        self.month = month

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            assert self.month is not None
            self.month.fill()
        assert self._rows is not None
        return self._rows


class _Month:
    """One month's cache file as found: its head read, the checksum of its rows checked, the file kept
    open (a run saving it meanwhile replaces it: this one's rows stay these). Its rows are stored in
    time order, each with the number of the file entry it belongs to: the stream reads them as they
    are (`read`), and only a save or a look-up puts them back with their files (`fill`)."""

    def __init__(self, fd: int, start: int, end: int, entries: dict[str, _Entry], counts: list[int],
                 undo: list[list], first: str, last: str = "", lines: tuple[int, ...] | None = None):
        self.fd, self.start, self.end, self.entries, self.counts = fd, start, end, entries, counts
        self.undo, self.first, self.last = undo, first, last
        # where its printed lines and its ids lie (offset; bytes of text lines, of CSV lines, of ids);
        # None: not kept
        self.lines = lines

    def printed(self, fmt: str, undone: dict[str, str], retracted: Callable[[str], str]) -> str:
        """The month's rows as `paratui history --format fmt` (text or csv) prints them
        (`_printed_lines`), a retracted one with `retracted(who)` where US (\x1f) is (`undone`: the
        event id → who; known only once every month's head is read)."""
        assert self.lines is not None
        at, n_text, n_csv, n_ids = self.lines
        end = "\n" if fmt == "text" else "\r\n"
        skip, size = (0, n_text) if fmt == "text" else (n_text, n_csv)
        raw = os.pread(self.fd, size, at + skip)
        ids_raw = os.pread(self.fd, n_ids, at + n_text + n_csv)
        text = raw.decode("utf-8", "surrogatepass")
        ids = ids_raw.decode("utf-8", "surrogatepass").split("\n")
        total = sum(self.counts)
        if len(raw) != size or len(ids_raw) != n_ids or len(ids) != total or text.count(end) + 1 != total:
            raise OSError("history cache changed under this run")
        hits = list(itertools.compress(range(total), map(undone.__contains__, ids)))  # (in C: a year is 1M ids)
        if hits:
            lines = text.split(end)
            for i in hits:
                head, tail = lines[i].split(_US, 1)
                lines[i] = f"{head}{retracted(undone[ids[i]])}{tail}"
            text = end.join(lines)
        return text.replace(_US, "") + end

    def read(self) -> list[Row]:
        raw = os.pread(self.fd, self.end - self.start, self.start)
        rows = [x.split(_US) for x in raw.decode("utf-8", "surrogatepass").split("\n")] if raw else []
        # the file open since its head was read, its checksum and its count of lines and fields
        # checked then: these are the rows it held
        if len(rows) != sum(self.counts) or (rows and len(rows[-1]) != 13):
            raise OSError("history cache changed under this run")
        return rows

    def fill(self) -> None:
        per: list[list[Row]] = [[] for _ in self.counts]
        try:
            for r in self.read():
                per[int(r[12])].append(r)
        except (ValueError, IndexError):
            raise OSError("history cache changed under this run") from None
        for entry, rows, n in zip(self.entries.values(), per, self.counts):
            if len(rows) != n:
                raise OSError("history cache changed under this run")
            entry._rows = rows


def _undo_of(rows: list[Row]) -> list[list]:
    """The applied retracts among `rows`: [target, staff, time, written, id] each."""
    return [[r[10], r[4], r[0], r[1], r[2]] for r in rows if r[3] == "retract" and r[10] != _NONE and r[9] == _NONE]


def _load(folder: Path | None, month: str, fp: str, fds: list[int]) -> dict[str, _Entry]:
    """One month's cache: file → entry, its rows left in the file (empty when it is missing, not
    this account's, of another version or classroom, or not what `_save` writes)."""
    if folder is None:
        return {}
    path = folder / f"{month}.rows"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return {}
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_size > MAX_BYTES:
            raise ValueError("not a cache file")
        raw = os.pread(fd, st.st_size, 0)
        cut = raw.find(b"\n")
        cut = len(raw) if cut < 0 else cut
        head = json.loads(raw[:cut].decode("utf-8", "surrogatepass"))
        start = min(len(raw), cut + 1)
        if not isinstance(head, dict) or head.get("version") != VERSION or head.get("fingerprint") != fp:
            raise ValueError("another version")
        if head.get("crc") != zlib.crc32(memoryview(raw)[start:]):  # what `_save` wrote (13 fields a row)
            raise ValueError("damaged")
        undo, first, total, last, lines = head["undo"], head["first"], head["rows"], head["last"], head["lines"]
        end = len(raw)
        if lines is not None:
            if not (isinstance(lines, list) and len(lines) == 4 and all(type(x) is int and x >= 0 for x in lines)
                    and sum(lines) == len(raw) - start and total > 0):
                raise ValueError("wrong types")
            end = start + lines[0]
            lines = (end, *lines[1:])
        if not (isinstance(undo, list) and isinstance(first, str) and isinstance(last, str) and type(total) is int
                and all(isinstance(u, list) and len(u) == 5 and all(isinstance(x, str) for x in u) for u in undo)):
            raise ValueError("wrong types")
        out: dict[str, _Entry] = {}
        counts: list[int] = []
        at = 0
        month_of = _Month(fd, start, end, out, counts, undo, first, last, lines)
        for rel, held, sig, deps, missing, n in head["files"]:
            if not (isinstance(rel, str) and isinstance(held, str) and isinstance(sig, list) and len(sig) == 4
                    and all(type(x) is int for x in sig) and isinstance(deps, list)
                    and all(isinstance(x, str) for x in deps) and isinstance(missing, bool)
                    and type(n) is int and 0 <= n <= total - at):
                raise ValueError("wrong types")
            out[rel] = _Entry(held, (sig[0], sig[1], sig[2], sig[3]), deps, missing, None, month=month_of)
            counts.append(n)
            at += n
        if at != total:
            raise ValueError("wrong counts")
        fds.append(fd)
        return out
    except (OSError, UnsafeFile, ValueError, TypeError, KeyError, RecursionError, AttributeError):
        os.close(fd)
        return {}


class _View:
    """Cached rows as one classroom shows them: staff's short names, the students of a row, the rows
    as `paratui.model.history` rows, each worked out once per value."""

    def __init__(self, classroom: Classroom):
        self.classroom = classroom
        self.shorts = {s.id: s.short for s in classroom.staff}
        self._shown: dict[str, tuple[str, str]] = {}
        self._kids: dict[str | tuple[str, ...], tuple[str, ...]] = {}
        self._kids_shown: dict[str | tuple[str, ...], tuple[str, ...]] = {}

    def shown(self, sid: str) -> tuple[str, str]:
        """(the staff id, its short name) as a row shows them."""
        hit = self._shown.get(sid)
        if hit is None:
            hit = self._shown[sid] = (clean(sid, limit=12), clean(self.shorts.get(sid, sid) or "—", limit=40))
        return hit

    def kids(self, k: str | tuple[str, ...]) -> tuple[str, ...]:
        hit = self._kids.get(k)
        if hit is None:
            hit = self._kids[k] = k if isinstance(k, tuple) else tuple(k.split(_RS)) if k else ()
        return hit

    def padded(self, rows: list[Row]) -> dict[str, str]:
        """Each staff id of `rows` → its short name as the text lines pad it."""
        return {sid: f"{self.shown(sid)[1]:<8}" for sid in {r[4] for r in rows}}

    def history_rows(self, rows: list[Row], undone: dict[str, str]) -> Iterator[HistoryRow]:
        new = tuple.__new__
        for r in rows:
            kids = self._kids_shown.get(r[8])
            if kids is None:
                kids = self._kids_shown[r[8]] = tuple(clean(x, limit=12) for x in self.kids(r[8]))
            yield new(HistoryRow, (r[2], r[0][19:29] + " " + r[0][30:35], r[3], *self.shown(r[4]), r[5], r[6],
                                   r[7], kids, undone.get(r[2]), None if r[9] == _NONE else r[9], r[11] == "u",
                                   r[11] == "y"))

    def kept_lines(self, rows: list[Row]) -> tuple[str, str]:
        """`rows` as `paratui history` prints them as text and as CSV rows, each with US (\x1f) where a
        "(retracted by …)" goes, and without it: the lines a month's cache keeps, so that printing a
        cached month is one read (a million rows formatted one at a time take seconds). Only for rows
        that can be stored (no US or line break in any field)."""
        padded = self.padded(rows)
        text = "\n".join([_text_line(r, padded[r[4]], _US) for r in rows])
        as_csv = "".join(csv_parts(self.history_rows(rows, {}), self.classroom, retracted=_US))
        return text, as_csv[:-2]


def _text_line(r: Row, short: str, retracted: str) -> str:
    """A row as `paratui.model.history.text_line` writes it (inline: a million calls of it are a
    second; tests hold the two equal), `retracted` where its "(retracted by …)" goes."""
    return (f"{r[0][19:29]} {r[0][30:35]}  {short} {r[7]}{retracted}"
            f"{'' if r[9] == _NONE else f'  (NOT APPLIED: {r[9]})'}"
            f"  [{r[2][:6]} {r[5]}@{r[6]}{' unsigned' if r[11] == 'u' else ''}]")


def _retracted_text(who: str) -> str:
    return f"  (retracted by {who})"


def _save(folder: Path | None, month: str, fp: str, entries: dict[str, _Entry], classroom: Classroom) -> None:
    if folder is None:
        return  # every cache folder lies inside the data folder: no cache
    kept = {rel: e.rows for rel, e in entries.items() if e.keep}
    every = sorted(([*r[:12], str(i)] for i, rows in enumerate(kept.values()) for r in rows), key=_ORDER)
    body = "\n".join(_US.join(r) for r in every).encode("utf-8", "surrogatepass")
    lines = None
    if every and len({r[2] for r in every}) == len(every):  # (copies of an event: printed the slow way)
        text, as_csv = (x.encode("utf-8", "surrogatepass") for x in _View(classroom).kept_lines(every))
        ids = "\n".join(r[2] for r in every).encode("utf-8", "surrogatepass")
        lines = [len(body), len(text), len(as_csv), len(ids)]
        body += text + as_csv + ids
    head = {"version": VERSION, "fingerprint": fp, "rows": len(every), "crc": zlib.crc32(body),
            "first": min((r[0] for r in every), default=""), "last": every[-1][0] if every else "",
            "lines": lines, "undo": _undo_of(every),
            "files": [[rel, e.digest, list(e.sig or (0, 0, 0, 0)), e.deps, e.missing, len(kept[rel])]
                      for rel, e in entries.items() if rel in kept]}
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # whole or not at all, but not waiting for the disk: a cache lost in a power cut is made again
        atomic_write(folder / f"{month}.rows", json.dumps(head, separators=(",", ":")).encode() + b"\n" + body,
                     mode=0o600, durable=False)
    except (OSError, ValueError):
        pass  # no cache here (a read-only home, a full disk): the next run reads in full again


def cached_history(root: Path, classroom: Classroom, schedule: Schedule, *, student: str | None = None,
                   staff: str | None = None) -> Iterator[HistoryRow]:
    """Every event of the journal at `root` as history rows (oldest first; only those about
    `student` or by `staff`), as `history_rows` makes them of the whole journal, reading only the
    files that changed; made one at a time (a million of them do not fit in a small machine)."""
    with _Stream(root, classroom, schedule, student, staff) as m:
        for chunk in m.chunks():
            assert isinstance(chunk, list)
            yield from m.view.history_rows(chunk, m.undone)


def cached_history_csv(root: Path, classroom: Classroom, schedule: Schedule, *, student: str | None = None,
                       staff: str | None = None) -> Iterator[str]:
    """`render(cached_history(…), "csv")` in pieces (a month at a time): a month kept whole as its
    CSV lines, the rest as `paratui.model.history.csv_parts` writes them."""
    yield CSV_HEADER
    by = cells(lambda who: csv_field(csv_cell(who)))  # the retracted_by cell, as a row written afresh has it
    with _Stream(root, classroom, schedule, student, staff) as m:
        for chunk in m.chunks(whole=True):
            if isinstance(chunk, _Month):
                yield chunk.printed("csv", m.undone, by)
            else:
                yield from csv_parts(m.view.history_rows(chunk, m.undone), classroom)


def cached_history_text(root: Path, classroom: Classroom, schedule: Schedule, *, student: str | None = None,
                        staff: str | None = None) -> Iterator[str]:
    """`render(cached_history(…), "text")` in pieces (a month at a time), without making the rows in
    between: each line as `paratui.model.history.text_line` writes it."""
    with _Stream(root, classroom, schedule, student, staff) as m:
        get = m.undone.get
        for chunk in m.chunks(whole=True):
            if isinstance(chunk, _Month):
                yield chunk.printed("text", m.undone, _retracted_text)
                continue
            padded = m.view.padded(chunk)
            yield "".join([_text_line(r, padded[r[4]], "" if (u := get(r[2])) is None else _retracted_text(u)) + "\n"
                           for r in chunk])


def _entries(root: Path, classroom: Classroom, schedule: Schedule, fds: list[int]) -> list[tuple[str, _Entry]]:
    """Every journal file's rows, in path order (month, entry): cached, or worked out (and cached)."""
    journal = root / "journal"
    folder, fp = cache_folder(root), fingerprint(classroom, schedule, owners_vouch(journal),
                                                    signatures_checked(journal))
    reader = _Reader(journal, root, folder)
    problems: dict[str, list[str]] = {}
    files = reader._stat_files(reader.all_dirs(), problems)
    cut = len(os.path.join(journal, ""))
    rel_of = {p: p[cut:] for p in files}  # every path is journal/…
    months = sorted({_month(r) for r in rel_of.values()})
    cached: dict[str, _Entry] = {}
    for m in months:
        cached.update(_load(folder, m, fp, fds))
    path_of = {rel: p for p, rel in rel_of.items()}
    # what each file holds now: read and hashed only when it has cached rows (the rest are parsed
    # anyway) and was touched since they were made (its signature, change time included, differs)
    held = {rel: e.digest if e.sig == files[path_of[rel]] else _digest_of(path_of[rel], journal)
            for rel, e in cached.items() if rel in path_of}
    anything_new = any(cached.get(rel) is None or cached[rel].digest != held[rel] for rel in path_of) \
        or any(rel not in path_of for rel in cached)

    def still_good(rel: str) -> bool:
        e = cached.get(rel)
        return (e is not None and e.digest == held[rel] and not (e.missing and anything_new)
                and all(d in cached and cached[d].digest == held.get(d) for d in e.deps))

    good = {rel for rel in path_of if still_good(rel)}
    for rel in good:  # touched but holding the same bytes: not hashed again next time (once saved)
        cached[rel].sig = files[path_of[rel]]
    redo = sorted((p for p in files if rel_of[p] not in good), key=_path_key)
    fresh: dict[str, _Entry] = {}
    saved: set[str] = set()
    if redo:
        reader.remember = len(redo) > REMEMBER_FROM
        by_month: dict[str, list[str]] = {}
        for p in redo:
            by_month.setdefault(_month(rel_of[p]), []).append(p)
        if folder is None or len(by_month) < 2:
            fresh = _describe(reader, files, rel_of, redo, cached, good, classroom, schedule)
        else:
            fresh = _month_by_month(reader, folder, fp, fds, files, rel_of, by_month, cached, good, held,
                                    classroom, schedule, saved)
        reader.save()
    entries = {rel: (fresh[rel] if rel in fresh else cached[rel]) for rel in path_of if rel in fresh or rel in good}
    month_of = {rel: _month(rel) for rel in set(entries) | set(cached)}
    stale = {month_of[rel] for rel in fresh} | {month_of[rel] for rel in cached if rel not in path_of}
    for m in sorted(stale - saved):  # only the months something changed in are written again
        _save(folder, m, fp, {rel: e for rel, e in entries.items() if month_of[rel] == m}, classroom)
    return [(month_of[rel_of[p]], entries[rel_of[p]]) for p in sorted(files, key=_path_key) if rel_of[p] in entries]


def _month_by_month(reader: _Reader, folder: Path, fp: str, fds: list[int], files: dict[str, FileSig],
                    rel_of: dict[str, str], by_month: dict[str, list[str]], cached: dict[str, _Entry],
                    good: set[str], held: dict[str, str | None], classroom: Classroom, schedule: Schedule,
                    saved: set[str]) -> dict[str, _Entry]:
    """`_describe` of many months (a first run, a new classroom), one month at a time, oldest first:
    each month's rows are saved as soon as they are made and read back from the cache file, so a
    run holds one month of events, never the whole journal (a million events are ~2 GB as objects).
    What a month's events refer to in earlier months is found in those months' saved rows, as a
    run that reads only today's files finds it. The few files whose events referred to something not
    found (a later month's, or nowhere) are described once more at the end, with every month saved."""
    fresh: dict[str, _Entry] = {}
    month_of_rel = {rel: _month(rel) for rel in rel_of.values()}
    # a task's or a note's id → its file: what a "done" or an "ack" names may be months old (a few
    # a day: kept for the whole run); what a retract names is looked up in the last LOOK_BACK months
    lasting: dict[str, str] = {}
    done: list[str] = sorted({month_of_rel[rel] for rel in good})

    # each month made this run (the last LOOK_BACK of them): its events' ids → their files, from the
    # rows at hand, so a later month's retracts are found without reading the month's cache file again
    ids_of: dict[str, dict[str, str]] = {}

    def settle(month: str, made: dict[str, _Entry]) -> None:
        fresh.update(made)
        ids = ids_of.setdefault(month, {})
        for rel, e in made.items():
            lasting.update((r[2], rel) for r in e.rows if r[3] in _LASTING)
            if not e.missing:
                ids.update((r[2], rel) for r in e.rows)
        whole = {rel: (fresh[rel] if rel in fresh else cached[rel]) for rel in rel_of.values()
                 if month_of_rel[rel] == month and (rel in fresh or rel in good)}
        _save(folder, month, fp, whole, classroom)
        for e in whole.values():
            if e.month is not None:
                e._rows = None  # (read back from its file for the save: let go now, not at the next full gc)
        saved.add(month)
        again = _load(folder, month, fp, fds)  # its rows left in the file; what it now holds counts as good
        for rel, e in again.items():
            if rel in whole and e.digest == whole[rel].digest:
                cached[rel], fresh[rel] = e, e
                if not e.missing:
                    good.add(rel)
                held[rel] = e.digest
        reader._cache.clear()  # the month's events: let go (the reader keeps them twice)
        reader._last_good.clear()
        done.append(month)

    for month in sorted(by_month):
        recent = set(sorted({m for m in done if m < month})[-LOOK_BACK:])
        for m in [m for m in ids_of if m not in recent]:
            del ids_of[m]
        known = dict(lasting)
        for m in sorted(ids_of):
            known.update(ids_of[m])
        window = {rel for rel in good if month_of_rel.get(rel) in recent and month_of_rel[rel] not in ids_of}
        settle(month, _describe(reader, files, rel_of, by_month[month], cached, window, classroom, schedule,
                                known))
    ids_of.clear()
    # described once more, together (one look through the saved months for all of them): the files
    # whose events named something found nowhere then
    again = [p for ps in by_month.values() for p in ps if fresh[rel_of[p]].missing]
    for p in again:
        good.discard(rel_of[p])
    made = _describe(reader, files, rel_of, again, cached, good, classroom, schedule, lasting) if again else {}
    for month in sorted({month_of_rel[rel_of[p]] for p in again}):
        settle(month, {rel: e for rel, e in made.items() if month_of_rel[rel] == month})
    return fresh


LOOK_BACK = 2  # months a first run looks back in for what a retract names (the rest: once, at the end)
_LASTING = ("task.add", "note")  # what "done", "claim", "reopen" and "ack" name: kept for a whole run


class _Reader(JournalReader):
    """The journal's reader, remembering each signature it checked (~0.1 ms each: a million signed
    events are minutes) in this machine's cache folder, by the content it covers: a run that must
    describe the files again (the classroom changed, a new version) checks only new signatures.
    What a signature check finds depends on nothing but the document's bytes (its key, signature
    and the canonical JSON they cover), so the digest of those is the key."""

    def __init__(self, journal: Path, root: Path, folder: Path | None):
        super().__init__(journal, root)
        self.sig_file = None if folder is None else folder / SIGNATURES
        self.checked: dict[str, str] | None = None
        self.new = 0
        # only when many files are described again (the classroom changed, a first run): reading the
        # list back costs more than checking the few signatures of today's files
        self.remember = False

    def _check_signature(self, doc: dict) -> str | None:
        sig = doc.get("sig")
        if not (self.remember and isinstance(sig, dict) and isinstance(sig.get("ed25519"), str)
                and isinstance(sig.get("key"), str)):
            return super()._check_signature(doc)
        if self.checked is None:
            self.checked = _load_signatures(self.sig_file)
        key = hashlib.blake2b(keys.canonical(doc) + f"\0{sig['ed25519']}\0{sig['key']}".encode(
            "utf-8", "surrogatepass"), digest_size=16).hexdigest()
        found = self.checked.get(key)
        if found is None:
            result = super()._check_signature(doc)
            if result is None:
                return None  # not checked here (no cryptography): nothing to remember
            self.checked[key] = found = result
            self.new += 1
        return found

    def save(self) -> None:
        if not self.new or self.sig_file is None or self.checked is None:
            return
        body = "\n".join(f"{k}\t{v}" for k, v in self.checked.items()).encode("utf-8", "surrogatepass")
        try:
            self.sig_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(self.sig_file, b"%d\n" % VERSION + body, mode=0o600, durable=False)
        except (OSError, ValueError):
            pass


REMEMBER_FROM = 64  # files to describe again from which the signatures checked before are read back
SIGNATURES = "signatures"  # beside the months' rows: digest \t what keys.check found, a line each


def _load_signatures(path: Path | None) -> dict[str, str]:
    """The signatures checked before (empty when missing, not this account's, or not as written)."""
    if path is None:
        return {}
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            return {}
        lines = read_regular(path, MAX_BYTES).decode("utf-8", "surrogatepass").split("\n")
        if lines[0] != str(VERSION):
            return {}
        out = dict(line.split("\t", 1) for line in lines[1:] if line)
        if not all(len(k) == 32 and v and v.isprintable() for k, v in out.items()):
            return {}
        return out
    except (OSError, UnsafeFile, ValueError, TypeError):
        return {}


def _digest_of(path: str, journal: Path) -> str | None:
    """The digest of a journal file's bytes (None: it cannot be read: its rows are worked out again,
    which reports it)."""
    try:
        return digest(read_regular(Path(path), MAX_FILE_BYTES, root=journal))
    except OSError:
        return None


def _describe(reader: JournalReader, files: dict[str, FileSig], rel_of: dict[str, str], redo: list[str],
              cached: dict[str, _Entry], good: set[str], classroom: Classroom,
              schedule: Schedule, known: dict[str, str] | None = None) -> dict[str, _Entry]:
    """Read the files in `redo`, and whatever older files their events refer to (to describe a
    "done" or an "undone"), and make their rows. `known`: event id → the file holding it, already
    known (looked up before the cached months are read)."""
    by_rel = {rel: p for p, rel in rel_of.items()}
    where: dict[str, str] = dict(known or {})  # event id → the file holding it (from the cached rows, when needed)
    read: dict[str, list[Event]] = {}

    def read_file(p: str) -> list[Event]:
        if p not in read:
            c = reader._parse(Path(p), files[p])
            reader._cache[p] = c
            read[p] = c.events
        return read[p]

    for p in redo:
        read_file(p)
    # the cached months to look in, newest last (what a new event refers to is mostly recent): each
    # read only when an id is not found in the later ones, one at a time, only its ids kept
    months = sorted({id(e.month): e.month for rel, e in cached.items() if rel in good and e.month is not None}
                    .values(), key=lambda m: m.first)

    def look_up(x: str) -> list[Event]:
        """The events of the file holding `x` (none: found nowhere)."""
        while x not in where and months:
            month = months.pop()
            names = list(month.entries)
            for r in month.read():
                rel = names[int(r[12])]
                if rel in good:
                    where[r[2]] = rel
        return read_file(by_rel[where[x]]) if x in where else []

    chain = _chain([e for p in redo for e in read[p]], look_up)
    order = sorted(read, key=_path_key)
    events, _lost = reader._merge(order)
    # what the rows are made of: the redo files' events and what they refer to, never the whole of
    # an older file read for one task (a month's task file is thousands of events: describing them
    # all, month after month, was most of a first run)
    own = {id(e) for p in redo for e in read[p]}
    events = [e for e in events if id(e) in own or e.id in chain]
    kept = {id(e) for e in events}
    holder = {e.id: p for p in order for e in read[p] if id(e) in kept}
    rows = {r.id: r for r in history_rows(events, classroom, refused=refused_events(events, classroom, schedule))}
    by_id = {e.id: e for e in events}
    out: dict[str, _Entry] = {}
    for p in redo:
        deps: set[str] = set()
        missing = False
        made: list[Row] = []
        keep = True
        for e in read[p]:
            if id(e) not in kept:
                continue
            x, hops = refers_to(e), 0
            while x is not None and hops < 64:  # the files of everything its text was made from
                if x not in holder:
                    missing = True
                    break
                deps.add(holder[x])
                x = next((refers_to(t) for t in read[holder[x]] if t.id == x), None)
                hops += 1
            row = rows[e.id]
            target = by_id.get(refers_to(e) or "") if e.type == "retract" else None
            made_row, safe = _make_row(e, row, students_of(target if target is not None else e))
            made.append(made_row)
            keep = keep and safe
        read_as = reader._cache[p]
        out[rel_of[p]] = _Entry(read_as.digest or "", read_as.signature, sorted(rel_of[d] for d in deps if d != p),
                                missing, made, keep)
    return out


def _chain(events: list[Event], look_up: Callable[[str], list[Event]]) -> set[str]:
    """The ids `events` refer to, through chains ("undone: done: Call home"): what their rows are
    described from. `look_up(id)`: the events of the file holding it, read whole (a file is checked
    as a whole)."""
    index: dict[str, Event] = {}
    for e in events:
        index.setdefault(e.id, e)
    wanted = [x for e in events if (x := refers_to(e)) is not None]
    chain: set[str] = set()
    while wanted:
        x = wanted.pop()
        if x in chain:
            continue
        chain.add(x)
        if x not in index:
            for e in look_up(x):
                index.setdefault(e.id, e)
        if (t := index.get(x)) is not None and (y := refers_to(t)) is not None:
            wanted.append(y)
    return chain


class _Stream:
    """All files' rows in time order, each event once (of two copies, the first written), with who
    retracted each (a retract in any file); only those about `student` / by `staff`; each staff id as
    shown cleaned once, not once per row. A month's rows are read when the stream reaches its first
    time, and let go once every row before the next month's first time is out: a run holds about
    one month of rows (a busy room's ~15k), never the million."""

    def __init__(self, root: Path, classroom: Classroom, schedule: Schedule, student: str | None,
                 staff: str | None):
        self.root, self.classroom, self.schedule, self.student, self.staff = root, classroom, schedule, student, staff
        self.fds: list[int] = []
        self.view = _View(classroom)
        self.undone: dict[str, str] = {}

    def __enter__(self) -> _Stream:
        try:
            entries = _entries(self.root, self.classroom, self.schedule, self.fds)
        except BaseException:
            self.__exit__()
            raise
        # by month: a cache file to read as it is, or the rows worked out this run (time order)
        by_month: dict[str, list[_Entry]] = {}
        for m, e in entries:
            by_month.setdefault(m, []).append(e)
        undo: list[list] = []
        self.months: list[tuple[str, _Month | list[Row]]] = []
        for es in by_month.values():
            whole = es[0].month
            if whole is not None and len(whole.entries) == len(es) and all(
                    e._rows is None and e.month is whole for e in es):
                undo += whole.undo  # the month as cached: its head says it all
                self.months.append((whole.first, whole))
                continue
            rows = sorted((r for e in es for r in e.rows), key=_ORDER)
            for e in es:
                if e.month is not None:
                    e._rows = None  # (read for a save: let go)
            undo += _undo_of(rows)
            self.months.append((rows[0][0] if rows else "", rows))
        self.months.sort(key=lambda x: x[0])
        undo.sort(key=lambda u: (u[2], u[3], u[4]))
        shorts = self.view.shorts
        for target, who, at, _w, _id in undo:  # the first retract applied is credited
            if target not in self.undone:
                self.undone[target] = f"{clean(shorts.get(who, who or '?'), limit=40)} at {_shown(at)}"
        return self

    def __exit__(self, *_exc: object) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def chunks(self, whole: bool = False) -> Iterator[list[Row] | _Month]:
        """The rows in order, a month's worth at a time; `whole`: a cached month that goes out as it
        is (nothing left over before it, every row of it before the next month's first, no copies
        of an event, no filter) as its _Month, whose text lines are printed as they are."""
        buffer: list[Row] = []
        staff, student = self.staff, self.student
        months = self.months
        for i, (_first, month) in enumerate(months):
            if whole and not buffer and isinstance(month, _Month) and month.lines is not None \
                    and staff is None and student is None \
                    and (i + 1 == len(months) or month.last < months[i + 1][0]):
                yield month
                continue
            rows = month.read() if isinstance(month, _Month) else month
            if not buffer:
                buffer = rows
            elif not rows or _ORDER(buffer[-1]) <= _ORDER(rows[0]):
                buffer += rows  # (what was left all comes before this month: nearly always)
            else:
                buffer += rows
                buffer.sort(key=_ORDER)  # two runs in order: merged in one pass
            if i + 1 == len(months):
                out, buffer = buffer, []
            else:
                cut = bisect.bisect_left(buffer, months[i + 1][0], key=_TIME)
                out, buffer = buffer[:cut], buffer[cut:]
            ids = {r[2] for r in out}
            if len(ids) != len(out):  # copies of an event (sync) share its time: the first written stays
                seen: set[str] = set()
                out = [r for r in out if not (r[2] in seen or seen.add(r[2]))]  # type: ignore[func-returns-value]
            if staff is not None:
                out = [r for r in out if r[4] == staff]
            if student is not None:
                out = [r for r in out if student in self.view.kids(r[8])]
            if out:
                yield out
