"""`paratui setup goal STUDENT`: a goal from a template, on screen (issue 22).

Three questions, as `paratui init`'s (paratui/app/setup_app.py: one a screen, Enter on, Esc back
keeping what was typed, keys only): the kind (tally, trials, duration, latency, task analysis,
interval, MTS, ABC behaviour); a short form for that kind; a preview of the goal as the student
screen shows it, and the lines added to `students/ID.toml`. Enter there saves: the text is made by
paratui.model.goal_template (tomlkit: every comment kept; checked by the goal parser before it is
written) and written by paratui.store.student_file (atomically, and not at all when the file
changed on disk since this screen read it: the screen says so).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from paratui.app.setup_app import KeysInOrder, Question
from paratui.app.student_screen import goal_text
from paratui.model.classroom import Classroom, Student
from paratui.model.datalog import summarize
from paratui.model.goal_template import KIND_WORDS, GoalForm, GoalProblem, add_goal
from paratui.model.goals import KINDS, StudentPlan
from paratui.model.text import clean
from paratui.store.student_file import ChangedOnDisk, StudentFile, save_student_file


@dataclass
class GoalDraft:
    root: Path
    classroom: Classroom
    student: Student
    read: StudentFile
    today: date
    kind: str = "trials"
    typed: dict[str, str] = field(default_factory=dict)
    made: tuple[str, StudentPlan, GoalForm] | None = None  # the new text, its plan, the form


# The form's fields for every kind, then each kind's own.
COMMON = (("title", "Title", "Counts coins to $1"), ("id", "Id", "optional: from the title (coins)"),
          ("area", "Area", "academic, communication, behavior, self-care, other"),
          ("baseline", "Baseline", "20% independent (Sept)"),
          ("mastery", "Mastery", ""), ("collect", "Collected by", "staff ids or short names, e.g. JT, AL"),
          ("when", "When", "daily in math groups"))
OWN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "task_analysis": (("steps", "Steps", "step 1; step 2; step 3 (separated by ;)"),),
    "interval": (("seconds", "Interval (s)", "10"), ("itype", "Partial/whole", "partial")),
    "mts": (("seconds", "Interval (s)", "10"),),
    "abc": (("definition", "Definition", "what it looks like, so two adults count the same"),
            ("function", "Function", "escape, attention, tangible, sensory, other")),
}
MASTERY_HINT = {"tally": "at_least 10 over 3", "trials": "80% I over 3", "duration": "at_least 600 over 3 (seconds)",
                "latency": "at_most 30 over 3 (seconds)", "task_analysis": "80% I over 3", "interval": "80% over 3",
                "mts": "80% over 3", "abc": "at_most 3 over 5 (a day)"}


class _GoalQuestion(Question):
    @property
    def gd(self) -> GoalDraft:
        return self.app.draft  # type: ignore[attr-defined]


class KindQuestion(_GoalQuestion):
    step, title_text = "1 of 3", "A goal: its kind"
    keys = "↑↓ or 1-8 choose · Enter next · Esc leave (nothing is written)"

    @property
    def hint(self) -> str:  # type: ignore[override]
        d = self.gd
        return f"For {clean(d.student.initials, limit=12)} ({d.student.id}): how is it measured?"

    def body(self) -> ComposeResult:
        yield Static(self.listing(), id="setup-places")

    def listing(self) -> Text:
        out = Text()
        for n, kind in enumerate(KINDS, 1):
            here = kind == self.gd.kind
            out.append(f"{'>' if here else ' '} {n} {KIND_WORDS[kind]}\n", style="reverse" if here else "")
        return out

    def take_key(self, key: str, character: str | None) -> None:
        at = KINDS.index(self.gd.kind)
        if key in ("up", "down"):
            self.gd.kind = KINDS[max(0, min(len(KINDS) - 1, at + (1 if key == "down" else -1)))]
        elif character and character.isdigit() and 1 <= int(character) <= len(KINDS):
            self.gd.kind = KINDS[int(character) - 1]
        else:
            super().take_key(key, character)
            return
        self.query_one("#setup-places", Static).update(self.listing())

    def submit(self) -> None:
        self.forward(GoalFormQuestion(self.gd.kind))


class GoalFormQuestion(_GoalQuestion):
    step = "2 of 3"
    problem_fields = {"title": "title", "id": "id", "area": "area", "mastery": "mastery", "collected by": "collect",
                      "steps": "steps", "interval:": "seconds", "interval type": "itype",
                      "definition": "definition", "function": "function"}

    def __init__(self, kind: str):
        self.kind = kind
        own = tuple(OWN.get(kind, ()))
        self.fields = tuple((f, label, MASTERY_HINT[kind] if f == "mastery" else hint) for f, label, hint in COMMON) \
            + own
        self.title_text = f"A {kind.replace('_', ' ')} goal"
        self.hint = KIND_WORDS[kind] + ". Empty fields are left out (the mastery: as shown)."
        super().__init__(classes="-dense")

    def initial(self, fid: str) -> str:
        return self.gd.typed.get(f"goal.{self.kind}.{fid}", self.gd.typed.get(f"goal.{fid}", ""))

    def keep_typed(self) -> None:
        for fid, _, _ in self.fields:
            self.gd.typed[f"goal.{self.kind}.{fid}"] = self.value(fid)
            self.gd.typed[f"goal.{fid}"] = self.value(fid)  # kept when another kind is picked
        self.gd.typed[f"{type(self).__name__}._at"] = str(self._at)

    def form(self) -> GoalForm:
        v = {fid: self.value(fid) for fid, _, _ in self.fields}
        return GoalForm(self.kind, v["id"], v["title"], v["area"], v["baseline"], v["mastery"],
                        collect_by=tuple(x for x in v["collect"].replace(";", ",").split(",") if x.strip()),
                        when=v["when"], steps=tuple(v.get("steps", "").split(";")),
                        interval_seconds=v.get("seconds", ""), interval_type=v.get("itype", ""),
                        definition=v.get("definition", ""), function=v.get("function", ""))

    def submit(self) -> None:
        d = self.gd
        form = self.form()
        try:
            text, plan = add_goal(d.read.text, form, d.classroom, d.student.id)
        except GoalProblem as e:
            self.say("; ".join(e.problems))
            return
        d.made = (text, plan, form)
        self.say(None)
        self.forward(PreviewQuestion())


class PreviewQuestion(_GoalQuestion):
    step, title_text = "3 of 3", "The goal, as the student screen will show it"
    keys = "Enter save it to the student's file · Esc back and change it"

    @property
    def hint(self) -> str:  # type: ignore[override]
        return f"Saved to students/{self.gd.student.id}.toml, every comment and line already there kept."

    def body(self) -> ComposeResult:
        with VerticalScroll(id="setup-list", can_focus=False):
            yield Static(self.preview(), id="setup-listing")

    def preview(self) -> Text:
        d = self.gd
        assert d.made is not None
        text, plan, _ = d.made
        new = plan.goals[-1]
        summary = next(s for s in summarize(plan, [], d.classroom.prompts, goal=new.id, keep_entries=False))
        out = goal_text(summary, d.today, d.classroom.prompts[-1])
        added = [line[1:] for line in difflib.unified_diff(d.read.text.splitlines(), text.splitlines(), lineterm="",
                                                          n=0) if line.startswith("+") and not line.startswith("++")]
        out.append("\n\nAdded to the file (the rest as it is):\n", style="bold")
        out.append("\n".join(added).strip("\n"), style="dim")
        return out

    def submit(self) -> None:
        d = self.gd
        assert d.made is not None
        try:
            save_student_file(d.root, d.read, d.made[0], what=f"goal {d.made[1].goals[-1].id} added")
        except ChangedOnDisk as e:
            self.say(str(e))
            return
        except OSError as e:
            self.say(f"cannot write students/{d.student.id}.toml: {e.strerror or e}; nothing was written")
            return
        self.app.exit(d.made[1].goals[-1].id)


class GoalApp(KeysInOrder):
    """The questions; returns the id of the goal saved, or None."""

    CSS_PATH = "setup_app.tcss"
    TITLE = "paratui setup goal"

    def __init__(self, root: Path, classroom: Classroom, student: Student, read: StudentFile, today: date, *,
                 theme_name: str | None = None, theme_folders: list[Path] | None = None):
        super().__init__()
        self.draft = GoalDraft(root, classroom, student, read, today)
        self.use_theme(theme_name, theme_folders)

    def on_mount(self) -> None:
        from paratui.app.setup_app import _Start

        self.push_screen(_Start())
        self.push_screen(KindQuestion())
