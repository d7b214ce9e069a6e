"""The data folder: classroom.toml, schedule.toml, binder/*.md and the journal, read with care.

Every file is re-read only when it changed. A file broken by an edit (a typo, an editor half-way
through saving) never takes the board down: the last good version stays in use and a warning names
the file, the line and the field.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from paratui.model.classroom import Classroom, parse_classroom
from paratui.model.errors import ConfigError, Problem
from paratui.model.events import Event
from paratui.model.schedule import Schedule, parse_schedule
from paratui.store.journal import JournalReader

CLASSROOM = "classroom.toml"
SCHEDULE = "schedule.toml"
BINDER = "binder"
JOURNAL = "journal"


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


@dataclass
class _TomlFile:
    signature: tuple | None = None
    text: str | None = None
    data: dict | None = None  # last good parsed data
    problems: list[str] = field(default_factory=list)


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
    for part in filter(None, re.split(r"\.(?![^\[]*\])", field_path)):
        m = re.fullmatch(r"(.+?)\[(\d+)\]", part)
        name = m.group(1) if m else part
        full = f"{prefix}.{name}" if prefix else name
        if m:  # the n-th [[array]] header
            header = re.compile(rf"^\s*\[\[\s*{re.escape(full)}\s*\]\]")
            hits = [i for i, line in enumerate(lines) if header.match(line)]
            n = int(m.group(2))
            if n < len(hits):
                pos = found = hits[n]
            prefix = full
            continue
        key = re.compile(rf"^\s*(\[\s*{re.escape(full)}\s*\]|\"?{re.escape(name)}\"?\s*=)")
        for i in range(pos, len(lines)):
            if key.match(lines[i]):
                pos = found = i
                break
        prefix = full
    return None if found is None else found + 1


def _problem_text(file: str, text: str, p: Problem) -> str:
    line = locate(text, p.field) if p.field else None
    return str(Problem(p.field, p.message, line, file))


class DataFolder:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.journal_path = self.root / JOURNAL
        self.reader = JournalReader(self.journal_path, self.root)
        self._toml: dict[str, _TomlFile] = {CLASSROOM: _TomlFile(), SCHEDULE: _TomlFile()}
        self._classroom: Classroom | None = None
        self._schedule: Schedule | None = None
        self._schedule_problems: list[str] = []
        self._binder: dict[str, tuple[tuple, str]] = {}
        self._binder_problems: list[str] = []
        self._last: Snapshot | None = None

    # -- TOML --------------------------------------------------------------------------------
    def _read_toml(self, name: str) -> bool:
        """Re-read a TOML file if it changed; True when its parsed data changed."""
        entry = self._toml[name]
        path = self.root / name
        sig = _signature(path)
        if sig == entry.signature and sig is not None:
            return False
        entry.signature = sig
        if sig is None:
            entry.problems = [f"{name}: missing" + (
                " (showing the last good version)" if entry.data
                else f" in {self.root} (make a starter folder with `paratui init DIR`)")]
            return False
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            entry.problems = [f"{name}: cannot read: {e}"]
            return False
        if not text.strip():  # an editor truncating before it writes: wait for the real content
            entry.problems = [f"{name}: empty" + (" (showing the last good version)" if entry.data else "")]
            return False
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            m = re.search(r"at line (\d+)", str(e))
            line = f":{m.group(1)}" if m else ""
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
            keep = " (showing the last good version)" if entry.data else ""
            entry.problems = [f"{name}{line}: {reason}{keep}"]
            return False
        entry.problems = []
        entry.text = text
        if data == entry.data:
            return False
        entry.data = data
        return True

    def _rebuild_rooms(self, classroom_changed: bool, schedule_changed: bool) -> None:
        c_file, s_file = self._toml[CLASSROOM], self._toml[SCHEDULE]
        if classroom_changed and c_file.data is not None:
            try:
                self._classroom = parse_classroom(c_file.data)
            except ConfigError as e:
                keep = " (showing the last good version)" if self._classroom else ""
                c_file.problems = [_problem_text(CLASSROOM, c_file.text or "", p) + keep for p in e.problems]
        if (classroom_changed or schedule_changed) and self._classroom and s_file.data is not None:
            try:
                self._schedule = parse_schedule(s_file.data, self._classroom)
                self._schedule_problems = []
            except ConfigError as e:
                keep = " (showing the last good version)" if self._schedule else ""
                self._schedule_problems = [
                    _problem_text(SCHEDULE, s_file.text or "", p) + keep for p in e.problems]

    # -- binder ------------------------------------------------------------------------------
    def _read_binder(self) -> None:
        folder = self.root / BINDER
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".md") and not n.startswith("."))
        except OSError:
            names = []
        problems: list[str] = []
        seen = set()
        for n in names:
            path = folder / n
            stem = n[:-3]
            seen.add(stem)
            sig = _signature(path)
            old = self._binder.get(stem)
            if old and old[0] == sig:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                problems.append(f"{BINDER}/{n}: cannot read: {e}")
                continue
            if not text.strip() and old:  # mid-save: keep the page as it was
                problems.append(f"{BINDER}/{n}: empty (showing the last good version)")
                continue
            self._binder[stem] = (sig, text)
        for gone in set(self._binder) - seen:
            del self._binder[gone]
        self._binder_problems = problems

    # -- everything --------------------------------------------------------------------------
    def load(self, today: date, whole_journal: bool = False) -> Snapshot:
        """Read what changed and return the current snapshot. Raises FolderError only when there
        has never been a usable classroom.toml and schedule.toml."""
        if self._last is not None and not self.root.is_dir():
            # Removed, unmounted, or a sync tool mid-restore: keep showing what we last knew.
            gone = f"{self.root}: data folder is missing (showing the last good board)"
            return Snapshot(**{**self._last.__dict__, "warnings": [gone]})
        c_changed = self._read_toml(CLASSROOM)
        s_changed = self._read_toml(SCHEDULE)
        self._rebuild_rooms(c_changed, s_changed)
        problems = self._toml[CLASSROOM].problems + self._toml[SCHEDULE].problems + self._schedule_problems
        if self._classroom is None or self._schedule is None:
            if not problems:
                problems = [f"{self.root}: no {CLASSROOM} / {SCHEDULE} here (make one with `paratui init DIR`)"]
            raise FolderError(problems)
        self._read_binder()
        dirs = self.reader.all_dirs() if whole_journal else self.reader.board_dirs(today)
        events, journal_problems, _ = self.reader.read(dirs)
        binder = {k: v[1] for k, v in self._binder.items()}
        self._last = Snapshot(
            self._classroom, self._schedule, events, binder,
            {k: binder_title(v) or k.replace("-", " ").capitalize() for k, v in binder.items()},
            problems + self._binder_problems + journal_problems,
        )
        return self._last


def binder_title(markdown: str) -> str | None:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None
