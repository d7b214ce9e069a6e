"""`paratui init DIR` in a terminal: the room set up from screens, one question a screen, instead of
from TOML (issue 22).

The questions, in order: the room's name and time zone; the staff; the students (typed, or a roster
CSV read by paratui.store.roster and shown for confirmation); the places to tick; the school day;
then a last look and the folder written. Enter goes to the next field and, on a screen's last one,
to the next question; Esc goes back a question, keeping what was typed (the answers live in one
`Draft`, not in the screens). Keys only, 80×24, any theme.

The folder is written by the same functions as `paratui init --students` (paratui.model.room_setup
for the text, paratui.store.new_room for the atomic write), so it passes `paratui check`. Every
value typed is data: shown as plain text, never markup.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any, Callable, ClassVar, Sequence

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from paratui.app import escape_key
from paratui.app.themes import register_themes
from paratui.model import roster
from paratui.model.classroom import ROLES
from paratui.model.room_setup import DEFAULT_PLACES, RoomAnswers, SchoolDay, SetupError, blocks, room_files
from paratui.model.roster import Roster, RosterError, RosterStaff, RosterStudent, tell_apart, with_teacher
from paratui.model.text import clean
from paratui.store.themes import DEFAULT_THEME

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,11}")
_HHMM = re.compile(r"([01]?\d|2[0-3]):?([0-5]\d)")


# -- the answers, and the checks of each (pure) ----------------------------------------------------
@dataclass
class Draft:
    """Everything answered so far, and what was typed in fields not yet taken (kept on Esc)."""

    room: str
    time_zone: str
    login: str
    staff: list[RosterStaff] = field(default_factory=list)
    students: list[RosterStudent] = field(default_factory=list)
    places: set[str] = field(default_factory=lambda: {p.id for p in DEFAULT_PLACES})
    start: str = "08:00"
    end: str = "15:00"
    period: str = "30"
    typed: dict[str, str] = field(default_factory=dict)

    def answers(self) -> RoomAnswers:
        staff, _ = with_teacher(self.staff, self.login)
        day = parse_day(self.start, self.end, self.period)
        assert not isinstance(day, str)
        return RoomAnswers(self.room, self.time_zone, tuple(staff), tuple(self.students),
                           tuple(p for p in DEFAULT_PLACES if p.id in self.places), day)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def check_room(name: str, zone: str) -> str | None:
    """Why the room's name or time zone cannot be used (None: they can)."""
    if not clean(name).strip():
        return "the room's name: type one (e.g. Room 12)"
    if len(name) > 60:
        return "the room's name: at most 60 characters"
    try:
        zoneinfo.ZoneInfo(zone.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "the time zone: not one this computer knows (e.g. America/Chicago, Europe/Paris)"
    return None


def _staff_id(name: str, role: str, taken: set[str]) -> str:
    if role == "sub":
        base = "SUB"
    else:
        words = [w for w in re.split(r"[\s.-]+", name) if w]
        base = "".join(ch for w in words for ch in w[:1] if ch.isascii() and ch.isalpha()).upper()[:3] or "ST"
    sid, n = base, 2
    while sid in taken or not _ID.fullmatch(sid):
        sid = f"{base}{n}" if _ID.fullmatch(f"{base}{n}") else f"ST{n}"
        n += 1
    return sid


def new_adult(staff: Sequence[RosterStaff], name: str, short: str, role: str, logins: str) -> RosterStaff | str:
    """The adult typed, or why not (the field named)."""
    name = clean(name).strip()
    if not name:
        return "name: type the adult's name"
    if len(name) > roster.NAME_LIMIT:
        return f"name: at most {roster.NAME_LIMIT} characters"
    if len(staff) >= roster.STAFF_LIMIT + 1:
        return f"at most {roster.STAFF_LIMIT} staff"
    word = roster.ROLE_WORDS.get(_key(role), role.strip()) if role.strip() else "para"
    if word not in ROLES:
        return f"role: one of {', '.join(ROLES)} (or speech, OT, aide, 1:1, substitute…)"
    found = [x for x in re.split(r"[\s,;]+", logins) if x]
    for x in found:
        if not roster.LOGIN.fullmatch(x):
            return f"login {clean(x, limit=32)!r}: not a computer user name (letters, digits, . _ -)"
        owner = next((s for s in staff if x in s.logins), None)
        if owner is not None:
            return f"login {x!r}: already {clean(owner.short, limit=20)}'s ({owner.id}); one login is one person"
    if len(set(found)) < len(found):
        return "login: the same one twice"
    parts = name.split()
    short = clean(short).strip() or (f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else parts[0])
    sid = _staff_id(name, word, {s.id for s in staff})
    return RosterStaff(sid, name, short[:20], word, tuple(found))


def find_para(staff: Sequence[RosterStaff], text: str) -> RosterStaff | str | None:
    """The adult a para cell names (id, short name, name, first name or login), None for none."""
    key = text.strip().casefold()
    if not key:
        return None
    found = [s for s in staff if key in {s.id.casefold(), s.short.casefold(), s.name.casefold(),
                                         *(x.casefold() for x in s.logins)}]
    if not found:
        found = [s for s in staff if s.name.split() and s.name.split()[0].casefold() == key]
    if len(found) == 1:
        return found[0]
    return "para: more than one adult is called that: type their id" if found else "para: not on the staff list"


def new_student(students: Sequence[RosterStudent], staff: Sequence[RosterStaff], initials: str, name: str,
                sid: str, para: str) -> tuple[RosterStudent, str | None] | str:
    """(the student typed, a note when their initials were told apart), or why not."""
    name, initials, sid = clean(name).strip(), clean(initials).strip(), sid.strip()
    if len(students) >= roster.STUDENT_LIMIT:
        return f"at most {roster.STUDENT_LIMIT} students"
    if len(name) > roster.NAME_LIMIT:
        return f"full name: at most {roster.NAME_LIMIT} characters"
    first, last = roster.first_last(name)
    if not initials:
        initials = roster.initials_of(first, last)
    if not initials:
        return "initials: type them (e.g. E.M.), or a full name to work them out from"
    if len(initials) > 8:
        return "initials: at most 8 characters"
    if sid and not _ID.fullmatch(sid):
        return "id: a short code (S09, KB): letters and digits, starting with a letter"
    ids = {s.id.upper() for s in students}
    if sid.upper() in ids:
        return f"id: {sid} is already a student's"
    if not sid:
        n = 1
        while f"S{n:02d}" in ids:
            n += 1
        sid = f"S{n:02d}"
    adult = find_para(staff, para)
    if isinstance(adult, str):
        return adult
    pupil = RosterStudent(sid, initials, name or None, None, adult.id if adult else None, 0, first, last)
    told = tell_apart([*students, pupil])[-1]
    note = None if told.initials == initials else (f"{initials} is already a student's initials: this one is "
                                                    f"{told.initials} on the board")
    return told, note


def parse_day(start: str, end: str, period: str) -> SchoolDay | str:
    """The school day typed, or why not."""
    times: list[time] = []
    for what, text in (("start", start), ("end", end)):
        m = _HHMM.fullmatch(text.strip())
        if not m:
            return f"{what}: a time like 08:00 (24-hour clock)"
        times.append(time(int(m.group(1)), int(m.group(2))))
    if times[1] <= times[0]:
        return f"the day ends ({times[1]:%H:%M}) before it starts ({times[0]:%H:%M})"
    if not period.strip().isdigit() or not 5 <= int(period) <= 240:
        return "period: minutes from 5 to 240"
    day = SchoolDay(times[0], times[1], int(period))
    if len(blocks(day)) > 48:
        return "period: more than 48 periods a day; make them longer"
    return day


# -- the screens -----------------------------------------------------------------------------------
EDITS = {"backspace": "delete_left", "delete": "delete_right", "left": "cursor_left", "right": "cursor_right",
         "home": "home", "end": "end", "ctrl+a": "home", "ctrl+e": "end", "ctrl+k": "delete_right_all",
         "ctrl+u": "delete_left_all", "ctrl+w": "delete_left_word", "ctrl+d": "delete_right"}


class Question(Screen[None]):
    """One question: a title, what to type, fields (Enter: the next one; on the last: `submit`).

    Keys come from `SetupApp.pump` one at a time, in the order typed, once the screen is up
    (`take_key`): a person typing ahead of a new screen, or a pasted burst, lands every key in the
    field it was typed for (focus, which Textual moves later, only follows)."""

    shortcuts: ClassVar[dict[str, str]] = {}  # key → action of this question
    # a problem starting with one of these is about that field: the cursor goes there
    problem_fields: ClassVar[dict[str, str]] = {}
    step = ""
    title_text = ""
    hint = ""
    keys = "Enter next · Esc back · Tab next field"
    fields: tuple[tuple[str, str, str], ...] = ()  # (id, label, placeholder)
    AUTO_FOCUS = "Input"

    @property
    def draft(self) -> Draft:
        return self.app.draft  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.step}  {self.title_text}"), id="setup-title")
        yield Static(Text(self.hint), id="setup-hint")
        yield from self.body()
        for fid, label, placeholder in self.fields:
            with Horizontal(classes="setup-row"):
                yield Label(Text(label), classes="setup-label")
                yield Input(self.initial(fid), placeholder=placeholder, id=fid, classes="setup-input",
                            select_on_focus=False)
        yield Static("", id="setup-error")
        yield Static(Text(self.keys), id="setup-keys")

    def body(self) -> ComposeResult:
        yield from ()

    ready = False  # mounted: keys can be handed to it
    _at = 0  # the field typed into

    def on_mount(self) -> None:
        at = self.draft.typed.get(f"{type(self).__name__}._at", "0")
        self.go(int(at) if at.isdigit() else 0)  # back where the person was typing
        self.ready = True
        self.app.pump()  # type: ignore[attr-defined]

    def inputs(self) -> list[Input]:
        return list(self.query(Input))

    def go(self, index: int) -> None:
        inputs = self.inputs()
        if inputs:
            self._at = max(0, min(index, len(inputs) - 1))
            field = inputs[self._at]
            field.cursor_position = len(field.value)
            field.focus()

    def take_key(self, key: str, character: str | None) -> None:
        """One key, typed for this question."""
        inputs = self.inputs()
        if key == "escape":
            self.action_back()
        elif key in self.shortcuts:
            getattr(self, "action_" + self.shortcuts[key])()
        elif key == "enter":
            if self._at + 1 < len(inputs) and not self.submits_early(inputs[self._at].id or ""):
                self.go(self._at + 1)
            else:
                self.submit()
        elif key in ("tab", "down") and inputs:
            self.go(self._at + 1)
        elif key in ("shift+tab", "up") and inputs:
            self.go(self._at - 1)
        elif not inputs:
            return
        elif character is not None and len(character) == 1 and character.isprintable():
            inputs[self._at].insert_text_at_cursor(character)
        elif key in EDITS:
            getattr(inputs[self._at], "action_" + EDITS[key])()

    def initial(self, fid: str) -> str:
        return self.draft.typed.get(f"{type(self).__name__}.{fid}", "")

    def value(self, fid: str) -> str:
        return self.query_one(f"#{fid}", Input).value

    def keep_typed(self) -> None:
        for fid, _, _ in self.fields:
            self.draft.typed[f"{type(self).__name__}.{fid}"] = self.value(fid)
        self.draft.typed[f"{type(self).__name__}._at"] = str(self._at)

    def clear(self) -> None:
        for fid, _, _ in self.fields:
            self.query_one(f"#{fid}", Input).value = ""
            self.draft.typed.pop(f"{type(self).__name__}.{fid}", None)
        self.go(0)

    def say(self, problem: str | None, good: bool = False) -> None:
        box = self.query_one("#setup-error", Static)
        box.update(Text(problem or ""))
        box.set_class(bool(problem) and not good, "-problem")
        box.set_class(bool(problem) and good, "-note")
        if problem and not good:
            ids = [fid for fid, _, _ in self.fields]
            for start, fid in self.problem_fields.items():
                if problem.startswith(start) and fid in ids:
                    self.go(ids.index(fid))
                    break

    def submits_early(self, fid: str) -> bool:
        return False

    def submit(self) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.keep_typed()
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit(None)

    def forward(self, screen: Screen[Any]) -> None:
        self.keep_typed()
        self.app.push_screen(screen)


