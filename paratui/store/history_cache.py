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

import hashlib
import json
import os
import re
import stat
import time
from pathlib import Path

from paratui.model.access import refused_events
from paratui.model.classroom import Classroom
from paratui.model.events import Event, refers_to
from paratui.model.history import HistoryRow, history_rows, students_of, text_line
from paratui.model.schedule import Schedule
from paratui.model.text import clean
from paratui.store import user_cache
from paratui.store.atomic import atomic_write
from paratui.store.journal import MAX_FILE_BYTES
from paratui.store.journal_reader import FileSig, JournalReader, _path_key, owners_vouch, signatures_checked
from paratui.store.safe_read import MiB, UnsafeFile, read_regular
from paratui.store.user_cache import digest

VERSION = 6  # 4: late entries' observed time; 5: unsigned events refused once their writer has a key;
# 6: "y" for a signature checked and matching (the CSV's `signed` column)
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


# A row as kept: the event's ISO time (sorts as the time does), `written` (20 digits), id, type, staff id,
# login, host and text as shown, students' ids apart by RS (\x1e), the NOT APPLIED reason, the id a
# retract undoes (NAK, \x15, for none) and "u" for an unsigned event in a room with enrolled keys, "y"
# for one whose signature was checked and matches (else empty).
# Stored a line per row, fields apart by US (\x1f): splitting is what lets a year load fast. Shown
# fields are clean single lines (no control characters); a file whose ids hold one is not kept (it is
# read every time instead).
Row = list
_US, _RS, _NONE = "\x1f", "\x1e", "\x15"


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
    return [e.time.isoformat(), _written(e.written), e.id, e.type, e.staff or "", row.login, row.host, row.text,
            _RS.join(kids) if safe else tuple(kids),  # (not stored: the students as they are)
            _NONE if row.not_applied is None else row.not_applied, _NONE if ref is None else ref,
            "u" if row.unsigned else "y" if row.signed else ""], safe


class _Entry:
    """One journal file's rows, and what they were worked out from (`keep`: they can be stored)."""

    def __init__(self, digest: str, sig: FileSig | None, deps: list[str], missing: bool, rows: list[Row],
                 keep: bool = True):
        self.digest, self.sig, self.deps, self.missing, self.rows, self.keep = digest, sig, deps, missing, rows, keep


def _load(folder: Path | None, month: str, fp: str) -> dict[str, _Entry]:
    """One month's cache: file → entry (empty when it is missing, not this account's, of another
    version or classroom, or not what `_save` writes)."""
    if folder is None:
        return {}
    path = folder / f"{month}.rows"
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            return {}
        lines = read_regular(path, MAX_BYTES).decode("utf-8", "surrogatepass").split("\n")
        head = json.loads(lines[0])
        if not isinstance(head, dict) or head.get("version") != VERSION or head.get("fingerprint") != fp:
            return {}
        out: dict[str, _Entry] = {}
        rows: list[Row] = [x.split(_US) for x in lines[1:]]
        if any(len(r) != 12 for r in rows):
            return {}
        if not "".join(r[1] for r in rows).isdigit() and rows:
            return {}
        at = 0
        for rel, held, sig, deps, missing, n in head["files"]:
            if not (isinstance(rel, str) and isinstance(held, str) and isinstance(sig, list) and len(sig) == 4
                    and all(type(x) is int for x in sig) and isinstance(deps, list)
                    and all(isinstance(x, str) for x in deps) and isinstance(missing, bool)
                    and type(n) is int and 0 <= n <= len(rows) - at):
                return {}
            out[rel] = _Entry(held, (sig[0], sig[1], sig[2], sig[3]), deps, missing, rows[at:at + n])
            at += n
        return out
    except (OSError, UnsafeFile, ValueError, TypeError, KeyError, RecursionError, AttributeError):
        return {}


def _save(folder: Path | None, month: str, fp: str, entries: dict[str, _Entry]) -> None:
    if folder is None:
        return  # every cache folder lies inside the data folder: no cache
    kept = {rel: e.rows for rel, e in entries.items() if e.keep}
    head = {"version": VERSION, "fingerprint": fp,
            "files": [[rel, e.digest, list(e.sig or (0, 0, 0, 0)), e.deps, e.missing, len(kept[rel])]
                      for rel, e in entries.items() if rel in kept]}
    lines = [json.dumps(head, separators=(",", ":"))] + [
        _US.join(r) for rows in kept.values() for r in rows]
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # whole or not at all, but not waiting for the disk: a cache lost in a power cut is made again
        atomic_write(folder / f"{month}.rows", "\n".join(lines).encode("utf-8", "surrogatepass"), mode=0o600,
                     durable=False)
    except (OSError, ValueError):
        pass  # no cache here (a read-only home, a full disk): the next run reads in full again


def cached_history(root: Path, classroom: Classroom, schedule: Schedule, *, student: str | None = None,
                   staff: str | None = None) -> list[HistoryRow]:
    """Every event of the journal at `root` as history rows (oldest first; only those about
    `student` or by `staff`), as `history_rows` makes them of the whole journal, reading only the
    files that changed."""
    m = _Merged(_entries(root, classroom, schedule), classroom, student, staff)
    new = tuple.__new__
    return [new(HistoryRow, (r[2], r[0][:10] + " " + r[0][11:16], r[3], *m.shown[r[4]], r[5], r[6], r[7],
                             m.kids_shown[r[8]], m.undone.get(r[2]), None if r[9] == _NONE else r[9], r[11] == "u",
                             r[11] == "y"))
            for r in m.rows]


