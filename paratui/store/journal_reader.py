"""Reading the journal: every writer's files merged, re-reading only what changed.

The board reads today's and yesterday's day folders and the task months (`board_dirs`); task months
older than last month are summarised once (tasks done before today left out, brought back when
something recent refers to them). Nothing read is trusted: see paratui.store.journal for the file
rules (regular files only, bounded, no recursion) and how a clash of event ids is resolved.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Callable, Iterable

from paratui.model import notes, tasks
from paratui.model.event_types import ROUTINES
from paratui.model.events import Event, Origin, event_from_doc, refers_to
from paratui.model.text import clean
from paratui.store import keys
from paratui.store.journal import (
    LOG_DIR,
    MAX_FILE_BYTES,
    TASKS_DIR,
    TooDeep,
    day_dir,
    is_journal_file,
    log_dir,
    parse_json,
    writer_problems,
)
from paratui.store.safe_read import UnsafeFile, inside, read_regular, read_regular_owned
from paratui.store.summary_cache import Cached, SummaryCache, index_of
from paratui.store.user_cache import digest

_ORDER = attrgetter("time", "written", "id")  # Event.sort_key, in C
# How a file is known unchanged within a process: (st_mtime_ns, st_size, st_ino, st_ctime_ns). The
# change time cannot be put back (os.utime sets the others), so an in-place rewrite of the same size
# with its time restored is seen too. Caches kept between processes go by content (`digest`).
FileSig = tuple[int, int, int, int]


@dataclass(slots=True)  # one per journal file read: a year's history holds ~1,900
class _Cached:
    signature: FileSig
    events: list[Event]
    problem: str | None
    digest: str | None = None  # of the bytes read (None: not read well)
    _refs: frozenset[str] | None = None

    @property
    def refs(self) -> frozenset[str]:
        """What this file's events are about (tasks, notes, undone events): worked out once per
        read of the file, not at every reload (a year of open tasks and notes is thousands)."""
        if self._refs is None:
            self._refs = frozenset(x for e in self.events if (x := refers_to(e)) is not None)
        return self._refs


class BoardDirs(list):
    """What `JournalReader.board_dirs(today)` returns: the folders, plus the day they are for, so that
    `read` may leave out what a board of that day (or a later one) can never show."""

    def __init__(self, dirs: Iterable[Path], today: date):
        super().__init__(dirs)
        self.today = today


# How often the files of settled task months are stat'ed (their folders are on every read: a file
# written the usual way, by a rename, changes its folder). A file edited in place there is seen then.
SETTLED_CHECK_S = 60.0
_RACY_NS = 2_000_000_000  # a folder changed this close to our listing may change again unseen
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DD = re.compile(r"\d{2}")


@dataclass
class _Settled:
    """The task months a board reads but no longer needs in full (older than last month), folded once:
    tasks done before `cutoff` and everything about them (their add, done and retract events) are
    left out; everything else is kept."""

    dirs: tuple[str, ...]
    dir_sigs: dict[str, tuple | None]
    listed_ns: int  # time.time_ns() when the folders were listed
    checked: float  # time.monotonic() of the last stat of every file
    folder_problems: dict[str, list[str]]
    order: list[str]  # the journal files in these folders, in reading order
    cutoff: date
    kept: list[Event]
    ids: set[str]  # every event id in these files
    dropped: dict[str, str]  # the ids left out → the task they are about
    families: dict[str, list[Event]]  # task → the events left out about it
    lost: dict[tuple[str, str], list[str]]  # clashes among these files
    # From this machine's cache (paratui.store.summary_cache), not from the files: `ids` holds only
    # the kept events' ids, `dropped` and `families` are empty: `cached` finds what was left out.
    cached: Cached | None = None
    stated: dict[str, FileSig] = field(default_factory=dict)  # with `cached`: the files as stat'ed then


class JournalReader:
    """Merges journal files, re-reading only those whose size, mtime or inode changed.

    Trusts nothing in the folder: only regular files are read (never a FIFO or device, no symlink out
    of the journal), at most MAX_FILE_BYTES each, parsed without recursion; a file that cannot be read
    or parsed is reported (path + reason) and its last good events are kept. A folder where a file
    belongs, an unreadable folder and an event id carrying different content in two files are
    reported too; nothing here raises.

    A board's read (`read(board_dirs(today))`) costs the same in year three as in week one: task
    months older than last month are folded once (see `_Settled`) and then only their folders are
    stat'ed (their files once every SETTLED_CHECK_S); a read that finds nothing changed returns the
    previous result as it is.
    """

    # A reader on a background thread reading hundreds of files (the student screen's history, a
    # second after the board starts): it lets other threads run after each file it parses. Python
    # threads share one interpreter lock, which a busy thread keeps for 5 ms at a time, and a
    # board's reload gives it up at every stat: a reload that took 6 ms took 20–30 meanwhile.
    background = False

    def __init__(self, journal: Path, label_root: Path | None = None, writer: Callable[[], str] | None = None):
        self.journal = journal
        self.label_root = label_root or journal.parent
        # this machine's summary of closed task months (None: none kept, e.g. in tests)
        self.summary = SummaryCache(journal, writer) if writer is not None else None
        self.writer = writer
        self._cache: dict[str, _Cached] = {}
        self._last_good: dict[str, list[Event]] = {}
        # A file being written to (it changed since it was first read): its documents as last read,
        # each with its event, so that reading it again parses only what is new (`_parse`).
        self._docs: dict[str, dict[str, tuple[dict, Event]]] = {}
        self._settled: _Settled | None = None
        self._result: tuple | None = None  # (key, events, problems) of the last read
        # Whether the journal folder lets several accounts add files (group- or other-writable, as
        # `paratui init` makes a shared room): then who owns a file says who wrote it, and each event
        # read carries its file and owner (Event.origin; checked by paratui.model.access). None: not
        # looked at yet.
        self._vouched: bool | None = None
        # Whether signatures are checked: only once the room enrols keys (keys.json beside the journal;
        # a check costs ~0.1 ms, and without an enrolment a forger signs with a key of their own).
        self._signed = False
        self.stats = 0  # entries listed or stat'ed so far (for tests and benchmarks)

    def task_dirs(self) -> list[Path]:
        tasks = self.journal / TASKS_DIR
        try:
            with os.scandir(tasks) as entries:
                names = sorted(e.name for e in entries if e.is_dir())
        except OSError:
            return []
        return [tasks / n for n in names]

    def board_dirs(self, today: date) -> BoardDirs:
        """What a board for `today` needs: today's and yesterday's folders (a move still open at
        midnight carries over), every month of tasks, and the quick-logging entries of today and of
        the last day before it that has any (a timer left running, yesterday's or Friday's)."""
        dirs = [day_dir(self.journal, today), day_dir(self.journal, today - timedelta(days=1)),
                *self.task_dirs(), log_dir(self.journal, today)]
        before = self._log_day_before(today)
        if before is not None:
            dirs.append(before)
        return BoardDirs(dirs, today)

    def _log_day_before(self, today: date) -> Path | None:
        """The newest log day folder before `today`, this month or last month."""
        first = today.replace(day=1)
        for month in (first, first - timedelta(days=1)):
            folder = self.journal / LOG_DIR / f"{month:%Y-%m}"
            self.stats += 1
            days = [n for n in _names(folder) if _DD.fullmatch(n) and (month.month != today.month
                                                                       or n < f"{today:%d}")]
            if days:
                return folder / max(days)
        return None

    def task_events(self) -> list[Event]:
        """Every task event of every month, read by a reader of its own (this one's summary stays)."""
        other = JournalReader(self.journal, self.label_root)
        return other.read(other.task_dirs())[0]

    def log_months(self) -> list[str]:
        return sorted(n for n in _names(self.journal / LOG_DIR) if _MONTH.fullmatch(n))

    def log_dirs(self, start: date | None = None, end: date | None = None) -> list[Path]:
        """Every folder holding quick-logging entries of the days from `start` to `end` (None: no
        bound): the log stream's days, and the day folders of a journal written before the log
        stream existed (the days up to its first log day: the day of the upgrade has both)."""
        lo = start.isoformat() if start else ""
        hi = end.isoformat() if end else "9999"
        out: list[Path] = []
        first_logged = None
        for month in self.log_months():
            folder = self.journal / LOG_DIR / month
            days = sorted(n for n in _names(folder) if _DD.fullmatch(n))
            if days and first_logged is None:
                first_logged = f"{month}-{days[0]}"
            if not (lo[:7] <= month <= hi[:7]):
                continue
            out += [folder / d for d in days if lo <= f"{month}-{d}" <= hi]
        legacy = [self.journal / n for n in _names(self.journal) if _DAY.fullmatch(n) and lo <= n <= hi
                  and (first_logged is None or n <= first_logged)]
        return sorted(legacy) + out

    def all_dirs(self) -> list[Path]:
        try:
            days = [p for p in self.journal.iterdir()
                    if p.is_dir() and p.name not in (TASKS_DIR, LOG_DIR) and not p.name.startswith(".")]
        except OSError:
            days = []
        logs = [self.journal / LOG_DIR / m / d for m in self.log_months()
                for d in sorted(_names(self.journal / LOG_DIR / m)) if _DD.fullmatch(d)]
        return sorted(days) + self.task_dirs() + logs

    def read(self, dirs: list[Path]) -> tuple[list[Event], list[str], bool]:
        """(events, problems, whether anything changed since the last read).

        Given `board_dirs(today)`, the events are those a board of `today` (or later) can show: the
        events of tasks done before last month (and their retracts) are left out."""
        self._check_vouched()
        if isinstance(dirs, BoardDirs) and self._journal_problem() is None:
            return self._read_board(dirs)
        self._settled = None
        return self._read_all(list(dirs))

    def _check_vouched(self) -> None:
        """Look again at whether owners vouch for their files; when that changed (the folder was made
        shared, or private again), every file is parsed again for its events' origins."""
        now = owners_vouch(self.journal)
        signed = signatures_checked(self.journal)
        if self._vouched is not None and (now, signed) != (self._vouched, self._signed):
            self._cache.clear()
            self._docs.clear()
            self._result = None
            self._settled = None
        self._vouched, self._signed = now, signed

    # -- reading every file of the folders ----------------------------------------------------------
    def _read_all(self, dirs: list[Path]) -> tuple[list[Event], list[str], bool]:
        folder_problems: list[str] = []
        journal_problem = self._journal_problem()
        if journal_problem:
            folder_problems.append(journal_problem)
            dirs = []
        by_dir: dict[str, list[str]] = {}
        seen, changed = self._scan(dirs, by_dir)
        changed |= self._forget(set(seen))
        key = ("all", tuple(map(str, dirs)), tuple(folder_problems), tuple(sorted(by_dir.items())))
        if not changed and self._result is not None and self._result[0] == key:
            _, events, problems = self._result
            return events, problems, False
        for d in dirs:
            folder_problems += by_dir.get(str(d), [])
        order = sorted(seen, key=_path_key)
        events, lost = self._merge(order)
        problems = folder_problems + self._file_problems(order) + self._clash_problems(lost)
        self._result = (key, events, problems)
        return events, problems, changed

    def _scan(self, dirs: Iterable[Path | str], problems: dict[str, list[str]]) -> tuple[list[str], bool]:
        """List `dirs`, (re)parse the journal files that are new or changed. (files seen, changed)."""
        files = self._stat_files(dirs, problems)
        changed = False
        for path, sig in files.items():
            cached = self._cache.get(path)
            if cached is None or cached.signature != sig:
                self._cache[path] = self._parse(Path(path), sig)
                changed = True
                if self.background:
                    time.sleep(0)  # hand the interpreter over: a board's reload never waits behind us
        return list(files), changed

    def _stat_files(self, dirs: Iterable[Path | str],
                    problems: dict[str, list[str]]) -> dict[str, FileSig]:
        """The journal files in `dirs` and their (mtime, size, inode, ctime), without reading them."""
        files: dict[str, FileSig] = {}
        for d in dirs:
            found: list[str] = []
            entries = self._entries(Path(d), found)
            if found:
                problems[str(d)] = found
            self.stats += len(entries) + 1
            for entry in entries:
                if not is_journal_file(entry.name):
                    continue
                path = sys.intern(entry.path)  # one string for it in every table below (a year: ~1,900 files)
                try:
                    st = entry.stat(follow_symlinks=False)  # never stat-follow into a device
                    if stat.S_ISLNK(st.st_mode):
                        # a link inside the journal is read through (read_regular checks where it
                        # goes): its signature is its target's, so a change there is noticed
                        try:
                            st = os.stat(path)
                        except OSError:
                            pass
                except OSError:
                    continue
                files[path] = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        return files

    def _parse_settled(self, path: str) -> list[Event] | None:
        """The events of a file of a settled month, for the cache's look-ups (None: it changed since:
        its size, time or content is not what the summary was made of)."""
        s = self._settled
        try:
            st = os.stat(path)
        except OSError:
            return None
        want = s.cached.sigs.get(path) if s is not None and s.cached is not None else None
        if want is None or want[:4] != (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns):
            return None
        sig = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        cached = self._cache.get(path)
        if cached is None or cached.signature != sig:
            cached = self._cache[path] = self._parse(Path(path), sig)
        return None if cached.problem or cached.digest != want[4] else cached.events

    def _forget(self, keep: set[str]) -> bool:
        """Drop what is cached for files not in `keep` (deleted, or no longer read); True if any."""
        gone = [p for p in self._cache if p not in keep]
        for p in gone:
            del self._cache[p]
            self._last_good.pop(p, None)
            self._docs.pop(p, None)
        return bool(gone)

    def _file_problems(self, order: list[str]) -> list[str]:
        return [c.problem for c in map(self._cache.__getitem__, order) if c.problem]

    # -- a board's read ----------------------------------------------------------------------------
    def _read_board(self, dirs: BoardDirs) -> tuple[list[Event], list[str], bool]:
        today = dirs.today
        tasks = os.path.join(self.journal, TASKS_DIR, "")
        last_month = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"
        old: list[str] = []
        recent: list[str] = []
        for d in map(str, dirs):
            month = d[len(tasks):] if d.startswith(tasks) else ""
            (old if _MONTH.fullmatch(month) and month < last_month else recent).append(d)
        settled, s_changed = self._settle(old, today)
        by_dir: dict[str, list[str]] = dict(settled.folder_problems)
        seen, changed = self._scan(recent, by_dir)
        changed |= self._forget(set(seen).union(settled.order)) | s_changed
        ahead = writer_problems(self.journal, self.writer(), today) if self.writer is not None else []
        key = ("board", tuple(recent), tuple(old), tuple(sorted(by_dir.items())), tuple(ahead))
        if not changed and self._result is not None and self._result[0] == key:
            _, events, problems = self._result
            return events, problems, False
        folder_problems = [p for d in map(str, dirs) for p in by_dir.get(d, [])] + ahead
        order = sorted(seen, key=_path_key)
        events, lost = self._merge(order)
        brought_back: list[Event] = []
        if (cached := settled.cached) is not None:
            found = cached.about(events, settled.ids, self._parse_settled)
            if found is None:  # a copy of a left-out event in a recent file: fold them in full
                settled, _ = self._settle(old, today, cached=False)
            else:
                brought_back = found
                if cached.dirty and self.summary is not None:  # keep what was found for next time
                    self.summary.save_cached(cached)
        ids, dropped = settled.ids, settled.dropped
        if ids and not ids.isdisjoint(e.id for e in events):
            # an event that is also in a settled month (a copy, a clash): read it all, as it is
            order = sorted(seen + settled.order, key=_path_key)
            events, lost = self._merge(order)
        else:
            # a task left out that something recent is about (done again, its done undone): back in
            about = {dropped[x] for path in seen for x in self._cache[path].refs if x in dropped}
            order = sorted(seen + [p for p in settled.order if (c := self._cache.get(p)) and c.problem],
                           key=_path_key)
            events = events + settled.kept + [e for t in sorted(about) for e in settled.families[t]] + brought_back
            lost = {**lost, **settled.lost}
        problems = folder_problems + self._file_problems(order) + self._clash_problems(lost)
        self._result = (key, events, problems)
        return events, problems, changed

    def _settle(self, dirs: list[str], today: date, cached: bool = True) -> tuple[_Settled, bool]:
        """The settled months' summary, brought up to date: (summary, whether it changed). With
        `cached`, this machine's cache of it may stand in for reading the files."""
        s = self._settled
        if s is not None and s.cached is not None and not cached:
            s = self._settled = None
        now = time.monotonic()
        if s is not None and s.dirs == tuple(dirs) and s.cutoff <= today and now - s.checked < SETTLED_CHECK_S:
            for d in dirs:
                sig = _dir_signature(d)
                self.stats += 1
                if sig is None or sig != s.dir_sigs[d] or sig[0] >= s.listed_ns - _RACY_NS:
                    break
            else:
                return s, False
        listed_ns = time.time_ns()
        dir_sigs = {d: _dir_signature(d) for d in dirs}
        by_dir: dict[str, list[str]] = {}
        if cached and self.summary is not None and (s is None or s.cached is not None):
            stated = self._stat_files(dirs, by_dir)
            order = sorted(stated, key=_path_key)
            if (s is not None and s.cached is not None and not by_dir and s.dirs == tuple(dirs)
                    and s.stated == stated):
                s.dir_sigs, s.listed_ns, s.checked = dir_sigs, listed_ns, now
                return s, False
            hit = None if by_dir or not dirs else self.summary.load(
                dirs, {p: _by_size(stated[p]) for p in order}, self._digest)
            if hit is not None and hit.newest < datetime.combine(today, datetime.min.time()):
                self._settled = _Settled(tuple(dirs), dir_sigs, listed_ns, now, {}, order, today, hit.kept,
                                         {e.id for e in hit.kept}, {}, {}, {}, hit, stated)
                return self._settled, True
            self._settled = s = None
        files, changed = self._scan(dirs, by_dir)
        order = sorted(files, key=_path_key)
        if (s is not None and not changed and s.order == order and s.dirs == tuple(dirs)
                and s.cutoff <= today and s.folder_problems == by_dir):
            s.dir_sigs, s.listed_ns, s.checked = dir_sigs, listed_ns, now
            return s, False
        events, lost = self._merge(order)
        families = _closed_before(events, today)
        dropped = {e.id: task for task, family in families.items() for e in family}
        self._settled = _Settled(tuple(dirs), dir_sigs, listed_ns, now, by_dir, order, today,
                                 [e for e in events if e.id not in dropped], {e.id for e in events},
                                 dropped, families, lost)
        if (self.summary is not None and dirs and not by_dir and not lost
                and not any(self._cache[p].problem for p in order)):
            done = {p: self._cache[p] for p in order}
            sigs = {p: (*_by_size(c.signature), c.digest or "") for p, c in done.items()}
            newest = max((e.time for e in events), default=datetime.min)
            self.summary.save(dirs, sigs, self._settled.kept, index_of(order, self._cache, dropped), newest)
        return self._settled, True

    def _digest(self, path: str) -> str | None:
        """The digest of a journal file's bytes, read but not parsed (None: it cannot be read)."""
        try:
            return digest(read_regular(Path(path), MAX_FILE_BYTES, root=self.journal))
        except OSError:
            return None

    # -- merging -----------------------------------------------------------------------------------
    def _journal_problem(self) -> str | None:
        try:
            st = os.stat(self.journal)
        except FileNotFoundError:
            return None  # a new room: nothing written yet
        except OSError as e:
            return f"{self._label(self.journal)}: cannot read the journal folder: {e.strerror}"
        if not stat.S_ISDIR(st.st_mode):
            return f"{self._label(self.journal)} is a file, not a folder (no events read; move it away)"
        return None

    def _entries(self, d: Path, problems: list[str]) -> list[os.DirEntry]:
        label = self._label(d)
        try:
            st = os.lstat(d)
            if stat.S_ISLNK(st.st_mode):
                if not inside(d.resolve(), self.journal.resolve()):
                    problems.append(f"{label} is a link out of the journal folder (not read)")
                    return []
                st = os.stat(d)
        except FileNotFoundError:
            return []  # no events yet today
        except OSError as e:
            problems.append(f"{label}: cannot read folder: {e.strerror}")
            return []
        if not stat.S_ISDIR(st.st_mode):
            problems.append(f"{label} is a file, not a folder (not read; move it away)")
            return []
        try:
            return list(os.scandir(d))
        except FileNotFoundError:
            return []
        except OSError as e:
            problems.append(f"{label}: cannot read folder: {e.strerror}")
            return []

    def _merge(self, order: list[str]) -> tuple[list[Event], dict[tuple[str, str], list[str]]]:
        """All events of the files in `order`, and the clashes. Copies of an event (same id, same
        content: a sync-conflict copy) all stay (the model counts each id once). An id with
        different content in two files is a clash: the first-written version stays (a version in a
        file owned by the login it names first, when owners vouch; then the smallest `written`, then
        path order), the others go, and each file that lost one is named beside the
        kept one ({(file that lost, file kept): ids})."""
        events = [e for path in order for e in self._cache[path].events]
        if len(events) == len({e.id for e in events}):
            return events, {}  # no id twice (nearly every read): nothing to compare, all of it stays
        first: dict[str, tuple[Event, str]] = {}
        versions: dict[str, list[tuple[Event, str]]] = {}
        for path in order:
            for e in self._cache[path].events:
                f = first.get(e.id)
                if f is None:
                    first[e.id] = (e, path)
                elif f[0] is not e and not _same(f[0], e):
                    versions.setdefault(e.id, [f]).append((e, path))
        if not versions:
            return [e for path in order for e in self._cache[path].events], {}
        # every copy of each clashing id, so a copy in the file of the writer it names is among them
        every: dict[str, list[tuple[Event, str]]] = {eid: [] for eid in versions}
        for path in order:
            for e in self._cache[path].events:
                if e.id in every:
                    every[e.id].append((e, path))
        kept: dict[str, Event] = {}
        lost: dict[tuple[str, str], list[str]] = {}
        for eid, vs in every.items():
            # a version in a file its claimed login owns beats one in someone else's file, however
            # early the other says it was written (`written` is the writer's word)
            winner, where = min(vs, key=lambda v: (not _own_file(v[0]), not _signed(v[0]), v[0].written))
            kept[eid] = winner
            for e, path in vs:
                if e is not winner and not _same(e, winner):
                    lost.setdefault((path, where), []).append(eid)
        events = [e for path in order for e in self._cache[path].events
                  if e.id not in kept or e is kept[e.id] or _same(e, kept[e.id])]
        return events, lost

    def _clash_problems(self, lost: dict[tuple[str, str], list[str]]) -> list[str]:
        problems = []
        for (path, where), ids in sorted(lost.items(), key=lambda kv: (_path_key(kv[0][0]), _path_key(kv[0][1]))):
            label, where_label = self._label(Path(path)), self._label(Path(where))
            shown = ", ".join(clean(i[:12]) for i in ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
            what = "event" if len(ids) == 1 else f"{len(ids)} events"
            problems.append(f"{label}: {what} {shown} also in {where_label} with different "
                            f"content; keeping the first-written version (from {where_label})")
        return problems

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.label_root))
        except ValueError:
            return str(path)

    def _parse(self, path: Path, sig: FileSig) -> _Cached:
        label = self._label(path)
        keep = self._last_good.get(str(path), [])
        note = f" (keeping its {len(keep)} earlier events)" if keep else ""
        try:
            raw, uid = read_regular_owned(path, MAX_FILE_BYTES, root=self.journal)
        except UnsafeFile as e:
            return _Cached(sig, keep, f"{label}: {e.strerror}{note}")
        except PermissionError:
            return _Cached(sig, keep, f"{label}: cannot read: permission denied (its owner can run "
                                      f"`chmod a+r` on it; see docs/running.md on shared folders){note}")
        except OSError as e:
            return _Cached(sig, keep, f"{label}: cannot read: {e.strerror}{note}")
        if not raw.strip():
            return _Cached(sig, keep, f"{label}: empty file{note}")
        try:
            data = parse_json(raw)
        except UnicodeDecodeError:
            return _Cached(sig, keep, f"{label}: not UTF-8 text{note}")
        except json.JSONDecodeError as e:
            return _Cached(sig, keep, f"{label}:{e.lineno}:{e.colno}: {e.msg}{note}")
        except TooDeep as e:
            return _Cached(sig, keep, f"{label}: {e} (not read){note}")
        except ValueError as e:  # e.g. an integer of more than 4300 digits
            return _Cached(sig, keep, f"{label}: not a journal ({clean(e, limit=80)}){note}")
        table = data.get("_default") if isinstance(data, dict) else None
        if not isinstance(table, dict):
            return _Cached(sig, keep, f"{label}: not a journal (no \"_default\" table){note}")
        if self._vouched is None:
            self._vouched = owners_vouch(self.journal)
            self._signed = signatures_checked(self.journal)
        checked = self._signed
        file, owner = sys.intern(str(label)), owner_login(uid) if self._vouched else ""
        origins: dict[tuple[str | None, str | None], Origin | None] = {}

        def origin_of(signer: str | None, pin: str | None = None) -> Origin | None:
            at = (signer, pin)
            if at not in origins:
                origins[at] = Origin(file, owner, signer, pin) if owner or checked or pin else None
            return origins[at]

        events, bad = [], []
        # A busy writer's day file is rewritten with one more event each time: an event whose
        # document reads exactly as before is not checked and converted again (the board machine's
        # own file holds hundreds by the afternoon). Kept only for files that do change (read before).
        key = sys.intern(str(path))
        before = self._docs.get(key, {})
        docs: dict[str, tuple[dict, Event]] | None = {} if key in self._cache else None
        for doc_id, doc in table.items():
            hit = before.get(doc_id)
            if hit is not None and hit[0] == doc and hit[1].origin == (origin_of(
                    hit[1].origin.signer, hit[1].origin.pin) if hit[1].origin is not None else origin_of(None)):
                event = hit[1]  # the same document: the same signature, checked once
            else:
                try:
                    event = event_from_doc(doc)
                except ValueError as e:
                    bad.append(f"{label}: document {clean(doc_id, limit=24)}: {e}")
                    continue
                event.origin = origin_of(self._check_signature(doc) if checked and "sig" in doc else None,
                                         keys.check_pin(doc) if keys.PIN_SIG in doc else None)
                hit = (doc, event)
            events.append(event)
            if docs is not None:
                docs[doc_id] = hit
        if docs is not None:
            self._docs[key] = docs
        self._last_good[key] = events
        return _Cached(sig, events, "; ".join(bad) or None, digest(raw))


    def _check_signature(self, doc: dict) -> str | None:
        """keys.check (a subclass may remember what it found: paratui.store.history_cache)."""
        return keys.check(doc)


