"""`paratui` on the command line: open the board, or read and write the same journal from scripts,
screen readers and SSH sessions without a terminal UI.

Every write goes through paratui.model.commands (the same functions the board's keys call) and
paratui.store.room.Room.apply. Exit codes: see EXIT_CODES.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
from datetime import timedelta
from pathlib import Path

from paratui import __version__
from paratui.model import access, commands, data_commands
from paratui.model.classroom import Classroom, Staff
from paratui.model.commands import Change, NotAllowed, Refused
from paratui.model.export import board_to_dict, board_to_text
from paratui.model.resolve import NotFound, find_staff
from paratui.model.text import clean
from paratui.store import identity, paths
from paratui.store.folder import JOURNAL, FolderError
from paratui.store.journal import JournalWriteError
from paratui.store.room import Room
from paratui.store.themes import load_themes

EXIT_CODES = """exit codes:
  0  done
  1  the disk, the journal or the data folder itself failed (missing, unwritable);
     nothing was written
  2  not understood or refused (unknown or ambiguous name, bad time, a change that
     makes no sense now, a data folder with no usable classroom.toml / schedule.toml);
     the message says why and lists the choices; nothing was written
  3  not allowed for this person's role; nothing was written

environment:
  PARATUI_DATA   the data folder when --data is not given (default: the demo room)
  PARATUI_NOW    the classroom clock, e.g. 2026-11-23T10:15 (demos, drills, tests)
