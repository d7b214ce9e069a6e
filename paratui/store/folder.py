"""The data folder: classroom.toml, schedule.toml, students/*.toml, binder/*.md and the journal, read
with care.

Every file is re-read only when it changed. A file broken by an edit (a typo, an editor half-way
through saving) never takes the board down: the last good version stays in use and a warning names
the file, the line and the field.
"""

from __future__ import annotations

import dataclasses
import os
import pwd
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, TypeVar

from paratui.model import access
from paratui.model.classroom import Classroom, parse_classroom
from paratui.model.errors import ConfigError, Problem
from paratui.model.events import Event
from paratui.model.goals import StudentPlan, parse_student_plan
from paratui.model.recurring import Recurring, parse_recurring
from paratui.model.schedule import Schedule, parse_schedule
from paratui.model.text import clean
from paratui.model.week_plan import WEEK, WeekPlan, parse_week_plan, week_of
from paratui.store import identity, keys, pins, room_zone
from paratui.store.conflicts import find_conflicts, is_conflict_copy
from paratui.store.journal import day_dir
from paratui.store.journal_reader import JournalReader, owner_login
from paratui.store.last_good import LastGood
from paratui.store.safe_read import MiB, UnsafeFile, read_regular

CLASSROOM = "classroom.toml"
SCHEDULE = "schedule.toml"
BINDER = "binder"
STUDENTS = "students"
JOURNAL = "journal"
RECURRING = "recurring.toml"  # optional: recurring tasks (paratui.model.recurring)

TOML_LIMIT = 2 * MiB  # a classroom.toml is a few KiB; anything this large is not one
BINDER_LIMIT = 2 * MiB  # larger pages are not read at all (a warning names them)
BINDER_SHOWN = 256 * 1024  # characters of a page the board draws; the rest is left in the file


class FolderError(Exception):
    """The folder cannot be used at all (no good version of a required file was ever read)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Snapshot:
    """Everything the model needs, as last read from disk."""

    classroom: Classroom
    schedule: Schedule
    events: list[Event]
    binder: dict[str, str]  # page name (file stem) → Markdown
    binder_titles: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    _screened: access.Screened | None = field(default=None, repr=False, compare=False)

    def screened(self) -> access.Screened:
        """The events as every reader must see them: screened once against the room's rules."""
        if self._screened is None or self._screened.every is not self.events:
            self._screened = access.screen(self.events, self.classroom, self.schedule)
        return self._screened


@dataclass
class _TomlFile:
    signature: tuple | None = None
    raw: bytes | None = None  # the live file's bytes, when it last parsed
    text: str | None = None  # … its text
    data: dict | None = None  # … its parsed data
    problems: list[str] = field(default_factory=list)  # the live file cannot be read or parsed
    missing: bool = False
    secrets: list[int] = field(default_factory=list)  # lines that look like a stored password


@dataclass
class _PlanFile:
    signature: tuple | None
    classroom: Classroom | None  # the classroom it was checked against
    plan: StudentPlan | None  # the last good version (None: never read well)
    problems: list[str] = field(default_factory=list)


@dataclass
class _RecurringFile:
    signature: tuple | None
    classroom: Classroom | None  # what it was checked against
    schedule: Schedule | None
    rules: tuple  # the last good rules (empty: none, or never read well)
    problems: list[str] = field(default_factory=list)


@dataclass
class _Page:
    signature: tuple | None
    text: str | None  # None: never read well
    problem: str | None = None


# What a stored password or account list looks like (the seeds' binder had a "usernames and
# passwords" page): paratui never keeps one. A match is a warning on the board and a failure of
# `paratui check`; a binder page with one is not shown.
_SECRETS = (
    re.compile(r"\b(password|passwd|passcode|pwd|passwort|contraseña)\s*[:=]", re.IGNORECASE),
    re.compile(r"\buser\s*-?\s*names?\s*(and|&|/|,|\+)\s*pass\s*-?\s*(words?|codes?)\b", re.IGNORECASE),
    re.compile(r"\b(logins?|accounts?)\s*(and|&|/|,|\+)\s*pass\s*-?\s*words?\b", re.IGNORECASE),
    re.compile(r"\|\s*(user\s*-?\s*name|login|account|user)\s*\|.*\|\s*(pass\s*-?\s*word|pwd|pin)\s*\|",
               re.IGNORECASE),
    re.compile(r"^\s*[\"']?(password|passwd|pwd|secret|api[_-]?key|token)[\"']?\s*=", re.IGNORECASE),
)
SECRET_WARNING = ("looks like a stored password or account list: remove it from the folder "
                  "(paratui never keeps passwords)")


# What each of the patterns above needs somewhere (where a pattern has \b before it, so has this):
# most files hold none of it, and one search of the whole text costs a fraction of five searches per
# line (a building view reads every room's binder and goal files). The same engine and flags as the
# patterns, so it is never stricter than they are.
_SECRET_WORD = re.compile(r"pass|\b(?:pwd|pin|secret|api|token|contrase)", re.IGNORECASE)


