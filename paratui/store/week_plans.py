"""The week's plan files, `plans/YYYY-Www.toml` (paratui.model.week_plan): read and checked by the
data folder like the goal files (paratui.store.folder), and a new week's file made from the newest
earlier week's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from paratui.model.classroom import Classroom
from paratui.model.text import clean_block
from paratui.model.week_plan import new_file
from paratui.store.atomic import atomic_write
from paratui.store.folder import (
    PLANS,
    TOML_LIMIT,
    check_week_text,
    parse_week_file,
    plan_rel,
    read_week_text,
    weeks,
)

__all__ = ["PLANS", "WeekPlanError", "opening_text", "parse", "plan_rel", "read_text", "save", "start_week",
           "weeks"]
parse, read_text, check_text = parse_week_file, read_week_text, check_week_text


def start_week(root: Path, week: str, classroom: Classroom) -> tuple[Path, str | None]:
    """Make `week`'s file from the newest earlier week's (or a table per student to fill in): (its
    path, the week it was copied from). FileExistsError when the week already has one."""
    path = Path(root) / plan_rel(week)
    if path.exists():
        raise FileExistsError(plan_rel(week))
    text, _, source = opening_text(root, week, classroom)
    path.parent.mkdir(mode=0o755, exist_ok=True)
    atomic_write(path, text.encode(), mode=0o644)
    return path, source


class WeekPlanError(Exception):
    """Nothing saved: `problems` say why (each with file, line and field)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def stamp(text: str | None) -> str | None:
    """What a save compares: the file's content hash (None: there was no file)."""
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def opening_text(root: Path, week: str, classroom: Classroom) -> tuple[str, str | None, str | None]:
    """What an editor opens: (the text, the file's stamp, the week it was prefilled from). A week
    with no file yet is prefilled from the newest earlier week's plans (or a table per student).
    OSError / UnicodeDecodeError when the file cannot be read."""
    text = read_week_text(root, week)
    if text is not None:
        return text, stamp(text), None
    earlier = [w for w in weeks(root) if w < week]
    source = earlier[-1] if earlier else None
    return new_file(week, classroom, read_week_text(root, source) if source else None), None, source


def save(root: Path, week: str, text: str, opened: str | None, classroom: Classroom) -> str:
    """Check `text` as strictly as `paratui check` would and write plans/WEEK.toml; the new stamp.
    `opened`: the stamp of the file when the editor read it (None: there was none). WeekPlanError
    (nothing written) when it has problems or someone else saved since."""
    text = clean_block(text)
    label = plan_rel(week)
    data = text.encode()
    if len(data) > TOML_LIMIT:
        raise WeekPlanError([f"{label}: {len(data) // 1024} KiB; at most {TOML_LIMIT // 1024} KiB"])
    problems = check_text(label, text, week, classroom)
    if problems:
        raise WeekPlanError(problems)
    current = read_week_text(root, week)
    if stamp(current) != opened and current != text:
        raise WeekPlanError([f"{label} was changed by someone else since you opened it: nothing saved, "
                             "your text is kept (Esc twice, then open it again to see theirs)"])
    path = Path(root) / label
    path.parent.mkdir(mode=0o755, exist_ok=True)
    atomic_write(path, data, mode=0o644)
    return stamp(text) or ""
