"""Read only, for meetings and audits: `report` (one student's progress) and `history` (who did what)."""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
from datetime import date
from pathlib import Path

from paratui.cli.common import Commands, UsageProblem, command, day, open_room
from paratui.model import commands
from paratui.model.classroom import Student
from paratui.model.commands import Refused
from paratui.model.events import Event
from paratui.model.resolve import NotFound, find_staff
from paratui.model.text import clean
from paratui.store.folder import Snapshot
from paratui.store.room import Room


def add_report(sub: Commands) -> None:
    rp = command(sub, "report", "a progress report for one student (IEP meetings): CSV, Markdown, HTML or JSON",
                 "paratui report K.B. --format html --from 2026-09-01 > kb.html", _report)
    rp.add_argument("student", help="student id or initials")
    rp.add_argument("--goal", metavar="G", help="one goal only (its id)")
    rp.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="first day (default: the first entry)")
    rp.add_argument("--to", metavar="YYYY-MM-DD", help="last day (default: today)")
    rp.add_argument("--period", metavar="NAME", help="the IEP progress report of a reporting period ([[periods]] "
                    "in classroom.toml): one page per goal, with the teacher's progress statement (paratui progress); "
                    "instead of --from/--to")
    rp.add_argument("--format", choices=("csv", "md", "html", "json"), default="md",
                    help="csv: one row per entry; md / html: per goal with a chart; json: the same numbers")
    rp.add_argument("--names", action="store_true",
                    help="show the student's full name (from classroom.toml) instead of initials; "
                    "only where [data] full_names = true")
    rp.add_argument("--chart", choices=("auto", "builtin", "matplotlib"), default="auto",
                    help="html's charts: matplotlib's where the reports extra is installed (auto), or the "
                    "small built-in SVG chart")
    rp.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")


def _report(args: argparse.Namespace) -> int:
    """A student's progress report, from the journal's log stream (read only: no --as needed)."""
    gc.disable()  # a year's log stream is ~20k events read once, and nothing here makes cycles
    from paratui.model import report

    room = open_room(args)
    now = room.clock()
    if args.period is not None and (args.from_ or args.to):
        raise UsageProblem("--period is the period's days: use it, or --from/--to, not both")
    start, end = day(args.from_, "--from"), day(args.to, "--to")
    if start and end and start > end:
        raise UsageProblem("--from is after --to")
    # the log stream's days, not the whole journal; from its start, not --from: a phase begun before
    # --from is the phase of the sessions in the range (the model keeps only those days); to today,
    # not to --to: a late entry (paper data) of a day in the range may be entered after it
    snap = room.folder.load(now.date(), log_range=(None, None))
    if args.names and not snap.classroom.full_names:
        raise Refused("--names: full names are off in this room ([data] full_names = false in classroom.toml); "
                      "without --names the report shows initials", "names")
    try:
        student = commands.find_student(snap.classroom, args.student)
    except NotFound as e:
        raise Refused(str(e), "student") from None
    plan = snap.classroom.plans.get(student.id)
    if args.goal and (plan is None or plan.goal(args.goal) is None):
        choices = ", ".join(g.id for g in plan.goals) if plan else "none"
        raise Refused(f"goal: not one of {clean(student.initials)}'s goals: {clean(choices)}", "goal")
    goal = plan.goal(args.goal) if plan and args.goal else None
    if args.chart == "matplotlib" and importlib.util.find_spec("matplotlib") is None:
        raise Refused("--chart matplotlib: matplotlib is not installed (pip install -e \".[reports]\")", "chart")
    if args.period is not None:
        text = _period_report(args, room, snap, student, goal.id if goal else None)
    else:
        text = report.render(args.format, snap.classroom, student, snap.screened().events, now, start, end,
                             goal.id if goal else None, args.names, use_matplotlib=args.chart != "builtin")
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8", newline="")
        except OSError as e:
            raise UsageProblem(f"cannot write {args.output}: {e.strerror or e}") from None
        print(f"wrote {args.format} report for {clean(student.initials)} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _period_report(args: argparse.Namespace, room: Room, snap: Snapshot, student: Student,
                   goal: str | None) -> str:
    """The IEP progress report of one reporting period: the log stream read as for any report, and
    the period's day folders (the days the student was marked absent)."""
    from paratui.model import progress_report

    classroom = snap.classroom
    period = classroom.period(args.period)
    if period is None:
        listed = ", ".join(p.name for p in classroom.periods) or "none: add [[periods]] to classroom.toml"
        raise Refused(f"--period: {clean(args.period, limit=20)!r} is not a period; the room's periods: "
                      f"{clean(listed)}", "period")
    events = snap.screened().events
    today = room.clock().date()
    day_events: list[Event] = []
    if period.start <= today and args.format != "csv":  # the day folders' absences (and their retracts)
        # only, screened as all events are
        from paratui.model import access
        from paratui.store.absences import absence_events

        away = [loc.id for loc in classroom.locations if loc.kind == "away"]
        found = absence_events(room.folder.reader.journal, period.start, min(period.end, today), away)
        day_events = access.screen(found, classroom, snap.schedule).events
    return progress_report.render(args.format, classroom, student, events, day_events, room.clock(), period, goal,
                                  args.names, use_matplotlib=args.chart != "builtin")