def secret_lines(text: str) -> list[int]:
    """Line numbers (1-based) that look like a stored password or an account list."""
    if _SECRET_WORD.search(text) is None:
        return []
    return [i for i, line in enumerate(text.splitlines(), 1)
            if _SECRET_WORD.search(line) and any(p.search(line) for p in _SECRETS)]


def _owner(path: Path) -> int | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_uid * 0o10000 + stat.S_IMODE(st.st_mode)


def _signature(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def locate(text: str, field_path: str) -> int | None:
    """Best-effort line number of a dotted field path such as ``staff[2].role`` in TOML text."""
    lines = text.splitlines()
    pos, prefix = 0, ""
    found: int | None = None

    def key_line(full: str, name: str) -> int | None:
        key = re.compile(rf"^\s*(\[\s*{re.escape(full)}\s*\]|[\"']?{re.escape(name)}[\"']?\s*=)")
        return next((i for i in range(pos, len(lines)) if key.match(lines[i])), None)

    for part in filter(None, re.split(r"\.(?![^\[]*\])", field_path)):
        m = re.fullmatch(r"(.+?)\[(\d+)\]", part)
        name = m.group(1) if m else part
        full = f"{prefix}.{name}" if prefix else name
        prefix = full
        if m:  # the n-th [[array]] header, else an element of an inline array: its key's line
            header = re.compile(rf"^\s*\[\[\s*{re.escape(full)}\s*\]\]")
            hits = [i for i, line in enumerate(lines) if header.match(line)]
            n = int(m.group(2))
            if n < len(hits):
                pos = found = hits[n]
                continue
        i = key_line(full, name)
        if i is not None:
            pos = found = i
    return None if found is None else found + 1


def _problem_text(file: str, text: str, p: Problem) -> str:
    where = p.hint or p.field
    line = locate(text, where) if where else None
    return str(Problem(p.field, p.message, line, file))


_BARE = r"[A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_BARE})\s*(\]\]?)\s*(#.*)?$")
_KEY = re.compile(rf"^\s*({_BARE})\s*=")


def _syntax_problem(name: str, text: str, e: Exception) -> str:
    """`schedule.toml:40: [[monday]] JTT: Invalid value`: the line, the table it is in and the key on
    that line (only bare keys: a quoted key could be a name)."""
    message = str(e)
    m = re.search(r"\(at line (\d+), column \d+\)", message)
    line = int(m.group(1)) if m else getattr(e, "lineno", None)
    reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)\s*$", "", message)
    reason = _no_names(reason)
    where = ""
    lines = text.splitlines()
    if line and 0 < line <= len(lines):
        header = next((h for h in (_HEADER.match(x) for x in reversed(lines[:line - 1])) if h), None)
        key = _KEY.match(lines[line - 1])
        bits = [f"{header.group(1)}{header.group(2)}{header.group(3)}" if header else "",
                key.group(1) if key else ""]
        where = " ".join(b for b in bits if b)
    at = f":{line}" if line else ""
    return clean(f"{name}{at}: {where + ': ' if where else ''}{reason}")


def _no_names(reason: str) -> str:
    """tomllib repeats keys in some messages (`Cannot declare ('groups', 'x') twice`); a quoted key
    can be anything, so keep only keys that are plain codes."""
    def keys(m: re.Match[str]) -> str:
        parts = re.findall(r"'([^']*)'", m.group(0))
        ok = parts and all(re.fullmatch(r"[A-Za-z0-9_-]+", x) for x in parts)
        return ".".join(parts) if ok else "a key"

    reason = re.sub(r"\((?:'[^']*'(?:, )?)+,?\)", keys, reason)
    return re.sub(r"(Duplicate inline table key )('[^']*'|\"[^\"]*\")", lambda m: m.group(1) + keys(m), reason)


def _decode(raw: bytes) -> str:
    """UTF-8, with or without the byte order mark old Notepad puts first."""
    text = raw.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def _cannot_read(label: str, e: OSError) -> str:
    if isinstance(e, UnsafeFile):
        return f"{label}: {e.strerror}"
    return f"{label}: cannot read ({e.strerror or type(e).__name__})"


def _not_utf8(label: str, raw: bytes, e: UnicodeDecodeError) -> str:
    line = raw[:e.start].count(b"\n") + 1
    return f"{label}:{line}: not UTF-8 text (save it as UTF-8)"


# -- plans/YYYY-Www.toml (the week's plans) ------------------------------------------------------
PLANS = "plans"


def plan_rel(week: str) -> str:
    return f"{PLANS}/{week}.toml"


def weeks(root: Path) -> list[str]:
    """The weeks that have a plan file, oldest first."""
    try:
        names = os.listdir(Path(root) / PLANS)
    except OSError:
        return []
    return sorted(n[:-5] for n in names if n.endswith(".toml") and WEEK.fullmatch(n[:-5]))