def cached_history_text(root: Path, classroom: Classroom, schedule: Schedule, *, student: str | None = None,
                        staff: str | None = None) -> str:
    """`render(cached_history(…), "text")`, without making the ~130k rows first."""
    m = _Merged(_entries(root, classroom, schedule), classroom, student, staff)
    get = m.undone.get
    lines = [text_line(r[2], r[0][:10] + " " + r[0][11:16], m.shown[r[4]][1], r[5], r[6], r[7], get(r[2]),
                       None if r[9] == _NONE else r[9], r[11] == "u") for r in m.rows]
    return "\n".join(lines) + ("\n" if lines else "")


def _entries(root: Path, classroom: Classroom, schedule: Schedule) -> list[_Entry]:
    """Every journal file's rows, in path order: cached, or worked out (and cached)."""
    journal = root / "journal"
    reader = JournalReader(journal, root)
    problems: dict[str, list[str]] = {}
    files = reader._stat_files(reader.all_dirs(), problems)
    cut = len(os.path.join(journal, ""))
    rel_of = {p: p[cut:] for p in files}  # every path is journal/…
    folder, fp = cache_folder(root), fingerprint(classroom, schedule, owners_vouch(journal),
                                                    signatures_checked(journal))
    months = sorted({_month(r) for r in rel_of.values()})
    cached: dict[str, _Entry] = {}
    for m in months:
        cached.update(_load(folder, m, fp))
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
    if redo:
        fresh = _describe(reader, files, rel_of, redo, cached, good, classroom, schedule)
    entries = {rel: (fresh[rel] if rel in fresh else cached[rel]) for rel in path_of if rel in fresh or rel in good}
    month_of = {rel: _month(rel) for rel in set(entries) | set(cached)}
    stale = {month_of[rel] for rel in fresh} | {month_of[rel] for rel in cached if rel not in path_of}
    for m in sorted(stale):  # only the months something changed in are written again
        _save(folder, m, fp, {rel: e for rel, e in entries.items() if month_of[rel] == m})
    return [entries[rel_of[p]] for p in sorted(files, key=_path_key) if rel_of[p] in entries]


def _digest_of(path: str, journal: Path) -> str | None:
    """The digest of a journal file's bytes (None: it cannot be read: its rows are worked out again,
    which reports it)."""
    try:
        return digest(read_regular(Path(path), MAX_FILE_BYTES, root=journal))
    except OSError:
        return None


def _describe(reader: JournalReader, files: dict[str, FileSig], rel_of: dict[str, str], redo: list[str],
              cached: dict[str, _Entry], good: set[str], classroom: Classroom,
              schedule: Schedule) -> dict[str, _Entry]:
    """Read the files in `redo`, and whatever older files their events refer to (to describe a
    "done" or an "undone"), and make their rows."""
    by_rel = {rel: p for p, rel in rel_of.items()}
    where: dict[str, str] = {}  # event id → the file holding it (from the cached rows, when needed)
    read: dict[str, list[Event]] = {}

    def read_file(p: str) -> list[Event]:
        if p not in read:
            c = reader._parse(Path(p), files[p])
            reader._cache[p] = c
            read[p] = c.events
        return read[p]

    for p in redo:
        read_file(p)
    # what the events read refer to, through chains ("undone: done: Call home"), read as well
    wanted = [x for p in redo for e in read[p] if (x := refers_to(e)) is not None]
    seen_ids = {e.id for evs in read.values() for e in evs}
    while wanted:
        x = wanted.pop()
        if x in seen_ids:
            continue
        if not where:
            where = {r[2]: rel for rel, entry in cached.items() if rel in good for r in entry.rows}
        if x not in where:
            continue
        for e in read_file(by_rel[where[x]]):
            seen_ids.add(e.id)
            if (y := refers_to(e)) is not None:
                wanted.append(y)
    order = sorted(read, key=_path_key)
    events, _lost = reader._merge(order)
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


class _Merged:
    """All files' rows in time order, each event once (of two copies, the first written), with who
    retracted each (a retract in any file); then only those about `student` / by `staff`; and each
    staff and student id as shown (cleaned once, not once per row)."""

    def __init__(self, entries: list[_Entry], classroom: Classroom, student: str | None, staff: str | None):
        every = [r for entry in entries for r in entry.rows]
        if len({r[2] for r in every}) != len(every):  # copies of an event (sync): the first written stays
            best: dict[str, Row] = {}
            for r in every:
                old = best.get(r[2])
                if old is None or r[1] < old[1]:
                    best[r[2]] = r
            every = list(best.values())
        ordered = sorted(every)  # by time, written, id (ids are unique here: never further)
        shorts = {s.id: s.short for s in classroom.staff}
        self.undone: dict[str, str] = {}
        for r in ordered:
            if r[3] == "retract" and r[10] != _NONE and r[9] == _NONE and r[10] not in self.undone:  # applied
                self.undone[r[10]] = f"{clean(shorts.get(r[4], r[4] or '?'), limit=40)} at {r[0][:10]} {r[0][11:16]}"
        kids = {k: k if isinstance(k, tuple) else tuple(k.split(_RS)) if k else () for k in {r[8] for r in ordered}}
        if staff is not None:
            ordered = [r for r in ordered if r[4] == staff]
        if student is not None:
            ordered = [r for r in ordered if student in kids[r[8]]]
        self.rows = ordered
        self.shown = {sid: (clean(sid, limit=12), clean(shorts.get(sid, sid) or "—", limit=40))
                      for sid in {r[4] for r in ordered}}
        self.kids_shown = {k: tuple(clean(x, limit=12) for x in ids) for k, ids in kids.items()}
