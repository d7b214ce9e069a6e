"""`paratui check`: the whole data folder validated at once, as the live files stand (no last-good
copies), every problem with file:line: classroom.toml and schedule.toml (every field; ids that point
nowhere), students/*.toml (named after a student of the room), recurring.toml (every rule; one that
never fires is a finding too), binder pages (the weekday tabs exist, every page readable UTF-8), the
meeting notes in binder/meetings/ (action items with an unknown @STAFF or a due that is no day or
time), conflict copies of any of these (a sync tool's `NAME.sync-conflict-….toml`: paratui.store.
conflicts), the journal's files and folders (each with the journal's mode and group), and anything
that looks like a stored password or account list.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from datetime import date
from pathlib import Path

from paratui.model.action_items import item_problems, parse_items
from paratui.model.classroom import Classroom, parse_classroom
from paratui.model.errors import ConfigError
from paratui.model.goals import parse_student_plan
from paratui.model.recurring import parse_recurring
from paratui.model.schedule import WEEKDAYS, Schedule, parse_schedule
from paratui.model.text import clean
from paratui.store import pins, room_zone
from paratui.store.conflicts import find_conflicts, is_conflict_copy
from paratui.store.folder import (
    BINDER,
    BINDER_LIMIT,
    CLASSROOM,
    JOURNAL,
    RECURRING,
    SCHEDULE,
    SECRET_WARNING,
    STUDENTS,
    TOML_LIMIT,
    _cannot_read,
    _decode,
    _not_utf8,
    _problem_text,
    _syntax_problem,
    secret_lines,
)
from paratui.store.journal import folder_problem
from paratui.store.journal_reader import JournalReader
from paratui.store.meetings import MEETING_LIMIT, MEETINGS
from paratui.store.safe_read import read_regular


def _text(root: Path, rel: str, limit: int, problems: list[str]) -> str | None:
    """A file's text, or None with a problem (missing, unreadable, not UTF-8); secrets flagged."""
    path = root / rel
    try:
        raw = read_regular(path, limit, root=root)
    except FileNotFoundError:
        problems.append(f"{rel}: missing")
        return None
    except OSError as e:
        problems.append(_cannot_read(rel, e))
        return None
    try:
        text = _decode(raw)
    except UnicodeDecodeError as e:
        problems.append(_not_utf8(rel, raw, e))
        return None
    problems.extend(f"{rel}:{line}: {SECRET_WARNING}" for line in secret_lines(text))
    return text


def _toml(rel: str, text: str, problems: list[str]) -> dict | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        problems.append(_syntax_problem(rel, text, e))
    except RecursionError:
        problems.append(f"{rel}: nested too deeply to read")
    return None


def check_folder(root: Path) -> tuple[list[str], list[str]]:
    """(problems, what was checked). No problems: the folder is clean."""
    root = Path(root)
    problems: list[str] = []
    checked: list[str] = []
    if not root.is_dir():
        return [f"{root}: not a folder"], checked
    classroom: Classroom | None = None
    text = _text(root, CLASSROOM, TOML_LIMIT, problems)
    data = _toml(CLASSROOM, text, problems) if text is not None else None
    if data is not None and text is not None:
        checked.append(CLASSROOM)
        try:
            classroom = parse_classroom(data)
            problems.extend(_problem_text(CLASSROOM, text, p) for p in classroom.warnings)
            zone = room_zone.zone_problem(classroom.timezone)
            if zone is not None:
                problems.append(_problem_text(CLASSROOM, text, zone))
        except ConfigError as e:
            problems.extend(_problem_text(CLASSROOM, text, p) for p in e.problems)
        except RecursionError:
            problems.append(f"{CLASSROOM}: nested too deeply to read")
    schedule: Schedule | None = None
    text = _text(root, SCHEDULE, TOML_LIMIT, problems)
    data = _toml(SCHEDULE, text, problems) if text is not None else None
    if data is not None and text is not None:
        checked.append(SCHEDULE)
        if classroom is None:
            problems.append(f"{SCHEDULE}: not checked against the room (fix {CLASSROOM} first)")
        else:
            try:
                schedule = parse_schedule(data, classroom)
            except ConfigError as e:
                problems.extend(_problem_text(SCHEDULE, text, p) for p in e.problems)
            except RecursionError:
                problems.append(f"{SCHEDULE}: nested too deeply to read")
    goal_plans: dict = {}
    problems += _check_students(root, classroom, checked, goal_plans)
    problems += _check_week_plans(root, classroom, goal_plans, checked)
    problems += _check_recurring(root, classroom, schedule, checked)
    problems += _check_binder(root, checked)
    problems += _check_meetings(root, classroom, checked)
    problems += _check_keys(root, classroom, checked)
    problems += _check_conflicts(root)
    if classroom is not None and (pin_problems := pins.check_pins(root, classroom)) is not None:
        checked.append(pins.PINS_DIR + "/")
        problems += pin_problems
    reader = JournalReader(root / JOURNAL, root)
    dirs = reader.all_dirs()
    _, journal_problems, _ = reader.read(dirs)
    problems += journal_problems
    problems += _journal_folders(root / JOURNAL, dirs)
    checked.append("journal")
    return problems, checked