class RoomQuestion(Question):
    step, title_text = "1 of 6", "Your room"
    hint = "Its name, as the board's header shows it, and its time zone."
    keys = "Enter next · Esc leave (nothing is written) · Tab next field"
    fields = (("room", "Room name", "Room 12"), ("tz", "Time zone", "America/Chicago"))
    problem_fields = {"the room": "room", "the time zone": "tz"}

    def initial(self, fid: str) -> str:
        got = super().initial(fid)
        if got or f"{type(self).__name__}.{fid}" in self.draft.typed:
            return got
        return self.draft.room if fid == "room" else self.draft.time_zone

    def submit(self) -> None:
        problem = check_room(self.value("room"), self.value("tz"))
        self.say(problem)
        if problem is None:
            self.draft.room, self.draft.time_zone = clean(self.value("room")).strip(), self.value("tz").strip()
            self.forward(StaffQuestion())


class _Listing(Question):
    """A question that builds a list: the entries so far above the fields for one more."""

    def body(self) -> ComposeResult:
        with VerticalScroll(id="setup-list", can_focus=False):
            yield Static(self.listing(), id="setup-listing")

    def listing(self) -> Text:
        raise NotImplementedError

    def redraw(self) -> None:
        self.query_one("#setup-listing", Static).update(self.listing())


