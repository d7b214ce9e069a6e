"""Setting a room up and keeping it sound: `check`, `init`, `themes`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pwd
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from paratui.cli.common import EXIT_CODES, Commands, UsageProblem, add_common, command, say, theme_folders
from paratui.model.text import clean
from paratui.store import identity, paths
from paratui.store.folder import JOURNAL
from paratui.store.themes import load_themes

CHECK_EXIT_CODES = """exit codes:
  0  no problems
  1  problems found (each on stdout as FILE:LINE: what), or the folder is missing
  2  the command line was not understood

environment:
  PARATUI_DATA   the data folder when --data is not given (default: the demo room)
"""


if TYPE_CHECKING:
    from paratui.model.classroom import Classroom
    from paratui.store.room import Room


def add_check(sub: Commands) -> None:
    ck = sub.add_parser("check", help="validate the whole data folder (exit 1 when anything is wrong)",
                        description="validate the whole data folder: every TOML field, ids that point nowhere, "
                        "binder pages, the journal's files, and nothing that looks like a stored password; "
                        "each problem as FILE:LINE: what. Exit 0 clean, 1 when anything is wrong",
                        epilog="example:\n  paratui check --data ~/room12\n\n" + CHECK_EXIT_CODES,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ck.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS,
                    help="the classroom's data folder to check (default: $PARATUI_DATA, else the demo room)")
    what = ck.add_mutually_exclusive_group()
    what.add_argument("--conflicts", action="store_true",
                      help="only the conflict copies of the room's files (a sync tool's NAME.sync-conflict-….toml), "
                      "each as a diff against the real file (exit 1 when there are any)")
    what.add_argument("--keep-copy", metavar="COPY", help="resolve a conflict: the copy's version becomes the real "
                      "file; the real file's old version is moved into conflicts-kept/ (never deleted)")
    what.add_argument("--keep-original", metavar="COPY", help="resolve a conflict: keep the real file as it is; "
                      "the copy is moved into conflicts-kept/ (never deleted)")
    ck.set_defaults(run=_check, doing=ck.prog)


def _check(args: argparse.Namespace) -> int:
    """`paratui check`: every problem on stdout (FILE:LINE: what), a summary on stderr; exit 1 if any."""
    from paratui.store.check import check_folder
    from paratui.store.room_zone import use_room_zone

    root = paths.data_folder(args.data)
    use_room_zone(root)  # "today" is the room's (a bad zone is one of the problems listed below)
    if getattr(args, "conflicts", False):
        return _conflicts(root)
    if getattr(args, "keep_copy", None) or getattr(args, "keep_original", None):
        return _keep(root, args.keep_copy or args.keep_original, "copy" if args.keep_copy else "original")
    problems, checked = check_folder(root)
    for p in problems:
        print(clean(p))
    if problems:
        say(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {root}")
        return 1
    print(f"{clean(str(root))}: no problems ({', '.join(checked)})")
    return 0


def _conflicts(root: Path) -> int:
    """`paratui check --conflicts`: each conflict copy as a diff against its real file; exit 1 if any."""
    from paratui.store.conflicts import diff, find_conflicts

    found = find_conflicts(root)
    for c in found:
        for line in diff(root, c):
            print(line)
    if found:
        say(f"{len(found)} conflict cop{'ies' if len(found) != 1 else 'y'} in {root}: keep one version of each "
            "with `paratui check --keep-copy COPY` or `--keep-original COPY`")
        return 1
    print(f"{clean(str(root))}: no conflict copies")
    return 0


def _keep(root: Path, given: str, which: str) -> int:
    """`paratui check --keep-copy/--keep-original COPY`: one of the two versions kept, the other moved
    aside into conflicts-kept/ (nothing deleted; the real file written atomically)."""
    from paratui.store.conflicts import KeepError, keep, resolve_copy

    try:
        conflict = resolve_copy(root, given)
        done = keep(root, conflict, which, identity.now())
    except KeepError as e:
        raise UsageProblem(str(e)) from None
    except OSError as e:
        say(f"not done: cannot write {e.filename or root}: {e.strerror or e}")
        return 1
    for line in done:
        print(clean(line))
    return 0


def add_init(sub: Commands) -> None:
    i = sub.add_parser("init", help="write a new data folder: from your roster files, or a copy of the demo room",
                       description="write a new data folder. With --students: your own room, from a roster CSV "
                       "(and a staff CSV): staff, students with their initials, the usual places and a school day "
                       "cut into periods, commented and ready for `paratui check`; the account running it becomes "
                       "the teacher. Without it, at a terminal: the same room asked on screen, one question a "
                       "screen (Esc goes back). From a script (or with --from-demo): a copy of the demo room. Either "
                       "way set up to be shared by several accounts (docs/setup.md)",
                       epilog="examples:\n  paratui init ~/room12 --students students.csv --staff staff.csv "
                       "--name 'Room 12'\n  paratui init ~/room12                 (at a terminal: asks on screen)\n"
                       "  paratui init ~/demo --from-demo\n\n" + EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("dir", help="a new folder (its parent must exist)")
    i.add_argument("--from-demo", action="store_true", help="copy the demo room (the default without --students, "
                   "from a script)")
    i.add_argument("--students", metavar="CSV", help="the students: a CSV or spreadsheet export (first, last or "
                   "name; optional id, initials, grade, para), up to 40")
    i.add_argument("--staff", metavar="CSV", help="the staff: name, short name, role, login (up to 25)")
    i.add_argument("--name", metavar="ROOM", help="the room's name on the board (default: the folder's name)")
    i.add_argument("--tz", metavar="ZONE", help="the room's time zone, e.g. America/Chicago (default: this "
                   "computer's)")
    i.add_argument("--day", metavar="HH:MM-HH:MM", default="08:00-15:00", help="the school day (default "
                   "08:00-15:00)")
    i.add_argument("--period", metavar="MIN", type=int, default=30, help="minutes per period (default 30)")
    i.add_argument("--shared-login", metavar="LOGIN", action="append", default=[],
                   help="the classroom computer's shared account (repeat for several)")
    i.add_argument("--initials-only", action="store_true", help="leave the students' full names out of "
                   "classroom.toml (they are never on the board either way)")
    i.add_argument("--skip-bad-rows", action="store_true", help="write the room without the rows the roster "
                   "refused (default: write nothing until they are fixed)")
    i.set_defaults(run=_init, doing=i.prog)
    add_setup(sub)  # `paratui setup`, listed beside init


def add_setup(sub: Commands) -> None:
    s = sub.add_parser("setup", help="change the room from screens: a menu of them with no WHAT (add a student "
                       "mid-year, the week, a goal from a template, retire a goal; teacher only)",
                       description="change the room from screens instead of by hand (docs/setup.md); with no WHAT, "
                       "a menu: add a student mid-year, the week, a goal from a template, retire a goal. Every save "
                       "is in the audit trail (paratui history)",
                       epilog="example:\n  paratui setup --data ~/room12\n\n" + EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(s, False)
    s.set_defaults(run=_setup_menu, doing="paratui setup")
    what: Commands = s.add_subparsers(metavar="WHAT", required=False)
    g = command(what, "goal", "add a goal to a student's file from a template: pick the kind, fill a short form, "
                "see it as the student screen will, save (students/ID.toml, its comments kept; teacher only, from "
                "their own login)", "paratui setup goal E.M. --data ~/room12", _setup_goal)
    g.add_argument("student", help="the student: id or initials")
    wk = command(what, "week", "one day of schedule.toml on screen: split, merge, copy a day to the others, who is "
                 "with whom and where, lunches and breaks, groups and services, with the coverage problems the week "
                 "implies shown live; Ctrl+S saves (teacher only, from their own login)",
                 "paratui setup week tuesday --data ~/room12", _setup_week)
    wk.add_argument("day", nargs="?", default="monday", choices=("monday", "tuesday", "wednesday", "thursday",
                                                                  "friday"), help="the day shown first")


def _teacher_at_terminal(args: argparse.Namespace, what: str) -> tuple[Room, Classroom]:
    """The room and its classroom, when the teacher runs this from their own login in a terminal."""
    from paratui.cli.common import acting_staff, open_room
    from paratui.model.commands import NotAllowed

    room = open_room(args)
    classroom = room.snapshot().classroom
    me = acting_staff(classroom, getattr(args, "as_", None))
    if me is None or me.role != "teacher" or identity.login() not in me.logins:
        raise NotAllowed(f"only the teacher, from their own login, changes {what} from a screen")
    if not _interactive():
        raise UsageProblem(f"`{args.doing}` asks on screen: run it in a terminal (or edit {what} by hand)")
    return room, classroom


@dataclass
class _Audit:
    saved: list[str] = field(default_factory=list)  # the files saved, in order
    problems: list[str] = field(default_factory=list)  # saves that could not be recorded


@contextmanager
def _audited(room: Room, actor: str) -> Iterator[_Audit]:
    """While inside, every save from a setup screen is an event of the audit trail (`setup.save`,
    through the command layer: the actor, the file, what, its sha256 before and after). The files
    are written first: a save that cannot be recorded is said (the list), never undone."""
    from paratui.model.commands import Refused, setup_saved
    from paratui.store.journal import JournalWriteError
    from paratui.store.student_file import Saved, recording

    audit = _Audit()

    def record(saved: Saved) -> None:
        audit.saved.append(saved.file)
        try:
            room.apply(setup_saved(room.context(actor), saved.file, saved.what, saved.before, saved.after), actor)
        except (Refused, JournalWriteError, OSError) as e:
            audit.problems.append(f"{saved.file} was saved but not recorded in the audit trail: "
                                  f"{getattr(e, 'message', None) or e}")

    with recording(record):
        yield audit
    for p in audit.problems:
        say(clean(p))


def _setup_menu(args: argparse.Namespace) -> int:
    """`paratui setup`: the menu (paratui/app/later_setup.py); the week and a new goal are their own
    screens, opened from it and back to it when they close."""
    from paratui.app.later_setup import LaterApp

    room, classroom, me = _teacher(args, "the room's files")
    said = ""
    with _audited(room, me) as audit:
        while True:
            classroom = room.snapshot().classroom  # what the last screen saved, read again
            app = LaterApp(room.root, classroom, identity.now().date(), said, theme_name=getattr(args, "theme", None),
                           theme_folders=theme_folders(room.root))
            picked = app.run()
            if picked is None:
                break
            kind, student = picked
            if kind == "week":
                week = _run_week(room, classroom, args, "monday")
                said = f"saved {' and '.join(week)}" if week else "schedule.toml not changed"
            else:
                goal = _run_goal(room, classroom, args, student)
                said = f"added goal {clean(goal, limit=30)} to students/{student}.toml" if goal \
                    else "no goal added"
    files = sorted(set(audit.saved))
    print(f"{len(audit.saved)} save{'s' if len(audit.saved) != 1 else ''} from the setup screens"
          + (f" ({', '.join(files)}; in `paratui history`); `paratui check --data {room.root}`" if files else ""))
    return 1 if audit.problems else 0


def _teacher(args: argparse.Namespace, what: str) -> tuple[Room, Classroom, str]:
    room, classroom = _teacher_at_terminal(args, what)
    from paratui.cli.common import acting_staff

    me = acting_staff(classroom, getattr(args, "as_", None))
    assert me is not None
    return room, classroom, me.id


def _run_week(room: Room, classroom: Classroom, args: argparse.Namespace, day: str) -> list[str]:
    """The week editor; the files it saved (none when it was left without saving)."""
    from paratui.app.week_setup import WeekApp
    from paratui.store.student_file import read_room_file

    try:
        read = read_room_file(room.root, "schedule.toml")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageProblem(f"schedule.toml cannot be read: {getattr(e, 'strerror', None) or e}") from None
    app = WeekApp(room.root, classroom, read, day, theme_name=getattr(args, "theme", None),
                  theme_folders=theme_folders(room.root))
    if not app.run():
        return []
    return list(app.saved_files) or ["schedule.toml"]


def _run_goal(room: Room, classroom: Classroom, args: argparse.Namespace, student_id: str) -> str | None:
    from paratui.app.goal_setup import GoalApp
    from paratui.store.student_file import read_student_file

    student = classroom.student_by_id()[student_id]
    try:
        read = read_student_file(room.root, student.id)
    except (OSError, UnicodeDecodeError) as e:
        raise UsageProblem(f"students/{student.id}.toml cannot be read: {getattr(e, 'strerror', None) or e}") \
            from None
    app = GoalApp(room.root, classroom, student, read, identity.now().date(), theme_name=getattr(args, "theme", None),
                  theme_folders=theme_folders(room.root))
    saved: str | None = app.run()
    return saved


def _setup_week(args: argparse.Namespace) -> int:
    room, classroom, me = _teacher(args, "schedule.toml")
    with _audited(room, me):
        saved = _run_week(room, classroom, args, args.day)
    if not saved:
        say("schedule.toml not changed")
        return 1
    print(f"saved {' and '.join(saved)}; `paratui check --data {room.root}`")
    return 0


def _setup_goal(args: argparse.Namespace) -> int:
    from paratui.model.resolve import NotFound, find_student

    room, classroom, me = _teacher(args, "the goal files")
    try:
        student = find_student(classroom, args.student)
    except NotFound as e:
        raise UsageProblem(str(e)) from None
    with _audited(room, me):
        saved = _run_goal(room, classroom, args, student.id)
    if saved is None:
        say("nothing was written")
        return 1
    print(f"added goal {clean(saved, limit=30)} to students/{student.id}.toml; `paratui check --data {room.root}`")
    return 0


def _init(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    if args.from_demo and args.students:
        raise UsageProblem("--from-demo copies the demo room; --students writes your own: choose one")
    if args.staff and not args.students:
        raise UsageProblem("--staff needs --students (the room's students)")
    _check_target(target)
    if args.students:
        return _init_from_roster(args, target)
    if not args.from_demo and _interactive():
        return _init_on_screen(args, target)
    return _init_demo(target)


def _interactive() -> bool:
    """A person at a terminal (not a script, a pipe or a test): `init` asks on screen."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _init_on_screen(args: argparse.Namespace, target: Path) -> int:
    """`paratui init DIR` at a terminal: the room from the setup screens (paratui/app/setup_app.py),
    written by the same functions as `--students`."""
    from paratui.app.setup_app import SetupApp
    from paratui.store.sharing import setup_shared

    app = SetupApp(target, login=identity.login(), time_zone=_time_zone(None), full_name=_full_name(),
                   theme_name=getattr(args, "theme", None), theme_folders=theme_folders(None),
                   after_write=setup_shared)
    written = app.run()
    if written is None:
        say("left before the last question: nothing was written (`paratui init DIR --from-demo` copies the demo)")
        return 1
    print(f"wrote your room in {target}")
    print(f"then run: paratui --data {target}")
    return 0