def owners_vouch(journal: Path) -> bool:
    """Whether other accounts of this machine may add files to `journal` (it is group- or
    other-writable: a room several accounts share, as `paratui init` sets it up). Only then does a
    file's owner say who wrote it: in a folder one account writes (one person's, the demo room, a
    folder a sync tool fills, where its account owns every file) ownership proves nothing."""
    try:
        return bool(os.stat(journal).st_mode & 0o022)
    except OSError:
        return False


def signatures_checked(journal: Path) -> bool:
    """Whether the room has enrolled signing keys (its keys.json exists, or this machine pinned the
    teacher's key for it: a keys.json a sync peer deleted still counts): then every signature read is
    checked (paratui.store.keys)."""
    if os.path.isfile(journal.parent / keys.KEYS_FILE):
        return True
    at = (journal, os.environ.get("XDG_CONFIG_HOME"))
    pin = _PIN_FILE.get(at)
    if pin is None:
        pin = _PIN_FILE[at] = keys.pin_file(journal.parent) or Path("/nonexistent")
    return os.path.isfile(pin)


_PIN_FILE: dict[tuple[Path, str | None], Path] = {}


_LOGIN_OF: dict[int, str] = {}


def owner_login(uid: int) -> str:
    """The login of `uid` (`uid1234` when it has none, as paratui.store.identity names it)."""
    name = _LOGIN_OF.get(uid)
    if name is None:
        try:
            import pwd

            name = pwd.getpwuid(uid).pw_name
        except (ImportError, KeyError):
            name = f"uid{uid}"
        _LOGIN_OF[uid] = name = sys.intern(name)
    return name