class StaffQuestion(_Listing):
    step, title_text = "2 of 6", "The staff"
    hint = ("Everyone who works in the room. You (this computer account) are the teacher. Roles: teacher, "
            "para, one-to-one, related-service (speech, OT…), sub. Login: their computer user name(s). Ctrl+O "
            "reads the office's staff CSV.")
    keys = "Enter next · no name: go on · Ctrl+O staff CSV · Ctrl+R drop last · Esc back"
    fields = (("name", "Name", "Jordan Thomas"), ("short", "Short name", "Mr. T (what the board shows)"),
              ("role", "Role", "para"), ("logins", "Login(s)", "jthomas"))
    shortcuts = {"ctrl+r": "remove", "ctrl+o": "roster"}
    problem_fields = {"name": "name", "role": "role", "login": "logins"}

    def listing(self) -> Text:
        out = Text()
        for s in self.draft.staff:
            you = "  (you)" if self.draft.login in s.logins else ""
            out.append(f"{s.id:5} {s.short[:20]:20} {s.role:16} {', '.join(s.logins)[:24]}{you}\n")
        return out

    def submits_early(self, fid: str) -> bool:
        return fid == "name" and not self.value("name").strip()

    def submit(self) -> None:
        if not self.value("name").strip():
            if not any(s.role == "teacher" for s in self.draft.staff):
                self.draft.staff, _ = with_teacher(self.draft.staff, self.draft.login)
                self.redraw()
            self.say(None)
            self.forward(StudentsQuestion())
            return
        got = new_adult(self.draft.staff, self.value("name"), self.value("short"), self.value("role"),
                        self.value("logins"))
        if isinstance(got, str):
            self.say(got)
            return
        self.draft.staff.append(got)
        self.say(f"added {got.short} ({got.id}, {got.role})", good=True)
        self.redraw()
        self.clear()

    def action_remove(self) -> None:
        if self.draft.staff:
            gone = self.draft.staff.pop()
            for p in list(self.draft.students):
                if p.one_to_one == gone.id:
                    self.draft.students[self.draft.students.index(p)] = replace(p, one_to_one=None)
            self.say(f"removed {gone.short} ({gone.id})", good=True)
            self.redraw()

    def on_screen_resume(self) -> None:
        self.redraw()

    def action_roster(self) -> None:
        self.forward(StaffRosterQuestion())