def _check_target(target: Path) -> None:
    parent = target.expanduser().absolute().parent
    if target.exists() and not target.is_dir():
        raise UsageProblem(f"{target} is a file; choose a new folder name")
    if (target / "classroom.toml").exists():
        raise UsageProblem(f"{target} already has a classroom.toml; not overwriting it")
    if not parent.is_dir():
        raise UsageProblem(f"{parent} does not exist; create it first (or check the spelling)")
    if not os.access(parent, os.W_OK | os.X_OK) and not target.is_dir():
        raise UsageProblem(f"cannot create {target}: {parent} is not writable for you")


def _init_demo(target: Path) -> int:
    from paratui.store.sharing import setup_shared

    try:
        target.mkdir(exist_ok=True)
        shutil.copytree(paths.demo_data(), target, dirs_exist_ok=True,
                        ignore=lambda d, names: [n for n in names if n == JOURNAL])
        (target / JOURNAL).mkdir(exist_ok=True)
        shared = _own_shared_login(target / "classroom.toml")
        done = setup_shared(target)
    except OSError as e:
        raise UsageProblem(f"cannot write {e.filename or target}: {e.strerror or e}") from None
    print(f"wrote a starter classroom in {target}: edit classroom.toml, schedule.toml and binder/,")
    print(f"  the shared (workstation) login is {clean(shared, limit=32)!r}, the account that ran init: other"
          " logins get a read-only board until they are listed (docs/roles-and-privacy.md: Who is acting)")
    for line in done:
        print(f"  {line}")
    print(f"then run: paratui --data {target}")
    return 0


