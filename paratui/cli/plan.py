"""The week's plan per student: `plan STUDENT [--week W]` prints it, `plan --new [--week W]` makes the
week's file from the newest earlier week's (paratui.model.week_plan, plans/YYYY-Www.toml)."""

from __future__ import annotations

import argparse

from paratui.cli.common import Commands, command, day, open_room, say
from paratui.model.commands import Refused
from paratui.model.resolve import NotFound, find_student
from paratui.model.text import clean
from paratui.model.week_plan import WEEK, describe, monday_of, next_week, week_of


def add_plan(sub: Commands) -> None:
    pl = command(sub, "plan", "the week's plan per student (priority goals, strategies and accommodations, "
                 "the data collection plan, communication): print one student's, or make a week's file",
                 "paratui plan E.M. --week 2026-W48\n  paratui plan --new --week 2026-W49", _plan)
    pl.add_argument("student", nargs="?", metavar="STUDENT", help="initials or id (e.g. E.M.)")
    pl.add_argument("--week", metavar="WEEK", help="an ISO week (2026-W48) or any day of it (2026-11-25); "
                    "default: this week, or with --new the week after this one")
    pl.add_argument("--new", action="store_true", help="make the week's file plans/WEEK.toml from the newest "
                    "earlier week's plans (or a table per student to fill in); exit 2 if it exists")


def _week(text: str | None) -> str | None:
    if text is None:
        return None
    if WEEK.fullmatch(text.strip()):
        try:
            monday_of(text.strip())
        except ValueError:
            raise Refused(f"--week: {clean(text, limit=20)!r} is not a week of that year", "week") from None
        return text.strip()
    when = day(text, "--week")
    return week_of(when) if when else None


def _plan(args: argparse.Namespace) -> int:
    from paratui.store import week_plans

    room = open_room(args)
    snap = room.snapshot()
    this_week = week_of(room.clock().date())
    if args.new:
        week = _week(args.week) or next_week(this_week)
        try:
            path, source = week_plans.start_week(room.root, week, snap.classroom)
        except FileExistsError:
            raise Refused(f"{week_plans.plan_rel(week)} already exists (edit it, or pick another --week)",
                          "week") from None
        print(f"{week_plans.plan_rel(week)}: made" + (f" from {source}'s plans" if source else
                                                       " (a table per student to fill in)"))
        return 0
    if args.student is None:
        raise Refused("which student? (paratui plan E.M.) or --new to make a week's file", "student")
    try:
        student = find_student(snap.classroom, args.student)
    except NotFound as e:
        raise Refused(str(e), "student") from None
    week = _week(args.week) or this_week
    plan, problems = week_plans.parse(room.root, week, snap.classroom)
    kept = snap.classroom.week_plan if week == this_week else None
    if problems and kept is not None:  # this week's file is broken: the folder kept its last good version
        plan = kept
        problems = [p + " (showing the last good version)" for p in problems]
    for p in problems:
        say(p)
    if problems and kept is None:
        return 2
    print(f"{student.initials} — week {week} (from Monday {monday_of(week):%d %B %Y})")
    mine = plan.of(student.id) if plan is not None else None
    if mine is None:
        print(f"  no plan for this week ({week_plans.plan_rel(week)}"
              + (")" if plan is not None else ": no such file; `paratui plan --new` makes one)"))
        return 0
    for line in describe(mine, snap.classroom.plans.get(student.id)):
        print(f"  {clean(line)}")
    return 0