def staff_to_add(typed: Sequence[RosterStaff], read: Sequence[RosterStaff]) -> tuple[list[RosterStaff], list[str]]:
    """The adults of a staff CSV that can join those typed: an id already taken gets another, and an
    adult whose login is already someone's is left out with why (one login is one person)."""
    kept: list[RosterStaff] = []
    left: list[str] = []
    for s in read:
        both = [*typed, *kept]
        owner = next((o for o in both for x in s.logins if x in o.logins), None)
        if owner is not None:
            login = next(x for x in s.logins if x in owner.logins)
            left.append(f"{clean(s.short, limit=20)}: login {login!r} is already {clean(owner.short, limit=20)}'s "
                        f"({owner.id}); one login is one person")
            continue
        taken = {o.id for o in both}
        kept.append(s if s.id not in taken else replace(s, id=_staff_id(s.name, s.role, taken)))
    return kept, left


class _CsvQuestion(_Listing):
    """A roster file read for confirmation: its rows shown (and what was refused or left out), added
    to the draft only on a second Enter with the same path."""

    read: tuple[str, list[Any]] | None = None  # the file read, and what it adds

    def listing(self) -> Text:
        return Text("")

    def load(self, path: Path) -> tuple[Roster, list[Any], list[str]]:
        """The file's roster, what it would add, and why some of it is left out."""
        raise NotImplementedError

    def rows(self, kept: list[Any]) -> list[str]:
        raise NotImplementedError

    def add(self, kept: list[Any]) -> None:
        raise NotImplementedError

    def too_many(self, kept: list[Any]) -> str | None:
        raise NotImplementedError

    def read_message(self, got: Roster, kept: list[Any], left: list[str]) -> str:
        raise NotImplementedError

    def submit(self) -> None:
        path = self.value("path").strip()
        if self.read is not None and self.read[0] == path:
            self.add(self.read[1])
            self.say(None)
            self.action_back()
            return
        self.read = None
        if not path:
            self.say("type the path of the CSV file")
            return
        try:
            got, kept, left = self.load(Path(path).expanduser())
        except RosterError as e:
            self.query_one("#setup-listing", Static).update("")
            self.say(clean(str(e)))
            return
        out = Text()
        for row in self.rows(kept):
            out.append(f"{row}\n")
        for f in got.refused:
            out.append(f"refused: {clean(f.text(got.label))}\n", style="bold")
        for why in left:
            out.append(f"left out: {why}\n", style="bold")
        for f in got.flags:
            out.append(f"look at: {clean(f.text(got.label))}\n")
        for n in got.notes:
            out.append(f"note: {clean(n)}\n")
        self.query_one("#setup-listing", Static).update(out)
        problem = self.too_many(kept)
        if problem is not None:
            self.say(problem)
            return
        self.read = (path, kept)
        self.say(self.read_message(got, kept, left), good=True)