"""
class UsageProblem(Exception):
    """Exit 2: the command line itself does not make sense (before any name is looked up)."""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the interval must be above 0 seconds")
    return value


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    # On sub-commands the defaults are SUPPRESS so `paratui --data X move …` and
    # `paratui move … --data X` both work.
    d = (lambda v: v) if top else (lambda v: argparse.SUPPRESS)
    parser.add_argument("--data", metavar="DIR", default=d(None),
                        help="the classroom's data folder (default: $PARATUI_DATA, else the demo room)")
    parser.add_argument("--as", dest="as_", metavar="STAFF", default=d(None),
                        help="who is acting: staff id, short name or login (default: your login, "
                             "through `logins` in classroom.toml)")


def _sub(sub, name: str, help: str, example: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help, description=help, epilog=f"example:\n  {example}\n\n{EXIT_CODES}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(parser, False)
    return parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="paratui", description="A live room board for classroom teams. With no command, opens the "
        "board in this terminal (over SSH: `ssh -t`).",
        epilog="examples:\n  paratui --as JT                      open the board as Mr. T\n"
               "  paratui move E.M. --to bathroom --as JT\n  paratui board --plain\n\n"
               "`paratui COMMAND --help` describes each command.\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"paratui {__version__}")
    _common(p, True)
    p.add_argument("--theme", metavar="NAME", help="board theme (see `paratui themes`)")
    p.add_argument("--poll", nargs="?", const=1.0, type=_positive_seconds, metavar="SECONDS",
                   help="watch the folder by polling every SECONDS (network shares; default 1)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = _sub(sub, "board", "print the board once, without the terminal UI", "paratui board --json")
    g = b.add_mutually_exclusive_group()
    g.add_argument("--plain", action="store_true", help="plain text, one fact a line (the default)")
    g.add_argument("--json", action="store_true", help="JSON (the schema is in the README)")

    m = _sub(sub, "move", "a student leaves for a place (\"I'm taking E.M. to the bathroom\")",
             "paratui move E.M. --to bathroom --as JT")
    m.add_argument("student", help="student id or initials (S01, E.M., em)")
    m.add_argument("--to", required=True, metavar="LOCATION", help="where to: location id or label (bath, nurse)")
    m.add_argument("--with", dest="with_", nargs="*", metavar="STAFF",
                   help="adults going along (default: the person acting; --with alone: nobody). "
                        "Places in the room and `away` places take no adult")

    bk = _sub(sub, "back", "a student is back in the room", "paratui back E.M. --as JT")
    bk.add_argument("student", help="student id or initials")

    a = _sub(sub, "assign", "today's change: an adult with students, somewhere, until a time",
             "paratui assign AL --with EM KB --at library --activity 'Library visit' --until 10:30 --as MR")
    a.add_argument("staff", help="the adult: staff id or short name")
    a.add_argument("--with", dest="with_", nargs="*", default=[], metavar="STUDENT",
                   help="students: ids, initials, group names from classroom.toml, or `all`")
    a.add_argument("--at", metavar="LOCATION", help="where (default: where the block is)")
    a.add_argument("--activity", metavar="TEXT", help="doing what")
    a.add_argument("--until", metavar="HH:MM", help="until when (default: the end of the current block)")

    ab = _sub(sub, "absent", "an adult is out today, and who subs for them",
              "paratui absent AL --sub SUB --as MR")
    ab.add_argument("staff", help="the adult who is out")
    ab.add_argument("--sub", metavar="STAFF", help="takes their place in the schedule (default: nobody)")
    ab.add_argument("--until", metavar="HH:MM", help="out until (default: the rest of the day)")

    t = sub.add_parser("task", help="add, claim, finish, reopen or list tasks",
                       description="add, claim, finish, reopen or list tasks (recurring ones come from recurring.toml)")
    tsub = t.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    ta = _sub(tsub, "add", "add a task", "paratui task add 'Copies of the math page' --for AL --due 13:00 --as MR")
    ta.add_argument("text", help="what needs doing")
    ta.add_argument("--for", dest="for_", metavar="STAFF", help="who should do it (default: anyone)")
    ta.add_argument("--about", metavar="STUDENT", help="the student it is about (id or initials)")
    ta.add_argument("--due", metavar="WHEN", help="HH:MM today, YYYY-MM-DD, or YYYY-MM-DDTHH:MM")
    for action, what, example in (("claim", "\"I've got it\": take an open task, so nobody does it twice", "3f9a"),
                                  ("done", "mark a task done", "3f9a"),
                                  ("reopen", "a task marked done is not: open again, nobody has it", "3f9a")):
        tx = _sub(tsub, action, what, f"paratui task {action} {example} --as AL")
        tx.add_argument("id", help="the task id shown on the board (the first letters are enough)")
    tl = _sub(tsub, "list", "the tasks on the board: open ones, done today, today's recurring ones",
              "paratui task list --mine --as JT")
    tl.add_argument("--mine", action="store_true", help="only tasks for me or claimed by me (needs --as or a login)")
    tl.add_argument("--open", action="store_true", help="only tasks not done")

    nt = _sub(sub, "note", "a note to one adult, several or everyone (prints the note's id)",
              "paratui note 'R.N. had a rough bus ride' --to JT DP --about R.N. --urgent --as MR")
    nt.add_argument("text", help="the note")
    nt.add_argument("--to", nargs="+", metavar="STAFF", help="addressees (default: everyone but you)")
    nt.add_argument("--about", metavar="STUDENT", help="the student it is about (id or initials)")
    nt.add_argument("--kind", metavar="K", help="handoff (default), check-in, feedback or kudos")
    nt.add_argument("--urgent", action="store_true",
                    help="on every board until each addressee has acknowledged it (paratui ack)")
    ak = _sub(sub, "ack", "acknowledge a note addressed to you", "paratui ack 3f9a --as JT")
    ak.add_argument("id", help="the note's id (the first letters are enough)")

    lg = _sub(sub, "log", "record one observation for a student's IEP goal (students/ID.toml)",
              "paratui log K.B. coins + --prompt V --as JT")
    lg.add_argument("student", help="student id or initials")
    lg.add_argument("goal", help="the goal's id in students/ID.toml")
    lg.add_argument("value", nargs="?", help="+ or - (trials, interval, mts; `missed`), a count (tally; default 1), "
                    "seconds (duration, latency: 90, 1:30, 2m), a step's prompt level or - (task analysis)")
    lg.add_argument("--prompt", metavar="CODE", help="prompt level (the room's codes, e.g. FP PP M G V I)")
    lg.add_argument("--step", metavar="N", help="task analysis: the step's number or name (default: the next)")
    lg.add_argument("--note", metavar="TEXT", help="a short note")

    ac = _sub(sub, "abc", "record an ABC (antecedent, behavior, consequence) for a student",
              "paratui abc R.N. --behavior elopement --antecedent 'Task demand' --consequence 2 --as DP")
    ac.add_argument("student", help="student id or initials")
    ac.add_argument("--behavior", required=True, metavar="B",
                    help="one of the student's behaviors (id, name or number)")
    ac.add_argument("--antecedent", metavar="A", help="from the behavior's pick list (text or number), or other text")
    ac.add_argument("--consequence", metavar="C", help="from the pick list (text or number), or other text")
    ac.add_argument("--setting", metavar="S", help="from the pick list (text or number), or other text")
    ac.add_argument("--note", metavar="TEXT", help="a short note (intensity, duration…)")

    tm = sub.add_parser("timer", help="start or stop a duration / latency timer",
                        description="start or stop a duration / latency timer")
    tmsub = tm.add_subparsers(dest="timer_command", metavar="ACTION", required=True)
    for action in ("start", "stop"):
        ts = _sub(tmsub, action, f"{action} the timer for a student's duration or latency goal",
                  f"paratui timer {action} R.N. tantrum --as DP")
        ts.add_argument("student", help="student id or initials")
        ts.add_argument("goal", help="a duration or latency goal's id")

    rp = _sub(sub, "report", "a progress report for one student (IEP meetings): CSV, Markdown, HTML or JSON",
              "paratui report K.B. --format html --from 2026-09-01 > kb.html")
    rp.add_argument("student", help="student id or initials")
    rp.add_argument("--goal", metavar="G", help="one goal only (its id)")
    rp.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="first day (default: the first entry)")
    rp.add_argument("--to", metavar="YYYY-MM-DD", help="last day (default: today)")
    rp.add_argument("--format", choices=("csv", "md", "html", "json"), default="md",
                    help="csv: one row per entry; md / html: per goal with a chart; json: the same numbers")
    rp.add_argument("--names", action="store_true",
                    help="show the student's full name (from classroom.toml) instead of initials")
    rp.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")

    hi = _sub(sub, "history", "the audit trail: who did what, when, from which login and computer "
              "(retractions shown; nothing is ever deleted)",
              "paratui history --student K.B. --from 2026-11-01 --to 2026-11-23 --format csv")
    hi.add_argument("--student", metavar="S", help="only events about this student (id or initials)")
    hi.add_argument("--staff", metavar="P", help="only events recorded by this adult (id or short name)")
    hi.add_argument("--date", metavar="YYYY-MM-DD", help="one day (default: every day)")
    hi.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="first day")
    hi.add_argument("--to", metavar="YYYY-MM-DD", help="last day")
    hi.add_argument("--format", choices=("text", "json", "csv"), default="text",
                    help="text: one line per event; json; csv (opens in a spreadsheet)")
    # -- today's changes (paratui.model.change_commands) and `check` ----------------------------
    ch = sub.add_parser("change", help="today's changes to the base week: drill, assembly, block, "
                        "student-out, student-absent, lend", description="today's changes to the base week "
                        "(today only; `paratui undo` retracts one)")
    chsub = ch.add_subparsers(dest="change_command", metavar="KIND", required=True)
    for kind, what in (("drill", "a fire drill"), ("assembly", "an assembly")):
        cd = _sub(chsub, kind, f"{what}: a time range replaced for everyone (adults keep their students)",
                  f"paratui change {kind} --from 10:30 --to 10:50 --as MR")
        cd.add_argument("--from", dest="from_", required=True, metavar="HH:MM", help="starts")
        cd.add_argument("--to", required=True, metavar="HH:MM", help="ends")
        cd.add_argument("--at", metavar="LOCATION", help="where everyone goes (default: where the block is)")
        cd.add_argument("--note", metavar="TEXT", help="a short note (shown with it)")
    cb = _sub(chsub, "block", "today only: a block at another time, place or activity",
              "paratui change block 13:15 --start 13:30 --activity 'Cooking (late start)' --as MR")
    cb.add_argument("block", metavar="HH:MM", help="the block's start time in the base week (today's blocks are "
                    "listed when it matches none)")
    cb.add_argument("--start", metavar="HH:MM", help="new start")
    cb.add_argument("--end", metavar="HH:MM", help="new end")
    cb.add_argument("--at", metavar="LOCATION", help="new place")
    cb.add_argument("--activity", metavar="TEXT", help="new activity")
    cb.add_argument("--note", metavar="TEXT", help="a short note")
    co = _sub(chsub, "student-out", "a student out of their block for services (speech, OT, a meeting)",
              "paratui change student-out K.B. --for speech --from 10:30 --to 11:00 --with SK --as MR")
    co.add_argument("student", help="student id or initials")
    co.add_argument("--for", dest="for_", metavar="SERVICE", help="what for (speech, OT…; also the default place)")
    co.add_argument("--at", metavar="LOCATION", help="where (default: the location named like --for)")
    co.add_argument("--from", dest="from_", metavar="HH:MM", help="from (default: now)")
    co.add_argument("--to", required=True, metavar="HH:MM", help="until")
    co.add_argument("--with", dest="with_", nargs="*", default=[], metavar="STAFF",
                    help="adults going with them (default: none; the place's own adult)")
    co.add_argument("--note", metavar="TEXT", help="a short note")
    ca = _sub(chsub, "student-absent", "a student is not in school today",
              "paratui change student-absent O.W. --as MR")
    ca.add_argument("student", help="student id or initials")
    ca.add_argument("--note", metavar="TEXT", help="a short note")
    cl = _sub(chsub, "lend", "an adult is lent to another room until a time",
              "paratui change lend JT --to 'Room 8' --until 11:30 --as MR")
    cl.add_argument("staff", help="the adult lent")
    cl.add_argument("--to", required=True, metavar="ROOM", help="which room (text)")
    cl.add_argument("--until", required=True, metavar="HH:MM", help="back at")
    cl.add_argument("--note", metavar="TEXT", help="a short note")

    ck = sub.add_parser("check", help="validate the whole data folder (exit 1 when anything is wrong)",
                        description="validate the whole data folder: every TOML field, ids that point nowhere, "
                        "binder pages, the journal's files, and nothing that looks like a stored password; "
                        "each problem as FILE:LINE: what. Exit 0 clean, 1 when anything is wrong",
                        epilog="example:\n  paratui check --data ~/room12",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ck.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS, help="the data folder (default as above)")

    mt = _sub(sub, "meeting", "the Friday meeting's agenda, prefilled from the week (Markdown)",
              "paratui meeting --week 2026-11-20 > agenda.md")
    mt.add_argument("--week", metavar="YYYY-MM-DD", help="a day of the week (default: this week)")
    mt.add_argument("--format", choices=("md",), default="md", help="md: Markdown (prints anywhere)")

    mi = _sub(sub, "meeting-items", "turn a meeting's action items (`- [ ] what @STAFF due` in "
              "binder/meetings/DATE.md) into tasks; each new task's id is written back after its line",
              "paratui meeting-items 2026-11-27 --as MR")
    mi.add_argument("date", nargs="?", metavar="YYYY-MM-DD",
                    help="the meeting's date, or any day of its week (default: this week's Friday)")

    _sub(sub, "undo", "retract the last thing this person recorded (nothing is ever deleted)",
         "paratui undo --as JT")

    rt = _sub(sub, "retract", "retract one entry of any day, anyone's, by its id (a `retract` event; nothing "
              "is deleted): the board and reports stop counting it", "paratui retract 3f9a1c --as MR")
    rt.add_argument("id", help="the event id, or its first letters (at least 4; printed in [brackets] after "
                               "each entry, and on the student screen)")

    i = sub.add_parser("init", help="write a starter data folder (a copy of the demo room)",
                       description="write a starter data folder (a copy of the demo room), set up to be "
                       "shared by several accounts", epilog=f"example:\n  paratui init ~/room12\n\n{EXIT_CODES}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("dir", help="a new folder (its parent must exist)")

    _sub(sub, "themes", "list the board themes (built in, and the data folder's themes/)", "paratui themes")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        identity.now()  # a malformed PARATUI_NOW is a usage problem, said once, up front
        if args.command is None:
            return _open_board(args)
        if args.command == "init":
            return _init(Path(args.dir))
        if args.command == "themes":
            return _themes(args)
        if args.command == "check":
            return _check(paths.data_folder(args.data))
        room = Room(paths.data_folder(args.data))
        if args.command == "board":
            state = room.board()
            if args.json:
                print(json.dumps(board_to_dict(state), indent=2, ensure_ascii=False))
            else:
                print(board_to_text(state), end="")
            return 0
        if args.command == "report":
            return _report(room, args)
        if args.command == "history":
            return _history(room, args)
        if args.command == "meeting":
            return _meeting(room, args)
        if args.command == "meeting-items":
            return _meeting_items(room, args)
        if args.command == "task" and args.task_command == "list":
            return _task_list(room, args)
        return _write(room, args)
    except (UsageProblem, identity.ClockError) as e:
        _say(str(e))
        return 2
    except Refused as e:
        _say(e.message)
        return e.exit_code
    except FolderError as e:
        _say("the data folder cannot be used:")
        for p in e.problems:
            print(f"  {clean(p)}", file=sys.stderr)
        # a folder that is gone (unmounted share, mid-restore) is a failure of the folder: 1;
        # one with no good classroom.toml / schedule.toml ever read is a problem to fix: 2
        return 2 if paths.data_folder(getattr(args, "data", None)).is_dir() else 1
    except JournalWriteError as e:
        _say(f"NOT recorded: {e}")
        return 1


def _say(message: str) -> None:
    print(f"paratui: {clean(message)}", file=sys.stderr)


def acting_staff(classroom: Classroom, as_: str | None) -> Staff | None:
    """Who is acting, from the OS login (never USER): a personal login is its person (--as someone
    else: exit 3); the shared classroom login names someone with --as; anyone else reads only."""
    if as_:
        try:
            find_staff(classroom, as_)
        except NotFound as e:
            raise Refused(str(e), "as") from None
    who = access.acting(classroom, identity.login(), as_)
    if who.refusal:
        raise NotAllowed(who.refusal)
    return classroom.staff_by_id()[who.staff] if who.staff else None


def _write(room: Room, args: argparse.Namespace) -> int:
    snap = room.snapshot()
    me = acting_staff(snap.classroom, getattr(args, "as_", None))
    if me is None:
        raise Refused(
            f"who is acting? login {identity.login()!r} is the shared classroom login; "
            f"add --as STAFF ({', '.join(s.id for s in snap.classroom.staff)})", "as")
    ctx = room.context(me.id, snap)
    if args.command == "retract":
        ctx = _retract_context(room, ctx, args.id)
    try:
        change = _command(ctx, args)
    except Refused as e:
        if args.command == "task" and e.field == "task" and "matches no task" in e.message:
            # the board's read leaves out tasks done before last month: look in every task month
            events = room.folder.reader.task_events()
            commands.task_done(commands.Context(ctx.classroom, ctx.schedule, events, ctx.now, me.id), args.id)
        raise
    if change is None:
        print(f"paratui: nothing to undo for {clean(me.short)}")
        return 0
    event = room.apply(change, me.id)
    said = change.text if change.type == "retract" else f"recorded: {change.text}"
    print(f"{said}  [{event.id[:6]}] by {clean(me.short)} at {ctx.now:%H:%M}")
    if change.type == "note":
        print(f"note id: {event.id}")
    if change.type == "task.claim":
        _claim_check(room, change.payload["task"], me)
    return 0


def _claim_check(room: Room, task_id: str, me: Staff) -> None:
    """Two people may claim at once (each saw it free): the journal keeps both and every board shows
    the earlier claim as the owner. Read back, so the later one hears it now."""
    row = next((t for t in room.board().tasks if t.id == task_id), None)
    if row is not None and row.claimed_by not in (None, me.id):
        staff = {s.id: s for s in room.snapshot().classroom.staff}
        who = staff.get(row.claimed_by or "")
        at = f" at {row.claimed_at:%H:%M}" if row.claimed_at else ""
        print(f"paratui: {clean(who.short if who else 'someone')} claimed it first{at}: it is theirs "
              f"(every board shows {clean(who.short if who else 'them')})", file=sys.stderr)


def _task_list(room: Room, args: argparse.Namespace) -> int:
    """The board's tasks, one a line; --mine: for me or claimed by me."""
    state = room.board()
    snap = room.snapshot()
    shorts = {s.id: s.short for s in snap.classroom.staff}
    kids = {s.id: s.initials for s in snap.classroom.students}
    rows = list(state.tasks)
    if args.mine:
        me = acting_staff(snap.classroom, getattr(args, "as_", None))
        if me is None:
            ids = ", ".join(s.id for s in snap.classroom.staff)
            raise Refused(f"--mine: who are you? add --as STAFF ({ids})", "as")
        rows = [t for t in rows if t.mine(me.id)]
    if args.open:
        rows = [t for t in rows if not t.done]
    for t in rows:
        bits = [f"for {shorts.get(t.for_, t.for_)}" if t.for_ else "for anyone"]
        if t.about:
            bits.append(f"about {kids.get(t.about, t.about)}")
        if t.due:
            bits.append(f"due {t.due:%H:%M}" if t.due.date() == state.now.date() else f"due {t.due:%a %d %b}")
        if t.recurring:
            bits.append("recurring")
        if t.done:
            bits.append(f"done by {shorts.get(t.done_by or '', 'someone')} at {t.done_at:%H:%M}")
        elif t.claimed_by:
            bits.append(f"{shorts.get(t.claimed_by, t.claimed_by)} has it")
        if t.overdue:
            bits.append("OVERDUE")
        print(clean(f"[{t.id[:6]}] {t.text} · {' · '.join(bits)}"))
    if not rows:
        print("no tasks" + (" for you" if args.mine else ""))
    for w in state.warnings:
        if w.startswith("recurring.toml"):
            print(f"warning: {clean(w)}", file=sys.stderr)
    return 0