def _init_from_roster(args: argparse.Namespace, target: Path) -> int:
    """`paratui init DIR --students CSV [--staff CSV]`: the room from the roster, nothing written
    while a row is refused (unless --skip-bad-rows)."""
    from paratui.model.room_setup import RoomAnswers, SchoolDay, SetupError, room_files
    from paratui.model.roster import Roster, RosterError, with_teacher
    from paratui.store.new_room import write_new_room
    from paratui.store.roster import load_staff, load_students
    from paratui.store.sharing import setup_shared

    day = _school_day(args.day, args.period)
    zone = _time_zone(args.tz)
    login = identity.login()
    rosters: list[Roster] = []
    try:
        staff_roster = load_staff(Path(args.staff)) if args.staff else None
        if staff_roster is not None:
            rosters.append(staff_roster)
        staff, said = with_teacher(staff_roster.staff if staff_roster else (), login, _full_name())
        students = load_students(Path(args.students), staff)
        rosters.append(students)
    except RosterError as e:
        raise UsageProblem(str(e)) from None
    refused = sum(len(r.refused) for r in rosters)
    for r in rosters:
        for f in r.refused:
            print(f"refused: {clean(f.text(r.label))}", file=sys.stderr)
        for f in r.flags:
            print(f"look at: {clean(f.text(r.label))}", file=sys.stderr)
        for n in r.notes:
            print(f"note: {clean(r.label)}: {clean(n)}", file=sys.stderr)
    if refused and not args.skip_bad_rows:
        raise UsageProblem(f"{refused} row{'s' if refused != 1 else ''} refused (above): fix them and run this "
                           "again, or add --skip-bad-rows to leave them out; nothing was written")
    answers = RoomAnswers(args.name or target.expanduser().absolute().name, zone, tuple(staff), students.students,
                          day=SchoolDay(*day), shared_logins=tuple(args.shared_login),
                          full_names=not args.initials_only)
    try:
        files = room_files(answers)
    except SetupError as e:
        raise UsageProblem("; ".join(e.problems)) from None
    try:
        write_new_room(target, files)
        done = setup_shared(target)
    except OSError as e:
        raise UsageProblem(f"cannot write {e.filename or target}: {e.strerror or e}") from None
    by_id = {s.id: s for s in staff}
    print(f"wrote {clean(answers.room, limit=60)!r} in {target}: {len(students.students)} students, "
          f"{len(staff)} staff ({clean(said)})")
    print("  the students (check the initials: they are all the board shows):")
    for p in students.students:
        para = f"  one-to-one: {p.one_to_one}" if p.one_to_one in by_id else ""
        print(f"    {p.id:4} {clean(p.initials, limit=12):8} {clean(students.label)} line {p.line}{para}")
    print("  the staff:")
    for s in staff:
        logins = ", ".join(s.logins) or "no login yet"
        print(f"    {s.id:4} {clean(s.short, limit=20):20} {s.role:16} {clean(logins, limit=60)}")
    for line in done:
        print(f"  {line}")
    print(f"next: paratui setup week --data {target} makes schedule.toml your week (one block a period so far),")
    print(f"paratui setup goal ID --data {target} adds a goal; then paratui check --data {target} and "
          f"paratui --data {target}")
    return 0