class StaffRosterQuestion(_CsvQuestion):
    step, title_text = "2 of 6", "The staff from a CSV"
    hint = ("The file's path (name, short name, role, login columns). Its adults are shown here for you to "
            "check, and any row it refuses with its line and column. Nothing is added until Enter again.")
    keys = "Enter read the file · Enter again: add these adults · Esc back"
    fields = (("path", "Staff CSV", "~/Downloads/staff.csv"),)

    def load(self, path: Path) -> tuple[Roster, list[Any], list[str]]:
        from paratui.store.roster import load_staff

        got = load_staff(path)
        kept, left = staff_to_add(self.draft.staff, got.staff)
        return got, kept, left

    def rows(self, kept: list[Any]) -> list[str]:
        return [f"{a.id:5} {clean(a.short, limit=20):20} {a.role:16} {', '.join(a.logins)[:24]}" for a in kept]

    def add(self, kept: list[Any]) -> None:
        self.draft.staff = [*self.draft.staff, *kept]

    def too_many(self, kept: list[Any]) -> str | None:
        if len(self.draft.staff) + len(kept) > roster.STAFF_LIMIT + 1:
            return f"with the staff already typed, more than {roster.STAFF_LIMIT}"
        return None

    def read_message(self, got: Roster, kept: list[Any], left: list[str]) -> str:
        refused = len(got.refused) + len(left)
        more = f"; {refused} left out (fix the file and read it again, or add without them)" if refused else ""
        return f"{len(kept)} adults read{more}: check them, then Enter to add them"


