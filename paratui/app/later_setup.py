"""`paratui setup` (and `S` on the board): a keyboard menu of the setup screens, for later changes.

The menu: add a student mid-year, the week (the week editor, paratui/app/week_setup.py), a goal from
a template (paratui/app/goal_setup.py), retire a goal. Adding a student and retiring a goal are
screens of this app (paratui.model.later_setup makes the text, checked as a hand edit; the store
writes it under the file's lock, only if the file is still the one this screen read). The week and
a new goal are their own apps: this one exits with what was picked and the CLI runs it, then comes
back to the menu (paratui.cli.setup). Keys as in `paratui init`: Enter on, Esc back, keys only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from paratui.app.setup_app import KeysInOrder, Question
from paratui.model.classroom import Classroom, Student
from paratui.model.goals import Goal
from paratui.model.later_setup import SetupRefused, add_student, goal_choices, new_student, retire_goal
from paratui.model.resolve import NotFound, find_student
from paratui.model.text import clean
from paratui.store import student_file as files
from paratui.store.student_file import ChangedOnDisk, StudentFile

MENU = (("student", "Add a student (mid-year)"), ("week", "The week (schedule.toml)"),
        ("goal", "Add a goal from a template"), ("retire", "Retire a goal (kept in reports, no longer due)"))


@dataclass
class LaterDraft:
    root: Path
    classroom: Classroom
    today: date
    said: str = ""  # what the last save did, shown on the menu
    at: int = 0  # the menu line picked
    typed: dict[str, str] = field(default_factory=dict)

    def reread(self) -> None:
        from paratui.store.room import Room

        self.classroom = Room(self.root, clock=lambda: datetime.combine(self.today, time(12))).snapshot().classroom


class _Later(Question):
    @property
    def ld(self) -> LaterDraft:
        return self.app.draft  # type: ignore[attr-defined]

    def back_to_menu(self, said: str) -> None:
        self.ld.said = said
        self.ld.reread()  # the next screen sees what this one saved (a new student, a retired goal)
        while len(self.app.screen_stack) > 3:
            self.app.pop_screen()
        menu = self.app.screen
        if isinstance(menu, MenuScreen):
            menu.redraw()


class MenuScreen(_Later):
    step, title_text = "", "Set up the room: later changes"
    keys = "↑↓ or 1-4 choose · Enter open · Esc leave"

    @property
    def hint(self) -> str:  # type: ignore[override]
        return (f"{clean(self.ld.classroom.room, limit=40)}: each save is checked as a hand edit is, keeps the "
                "file's comments, and is in the audit trail (paratui history).")

    def body(self) -> ComposeResult:
        yield Static(self.listing(), id="setup-places")

    def on_mount(self) -> None:
        super().on_mount()
        self.redraw()

    def listing(self) -> Text:
        out = Text()
        for n, (_, words) in enumerate(MENU, 1):
            here = n - 1 == self.ld.at
            out.append(f"{'>' if here else ' '} {n} {words}\n", style="reverse" if here else "")
        return out

    def redraw(self) -> None:
        self.query_one("#setup-places", Static).update(self.listing())
        self.say(self.ld.said or None, good=True)

    def take_key(self, key: str, character: str | None) -> None:
        if key in ("up", "down"):
            self.ld.at = max(0, min(len(MENU) - 1, self.ld.at + (1 if key == "down" else -1)))
        elif character and character.isdigit() and 1 <= int(character) <= len(MENU):
            self.ld.at = int(character) - 1
        elif key == "q":
            self.app.exit(None)
            return
        else:
            super().take_key(key, character)
            return
        self.query_one("#setup-places", Static).update(self.listing())

    def submit(self) -> None:
        what = MENU[self.ld.at][0]
        self.ld.said = ""
        if what == "week":
            self.app.exit(("week", None))
        elif what == "student":
            self.forward(StudentQuestion())
        else:
            self.forward(PickStudentQuestion(what))

    def action_back(self) -> None:
        self.app.exit(None)


class StudentQuestion(_Later):
    step, title_text = "1 of 1", "A new student"
    hint = ("Their id, initials (all the board shows; worked out from the name when empty), full name "
            "(optional, never on the board) and one-to-one para (optional).")
    keys = "Enter next · Enter on the last field saves · Esc back (nothing written)"
    fields = (("id", "Id", "S09"), ("initials", "Initials", "E.M."), ("name", "Full name", "optional"),
              ("para", "One-to-one", "optional: their id or short name"))
    problem_fields: ClassVar[dict[str, str]] = {"id": "id", "initials": "initials", "name": "name",
                                                "one-to-one": "para"}

    def __init__(self) -> None:
        super().__init__()
        self.read: StudentFile | str = ""
        self.confirmed: tuple[str, ...] | None = None

    def on_mount(self) -> None:
        try:  # read now: a save meanwhile by someone else is seen when this one saves
            self.read = files.read_room_file(self.ld.root, "classroom.toml")
        except (OSError, UnicodeDecodeError) as e:
            self.read = f"classroom.toml cannot be read: {getattr(e, 'strerror', None) or e}"
        super().on_mount()
        if isinstance(self.read, str):
            self.say(self.read)
        else:
            self.query_one("#id", Input).placeholder = f"default {_next_id(self.ld.classroom)}"

    def submit(self) -> None:
        if isinstance(self.read, str):
            self.say(self.read)
            return
        v = {fid: self.value(fid) for fid, _, _ in self.fields}
        sid = v["id"].strip() or _next_id(self.ld.classroom)
        root = self.ld.root
        there = frozenset(p.stem for p in (root / "students").glob("*.toml"))
        try:
            pupil = new_student(self.ld.classroom, sid, v["initials"], v["name"], v["para"], there)
            room_text, student_text, _ = add_student(self.read.text, pupil)
        except SetupRefused as e:
            self.say(e.message)
            return
        typed = tuple(v.values())
        if pupil.note and self.confirmed != typed:
            self.confirmed = typed  # the initials were told apart: said, and saved on a second Enter
            self.say(f"{pupil.note}: Enter again to add {pupil.id} ({pupil.initials}), Esc to change it", good=True)
            return
        what = f"student {pupil.id} ({pupil.initials}) added"
        try:
            files.save_new_student(root, self.read, room_text, pupil.id, student_text, what)
        except ChangedOnDisk as e:
            self.say(str(e))
            return
        except OSError as e:
            self.say(f"cannot write: {e.strerror or e}")
            return
        for fid, _, _ in self.fields:
            self.ld.typed.pop(f"{type(self).__name__}.{fid}", None)
        self.back_to_menu(f"{what}: classroom.toml and students/{pupil.id}.toml written")


def _next_id(classroom: Classroom) -> str:
    ids = {s.id.upper() for s in classroom.students}
    n = 1
    while f"S{n:02d}" in ids:
        n += 1
    return f"S{n:02d}"


class PickStudentQuestion(_Later):
    step = "1 of 2"
    fields = (("student", "Student", "initials or id"),)

    def __init__(self, purpose: str):
        self.purpose = purpose
        self.title_text = "A goal for which student?" if purpose == "goal" else "Retire a goal: which student?"
        super().__init__()

    @property
    def hint(self) -> str:  # type: ignore[override]
        return "The students: " + ", ".join(f"{clean(s.initials, limit=12)} ({s.id})"
                                            for s in self.ld.classroom.students[:24])

    def submit(self) -> None:
        try:
            student = find_student(self.ld.classroom, self.value("student"))
        except NotFound as e:
            self.say(clean(str(e)))
            return
        self.ld.typed.pop(f"{type(self).__name__}.student", None)  # the next pick starts empty
        if self.purpose == "goal":
            self.app.exit(("goal", student.id))
        else:
            self.app.push_screen(RetireQuestion(student))


class RetireQuestion(_Later):
    step, title_text = "2 of 2", "Retire a goal"
    keys = "↑↓ choose · Enter retire (asks once more) · Esc back"

    def __init__(self, student: Student):
        super().__init__()
        self.student = student
        self.goals: tuple[Goal, ...] = ()
        self.at = 0
        self.read: StudentFile | str = ""
        self.confirmed: str | None = None

    @property
    def hint(self) -> str:  # type: ignore[override]
        return (f"{clean(self.student.initials, limit=12)} ({self.student.id}): a retired goal stays in reports "
                "and history with its data, marked retired today; it is no longer due nor on the logging sheet.")

    def body(self) -> ComposeResult:
        yield Static("", id="setup-places")

    def on_mount(self) -> None:
        plan = self.ld.classroom.plans.get(self.student.id)
        self.goals = goal_choices(plan, self.ld.today)
        try:
            self.read = files.read_student_file(self.ld.root, self.student.id)
        except (OSError, UnicodeDecodeError) as e:
            self.read = f"students/{self.student.id}.toml cannot be read: {getattr(e, 'strerror', None) or e}"
        super().on_mount()
        self.redraw()
        if isinstance(self.read, str):
            self.say(self.read)
        elif not self.goals:
            self.say(f"{clean(self.student.initials, limit=12)} has no goal to retire (students/"
                     f"{self.student.id}.toml)")

    def redraw(self) -> None:
        out = Text()
        for n, g in enumerate(self.goals):
            here = n == self.at
            out.append(f"{'>' if here else ' '} {clean(g.id, limit=24)}  {clean(g.title, limit=50)} ({g.kind})\n",
                       style="reverse" if here else "")
        self.query_one("#setup-places", Static).update(out)

    def take_key(self, key: str, character: str | None) -> None:
        if key in ("up", "down") and self.goals:
            self.at = max(0, min(len(self.goals) - 1, self.at + (1 if key == "down" else -1)))
            self.confirmed = None
            self.say(None)
            self.redraw()
        else:
            super().take_key(key, character)

    def submit(self) -> None:
        if isinstance(self.read, str) or not self.goals:
            return
        goal = self.goals[self.at]
        if self.confirmed != goal.id:
            self.confirmed = goal.id
            self.say(f"Retire {clean(goal.id, limit=24)} ({clean(goal.title, limit=40)})? Enter again to retire "
                     "it; Esc back.", good=True)
            return
        d = self.ld
        try:
            text, _, _ = retire_goal(self.read.text, goal.id, d.today, d.classroom, self.student.id)
            files.save_student_file(d.root, self.read, text, what=f"goal {goal.id} retired")
        except SetupRefused as e:
            self.say(e.message)
            return
        except ChangedOnDisk as e:
            self.say(str(e))
            return
        except OSError as e:
            self.say(f"cannot write students/{self.student.id}.toml: {e.strerror or e}; nothing was written")
            return
        self.back_to_menu(f"goal {clean(goal.id, limit=24)} of {clean(self.student.initials, limit=12)} retired "
                          f"on {d.today.isoformat()} (students/{self.student.id}.toml)")


class LaterApp(KeysInOrder):
    """The menu and its screens; returns ("week", None) or ("goal", student id) for the CLI to open,
    or None when left."""

    CSS_PATH = "setup_app.tcss"
    TITLE = "paratui setup"

    def __init__(self, root: Path, classroom: Classroom, today: date, said: str = "", *,
                 theme_name: str | None = None, theme_folders: list[Path] | None = None):
        super().__init__()
        self.draft = LaterDraft(Path(root), classroom, today, said)
        self.use_theme(theme_name, theme_folders)

    def on_mount(self) -> None:
        from paratui.app.setup_app import _Start

        self.push_screen(_Start())
        self.push_screen(MenuScreen())