def _school_day(span: str, period: int) -> tuple[dt.time, dt.time, int]:
    try:
        start_s, end_s = span.split("-")
        start, end = dt.time.fromisoformat(start_s.strip()), dt.time.fromisoformat(end_s.strip())
    except ValueError:
        raise UsageProblem("--day: expected the school day as HH:MM-HH:MM, e.g. 08:00-15:00") from None
    if end <= start:
        raise UsageProblem("--day: the end is not after the start")
    if not 5 <= period <= 240:
        raise UsageProblem("--period: expected minutes from 5 to 240")
    return start, end, period


def _time_zone(given: str | None) -> str:
    """The zone named (checked against this computer's time zone database), else this computer's."""
    import zoneinfo

    name = given or _local_zone()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        if given is None:
            return "UTC"
        raise UsageProblem(f"--tz: {clean(name, limit=40)!r} is not a time zone this computer knows "
                           "(e.g. America/Chicago, Europe/Paris)") from None
    return name


def _local_zone() -> str:
    from paratui.store.room_zone import machine_zone

    return machine_zone()


def _full_name() -> str | None:
    """This account's full name from the system (GECOS), for a teacher the staff list does not have."""
    try:
        gecos = pwd.getpwuid(os.geteuid()).pw_gecos.split(",")[0].strip()
    except KeyError:
        return None
    return gecos or None