def read_week_text(root: Path, week: str) -> str | None:
    """A week's file as text (None: there is none); OSError/UnicodeDecodeError when unreadable."""
    try:
        return _decode(read_regular(Path(root) / plan_rel(week), TOML_LIMIT, root=Path(root)))
    except FileNotFoundError:
        return None


def parse_week_file(root: Path, week: str, classroom: Classroom) -> tuple[WeekPlan | None, list[str]]:
    """(the week's plan, problems naming file, line and field). No file: (None, [])."""
    label = plan_rel(week)
    try:
        text = read_week_text(root, week)
    except UnicodeDecodeError as e:
        raw = (Path(root) / label).read_bytes()
        return None, [_not_utf8(label, raw, e)]
    except OSError as e:
        return None, [_cannot_read(label, e)]
    if text is None:
        return None, []
    return _parse_week_text(label, text, week, classroom)


def _parse_week_text(label: str, text: str, week: str, classroom: Classroom) -> tuple[WeekPlan | None, list[str]]:
    try:
        return parse_week_plan(tomllib.loads(text), week, classroom), []
    except tomllib.TOMLDecodeError as e:
        return None, [_syntax_problem(label, text, e)]
    except RecursionError:
        return None, [f"{label}: nested too deeply to read"]
    except ConfigError as e:
        return None, [_problem_text(label, text, p) for p in e.problems]


def check_week_text(label: str, text: str, week: str, classroom: Classroom) -> list[str]:
    """The problems `paratui check` would find in a week's plan as typed (file, line, field)."""
    return _parse_week_text(label, text, week, classroom)[1]


@dataclass
class _WeekPlanFile:
    """What a board keeps: the current week's plan, re-read when its file changes."""

    root: Path
    week: str | None = None
    signature: tuple | None = None
    classroom: Classroom | None = None
    plan: WeekPlan | None = None
    problems: list[str] = field(default_factory=list)

    def read(self, week: str, classroom: Classroom, keep: Callable[[str, Path, bytes], None],
             copies: Callable[[str, Path, Classroom], list[tuple[bytes, str]]]) -> tuple[WeekPlan | None, list[str]]:
        """The week's plan. A good file is kept as this writer's last-good copy (`keep`); a broken
        one falls back to this process's last good version, or, in a process that just started, to
        the newest last-good copy (`copies`, newest first) that is still good for `classroom`."""
        path = Path(self.root) / plan_rel(week)
        sig = _signature(path)
        if week == self.week and sig == self.signature and classroom is self.classroom:
            return self.plan, self.problems
        plan, problems = parse_week_file(self.root, week, classroom)
        name = _week_copy(week)
        if plan is not None:
            try:
                keep(name, path, read_regular(path, TOML_LIMIT, root=Path(self.root)))
            except OSError:
                pass
        elif problems:
            since = None
            if week == self.week and self.plan is not None:
                plan, since = self.plan, ""
            else:
                for raw, when in copies(name, path, classroom):
                    plan = _try(lambda r: parse_week_plan(_load(r), week, classroom), raw)
                    if plan is not None:
                        since = when
                        break
            if since is not None:
                problems = [p + f" (showing the last good version{since})" for p in problems]
        self.week, self.signature, self.classroom, self.plan, self.problems = week, sig, classroom, plan, problems
        return plan, problems