class StudentsQuestion(_Listing):
    step, title_text = "3 of 6", "The students"
    hint = ("One at a time, or Ctrl+O to read the office's roster CSV. The board shows initials only. Enter "
            "on an empty name and initials: the next question. Para: a one-to-one para's name or id.")
    keys = "Enter next field · Ctrl+O read a roster CSV · Ctrl+R remove last · Esc back"
    fields = (("fullname", "Full name", "optional: never shown on the board"),
              ("initials", "Initials", "E.M. (worked out from the name if empty)"), ("sid", "Id", "optional: S01…"),
              ("para", "1:1 para", "optional: their name or id"))
    shortcuts = {"ctrl+r": "remove", "ctrl+o": "roster"}
    problem_fields = {"full name": "fullname", "initials": "initials", "id": "sid", "para": "para",
                      "a room needs": "fullname"}

    def listing(self) -> Text:
        out = Text()
        for p in self.draft.students:
            para = f"one-to-one: {p.one_to_one}" if p.one_to_one else ""
            out.append(f"{p.id:5} {p.initials[:12]:12} {para}\n")
        return out

    def submits_early(self, fid: str) -> bool:
        return fid == "initials" and not self.value("initials").strip() and not self.value("fullname").strip()

    def on_screen_resume(self) -> None:
        self.redraw()

    def submit(self) -> None:
        if not any(self.value(f).strip() for f, _, _ in self.fields):
            if not self.draft.students:
                self.say("a room needs at least one student")
                return
            self.say(None)
            self.forward(PlacesQuestion())
            return
        got = new_student(self.draft.students, self.draft.staff, self.value("initials"), self.value("fullname"),
                          self.value("sid"), self.value("para"))
        if isinstance(got, str):
            self.say(got)
            return
        pupil, note = got
        self.draft.students.append(pupil)
        self.say(note or f"added {pupil.initials} ({pupil.id})", good=True)
        self.redraw()
        self.clear()

    def action_remove(self) -> None:
        if self.draft.students:
            gone = self.draft.students.pop()
            self.say(f"removed {gone.initials} ({gone.id})", good=True)
            self.redraw()

    def action_roster(self) -> None:
        self.forward(RosterQuestion())


class RosterQuestion(_CsvQuestion):
    step, title_text = "3 of 6", "The students from a roster CSV"
    hint = ("The file's path. Its students are shown here with their initials for you to check, and any "
            "row it refuses with its line and column. Nothing is added until you press Enter again.")
    keys = "Enter read the file · Enter again: add these students · Esc back"
    fields = (("path", "Roster CSV", "~/Downloads/students.csv"),)

    def load(self, path: Path) -> tuple[Roster, list[Any], list[str]]:
        from paratui.store.roster import load_students

        got = load_students(path, self.draft.staff)
        return got, _renumbered(got.students, {s.id.upper() for s in self.draft.students}), []

    def rows(self, kept: list[Any]) -> list[str]:
        return [f"{p.id:5} {p.initials[:12]:12} line {p.line}" + (f"  one-to-one: {p.one_to_one}" if p.one_to_one
                                                                   else "")
                for p in tell_apart([*self.draft.students, *kept])[len(self.draft.students):]]

    def add(self, kept: list[Any]) -> None:
        self.draft.students = tell_apart([*self.draft.students, *kept])

    def too_many(self, kept: list[Any]) -> str | None:
        if len(self.draft.students) + len(kept) > roster.STUDENT_LIMIT:
            return f"with the students already typed, more than {roster.STUDENT_LIMIT}"
        return None

    def read_message(self, got: Roster, kept: list[Any], left: list[str]) -> str:
        refused = f"; {len(got.refused)} rows refused (fix the file and read it again, or add without them)" \
            if got.refused else ""
        return f"{len(kept)} students read{refused}: check the initials, then Enter to add them"