def _own_shared_login(toml: Path) -> str:
    """A new room is not the demo: instead of every login being the shared account ("*", so the
    demo can be tried as anyone), only the account setting it up is; the rest read only until
    they are mapped in `logins` or listed in `shared_logins`."""
    login = identity.login()
    text = toml.read_text(encoding="utf-8")
    text = text.replace('shared_logins = ["*"]', f"shared_logins = [{json.dumps(login)}]  # the account that ran "
                        "`paratui init`: list the classroom workstation's account(s) here", 1)
    text = text.replace("\npins = false\n",
                        "\npins = true  # at the shared login, the teacher's PIN (`paratui pin set`)\n", 1)
    toml.write_text(text, encoding="utf-8")
    return login


def add_themes(sub: Commands) -> None:
    command(sub, "themes", "list the board themes (built in, and the data folder's themes/)", "paratui themes",
            _themes)


def _themes(args: argparse.Namespace) -> int:
    themes, problems = load_themes(theme_folders(paths.data_folder(args.data)))
    for t in themes:
        traits = ", ".join(x for x in ("dark" if t.dark else "light", "large text" if t.large else "") if x)
        print(f"{clean(t.name, limit=40):24} {traits:20} {clean(t.source)}")
    for p in problems:
        print(f"problem: {clean(p)}", file=sys.stderr)
    return 0