def add_history(sub: Commands) -> None:
    hi = command(sub, "history", "the audit trail: who did what, when, from which login and computer "
                 "(retractions shown; nothing is ever deleted)",
                 "paratui history --student K.B. --from 2026-11-01 --to 2026-11-23 --format csv", _history)
    hi.add_argument("--student", metavar="S", help="only events about this student (id or initials)")
    hi.add_argument("--staff", metavar="P", help="only events recorded by this adult (id or short name)")
    hi.add_argument("--date", metavar="YYYY-MM-DD", help="one day (default: every day)")
    hi.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="first day")
    hi.add_argument("--to", metavar="YYYY-MM-DD", help="last day")
    hi.add_argument("--format", choices=("text", "json", "csv"), default="text",
                    help="text: one line per event; json; csv (opens in a spreadsheet)")


def _history(args: argparse.Namespace) -> int:
    """The audit trail (read only). Events a role did not allow are listed too, marked."""
    room = open_room(args)
    gc.disable()  # a year is ~130k rows, and nothing here makes cycles: collections only cost time

    from paratui.model import history

    if args.date and (args.from_ or args.to):
        raise UsageProblem("--date is one day: use it, or --from/--to, not both")
    start, end = day(args.date or args.from_, "--date" if args.date else "--from"), day(
        args.date or args.to, "--date" if args.date else "--to")
    if start and end and start > end:
        raise UsageProblem("--from is after --to")
    today = room.clock().date()
    if start or end:  # only the folders those days can fill (a year's journal is ~30 MB), and the
        # two weeks after them, where a later undo of their events is (the rows are only those days)
        last = end or today
        snap = room.folder.load(today, day_range=(start or date(2000, 1, 1),
                                                  max(last, min(today, last + history.LATER_UNDOS))))
    else:  # the whole journal: through this machine's cache of rows (paratui.store.history_cache)
        snap = room.folder.load(today, log_range=(today, today))
    student = staff = None
    if args.student:
        try:
            student = commands.find_student(snap.classroom, args.student).id
        except NotFound as e:
            raise Refused(str(e), "student") from None
    if args.staff:
        try:
            staff = find_staff(snap.classroom, args.staff).id
        except NotFound as e:
            raise Refused(str(e), "staff") from None
    write = sys.stdout.write
    if start or end:
        refused = snap.screened().refused
        rows = history.history_rows(snap.events, snap.classroom, student=student, staff=staff, start=start,
                                    end=end, refused=refused)
        write(history.render(rows, args.format, snap.classroom))
        return 0
    from paratui.store.history_cache import cached_history, cached_history_csv, cached_history_text

    # printed as it is made, a few thousand rows at a time: a busy room's years are a million rows
    if args.format == "text":  # the common case, made without the rows in between
        parts = cached_history_text(room.root, snap.classroom, snap.schedule, student=student, staff=staff)
    elif args.format == "csv":
        parts = cached_history_csv(room.root, snap.classroom, snap.schedule, student=student, staff=staff)
    else:
        parts = history.render_parts(cached_history(room.root, snap.classroom, snap.schedule, student=student,
                                                    staff=staff), args.format, snap.classroom)
    for part in parts:
        write(part)
    return 0