def _retract_context(room: Room, ctx: commands.Context, query: str) -> commands.Context:
    """`retract` may name an event of any day: when the board's days (today, yesterday, the tasks) do
    not hold it, the whole journal is read (its later retracts included)."""
    q = query.strip().lower()
    if len(q) >= 4 and any(e.id.lower().startswith(q) for e in ctx.events):
        return ctx
    snap = room.folder.load(ctx.now.date(), whole_journal=True)
    return commands.Context(snap.classroom, snap.schedule, snap.events, ctx.now, ctx.actor, ctx.permit)


def _day(text: str | None, field: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(f"{field}: {clean(text, limit=20)!r} is not a date like 2026-11-23") from None


def _report(room: Room, args: argparse.Namespace) -> int:
    """A student's progress report, from the journal's log stream (read only: no --as needed)."""
    from paratui.model import report

    now = room.clock()
    start, end = _day(args.from_, "--from"), _day(args.to, "--to")
    if start and end and start > end:
        raise UsageProblem("--from is after --to")
    snap = room.folder.load(now.date(), log_range=(start, end))  # the log stream's days, not the whole journal
    try:
        student = commands.find_student(snap.classroom, args.student)
    except NotFound as e:
        raise Refused(str(e), "student") from None
    plan = snap.classroom.plans.get(student.id)
    if args.goal and (plan is None or plan.goal(args.goal) is None):
        choices = ", ".join(g.id for g in plan.goals) if plan else "none"
        raise Refused(f"goal: not one of {clean(student.initials)}'s goals: {clean(choices)}", "goal")
    text = report.render(args.format, snap.classroom, student, snap.events, now, start, end,
                         plan.goal(args.goal).id if plan and args.goal else None, args.names)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8", newline="")
        except OSError as e:
            raise UsageProblem(f"cannot write {args.output}: {e.strerror or e}") from None
        print(f"wrote {args.format} report for {clean(student.initials)} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _history(room: Room, args: argparse.Namespace) -> int:
    """The audit trail (read only). Events a role did not allow are listed too, marked."""
    import gc
    from datetime import date

    gc.disable()  # a year is ~130k rows, and nothing here makes cycles: collections only cost time

    from paratui.model import history

    if args.date and (args.from_ or args.to):
        raise UsageProblem("--date is one day: use it, or --from/--to, not both")
    start, end = _day(args.date or args.from_, "--date" if args.date else "--from"), _day(
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
    if start or end:
        refused = access.refused_events(snap.events, snap.classroom, snap.schedule)
        rows = history.history_rows(snap.events, snap.classroom, student=student, staff=staff, start=start,
                                    end=end, refused=refused)
    else:
        from paratui.store.history_cache import cached_history, cached_history_text

        if args.format == "text":  # the common case, made without the rows in between
            sys.stdout.write(cached_history_text(room.root, snap.classroom, snap.schedule, student=student,
                                                 staff=staff))
            return 0
        rows = cached_history(room.root, snap.classroom, snap.schedule, student=student, staff=staff)
    sys.stdout.write(history.render(rows, args.format, snap.classroom))
    return 0


def _meeting(room: Room, args: argparse.Namespace) -> int:
    """The Friday meeting's agenda (read only): the week's folders and its log days, every task month."""
    from paratui.model import meeting

    now = room.clock()
    day = _day(args.week, "--week") or now.date()
    monday, friday = meeting.week_of(day)
    # the week itself and the one after (changes and tasks already known for it)
    snap = room.folder.load(now.date(), day_range=(monday - timedelta(days=21), friday + timedelta(days=7)))
    sys.stdout.write(meeting.agenda(snap.classroom, snap.events, day, now))
    return 0


def _meeting_items(room: Room, args: argparse.Namespace) -> int:
    """A meeting file's new action items → tasks (all or nothing), as `--as`; ids written back."""
    from paratui.store import meetings

    day = _day(args.date, "date") or room.clock().date()
    if not (room.root / meetings.meeting_rel(day)).exists():
        day = meetings.meeting_day(day)
    rel = meetings.meeting_rel(day)
    try:
        notes = meetings.read_notes(room.root, day)
        if notes.text is None:
            raise Refused(f"{rel}: no such file (write the notes on the board: F, or in the binder)", "date")
        me = acting_staff(room.snapshot().classroom, getattr(args, "as_", None))
        if me is None:
            raise Refused(f"who is acting? add --as STAFF ({', '.join(s.id for s in room.snapshot().classroom.staff)})",
                          "as")
        saved = meetings.save_notes(room, day, notes.text, notes.stamp, me.id)
    except meetings.MeetingError as e:
        _say(e.message)
        return 1
    from paratui.model.action_items import summary

    print(f"{rel}: {summary(len(saved.made))}")
    for item, event in saved.made:
        print(f"  line {item.line}: [{event.id[:6]}] {clean(commands.describe(event, room.snapshot().classroom))}")
    return 0


def _command(ctx: commands.Context, args: argparse.Namespace) -> Change | None:
    """The command line's words → the same command functions the board's keys call."""
    cmd = args.command
    if cmd == "move":
        return commands.move(ctx, args.student, args.to, args.with_)
    if cmd == "back":
        return commands.back(ctx, args.student)
    if cmd == "assign":
        return commands.assign(ctx, args.staff, args.with_, args.at, args.activity, args.until)
    if cmd == "absent":
        return commands.absent(ctx, args.staff, args.sub, args.until)
    if cmd == "task" and args.task_command == "add":
        return commands.task_add(ctx, args.text, args.for_, args.due, args.about)
    if cmd == "task" and args.task_command == "done":
        return commands.task_done(ctx, args.id)
    if cmd == "task" and args.task_command == "claim":
        return commands.task_claim(ctx, args.id)
    if cmd == "task" and args.task_command == "reopen":
        return commands.task_reopen(ctx, args.id)
    if cmd == "note":
        return commands.note(ctx, args.text, args.to, args.about, args.kind, args.urgent)
    if cmd == "ack":
        return commands.ack(ctx, args.id)
    if cmd == "undo":
        return commands.undo(ctx)
    if cmd == "change":
        return _change_command(ctx, args)
    if cmd == "retract":
        return commands.retract(ctx, args.id)
    if cmd == "log":
        return data_commands.log(ctx, args.student, args.goal, args.value, args.prompt, args.note, args.step)
    if cmd == "abc":
        return data_commands.abc(ctx, args.student, args.behavior, args.antecedent, args.consequence, args.setting,
                            args.note)
    if cmd == "timer" and args.timer_command == "start":
        return data_commands.timer_start(ctx, args.student, args.goal)
    if cmd == "timer" and args.timer_command == "stop":
        return data_commands.timer_stop(ctx, args.student, args.goal)
    raise UsageProblem(f"unknown command {cmd}")  # pragma: no cover - argparse rejects anything else


def _change_command(ctx: commands.Context, args: argparse.Namespace) -> Change:
    from paratui.model import change_commands as cc

    kind = args.change_command
    if kind in ("drill", "assembly"):
        return cc.drill(ctx, args.from_, args.to, args.note, args.at, kind)
    if kind == "block":
        return cc.block(ctx, args.block, args.start, args.end, args.at, args.activity, args.note)
    if kind == "student-out":
        return cc.student_out(ctx, args.student, args.for_, args.from_, args.to, args.at, args.with_, args.note)
    if kind == "student-absent":
        return cc.student_absent(ctx, args.student, args.note)
    return cc.lend(ctx, args.staff, args.to, args.until, args.note)


def _check(root: Path) -> int:
    """`paratui check`: every problem on stdout (FILE:LINE: what), a summary on stderr; exit 1 if any."""
    from paratui.store.check import check_folder

    problems, checked = check_folder(root)
    for p in problems:
        print(clean(p))
    if problems:
        _say(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {root}")
        return 1
    print(f"{clean(str(root))}: no problems ({', '.join(checked)})")
    return 0


def _init(target: Path) -> int:
    from paratui.store.sharing import setup_shared

    parent = target.expanduser().absolute().parent
    if target.exists() and not target.is_dir():
        raise UsageProblem(f"{target} is a file; choose a new folder name")
    if (target / "classroom.toml").exists():
        raise UsageProblem(f"{target} already has a classroom.toml; not overwriting it")
    if not parent.is_dir():
        raise UsageProblem(f"{parent} does not exist; create it first (or check the spelling)")
    if not os.access(parent, os.W_OK | os.X_OK) and not target.is_dir():
        raise UsageProblem(f"cannot create {target}: {parent} is not writable for you")
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
          " logins get a read-only board until they are listed (README: Who is acting)")
    for line in done:
        print(f"  {line}")
    print(f"then run: paratui --data {target}")
    return 0


def _own_shared_login(toml: Path) -> str:
    """A new room is not the demo: instead of every login being the shared account ("*", so the
    demo can be tried as anyone), only the account setting it up is; the rest read only until
    they are mapped in `logins` or listed in `shared_logins`."""
    login = identity.login()
    text = toml.read_text(encoding="utf-8")
    text = text.replace('shared_logins = ["*"]', f"shared_logins = [{json.dumps(login)}]  # the account that ran "
                        "`paratui init`: list the classroom workstation's account(s) here", 1)
    toml.write_text(text, encoding="utf-8")
    return login


def _theme_folders(data: Path | None) -> list[Path]:
    folders = [paths.builtin_themes()]
    if data is not None:
        folders.append(data / "themes")
    return folders


def _themes(args: argparse.Namespace) -> int:
    themes, problems = load_themes(_theme_folders(paths.data_folder(args.data)))
    for t in themes:
        traits = ", ".join(x for x in ("dark" if t.dark else "light", "large text" if t.large else "") if x)
        print(f"{clean(t.name, limit=40):24} {traits:20} {clean(t.source)}")
    for p in problems:
        print(f"problem: {clean(p)}", file=sys.stderr)
    return 0


def _fewer_malloc_arenas() -> None:
    """glibc gives each thread that allocates its own heap (up to 8 per core): the board's reads,
    writes and the history run on worker threads, and memory freed in one heap is not reused by the
    others, so a board that runs all day holds several half-empty ones. One is enough: the threads
    take turns on the interpreter anyway (issue 9: its peak ≤ 60 MiB). Set before any thread starts;
    elsewhere than glibc, nothing."""
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, 1)  # M_ARENA_MAX
    except (AttributeError, OSError):
        pass


def _open_board(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # e.g. `ssh host paratui` without -t: a full-screen board would stream escape codes down
        # the pipe and never exit.
        raise UsageProblem("no terminal here: the board needs one (over SSH use `ssh -t HOST paratui`), "
                           "or print it with `paratui board --plain`")
    # Start-up allocates a lot that lives as long as the board (Textual, a year of tasks): no
    # garbage collection until the first paint, when the board freezes it all (see BoardApp).
    gc.disable()
    _fewer_malloc_arenas()
    from paratui.app.board_app import BoardApp  # Textual only loads when a board opens

    data = paths.data_folder(args.data)
    room = Room(data)
    room.snapshot()  # a folder that was never usable fails here, with the CLI's clear message
    app = BoardApp(room, as_staff=args.as_, theme_name=args.theme, poll=args.poll,
                   theme_folders=_theme_folders(data))
    app.run()
    return app.return_code or 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