def _renumbered(students: Sequence[RosterStudent], taken: set[str]) -> list[RosterStudent]:
    """A roster's students with ids not taken by those already typed (S01… moved on)."""
    out = []
    used = set(taken)
    n = 1
    for p in students:
        sid = p.id
        if sid.upper() in used:
            while f"S{n:02d}" in used:
                n += 1
            sid = f"S{n:02d}"
        used.add(sid.upper())
        out.append(replace(p, id=sid))
    return out


class PlacesQuestion(Question):
    step, title_text = "4 of 6", "The places"
    hint = ("Where students go out of the room. Space ticks or unticks one; the room itself and "
            "\"absent\" are always there. Add gen-ed rooms by name later in classroom.toml.")
    keys = "↑↓ move · Space tick or untick · Enter next · Esc back"
    cursor = 0

    def body(self) -> ComposeResult:
        yield Static(self.listing(), id="setup-places")

    def listing(self) -> Text:
        out = Text()
        for n, p in enumerate(DEFAULT_PLACES):
            mark = "[x]" if p.id in self.draft.places else "[ ]"
            out.append(f"{'>' if n == self.cursor else ' '} {mark} {p.label}  (key {p.key})\n",
                       style="reverse" if n == self.cursor else "")
        return out

    def take_key(self, key: str, character: str | None) -> None:
        if key in ("up", "down"):
            self.cursor = max(0, min(len(DEFAULT_PLACES) - 1, self.cursor + (1 if key == "down" else -1)))
        elif key == "space":
            self.draft.places ^= {DEFAULT_PLACES[self.cursor].id}
        else:
            super().take_key(key, character)
            return
        self.query_one("#setup-places", Static).update(self.listing())

    def submit(self) -> None:
        self.forward(DayQuestion())


class DayQuestion(Question):
    step, title_text = "5 of 6", "The school day"
    hint = ("When the day starts and ends, and how long a period is: the week is written Monday to Friday, "
            "one block a period, to rename and split later.")
    fields = (("start", "Starts at", "08:00"), ("end", "Ends at", "15:00"), ("period", "Period (min)", "30"))
    problem_fields = {"start": "start", "end": "end", "the day ends": "end", "period": "period"}

    def initial(self, fid: str) -> str:
        key = f"{type(self).__name__}.{fid}"
        return self.draft.typed[key] if key in self.draft.typed else str(getattr(self.draft, fid))

    def keep_typed(self) -> None:
        super().keep_typed()
        self.draft.start, self.draft.end, self.draft.period = (self.value(f) for f in ("start", "end", "period"))

    def submit(self) -> None:
        got = parse_day(self.value("start"), self.value("end"), self.value("period"))
        if isinstance(got, str):
            self.say(got)
            return
        self.say(None)
        self.forward(ReviewQuestion())


class ReviewQuestion(_Listing):
    step, title_text = "6 of 6", "Write the room"
    keys = "Enter write the folder · Esc back and change something"
    @property
    def hint(self) -> str:  # type: ignore[override]
        return f"Into {self.app.target}: check, then Enter."  # type: ignore[attr-defined]

    def listing(self) -> Text:
        d = self.draft
        a = d.answers()
        day = a.day
        out = Text()
        out.append(f"{clean(d.room, limit=60)} · {d.time_zone} · {day.start:%H:%M}–{day.end:%H:%M}, "
                   f"{len(blocks(day))} periods of {day.period_minutes} min, Monday to Friday\n")
        out.append(f"staff ({len(a.staff)}): " + ", ".join(f"{s.short} ({s.role})" for s in a.staff) + "\n")
        out.append(f"students ({len(a.students)}): " + ", ".join(p.initials for p in a.students) + "\n")
        out.append("places: the room, " + ", ".join(p.label for p in a.places) + ", absent\n")
        return out

    def action_write(self) -> None:
        self.app.write_room()  # type: ignore[attr-defined]

    def submit(self) -> None:
        self.action_write()


