"""`paratui setup week [DAY]`: one day of schedule.toml on screen, first version (issue 22).

The day's blocks (time, activity, place, who is with whom) with a cursor; `s` splits the block in
two, `m` merges it with the next, `e` (or Enter) changes its time, activity and place, `c` copies
the whole day to the other weekdays, ←/→ show another day. Under them, live, what the edited week
implies on the day shown — a student with no adult, a one-to-one student without their para, an
adult in two places — from the board's coverage model (paratui.model.week_edit.week_warnings).
Ctrl+S saves: the text is checked as a hand edit is, and written atomically only if schedule.toml
is still the file read (paratui.store.student_file).

`w` opens the block's adults: each one with all students, a group (`g` the next one), chosen
students (`s`: a tick list), at a place (`p`/`P`), on lunch (`l`) or a break (`b`), or not in the
block (`x`); Enter keeps, Esc undoes. `g` on the day lists classroom.toml's groups (`n` new, Enter
change, `d` delete) and `v` the [[services]] (speech, OT: provider, students, days, time, place).
Ctrl+S saves schedule.toml, and classroom.toml when its groups changed, each only when it is still
the file read; Esc on the day leaves without saving.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from paratui.app.setup_app import KeysInOrder, Question, _Start
from paratui.model import week_edit
from paratui.model.classroom import Classroom, parse_classroom
from paratui.model.errors import ConfigError
from paratui.model.schedule import WEEKDAYS
from paratui.model.text import clean
from paratui.model.week_edit import (
    BREAK,
    LUNCH,
    DutySpec,
    ServiceRow,
    WeekEditError,
    block_duties,
    break_place,
    day_notes,
    day_rows,
    group_rows,
    schedule_problems,
    service_rows,
    week_warnings,
)
from paratui.store.student_file import ChangedOnDisk, StudentFile, read_room_file, save_student_file

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
        yield Static(Text("↑↓←→ e edit w who s split m merge c copy g groups v services ^S save Esc"),
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
        saved = "" if not w.changed() else "  (not saved)"
        self.query_one("#setup-title", Static).update(Text(f"The week: {self.day.capitalize()}{saved}"))
        out = Text()
        for n, (span, activity, at, who) in enumerate(rows):
            line = f"{span:12} {clean(activity, limit=22):22} {clean(at, limit=9):9} {clean(who, limit=40)}"
            out.append(("> " if n == self.cursor else "  ") + line[:72] + "\n",
                       style="reverse" if n == self.cursor else "")
        self.query_one("#setup-listing", Static).update(out)
        box = self.query_one("#setup-list", VerticalScroll)
        box.scroll_to(y=max(0, self.cursor - box.size.height // 2 + 1), animate=False, immediate=True)
        said = week_warnings(w.text, w.classroom, self.day)
        notes = day_notes(w.text, w.classroom, self.day)
        warn = Text()
        if said:
            warn.append(f"{len(said)} coverage problem{'s' if len(said) != 1 else ''} this day:\n", style="bold")
            for x in said[:4]:
                warn.append(clean(x, limit=76) + "\n")
            if len(said) > 4:
                warn.append(f"… and {len(said) - 4} more\n")
        else:
            warn.append("No coverage problems this day: every student has an adult.\n")
        for x in notes[:7 - min(len(said), 5) - 1]:
            warn.append(clean(x, limit=76) + "\n", style="dim" if "break" in x else "bold")
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
            elif key == "w":
                if day_rows(w.text, self.day):
                    self.ready = False
                    w.push_screen(AdultsScreen(self.day, self.cursor))
                return
            elif key in ("g", "v"):
                self.ready = False
                w.push_screen(GroupsScreen() if key == "g" else ServicesScreen())
                return
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
        room_changed = w.room is not None and w.room_text != w.room.text
        files = [(w.room, w.room_text)] if room_changed and w.room is not None else []
        files.append((w.read, w.text))
        for read, _ in files:  # every file still the one read, or nothing is written
            try:
                now = read_room_file(w.root, read.path.name)
            except OSError:
                now = None
            if now is None or now.digest != read.digest:
                self.say(f"{read.path.name} changed on disk since it was opened (someone saved it): nothing "
                         "was written; Esc and open it again to make your change to the new version")
                return
        for read, text in files:
            try:
                save_student_file(w.root, read, text, what="the groups" if read is w.room else "the week")
            except ChangedOnDisk as e:
                self.say(str(e))
                return
            except OSError as e:
                self.say(f"cannot write {read.path.name}: {e.strerror or e}; it was not changed")
                return
            fresh = StudentFile(read.path, text, _digest(text))
            if read is w.room:
                w.room = fresh
            else:
                w.read = fresh
        w.saved = True
        w.saved_files = sorted({*w.saved_files, *(r.path.name for r, _ in files)})
        names = " and ".join(r.path.name for r, _ in files)
        self.say(f"saved {names}: every open board follows")


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


class _Sub(Screen[None]):
    """A screen over the day: keys from WeekApp.pump once it is up; the text as it was when it
    opened, so Esc can give it back."""

    ready = False

    def __init__(self) -> None:
        super().__init__()
        self.cursor = 0

    @property
    def week(self) -> WeekApp:
        app = self.app
        assert isinstance(app, WeekApp)
        return app

    def on_mount(self) -> None:
        self.before = (self.week.text, self.week.room_text)
        self.redraw()
        self.ready = True
        self.week.pump()

    def on_screen_resume(self) -> None:
        if self.is_mounted and not self.ready:
            self.ready = True
            self.redraw()
            self.week.pump()

    def redraw(self) -> None:
        raise NotImplementedError

    def say(self, message: str | None) -> None:
        self.query_one("#setup-error", Static).update(Text(message or ""))

    def close(self, undo: bool = False) -> None:
        if undo:
            self.week.text, self.week.room_text = self.before
            self.week.reparse()
        self.ready = False
        self.week.pop_screen()
        under = self.week.screen
        if isinstance(under, (WeekScreen, _Sub)):
            under.ready = False  # redrawn and handed the keys when it resumes

    def open(self, screen: Screen[Any]) -> None:
        self.ready = False
        self.week.push_screen(screen)

    def move(self, key: str, n: int) -> bool:
        if key in ("up", "down"):
            self.cursor = max(0, min(n - 1, self.cursor + (1 if key == "down" else -1)))
            return True
        return False


class AdultsScreen(_Sub):
    """Who is with whom, and where, in one block: a line per adult."""

    def __init__(self, day: str, index: int):
        super().__init__()
        self.day, self.index = day, index

    def compose(self) -> ComposeResult:
        yield Static("", id="setup-title")
        yield Static("", id="setup-listing")
        yield Static("", id="week-warnings")
        yield Static("", id="setup-error")
        yield Static(Text("↑↓ a all g group s students p place l lunch b break x out Enter ok Esc undo"),
                     id="setup-keys")

    def redraw(self) -> None:
        w = self.week
        rows = day_rows(w.text, self.day)
        span, activity, at, _ = rows[self.index]
        self.query_one("#setup-title", Static).update(
            Text(f"{self.day.capitalize()} {span} {clean(activity, limit=30)} at {clean(at, limit=12)}: who is where"))
        duties = block_duties(w.text, self.day, self.index)
        paras = {s.one_to_one: s for s in w.classroom.students if s.one_to_one}
        out = Text()
        for n, st in enumerate(w.classroom.staff):
            spec = duties.get(st.id)
            if spec is not None:
                what = spec.describe()
            elif st.id in paras:
                what = f"with {paras[st.id].initials} (one-to-one: wherever they are)"
            else:
                what = "-  not in this block"
            line = f"{st.id:5} {clean(st.short, limit=12):12} {clean(what, limit=52)}"
            out.append(("> " if n == self.cursor else "  ") + line[:74] + "\n",
                       style="reverse" if n == self.cursor else "")
        self.query_one("#setup-listing", Static).update(out)
        said = [x for x in week_warnings(w.text, w.classroom, self.day)  # this block's, or the file's own
                if not x[:2].isdigit() or span[:5] <= x[:5] < span[6:]]
        warn = Text()
        for x in said[:4]:
            warn.append(clean(x, limit=76) + "\n", style="bold")
        if not said:
            warn.append("No coverage problem in this block.")
        self.query_one("#week-warnings", Static).update(warn)

    def take_key(self, key: str, character: str | None) -> None:
        w = self.week
        staff = w.classroom.staff
        if self.move(key, len(staff)):
            self.say(None)
            self.redraw()
            return
        if key == "enter":
            self.close()
            return
        if key in ("escape", "q"):
            self.close(undo=True)
            return
        me = staff[self.cursor]
        spec = block_duties(w.text, self.day, self.index).get(me.id)
        try:
            if key == "a":
                self.put(DutySpec("all", spec.at if spec else None))
            elif key == "g":
                groups = list(w.classroom.groups)
                if not groups:
                    raise WeekEditError("no groups yet: Esc, then g on the day makes one")
                now = spec.who if spec and isinstance(spec.who, str) else None
                nxt = groups[(groups.index(now) + 1) % len(groups)] if now in groups else groups[0]
                self.put(DutySpec(nxt, spec.at if spec else None))
            elif key == "s":
                self.open(StudentsPick(self.day, self.index, me.id))
                return
            elif key in ("p", "P"):
                if spec is None or spec.who is None and spec.activity is None:
                    raise WeekEditError(f"{me.short}: give them students first (a, g or s), or a break (l, b)")
                places = [None, *(loc.id for loc in w.classroom.locations if loc.kind != "away")]
                at = places[(places.index(spec.at) + (1 if key == "p" else -1)) % len(places)] \
                    if spec.at in places else places[1]
                self.put(DutySpec(spec.who, at, spec.activity))
            elif key in ("l", "b"):
                what = LUNCH if key == "l" else BREAK
                if spec is not None and spec.on_break and spec.activity == what:
                    raise WeekEditError(f"{me.short} is already on {what.lower()} here: a, g or s gives them "
                                        "students, x takes them out of the block")
                self.put(DutySpec(None, break_place(w.classroom), what))
            elif key in ("x", "delete"):
                self.put(None)
            else:
                return
        except WeekEditError as e:
            self.say(str(e))
            return
        self.say(None)
        self.redraw()

    def put(self, spec: DutySpec | None) -> None:
        w = self.week
        w.text = week_edit.set_duty(w.text, self.day, self.index, w.classroom.staff[self.cursor].id, spec)


class StudentsPick(_Sub):
    """The students an adult is with in a block: Space ticks, Enter keeps, Esc leaves them as they were."""

    def __init__(self, day: str, index: int, staff_id: str):
        super().__init__()
        self.day, self.index, self.staff_id = day, index, staff_id
        self.ticked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static("", id="setup-title")
        yield Static("", id="setup-listing")
        yield Static("", id="setup-error")
        yield Static(Text("↑↓ student · Space tick · a all · n none · Enter keep · Esc back (as it was)"),
                     id="setup-keys")

    def on_mount(self) -> None:
        spec = block_duties(self.week.text, self.day, self.index).get(self.staff_id)
        c = self.week.classroom
        if spec is not None and spec.who is not None:
            refs = [spec.who] if isinstance(spec.who, str) else list(spec.who)
            for r in refs:
                if r == "all":
                    self.ticked |= {s.id for s in c.students}
                elif r in c.groups:
                    self.ticked |= set(c.groups[r])
                else:
                    self.ticked |= {s.id for s in c.students if r in (s.id, s.initials)}
        super().on_mount()

    def redraw(self) -> None:
        c = self.week.classroom
        short = next((s.short for s in c.staff if s.id == self.staff_id), self.staff_id)
        self.query_one("#setup-title", Static).update(Text(f"{clean(short, limit=20)} is with…"))
        out = Text()
        for n, st in enumerate(c.students):
            mark = "[x]" if st.id in self.ticked else "[ ]"
            out.append(f"{'>' if n == self.cursor else ' '} {mark} {st.id:5} {clean(st.initials, limit=8)}\n",
                       style="reverse" if n == self.cursor else "")
        self.query_one("#setup-listing", Static).update(out)

    def take_key(self, key: str, character: str | None) -> None:
        c = self.week.classroom
        if self.move(key, len(c.students)):
            pass
        elif key == "space":
            self.ticked ^= {c.students[self.cursor].id}
        elif key in ("n", "a"):
            self.ticked = {st.id for st in c.students} if key == "a" else set()
        elif key == "escape":
            self.close()
            return
        elif key == "enter":
            ids = tuple(s.id for s in c.students if s.id in self.ticked)
            if not ids:
                self.say("no students ticked: Space ticks one; Esc leaves them as they were")
                return
            w = self.week
            spec = block_duties(w.text, self.day, self.index).get(self.staff_id)
            who: str | tuple[str, ...] = "all" if len(ids) == len(c.students) else ids
            w.text = week_edit.set_duty(w.text, self.day, self.index, self.staff_id,
                                        DutySpec(who, spec.at if spec and spec.who is not None else None,
                                                 spec.activity if spec and spec.who is not None else None))
            self.close()
            return
        self.redraw()


class _ListScreen(_Sub):
    """A list of rows (groups, services): n new, Enter change, d delete, Esc back to the day."""

    heading = ""
    empty = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="setup-title")
        with VerticalScroll(id="setup-list", can_focus=False):
            yield Static("", id="setup-listing")
        yield Static("", id="setup-error")
        yield Static(Text("↑↓ move · n new · Enter change · d delete · Esc back to the day"), id="setup-keys")

    def rows(self) -> list[str]:
        raise NotImplementedError

    def redraw(self) -> None:
        rows = self.rows()
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        saved = "  (not saved)" if self.week.changed() else ""
        self.query_one("#setup-title", Static).update(Text(self.heading + saved))
        out = Text()
        for n, line in enumerate(rows):
            out.append(("> " if n == self.cursor else "  ") + clean(line, limit=74) + "\n",
                       style="reverse" if n == self.cursor else "")
        self.query_one("#setup-listing", Static).update(out or Text(self.empty))

    def take_key(self, key: str, character: str | None) -> None:
        n = len(self.rows())
        if self.move(key, n):
            self.say(None)
        elif key in ("escape", "q"):
            self.close()
            return
        elif key == "n":
            self.open(self.form(None))
            return
        elif key == "enter" and n:
            self.open(self.form(self.cursor))
            return
        elif key in ("d", "delete") and n:
            self.say(self.delete(self.cursor))
        self.redraw()

    def form(self, index: int | None) -> Screen[None]:
        raise NotImplementedError

    def delete(self, index: int) -> str:
        raise NotImplementedError


class GroupsScreen(_ListScreen):
    heading = "Groups (classroom.toml)"
    empty = "No groups yet: n makes one (a name, then its students)."

    def rows(self) -> list[str]:
        return [f"{name:14} {' '.join(ids)}" for name, ids in group_rows(self.week.room_text)] \
            if self.week.room is not None else []

    def take_key(self, key: str, character: str | None) -> None:
        if self.week.room is None and key not in ("escape", "q"):
            self.say("classroom.toml cannot be read: groups are edited there by hand")
            return
        super().take_key(key, character)

    def form(self, index: int | None) -> Screen[None]:
        rows = group_rows(self.week.room_text)
        return GroupQuestion(rows[index] if index is not None else None)

    def delete(self, index: int) -> str:
        w = self.week
        name = group_rows(w.room_text)[index][0]
        w.room_text = week_edit.delete_group(w.room_text, name)
        w.reparse()
        return f"group {name} deleted (a block still using it is said in the day's warnings)"


class ServicesScreen(_ListScreen):
    heading = "Services: speech, OT… ([[services]] in schedule.toml)"
    empty = "No services yet: n adds one (speech, OT: provider, students, days, time, place)."

    def rows(self) -> list[str]:
        return [f"{r.time:11} {r.days:15} {clean(r.activity, limit=22):22} {r.staff or '-':5} {r.students} @{r.at}"
                for r in service_rows(self.week.text)]

    def form(self, index: int | None) -> Screen[None]:
        rows = service_rows(self.week.text)
        return ServiceQuestion(index, rows[index] if index is not None else None)

    def delete(self, index: int) -> str:
        w = self.week
        w.text = week_edit.delete_service(w.text, index)
        return "service deleted"


class _Form(Question):
    """A short form over a list; Enter on the last field applies it, Esc goes back without it."""

    def keep_typed(self) -> None:
        pass

    def applied(self) -> None:
        app = self.app
        assert isinstance(app, WeekApp)
        app.pop_screen()
        under = app.screen
        if isinstance(under, _Sub):
            under.ready = False


class GroupQuestion(_Form):
    step = "Group"
    keys = "Enter next field / keep · Esc back (nothing changed)"
    fields = (("name", "Name", "readers_a"), ("members", "Students", "ids or initials: S01 K.B. S07"))
    problem_fields = {"name": "name", "students": "members"}

    def __init__(self, row: tuple[str, tuple[str, ...]] | None):
        self.row = row
        self.title_text = f"group {row[0]}" if row else "a new group"
        self.hint = "Use its name in a block: g on a block's adult picks the next group."
        super().__init__()

    def initial(self, fid: str) -> str:
        if self.row is None:
            return ""
        return self.row[0] if fid == "name" else " ".join(self.row[1])

    def submit(self) -> None:
        app = self.app
        assert isinstance(app, WeekApp) and app.room is not None
        try:
            text = week_edit.set_group(app.room_text, app.classroom, self.row[0] if self.row else None,
                                       self.value("name"), self.value("members"))
            app.room_text = text
            app.reparse()
        except WeekEditError as e:
            self.say(str(e))
            return
        self.applied()


class ServiceQuestion(_Form):
    step = "Service"
    keys = "Enter next field / keep · Esc back (nothing changed)"
    fields = (("activity", "What", "Speech: AAC session"), ("staff", "Provider", "staff id or short name; empty: "
              "the place's own adult"), ("students", "Students", "ids, initials or a group: S05"),
              ("days", "Days", "tue thu (or all)"), ("time", "Time", "10:30-11:00"),
              ("at", "Place", "a place id"))
    problem_fields = {"activity": "activity", "provider": "staff", "students": "students", "days": "days",
                      "time": "time", "place": "at"}

    def __init__(self, index: int | None, row: ServiceRow | None):
        self.index, self.row = index, row
        self.title_text = f"service {index + 1}" if index is not None else "a new service"
        super().__init__(classes="-dense")

    def on_mount(self) -> None:
        app = self.app
        assert isinstance(app, WeekApp)
        places = " ".join(loc.id for loc in app.classroom.locations if loc.kind != "away")
        self.query_one("#setup-hint", Static).update(Text(clean(f"Places: {places}", limit=150)))
        super().on_mount()

    def initial(self, fid: str) -> str:
        return str(getattr(self.row, fid)) if self.row is not None else ""

    def submit(self) -> None:
        app = self.app
        assert isinstance(app, WeekApp)
        row = ServiceRow(*(self.value(f) for f, _, _ in self.fields))
        try:
            text = week_edit.set_service(app.text, app.classroom, self.index, row)
        except WeekEditError as e:
            self.say(str(e))
            return
        problems = schedule_problems(text, app.classroom)
        if problems:
            self.say("; ".join(problems[:2]))
            return
        app.text = text
        self.applied()


class WeekApp(KeysInOrder):
    """The day's blocks; returns True when schedule.toml was saved."""

    CSS_PATH = ["setup_app.tcss", "week_setup.tcss"]
    TITLE = "paratui setup week"

    def __init__(self, root: Path, classroom: Classroom, read: StudentFile, day: str = "monday", *,
                 theme_name: str | None = None, theme_folders: list[Path] | None = None):
        super().__init__()
        self.root, self.classroom, self.read, self.text = root, classroom, read, read.text
        self.room: StudentFile | None  # classroom.toml, for its [groups]
        try:
            self.room = read_room_file(root, "classroom.toml")
        except (OSError, UnicodeDecodeError):
            self.room = None
        self.room_text = self.room.text if self.room is not None else ""
        self.first_day = day
        self.saved = False
        self.saved_files: list[str] = []  # what Ctrl+S wrote, for the command line's last word
        self.draft = SimpleNamespace(typed={})  # what paratui.app.setup_app.Question keeps (nothing here)
        self.use_theme(theme_name, theme_folders)

    def on_mount(self) -> None:
        self.push_screen(_Start())
        self.push_screen(WeekScreen(self.first_day))

    def changed(self) -> bool:
        return self.text != self.read.text or (self.room is not None and self.room_text != self.room.text)

    def reparse(self) -> None:
        """The classroom again from the edited classroom.toml (its groups), when it parses."""
        if self.room is None:
            return
        try:
            self.classroom = parse_classroom(tomllib.loads(self.room_text))
        except (tomllib.TOMLDecodeError, ConfigError):
            pass
