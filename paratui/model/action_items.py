"""Action items in the Friday meeting's notes (binder/meetings/YYYY-MM-DD.md) → tasks.

One item per line, as a Markdown checkbox:

    - [ ] Send the field trip forms home @AL friday
    - [ ] Call R.N.'s mother about the bus @MR tomorrow 14:30
    - [ ] Laminate the new visual schedules @anyone
    - [ ] Copies for next week's math groups @JT 2026-11-30 (task 3f9a1c)
    - [x] Order more tokens @MR                      ← checked: already handled, never a task

`@STAFF`: a staff id, short name (without spaces: `@Ms.L`), or name or login, any case, as
`paratui task add --for` takes them; `@anyone` (or no `@` at all) is a task for anyone. After it, the
optional due: `today`, `tomorrow`, a weekday name (the next one after today), `YYYY-MM-DD`, `HH:MM`
(today), or a day and a time (`friday 10:00`). Once an item has become a task, the save writes the
task's short id after it, `(task 3f9a1c)`: the same six letters the board's Tasks pane shows, so
`paratui task done 3f9a1c` works, and the marker is what makes saving twice never make a task twice
(delete the marker and the next save makes the task again).

Pure: parsing and checking here; paratui.store.meetings writes the file and the tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from paratui.model import commands
from paratui.model.classroom import Classroom
from paratui.model.commands import Change, Context, NotAllowed, Refused
from paratui.model.meeting import AGENDA
from paratui.model.resolve import NotFound, find_staff
from paratui.model.schedule import WEEKDAYS
from paratui.model.text import clean

ITEM = re.compile(r"^(\s*[-*+]\s+\[)([ xX])(\]\s+)(.*?)\s*$")
MARKER = re.compile(r"\s*\(task ([0-9a-f]{4,32})\)\s*$")
_AT = re.compile(r"(?:^|\s)@(\S+)")
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ANYONE = ("anyone", "any", "all", "everyone")
DUE_CHOICES = "today, tomorrow, a weekday (monday…friday), YYYY-MM-DD, HH:MM, or a day and a time"
SHORT_ID = 6  # the board's Tasks pane shows six letters of a task's id


@dataclass(frozen=True)
class ActionItem:
    line: int  # 1-based line in the notes
    text: str  # what to do (the words before @STAFF)
    staff: str | None  # what followed @, as typed (None: for anyone)
    due: str | None  # what followed @STAFF, as typed
    task: str | None  # the task id written back after it, if it is already a task
    checked: bool  # `- [x]`: handled; never becomes a task

    @property
    def pending(self) -> bool:
        """Still to become a task on the next save."""
        return not self.checked and self.task is None


def parse_items(markdown: str) -> list[ActionItem]:
    """Every checkbox line of the notes (outside ``` code blocks), in order."""
    items: list[ActionItem] = []
    fenced = False
    for n, line in enumerate(markdown.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = ITEM.match(line) if not fenced else None
        if m is None:
            continue
        rest = m.group(4)
        if not rest.strip():
            continue  # an empty checkbox (the template's): nothing to do yet
        task = None
        if mk := MARKER.search(rest):
            task, rest = mk.group(1), rest[:mk.start()]
        staff = due = None
        if at := _AT.search(rest):
            staff = at.group(1)
            due = rest[at.end():].strip() or None
            rest = rest[:at.start()]
        items.append(ActionItem(n, rest.strip(), staff, due, task, m.group(2) != " "))
    return items


def due_text(raw: str | None, today: date) -> str | None:
    """The due as `commands.parse_time` takes it (HH:MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM), or None for
    no due; ValueError when it is none of the accepted forms."""
    words = (raw or "").split()
    if not words:
        return None
    clock = None
    if len(words) == 2 and _HHMM.fullmatch(words[1]):
        clock = words.pop()
    if len(words) != 1:
        raise ValueError
    word = words[0].casefold()
    if _HHMM.fullmatch(word):
        if clock is not None:
            raise ValueError
        return word
    if word == "today":
        day = today
    elif word == "tomorrow":
        day = today + timedelta(days=1)
    elif (name := _weekday(word)) is not None:
        ahead = (WEEKDAYS.index(name) - today.weekday()) % 7 or 7  # the next one after today
        day = today + timedelta(days=ahead)
    elif _DATE.fullmatch(word):
        day = date.fromisoformat(word)  # ValueError for 2026-13-45
    else:
        raise ValueError
    return f"{day.isoformat()}T{clock}" if clock else day.isoformat()


def _weekday(word: str) -> str | None:
    """monday, Mon, mon. → monday (three letters at least)."""
    word = word.rstrip(".")
    if len(word) < 3:
        return None
    hits = [d for d in WEEKDAYS if d.startswith(word)]
    return hits[0] if len(hits) == 1 else None


def _staff_choices(classroom: Classroom) -> str:
    return ", ".join(f"@{s.id} ({s.short})" for s in classroom.staff) + ", @anyone"


def item_problems(items: Iterable[ActionItem], classroom: Classroom, today: date) -> list[tuple[int, str]]:
    """(line, what is wrong) for each pending item with an unknown @STAFF or a due that is not a
    day or a time: what `paratui check` reports and what a save refuses. Names the choices."""
    out: list[tuple[int, str]] = []
    for item in items:
        if not item.pending:
            continue
        if not item.text:
            out.append((item.line, "no text before @: what is to be done?"))
        if item.staff is not None and item.staff.casefold() not in ANYONE:
            try:
                find_staff(classroom, item.staff)
            except NotFound as e:
                what = "matches more than one adult" if e.ambiguous else "is not an adult of the room"
                out.append((item.line, f"@{clean(item.staff, limit=20)} {what}; choose one of "
                                       f"{_staff_choices(classroom)}"))
        try:
            due_text(item.due, today)
        except ValueError:
            out.append((item.line, f"due {clean(item.due or '', limit=30)!r} is not {DUE_CHOICES}"))
    return out


def plan(ctx: Context, markdown: str, label: str = "notes") -> list[tuple[ActionItem, Change]]:
    """The task.add changes the pending items make, each through `commands.task_add` (so its checks
    and the permission hook apply). All or nothing: any problem in any item raises one Refused that
    names every bad line (`label:LINE: …`) and the choices; NotAllowed as the hook says."""
    items = [i for i in parse_items(markdown) if i.pending]
    problems = [f"{label}:{n}: {msg}" for n, msg in item_problems(items, ctx.classroom, ctx.now.date())]
    out: list[tuple[ActionItem, Change]] = []
    if not problems:
        for item in items:
            owner = None if item.staff is None or item.staff.casefold() in ANYONE else item.staff
            try:
                due = due_text(item.due, ctx.now.date())  # one due earlier is still to do: overdue
                out.append((item, commands.task_add(ctx, item.text, owner, due, past=True)))
            except NotAllowed:
                raise
            except Refused as e:
                problems.append(f"{label}:{item.line}: {e.message}")
    if problems:
        raise Refused("; ".join(problems) + " — nothing was saved", "notes")
    return out


def with_task_ids(markdown: str, made: Iterable[tuple[int, str]]) -> str:
    """The notes with `(task ID)` written after each line that became a task ((line, task id) pairs);
    everything else byte for byte as it was (line endings too)."""
    ids = dict(made)
    lines = markdown.splitlines(keepends=True)
    for n, tid in ids.items():
        if 1 <= n <= len(lines):
            line = lines[n - 1]
            body = line.rstrip("\r\n")
            lines[n - 1] = f"{body.rstrip()} (task {tid[:SHORT_ID]}){line[len(body):]}"
    return "".join(lines)


def template(day: date) -> str:
    """A new meeting's notes: the agenda's headings to type under, and the action items part."""
    out = [f"# Friday meeting notes — {day:%A %d %B %Y}", ""]
    for i, title in enumerate(AGENDA, 1):
        out += [f"## {i}. {title}", "", ""]
    out += ["## Action items", "",
            "<!-- one per line: - [ ] what @STAFF due   (due: today, tomorrow, a weekday, YYYY-MM-DD, HH:MM) -->",
            "- [ ] ", ""]
    return "\n".join(out)


def summary(n: int) -> str:
    """"2 action items → tasks", as the save reads back."""
    return f"{n} action item{'s' if n != 1 else ''} → task{'s' if n != 1 else ''}"