class DoneScreen(Screen[None]):
    ready = True

    def take_key(self, key: str, character: str | None) -> None:
        if key in ("enter", "escape", "q"):
            self.action_leave()

    def __init__(self, lines: Sequence[str]):
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        yield Static(Text("Done: your room is written"), id="setup-title")
        yield Static(Text("\n".join(self.lines)), id="setup-hint")
        yield Static(Text("Enter leave"), id="setup-keys")

    def action_leave(self) -> None:
        self.app.exit(self.app.target)  # type: ignore[attr-defined]


class _Start(Screen[None]):
    """The bottom of the stack: Esc on the first question leaves from here."""

    def compose(self) -> ComposeResult:
        yield Static("")


class KeysInOrder(App[Any]):
    """Every key, in the order typed, to the question it was typed for (`Question.take_key`), once
    that question is up: keys typed ahead of a screen, or pasted, are never lost or misplaced."""

    def __init__(self) -> None:
        super().__init__()
        escape_key.install()
        self.keys: deque[tuple[str, str | None]] = deque()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if event.key in ("ctrl+q", "ctrl+c"):
                self.exit(None)
                return
            self.keys.append((event.key, event.character))
            self.pump()
            return
        await super().on_event(event)

    def pump(self) -> None:
        """Hand the keys typed to the screen on top while it is up (a new one pumps once mounted)."""
        while self.keys and self.is_running:
            top = self.screen
            if not getattr(top, "ready", False):
                return
            key, character = self.keys.popleft()
            top.take_key(key, character)  # type: ignore[attr-defined]

    def use_theme(self, theme_name: str | None, theme_folders: list[Path] | None) -> None:
        register_themes(self, theme_folders or [])
        wanted = theme_name or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted


class SetupApp(KeysInOrder):
    """The questions; returns the folder written, or None when left before writing."""

    CSS_PATH = "setup_app.tcss"
    TITLE = "paratui setup"

    def __init__(self, target: Path, *, login: str, time_zone: str, full_name: str | None = None,
                 theme_name: str | None = None, theme_folders: list[Path] | None = None,
                 after_write: Callable[[Path], list[str]] | None = None):
        super().__init__()
        self.target = target
        self.after_write = after_write
        staff, _ = with_teacher([], login, full_name)
        self.draft = Draft(target.expanduser().absolute().name[:60] or "Room", time_zone, login, staff)
        self.use_theme(theme_name, theme_folders)

    def on_mount(self) -> None:
        self.push_screen(_Start())
        self.push_screen(RoomQuestion())

    def write_room(self) -> None:
        from paratui.store.check import check_folder
        from paratui.store.new_room import write_new_room

        screen = self.screen
        assert isinstance(screen, Question)
        try:
            write_new_room(self.target, room_files(self.draft.answers()))
        except SetupError as e:
            screen.say("; ".join(e.problems))
            return
        except (OSError, ValueError) as e:
            screen.say(f"cannot write {getattr(e, 'filename', None) or self.target}: "
                       f"{getattr(e, 'strerror', None) or e}; nothing was written")
            return
        lines = [f"{self.target}: {len(self.draft.students)} students, {len(self.draft.answers().staff)} staff."]
        if self.after_write is not None:
            lines += self.after_write(self.target)
        problems, _ = check_folder(self.target)
        lines.append(f"paratui check: {len(problems)} problems" if problems else "paratui check: no problems")
        lines += [clean(p) for p in problems[:5]]
        lines += ["", "Open the board:", f"  paratui --data {self.target}", "",
                  "Then make schedule.toml your week and add goals to students/ID.toml (docs/setup.md)."]
        self.push_screen(DoneScreen(lines))