def _check_keys(root: Path, classroom: Classroom | None, checked: list[str]) -> list[str]:
    """keys.json (the enrolled signing keys, docs/trust.md), when there is one: readable, well formed,
    each key enrolled for someone on the staff."""
    from paratui.store import keys

    if not os.path.lexists(root / keys.KEYS_FILE):
        return []
    enrolment, _uid, problems = keys.read_enrolment(root)
    checked.append(keys.KEYS_FILE)
    from paratui.model.access import acting

    staff = {s.id for s in classroom.staff} if classroom is not None else None
    for kid, entry in sorted(enrolment.keys.items()):
        who = entry["staff"]
        if classroom is not None and who.startswith("@") and who != "@*" and \
                acting(classroom, who[1:], None).mode == "shared":
            continue
        if staff is not None and entry["staff"] not in staff:
            problems.append(f"{keys.KEYS_FILE}: key {kid} is enrolled for {clean(entry['staff'], limit=12)!r}, "
                            "who is not on the staff list")
    problems += keys.read_manifests(root, enrolment)[1]  # the teacher's sign-overs and revocations
    return problems


def _journal_folders(journal: Path, dirs: list[Path]) -> list[str]:
    """Every folder of the journal without the journal's layout (mode, group), with whose it is and
    the fix: a colleague's folder made 0755 ahead of the day locks everyone else out of it."""
    folders = set(dirs)
    for d in dirs:
        folders.update(p for p in d.parents if journal in p.parents)
    return [p for d in sorted(folders) if (p := folder_problem(journal, d))]


def _names(folder: Path, suffix: str) -> list[str]:
    """The files of `folder` the room reads (conflict copies are named apart: `_check_conflicts`)."""
    try:
        return sorted(n for n in os.listdir(folder) if n.endswith(suffix) and not n.startswith(".")
                      and not is_conflict_copy(n))
    except OSError:
        return []


def _check_conflicts(root: Path) -> list[str]:
    """Conflict copies of the room's own files (paratui.store.conflicts): each is a problem until one
    of the two versions is kept. The journal's are merged by event id and are not named here."""
    return [c.words() for c in find_conflicts(root)]


def _check_students(root: Path, classroom: Classroom | None, checked: list[str],
                    plans: dict | None = None) -> list[str]:
    """students/*.toml; each good one put in `plans` (the week's plans are checked against them)."""
    problems: list[str] = []
    names = _names(root / STUDENTS, ".toml")
    ids = {s.id for s in classroom.students} if classroom else set()
    for n in names:
        rel = f"{STUDENTS}/{n}"
        sid = n[:-5]
        text = _text(root, rel, TOML_LIMIT, problems)
        data = _toml(rel, text, problems) if text is not None else None
        if data is None or text is None or classroom is None:
            continue
        if sid not in ids:
            problems.append(f"{rel}: the file name is not a student id in {CLASSROOM} "
                            f"({', '.join(sorted(ids))})")
            continue
        try:
            plan = parse_student_plan(data, sid, classroom, classroom.prompts)
            if plans is not None:
                plans[sid] = plan
        except ConfigError as e:
            problems.extend(_problem_text(rel, text, p) for p in e.problems)
        except RecursionError:
            problems.append(f"{rel}: nested too deeply to read")
    if names:
        checked.append(f"{len(names)} goal file{'s' if len(names) != 1 else ''}")
    return problems