def _signed(e: Event) -> bool:
    return e.origin is not None and e.origin.signer not in (None, keys.BAD)


def _own_file(e: Event) -> bool:
    return e.origin is None or not e.origin.owner or e.origin.owner == e.login


def _same(a: Event, b: Event) -> bool:
    """The same stored content (Event's own == compares only id, type, time and staff)."""
    try:
        return a.to_doc() == b.to_doc()
    except (ValueError, OverflowError, OSError):  # a time that astimezone cannot handle
        return (a.type, a.time, a.written, a.staff, a.login, a.host, a.payload) == \
               (b.type, b.time, b.written, b.staff, b.login, b.host, b.payload)


def _names(folder: Path) -> list[str]:
    """The names of the folders in `folder` (none when it cannot be listed)."""
    try:
        with os.scandir(folder) as entries:
            return [e.name for e in entries if e.is_dir()]
    except OSError:
        return []


def _path_key(path: str) -> list[str]:
    return path.split(os.sep)  # the order Path objects sort in


def _by_size(sig: FileSig) -> tuple[int, int, int, int]:
    """A file's signature as the summary of closed months keeps it: (size, mtime, inode, ctime)."""
    return (sig[1], sig[0], sig[2], sig[3])


def _dir_signature(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size)


_ROUTINES = {t.name: t for t in ROUTINES}


def _closed_before(events: list[Event], cutoff: date) -> dict[str, list[Event]]:
    """Everything about each task and note a board of `cutoff` or later never shows (task or note id
    → its add or note, its claim / done / reopen or ack events and the retracts of those, copies
    included), as paratui.model.tasks.closed_before and paratui.model.notes.settled judge it: done (or
    read by everyone) before `cutoff`, nothing about it on or after. None of these counts for such a
    board, unless another event is about one of them."""
    closed = tasks.closed_before(events, cutoff) | notes.settled(events, cutoff)
    if not closed:
        return {}
    start = datetime.combine(cutoff, datetime.min.time())
    families: dict[str, list[Event]] = {}
    key_of: dict[str, str] = {}  # event id → the task or note it is about
    for e in events:
        kind = _ROUTINES.get(e.type)
        if kind is None:
            continue
        key = e.payload[kind.refers] if kind.refers else e.id  # a task.add or note is its own
        if key in closed:
            families.setdefault(key, []).append(e)
            key_of[e.id] = key
    for e in events:  # undoing any of them belongs to the family too
        if e.type == "retract" and (owner := key_of.get(e.payload["target"])) is not None:
            families[owner].append(e)
    return {k: family for k, family in families.items() if all(x.time < start for x in family)}
