"""`paratui setup week [DAY]`: one day of schedule.toml on screen, first version (issue 22).

The day's blocks (time, activity, place, who is with whom) with a cursor; `s` splits the block in
two, `m` merges it with the next, `e` (or Enter) changes its time, activity and place, `c` copies
the whole day to the other weekdays, ←/→ show another day. Under them, live, what the edited week
implies on the day shown — a student with no adult, a one-to-one student without their para, an
adult in two places — from the board's coverage model (paratui.model.week_edit.week_warnings).
Ctrl+S saves: the text is checked as a hand edit is, and written atomically only if schedule.toml
is still the file read (paratui.store.student_file). Who is with whom in a block (`with`,
`where`), lunches and [[services]] are still edited by hand.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from paratui.app.setup_app import KeysInOrder, Question, _Start
from paratui.model import week_edit
from paratui.model.classroom import Classroom
from paratui.model.schedule import WEEKDAYS
from paratui.model.text import clean
from paratui.model.week_edit import WeekEditError, day_rows, schedule_problems, week_warnings
from paratui.store.student_file import ChangedOnDisk, StudentFile, save_student_file

DAYS = WEEKDAYS[:5]


class WeekScreen(Screen[None]):
    ready = False

    def __init__(self, day: str):
        super().__init__()
        self.day = day
        self.cursor = 0

    @property
    def week(self) -> WeekApp:
        app = self.app
        assert isinstance(app, WeekApp)
        return app

    def compose(self) -> ComposeResult:
        yield Static("", id="setup-title")
        with VerticalScroll(id="setup-list", can_focus=False):
            yield Static("", id="setup-listing")
        yield Static("", id="week-warnings")
        yield Static("", id="setup-error")
        yield Static(Text("↑↓ block ←→ day e edit s split m merge next c copy to all ^S save Esc leave"),
                     id="setup-keys")

    def on_mount(self) -> None:
        self.redraw()
        self.ready = True
        self.week.pump()

    def on_screen_resume(self) -> None:
        if self.is_mounted and not self.ready:
            self.ready = True
            self.redraw()
            self.week.pump()

    def redraw(self) -> None:
        w = self.week
        rows = day_rows(w.text, self.day)
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        saved = "" if w.text == w.read.text else "  (not saved)"
        self.query_one("#setup-title", Static).update(Text(f"The week: {self.day.capitalize()}{saved}"))
        out = Text()
        for n, (span, activity, at, who) in enumerate(rows):
            line = f"{span:12} {clean(activity, limit=26):26} {clean(at, limit=10):10} {clean(who, limit=40)}"
            out.append(("> " if n == self.cursor else "  ") + line[:74] + "\n",
                       style="reverse" if n == self.cursor else "")
        self.query_one("#setup-listing", Static).update(out)
        said = week_warnings(w.text, w.classroom, self.day)
        warn = Text()
        if said:
            warn.append(f"{len(said)} coverage problem{'s' if len(said) != 1 else ''} this day:\n", style="bold")
            for x in said[:5]:
                warn.append(clean(x, limit=76) + "\n")
            if len(said) > 5:
                warn.append(f"… and {len(said) - 5} more\n")
        else:
            warn.append("No coverage problems this day: every student has an adult.")
        self.query_one("#week-warnings", Static).update(warn)

    def say(self, message: str | None) -> None:
        self.query_one("#setup-error", Static).update(Text(message or ""))

    def take_key(self, key: str, character: str | None) -> None:
        w = self.week
        try:
            if key in ("up", "down"):
                self.cursor += 1 if key == "down" else -1
                self.say(None)
            elif key in ("left", "right"):
                self.day = DAYS[(DAYS.index(self.day) + (1 if key == "right" else -1)) % len(DAYS)]
                self.cursor = 0
                self.say(None)
            elif key == "s":
                w.text = week_edit.split_block(w.text, self.day, self.cursor)
                self.say("split in two (the second half keeps the activity, place and adults)")
            elif key == "m":
                w.text = week_edit.merge_blocks(w.text, self.day, self.cursor)
                self.say("merged with the next block")
            elif key == "c":
                w.text = week_edit.copy_day(w.text, self.day, DAYS)
                self.say(f"{self.day.capitalize()}'s blocks copied to the other weekdays")
            elif key in ("e", "enter"):
                rows = day_rows(w.text, self.day)
                if rows:
                    self.ready = False  # the block's screen takes the keys until it is closed
                    w.push_screen(BlockQuestion(self.day, self.cursor, rows[self.cursor]))
                return
            elif key == "ctrl+s":
                self.save()
            elif key in ("escape", "q"):
                w.exit(w.saved)
                return
        except WeekEditError as e:
            self.say(str(e))
        self.redraw()

    def save(self) -> None:
        w = self.week
        problems = schedule_problems(w.text, w.classroom)
        if problems:
            self.say("not saved: " + "; ".join(problems[:2]))
            return
        try:
            save_student_file(w.root, w.read, w.text)
        except ChangedOnDisk as e:
            self.say(str(e))
            return
        except OSError as e:
            self.say(f"cannot write schedule.toml: {e.strerror or e}; nothing was written")
            return
        w.read = StudentFile(w.read.path, w.text, _digest(w.text))
        w.saved = True
        self.say("saved schedule.toml: every open board follows")


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class BlockQuestion(Question):
    """One block's time, activity and place (its adults are still edited by hand)."""

    step = "Block"
    keys = "Enter next field / keep · Esc back (nothing changed)"
    fields = (("time", "Time", "08:00-08:30"), ("activity", "Activity", "Reading groups"),
              ("at", "Place", "a place id: room, carpet, cafeteria…"))
    problem_fields = {"time": "time", "activity": "activity", "schedule.toml": "at"}

    def __init__(self, day: str, index: int, row: tuple[str, str, str, str]):
        self.day, self.index, self.row = day, index, row
        self.title_text = f"{day.capitalize()}, block {index + 1}"
        self.hint = f"Who is with whom here: {row[3] or 'nobody named'} (in schedule.toml)."
        super().__init__()

    def initial(self, fid: str) -> str:
        return dict(zip(("time", "activity", "at"), self.row[:3]))[fid]

    def keep_typed(self) -> None:
        pass

    def submit(self) -> None:
        app = self.app
        assert isinstance(app, WeekApp)
        try:
            app.text = week_edit.set_block(app.text, self.day, self.index, self.value("time"), self.value("activity"),
                                           self.value("at"))
        except WeekEditError as e:
            self.say(str(e))
            return
        self.app.pop_screen()


class WeekApp(KeysInOrder):
    """The day's blocks; returns True when schedule.toml was saved."""

    CSS_PATH = "setup_app.tcss"
    TITLE = "paratui setup week"

    def __init__(self, root: Path, classroom: Classroom, read: StudentFile, day: str = "monday", *,
                 theme_name: str | None = None, theme_folders: list[Path] | None = None):
        super().__init__()
        self.root, self.classroom, self.read, self.text = root, classroom, read, read.text
        self.first_day = day
        self.saved = False
        self.draft = SimpleNamespace(typed={})  # what paratui.app.setup_app.Question keeps (nothing here)
        self.use_theme(theme_name, theme_folders)

    def on_mount(self) -> None:
        self.push_screen(_Start())
        self.push_screen(WeekScreen(self.first_day))