def _check_binder(root: Path, checked: list[str]) -> list[str]:
    problems: list[str] = []
    folder = root / BINDER
    if not folder.is_dir():
        return [f"{BINDER}/: missing (the weekday tabs and standing pages)"]
    names = _names(folder, ".md")
    for day in WEEKDAYS[:5]:
        if f"{day}.md" not in names:
            problems.append(f"{BINDER}/{day}.md: missing (the {day.capitalize()} tab)")
    for n in names:
        rel = f"{BINDER}/{n}"
        text = _text(root, rel, BINDER_LIMIT, problems)
        if text is not None and not text.strip():
            problems.append(f"{rel}: empty")
    checked.append(f"{len(names)} binder page{'s' if len(names) != 1 else ''}")
    return problems


def _check_recurring(root: Path, classroom: Classroom | None, schedule: Schedule | None,
                     checked: list[str]) -> list[str]:
    """recurring.toml (optional): every rule, as the board reads it; a rule that never fires (or
    misses some of its days) is a finding too, not just a warning."""
    problems: list[str] = []
    if not os.path.lexists(root / RECURRING):
        return problems
    text = _text(root, RECURRING, TOML_LIMIT, problems)
    data = _toml(RECURRING, text, problems) if text is not None else None
    if data is None or text is None:
        return problems
    checked.append(RECURRING)
    if classroom is None:
        return [*problems, f"{RECURRING}: not checked against the room (fix {CLASSROOM} first)"]
    try:
        found = parse_recurring(data, classroom, schedule)
        problems.extend(_problem_text(RECURRING, text, p) for p in found.warnings)
    except ConfigError as e:
        problems.extend(_problem_text(RECURRING, text, p) for p in e.problems)
    except RecursionError:
        problems.append(f"{RECURRING}: nested too deeply to read")
    return problems


def _check_week_plans(root: Path, classroom: Classroom | None, goal_plans: dict, checked: list[str]) -> list[str]:
    """plans/*.toml: named by an ISO week (2026-W48.toml), each checked against the room and the
    goal files (paratui.model.week_plan)."""
    from paratui.store import week_plans

    names = _names(root / week_plans.PLANS, ".toml")
    problems = [f"{week_plans.PLANS}/{n}: not named by a week (YYYY-Www.toml, e.g. 2026-W48.toml)"
                for n in names if n[:-5] not in week_plans.weeks(root)]
    if classroom is not None:
        attached = dataclasses.replace(classroom, plans=goal_plans)
        for week in week_plans.weeks(root):
            problems += week_plans.parse(root, week, attached)[1]
    if names:
        checked.append(f"{len(names)} week plan{'s' if len(names) != 1 else ''}")
    return problems


def _check_meetings(root: Path, classroom: Classroom | None, checked: list[str]) -> list[str]:
    """binder/meetings/*.md: named by a date, readable UTF-8, and every action item still to become
    a task names an adult of the room and a due that is a day or a time (file:line)."""
    problems: list[str] = []
    names = _names(root / MEETINGS, ".md")
    for n in names:
        rel = f"{MEETINGS}/{n}"
        try:
            day = date.fromisoformat(n[:-3])
        except ValueError:
            problems.append(f"{rel}: not named by the meeting's date (YYYY-MM-DD.md)")
            continue
        text = _text(root, rel, MEETING_LIMIT, problems)
        if text is None or classroom is None:
            continue
        problems.extend(f"{rel}:{line}: {what}" for line, what in item_problems(parse_items(text), classroom, day))
    if names:
        checked.append(f"{len(names)} meeting note{'s' if len(names) != 1 else ''}")
    return problems