class DataFolder:
    def __init__(self, root: Path, writer: str | None = None):
        self.root = Path(root)
        self.journal_path = self.root / JOURNAL
        self.last_good = LastGood(self.journal_path, self.root, TOML_LIMIT, writer)
        self.reader = JournalReader(self.journal_path, self.root, lambda: self.last_good.writer)
        self._toml: dict[str, _TomlFile] = {CLASSROOM: _TomlFile(), SCHEDULE: _TomlFile()}
        self._classroom: Classroom | None = None
        self._schedule: Schedule | None = None
        # Which version is in use: None the live file's, "" an earlier one this process read,
        # " from 2026-11-23 09:58" a last-good copy (a process that started with a broken file).
        self._since: dict[str, str | None] = {CLASSROOM: None, SCHEDULE: None}
        self._checks: dict[str, list[str]] = {CLASSROOM: [], SCHEDULE: []}  # validation problems
        self._classroom_warnings: list[str] = []
        self._binder: dict[str, _Page] = {}
        self._plans: dict[str, _PlanFile] = {}  # student id → students/<id>.toml
        self._recurring: _RecurringFile | None = None
        self._week = _WeekPlanFile(self.root)  # plans/<this week>.toml
        self._weekly: tuple[Classroom | None, WeekPlan | None, Classroom | None] = (None, None, None)
        self._attached: tuple[Classroom | None, tuple, Classroom | None] = (None, (), None)
        self._last: Snapshot | None = None
        self._keys: tuple[tuple | None, Classroom | None, Classroom | None, list[str]] = (None, None, None, [])
        # True: this process only looks (the building view, a board it opens): no last-good copies
        self.read_only = False

    # -- TOML --------------------------------------------------------------------------------
    def _read_toml(self, name: str) -> bool:
        """Re-read a TOML file if it changed; True when its parsed data changed."""
        entry = self._toml[name]
        path = self.root / name
        sig = _signature(path)
        if sig == entry.signature and sig is not None:
            return False
        entry.signature = sig
        entry.missing = sig is None
        if sig is None:
            entry.problems = [f"{name}: missing"]
            return False
        try:
            raw = read_regular(path, TOML_LIMIT, root=self.root)
            text = _decode(raw)
        except OSError as e:
            entry.problems = [_cannot_read(name, e)]
            return False
        except UnicodeDecodeError as e:
            entry.problems = [_not_utf8(name, raw, e)]
            return False
        if not text.strip():  # an editor truncating before it writes: wait for the real content
            entry.problems = [f"{name}: empty"]
            return False
        entry.secrets = secret_lines(text)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            entry.problems = [_syntax_problem(name, text, e)]
            return False
        except RecursionError:
            entry.problems = [f"{name}: nested too deeply to read"]
            return False
        entry.problems = []
        entry.raw, entry.text = raw, text
        try:
            if data == entry.data:
                return False
        except RecursionError:
            pass
        entry.data = data
        return True

    def _validate(self) -> None:
        """Build the classroom and the schedule from the live files where they are good, else keep
        what is in use. Live files are kept as last-good copies only when they fit together."""
        c_file, s_file = self._toml[CLASSROOM], self._toml[SCHEDULE]
        if c_file.data is not None:
            try:
                classroom = parse_classroom(c_file.data)
            except ConfigError as e:
                self._checks[CLASSROOM] = [_problem_text(CLASSROOM, c_file.text or "", p) for p in e.problems]
                self._kept(CLASSROOM)
            except RecursionError:
                self._checks[CLASSROOM] = [f"{CLASSROOM}: nested too deeply to read"]
                self._kept(CLASSROOM)
            else:
                self._classroom, self._since[CLASSROOM], self._checks[CLASSROOM] = classroom, None, []
                zone = room_zone.zone_problem(classroom.timezone)
                self._classroom_warnings = [_problem_text(CLASSROOM, c_file.text or "", p)
                                            for p in (*classroom.warnings, *([zone] if zone else []))]
        if self._classroom is not None and s_file.data is not None:
            try:
                schedule = parse_schedule(s_file.data, self._classroom)
            except ConfigError as e:
                self._checks[SCHEDULE] = [_problem_text(SCHEDULE, s_file.text or "", p) for p in e.problems]
                self._kept(SCHEDULE)
            except RecursionError:
                self._checks[SCHEDULE] = [f"{SCHEDULE}: nested too deeply to read"]
                self._kept(SCHEDULE)
            else:
                self._schedule, self._since[SCHEDULE], self._checks[SCHEDULE] = schedule, None, []
                self._save_live()

    def _save_live(self) -> None:
        """The classroom and schedule in use fit together: keep those that are the live files' as
        the last good copies."""
        for name in (CLASSROOM, SCHEDULE):
            entry = self._toml[name]
            if self._since[name] is None and not entry.problems and entry.raw is not None:
                self._keep(name, self.root / name, entry.raw)

    def _keep(self, name: str, live: Path, raw: bytes) -> None:
        """Keep `raw`, the good version of the live file `live`, as this writer's copy `name`: only
        when this account may change that file (a copy anyone else made is ignored by every reader,
        so it is not made), never for a read-only login (its reads write nothing into the folder)."""
        self.last_good.ignored.pop(name, None)  # the live file is in use: its copies are not looked at
        classroom = self._classroom
        if self.read_only or classroom is None or access.acting(classroom, identity.login(), None).read_only:
            return
        if os.geteuid() in self._allowed(live, classroom):
            self.last_good.save(name, raw)

    def _allowed(self, live: Path, *classrooms: Classroom | None) -> set[int]:
        """The accounts (uids) whose last-good copies of `live` are used: its owner (the data
        folder's when it is missing) and the teachers' logins in `classrooms` (those in use or
        already trusted: never one read from the copy being judged)."""
        uids: set[int] = set()
        for path in (live, self.root):
            try:
                uids.add(os.stat(path).st_uid)
                break
            except OSError:
                continue
        for classroom in classrooms:
            if classroom is None:
                continue
            for login in {x for s in classroom.staff if s.role == "teacher" for x in s.logins}:
                try:
                    uids.add(pwd.getpwnam(login).pw_uid)
                except (KeyError, UnicodeEncodeError, ValueError):
                    pass
        return uids

    def _kept(self, name: str) -> None:
        if self._since[name] is None:
            self._since[name] = ""  # the live file is bad now: what is in use is an earlier version

    def _fall_back(self) -> None:
        """A process with no good version in memory (just started) and a live file that cannot be
        used: take the newest last-good copies that still validate (together)."""
        s_file = self._toml[SCHEDULE]
        classrooms: list[tuple[str | None, Classroom]] = []
        if self._classroom is not None:
            classrooms.append((self._since[CLASSROOM], self._classroom))
        classrooms += self._classroom_copies()
        schedules: list[tuple[str | None, dict]] = []
        if s_file.data is not None and not s_file.problems:
            schedules.append((None, s_file.data))
        allowed = self._allowed(self.root / SCHEDULE, *(cl for _, cl in classrooms))
        schedules += [(c.since(), d) for c in self.last_good.copies(SCHEDULE, allowed)
                      if (d := _try(_load, c.raw)) is not None]
        for c_since, classroom in classrooms:
            for s_since, data in schedules:
                schedule = _try(parse_schedule, data, classroom)
                if schedule is None:
                    continue
                if classroom is not self._classroom:
                    self._classroom_warnings = []
                self._classroom, self._since[CLASSROOM] = classroom, c_since
                self._schedule, self._since[SCHEDULE] = schedule, s_since
                self._save_live()
                return

    def _classroom_copies(self) -> list[tuple[str, Classroom]]:
        """The classroom.toml copies that may be used, newest first: those of the live file's owner,
        then also those of the teachers named by the classroom in use or, in a process that has none,
        by the newest of the owner's copies (a copy never vouches for itself)."""
        def parsed(allowed: set[int]) -> list[tuple[str, Classroom]]:
            return [(c.since(), cl) for c in self.last_good.copies(CLASSROOM, allowed)
                    if (cl := _try(lambda raw: parse_classroom(_load(raw)), c.raw)) is not None]

        live = self.root / CLASSROOM
        owners = self._allowed(live, self._classroom)
        found = parsed(owners)
        vouching = self._classroom or (found[0][1] if found else None)
        allowed = self._allowed(live, vouching)
        return found if allowed == owners else parsed(allowed)

    def _toml_problems(self, name: str) -> list[str]:
        entry = self._toml[name]
        in_use = self._classroom if name == CLASSROOM else self._schedule
        found = entry.problems or self._checks[name]  # a syntax error hides the older version's checks
        if in_use is None:
            if entry.missing:
                return [f"{name}: missing in {self.root} (make a starter folder with `paratui init DIR`)"]
            return found
        since = self._since[name]
        if since is None and not entry.problems:
            return found  # the live version is in use (with an older version of the other file)
        keep = f" (showing the last good version{since or ''})"
        if not found:  # good, but it does not fit the other file
            other = SCHEDULE if name == CLASSROOM else CLASSROOM
            return [f"{name}: the current version does not fit {other}{keep}"]
        return [p + keep for p in found]

    # -- binder ------------------------------------------------------------------------------
    def _read_binder(self) -> list[str]:
        folder = self.root / BINDER
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".md") and not n.startswith(".")
                           and not is_conflict_copy(n))  # a conflict copy is named apart, never a page
        except OSError:
            names = []
        seen = set()
        for n in names:
            stem = n[:-3]
            seen.add(stem)
            sig = _signature(folder / n)
            old = self._binder.get(stem)
            if old is None or old.signature != sig:
                self._binder[stem] = self._read_page(folder / n, sig, old)
        for gone in set(self._binder) - seen:
            del self._binder[gone]
        return [page.problem for page in self._binder.values() if page.problem]

    def _read_page(self, path: Path, sig: tuple | None, old: _Page | None) -> _Page:
        label = f"{BINDER}/{path.name}"
        keep = old.text if old else None
        kept = " (showing the last good version)" if keep is not None else ""
        try:
            raw = read_regular(path, BINDER_LIMIT, root=self.root)
        except OSError as e:
            if keep is None and _too_large(path):  # a notice in its place, so the tab is still there
                keep = (f"# {path.stem.replace('-', ' ').capitalize()}\n\n*This page is too large for the "
                        f"board (over {BINDER_LIMIT // MiB} MiB): split {label} into smaller pages.*\n")
            return _Page(sig, keep, _cannot_read(label, e) + kept)
        try:
            text = _decode(raw)
            problem = None
        except UnicodeDecodeError as e:
            text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
            problem = _not_utf8(label, raw, e).replace("(save it as UTF-8)", "(shown with � for the bad bytes)")
        if not text.strip() and keep is not None:  # mid-save: keep the page as it was
            return _Page(sig, keep, f"{label}: empty{kept}")
        secrets = secret_lines(text)
        if secrets:  # never shown: a notice in its place
            title = clean(binder_title(text) or path.stem.replace("-", " ").capitalize(), limit=60)
            return _Page(sig, f"# {title}\n\n*Not shown: this page looks like it stores passwords or accounts "
                              f"(line {secrets[0]}). Remove them from {label}; paratui never keeps passwords.*\n",
                         f"{label}:{secrets[0]}: {SECRET_WARNING}")
        if len(text) > BINDER_SHOWN:
            cut = text.rfind("\n", 0, BINDER_SHOWN)
            text = text[:cut if cut > 0 else BINDER_SHOWN] + (
                f"\n\n---\n\n*This page is longer than the board shows ({BINDER_SHOWN // 1024} KiB): "
                f"the rest is in {label}. Split it into smaller pages.*\n")
            problem = f"{label}: over {BINDER_SHOWN // 1024} KiB: the board shows the first part only"
        return _Page(sig, text, problem)

    # -- students/*.toml (goals and behaviors) ---------------------------------------------------
    def _read_plans(self, classroom: Classroom) -> list[str]:
        """Re-read the goal files that changed (or all of them when the classroom changed: staff ids
        and prompt codes are checked against it). A broken file keeps its last good version."""
        folder = self.root / STUDENTS
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".toml") and not n.startswith(".")
                           and not is_conflict_copy(n))  # named apart, never "not a student id"
        except OSError:
            names = []
        seen = set()
        for n in names:
            sid = n[:-5]
            seen.add(sid)
            sig = _signature(folder / n)
            old = self._plans.get(sid)
            if old is None or old.signature != sig or old.classroom is not classroom:
                self._plans[sid] = self._read_plan(folder / n, sid, sig, classroom, old)
        for gone in set(self._plans) - seen:
            del self._plans[gone]
        return [p for f in self._plans.values() for p in f.problems]

    def _read_plan(self, path: Path, sid: str, sig: tuple | None, classroom: Classroom,
                   old: _PlanFile | None) -> _PlanFile:
        """A goal file: its plan when good (and kept as this writer's last-good copy), else the last
        good version: this process's, or for a process that just started, the newest last-good copy
        on disk that is still good for this classroom."""
        label = f"{STUDENTS}/{path.name}"
        found = self._parse_plan(path, label, sid, classroom)
        if isinstance(found, tuple):
            plan, raw, secrets = found
            self._keep(_plan_copy(sid), path, raw)
            return _PlanFile(sig, classroom, plan, secrets)
        keep, since = (old.plan, "") if old and old.plan else self._plan_copy(sid, classroom)
        kept = f" (showing the last good version{since})" if keep is not None else ""
        return _PlanFile(sig, classroom, keep, [p + kept for p in found])

    def _parse_plan(self, path: Path, label: str, sid: str,
                    classroom: Classroom) -> tuple[StudentPlan, bytes, list[str]] | list[str]:
        """(plan, the file's bytes, password-like lines to warn about), or the problems (file:line:
        field: what)."""
        try:
            raw = read_regular(path, TOML_LIMIT, root=self.root)
            text = _decode(raw)
        except OSError as e:
            return [_cannot_read(label, e)]
        except UnicodeDecodeError as e:
            return [_not_utf8(label, raw, e)]
        if not text.strip():  # an editor mid-save
            return [f"{label}: empty"]
        secrets = [f"{label}:{line}: {SECRET_WARNING}" for line in secret_lines(text)[:3]]
        try:
            return parse_student_plan(tomllib.loads(text), sid, classroom, classroom.prompts), raw, secrets
        except tomllib.TOMLDecodeError as e:
            return [_syntax_problem(label, text, e)]
        except RecursionError:
            return [f"{label}: nested too deeply to read"]
        except ConfigError as e:
            return [_problem_text(label, text, p) for p in e.problems]

    def _plan_copy(self, sid: str, classroom: Classroom) -> tuple[StudentPlan | None, str]:
        """The newest last-good copy of a goal file that is good for `classroom`: (plan, " from …")."""
        allowed = self._allowed(self.root / STUDENTS / f"{sid}.toml", classroom)
        for c in self.last_good.copies(_plan_copy(sid), allowed):
            plan = _try(lambda raw: parse_student_plan(_load(raw), sid, classroom, classroom.prompts), c.raw)
            if plan is not None:
                return plan, c.since()
        return None, ""

    # -- recurring.toml (recurring tasks) ---------------------------------------------------------
    def _read_recurring(self, classroom: Classroom, schedule: Schedule) -> list[str]:
        """Re-read recurring.toml when it (or the classroom or schedule it is checked against)
        changed. Optional; a broken file keeps its last good rules, with file:line:field warnings."""
        path = self.root / RECURRING
        sig = _signature(path)
        old = self._recurring
        if old is not None and old.signature == sig and old.classroom is classroom and old.schedule is schedule:
            return old.problems
        keep = old.rules if old else ()
        kept = " (showing the last good version)" if keep else ""
        entry = _RecurringFile(sig, classroom, schedule, keep)
        self._recurring = entry
        if sig is None:
            entry.rules = ()
            return []
        try:
            raw = read_regular(path, TOML_LIMIT, root=self.root)
            text = _decode(raw)
        except OSError as e:
            entry.problems = [_cannot_read(RECURRING, e) + kept]
            return entry.problems
        except UnicodeDecodeError as e:
            entry.problems = [_not_utf8(RECURRING, raw, e) + kept]
            return entry.problems
        if not text.strip():  # an editor mid-save, or no rules yet
            entry.problems = [f"{RECURRING}: empty{kept}"] if keep else []
            return entry.problems
        try:
            found: Recurring = parse_recurring(tomllib.loads(text), classroom, schedule)
        except tomllib.TOMLDecodeError as e:
            entry.problems = [_syntax_problem(RECURRING, text, e) + kept]
        except RecursionError:
            entry.problems = [f"{RECURRING}: nested too deeply to read{kept}"]
        except ConfigError as e:
            entry.problems = [_problem_text(RECURRING, text, p) + kept for p in e.problems]
        else:
            entry.rules = found.rules
            entry.problems = [_problem_text(RECURRING, text, p) for p in found.warnings]
        return entry.problems

    def _with_plans(self, classroom: Classroom) -> Classroom:
        """The classroom in use with its students' goal plans and the recurring tasks attached: the
        same object as long as none of them changed (the board skips folding when nothing changed)."""
        plans = tuple((sid, f.plan) for sid, f in sorted(self._plans.items()) if f.plan is not None)
        rules = self._recurring.rules if self._recurring else ()
        base, known, attached = self._attached
        if base is classroom and attached is not None and len(known) == len(plans) and all(
                a[0] == b[0] and a[1] is b[1] for a, b in zip(known, plans)) and attached.recurring is rules:
            return attached
        attached = dataclasses.replace(classroom, plans=dict(plans), recurring=rules)
        self._attached = (classroom, plans, attached)
        return attached

    def _with_week_plan(self, classroom: Classroom, today: date) -> tuple[Classroom, list[str]]:
        """The classroom with this week's plan attached (plans/2026-W48.toml, checked against the goal
        files just attached): the same object as long as neither changed."""
        plan, problems = self._week.read(week_of(today), classroom, self._keep, self._week_copies)
        base, known, attached = self._weekly
        if base is not classroom or known is not plan or attached is None:
            attached = classroom if plan is None else dataclasses.replace(classroom, week_plan=plan)
            self._weekly = (classroom, plan, attached)
        return attached, problems

    def _week_copies(self, name: str, live: Path, classroom: Classroom) -> list[tuple[bytes, str]]:
        """A week plan's last-good copies made by an account that may change it, newest first:
        (bytes, " from 2026-11-23 09:58")."""
        return [(c.raw, c.since()) for c in self.last_good.copies(name, self._allowed(live, classroom))]

    def _with_keys(self, classroom: Classroom) -> tuple[Classroom, list[str]]:
        """The classroom with the room's enrolled signing keys attached (keys.json and the teacher's
        manifests: paratui.store.keys), the same object while none of them changed. In a folder whose
        owners vouch (several accounts), keys.json counts only when a teacher's own login owns it; on
        every machine, once it has pinned the teacher's key, only a keys.json that key signed."""
        path = self.root / keys.KEYS_FILE
        try:
            mode = os.stat(self.journal_path).st_mode & 0o022
        except OSError:
            mode = 0
        pin = keys.pin_file(self.root)
        listed = self.root / keys.MANIFEST_DIR
        manifests = tuple(_signature(p) for p in sorted(listed.glob("*.json"))) if os.path.isdir(listed) else ()
        pin_dir = self.root / pins.PINS_DIR
        pin_files = tuple((p.name, _signature(p), _owner(p)) for p in sorted(pin_dir.glob("*.json"))) \
            if os.path.isdir(pin_dir) else ()
        key = (_signature(path), mode, _signature(pin) if pin is not None else None, _signature(listed), manifests,
               _signature(pin_dir), pin_files)
        known, base, attached, problems = self._keys
        if known == key and base is classroom and attached is not None:
            return attached, problems
        refusal = None
        try:
            uid = os.lstat(path).st_uid
        except OSError:
            uid = None
        if uid is not None and mode:
            owner = owner_login(uid)
            teachers = {login for s in classroom.staff if s.role == "teacher" for login in s.logins}
            if owner not in teachers or owner in access.duplicate_logins(classroom.staff):
                refusal = f"written by account {clean(owner, limit=32)}, not a teacher's own login"
        enrolment, problems = keys.trusted_enrolment(
            self.root, frozenset(s.id for s in classroom.staff if s.role == "teacher"), refusal)
        found, more = keys.read_manifests(self.root, enrolment)
        ring = keys.key_ring(enrolment, found, classroom.access.signed_only)
        mine: dict[str, frozenset[str]] = {}
        if ring.any and not mode:  # where owners vouch for nothing (synced): the PIN keys keys.json enrols
            for kid, whose in ring.staff_of.items():
                if whose.endswith("@pin") and kid not in ring.revoked:
                    mine[whose[:-4]] = mine.get(whose[:-4], frozenset()) | {kid}
        elif pin_files:  # each person's PIN keys (pins/STAFF.json, if it counts): docs/trust.md
            mine = {s.id: pins.pin_key_ids(self.root, s.id, classroom) for s in classroom.staff}
        if mine:
            ring = dataclasses.replace(ring, pin_keys={k: v for k, v in mine.items() if v})
        problems = [*problems, *more]
        attached = dataclasses.replace(classroom, keys=ring) if ring.any or ring.pin_keys else classroom
        self._keys = (key, classroom, attached, problems)
        return attached, problems

    # -- everything --------------------------------------------------------------------------
    def find_event(self, eid: object) -> Event | None:
        """An event of the last snapshot by its id (None: not read, or no snapshot yet)."""
        if self._last is None or not isinstance(eid, str):
            return None
        return next((e for e in self._last.events if e.id == eid), None)

    def load(self, today: date, whole_journal: bool = False,
             log_range: tuple[date | None, date | None] | None = None,
             day_range: tuple[date, date] | None = None) -> Snapshot:
        """Read what changed and return the current snapshot. Raises FolderError only when there
        has never been a usable classroom.toml and schedule.toml (here or as a last-good copy).

        The events are what a board of `today` needs; with `whole_journal`, every event; with
        `log_range` (start, end), only the quick-logging entries of those days and their retracts
        (what a report reads: the log stream's months in the range, not the whole journal); with
        `day_range` (start, end), every event those days can hold (their day folders, their log days,
        every task month: what `paratui history --date` reads)."""
        if self._last is not None and not self.root.is_dir():
            # Removed, unmounted, or a sync tool mid-restore: keep showing what we last knew.
            gone = f"{self.root}: data folder is missing (showing the last good board)"
            return Snapshot(**{**self._last.__dict__, "warnings": [gone]})
        c_changed = self._read_toml(CLASSROOM)
        s_changed = self._read_toml(SCHEDULE)
        if c_changed or s_changed or self._classroom is None or self._schedule is None:
            self._validate()
            if self._classroom is None or self._schedule is None:
                self._fall_back()
        problems = self._toml_problems(CLASSROOM) + self._toml_problems(SCHEDULE)
        problems += [f"{name}:{line}: {SECRET_WARNING}" for name in (CLASSROOM, SCHEDULE)
                     for line in self._toml[name].secrets[:3]]
        if self._classroom is None or self._schedule is None:
            if not problems:
                problems = [f"{self.root}: no {CLASSROOM} / {SCHEDULE} here (make one with `paratui init DIR`)"]
            raise FolderError(problems)
        if self._since[CLASSROOM] is None:
            problems += self._classroom_warnings
        binder_problems = (self._read_binder() + self._read_plans(self._classroom)
                           + self._read_recurring(self._classroom, self._schedule))
        classroom = self._with_plans(self._classroom)
        classroom, week_problems = self._with_week_plan(classroom, today)
        binder_problems += week_problems
        classroom, key_problems = self._with_keys(classroom)
        binder_problems += key_problems
        binder_problems += [c.words() for c in find_conflicts(self.root)]  # the room's files' conflict copies
        if log_range is not None:
            dirs: list[Path] = self.reader.log_dirs(*log_range)
        elif day_range is not None:
            first, last_day = day_range
            days = [day_dir(self.reader.journal, first + timedelta(days=i))
                    for i in range((last_day - first).days + 1)]
            dirs = [d for d in days if d.is_dir()] + self.reader.task_dirs() + [
                d for d in self.reader.log_dirs(first, last_day) if d not in days]
        else:
            dirs = self.reader.all_dirs() if whole_journal else self.reader.board_dirs(today)
        events, journal_problems, journal_changed = self.reader.read(dirs)
        binder = {k: page.text for k, page in self._binder.items() if page.text is not None}
        ignored = [p for _, found in sorted(self.last_good.ignored.items()) for p in found]
        warnings = problems + ignored + binder_problems + journal_problems
        last = self._last
        if (last is not None and not journal_changed and last.classroom is classroom
                and last.schedule is self._schedule and last.binder == binder and last.warnings == warnings):
            return last  # nothing changed: the same object, so the board can skip folding and drawing
        self._last = Snapshot(
            classroom, self._schedule, events, binder,
            {k: binder_title(v) or k.replace("-", " ").capitalize() for k, v in binder.items()},
            warnings,
        )
        return self._last


def _week_copy(week: str) -> str:
    """The name of a week plan's last-good copies (journal/.last-good/plans.2026-W48.toml.HOST--LOGIN)."""
    return f"{PLANS}.{week}.toml"


def _plan_copy(sid: str) -> str:
    """The name of a goal file's last-good copies (journal/.last-good/students.S01.toml.HOST--LOGIN)."""
    return f"{STUDENTS}.{sid}.toml"


def _too_large(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size > BINDER_LIMIT


def _load(raw: bytes) -> dict:
    return tomllib.loads(_decode(raw))


_T = TypeVar("_T")


def _try(build: Callable[..., _T], *args: object) -> _T | None:
    """`build(*args)`, or None when what it reads is not good (a last-good copy is only ever skipped)."""
    try:
        return build(*args)
    except (ConfigError, tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError, ValueError):
        return None


def binder_title(markdown: str) -> str | None:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None
