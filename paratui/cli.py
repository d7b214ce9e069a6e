"""`paratui` on the command line: open the board, or read and write the same journal from scripts,
screen readers and SSH sessions without a terminal UI.

Exit codes: 0 done; 1 the folder or the disk failed (nothing was written); 2 the command was not
understood (unknown or ambiguous name, bad option; nothing was written).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

from paratui.model.classroom import Classroom, Staff
from paratui.model.describe import describe
from paratui.model.events import live_events
from paratui.model.export import board_to_dict, board_to_text
from paratui.model import resolve
from paratui.model.resolve import NotFound, find_location, find_staff, find_student, staff_for_login
from paratui.store import identity, paths
from paratui.store.folder import JOURNAL, FolderError
from paratui.store.journal import JournalWriteError
from paratui.store.room import Room
from paratui.store.themes import load_themes


class UsageProblem(Exception):
    """Exit 2: the person asked for something that does not exist or is not clear."""


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    # On sub-commands the defaults are SUPPRESS so `paratui --data X move …` and
    # `paratui move … --data X` both work.
    d = (lambda v: v) if top else (lambda v: argparse.SUPPRESS)
    parser.add_argument("--data", metavar="DIR", default=d(None),
                        help="the classroom's data folder (default: $PARATUI_DATA or the demo room)")
    parser.add_argument("--as", dest="as_", metavar="STAFF", default=d(None),
                        help="who is acting (staff id, short name or login)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="paratui", description="A live room board for classroom teams.")
    _common(p, True)
    p.add_argument("--theme", metavar="NAME", help="board theme (see `paratui themes`)")
    p.add_argument("--poll", nargs="?", const=1.0, type=float, metavar="SECONDS",
                   help="watch the folder by polling (network shares); default interval 1 s")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("board", help="print the board once (no terminal UI)")
    _common(b, False)
    g = b.add_mutually_exclusive_group()
    g.add_argument("--plain", action="store_true", help="plain text (default)")
    g.add_argument("--json", action="store_true", help="JSON (see README for the schema)")

    m = sub.add_parser("move", help="a student leaves for a place (\"I'm taking E.M. to the bathroom\")")
    _common(m, False)
    m.add_argument("student")
    m.add_argument("--to", required=True, metavar="LOCATION")
    m.add_argument("--with", dest="with_", nargs="*", metavar="STAFF",
                   help="adults going along (default: the person acting); --with alone: nobody")

    bk = sub.add_parser("back", help="a student is back in the room")
    _common(bk, False)
    bk.add_argument("student")

    a = sub.add_parser("assign", help="today's change: an adult with students, somewhere, until a time")
    _common(a, False)
    a.add_argument("staff")
    a.add_argument("--with", dest="with_", nargs="*", default=[], metavar="STUDENT")
    a.add_argument("--at", metavar="LOCATION")
    a.add_argument("--activity", metavar="TEXT")
    a.add_argument("--until", metavar="HH:MM", help="default: the end of the current block")

    ab = sub.add_parser("absent", help="an adult is out today, and who subs for them")
    _common(ab, False)
    ab.add_argument("staff")
    ab.add_argument("--sub", metavar="STAFF", help="takes their place in the schedule (default: nobody)")
    ab.add_argument("--until", metavar="HH:MM", help="default: the rest of the day")

    t = sub.add_parser("task", help="add or finish a task")
    tsub = t.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    ta = tsub.add_parser("add", help="add a task")
    _common(ta, False)
    ta.add_argument("text")
    ta.add_argument("--for", dest="for_", metavar="STAFF")
    ta.add_argument("--due", metavar="HH:MM", help="HH:MM today, or YYYY-MM-DD[THH:MM]")
    td = tsub.add_parser("done", help="mark a task done")
    _common(td, False)
    td.add_argument("id", help="the task id shown on the board (the first letters are enough)")

    u = sub.add_parser("undo", help="retract the last thing this person recorded")
    _common(u, False)

    i = sub.add_parser("init", help="write a starter data folder (a copy of the demo room)")
    i.add_argument("dir")

    th = sub.add_parser("themes", help="list the board themes (built in, and the data folder's themes/)")
    _common(th, False)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            return _open_board(args)
        if args.command == "init":
            return _init(Path(args.dir))
        if args.command == "themes":
            return _themes(args)
        room = Room(paths.data_folder(args.data))
        if args.command == "board":
            state = room.board()
            if args.json:
                print(json.dumps(board_to_dict(state), indent=2, ensure_ascii=False))
            else:
                print(board_to_text(state), end="")
            return 0
        return _write(room, args)
    except UsageProblem as e:
        print(f"paratui: {e}", file=sys.stderr)
        return 2
    except NotFound as e:
        print(f"paratui: {e}", file=sys.stderr)
        return 2
    except FolderError as e:
        print("paratui: the data folder cannot be used:", file=sys.stderr)
        for p in e.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    except JournalWriteError as e:
        print(f"paratui: NOT recorded: {e}", file=sys.stderr)
        return 1


def acting_staff(classroom: Classroom, as_: str | None) -> Staff | None:
    """--as, else the OS login mapped through `logins`, else None (the caller must ask)."""
    if as_:
        return find_staff(classroom, as_)
    return staff_for_login(classroom, identity.login())


def parse_clock(text: str, now: datetime) -> datetime:
    try:
        return resolve.parse_clock(text, now)
    except ValueError as e:
        raise UsageProblem(str(e)) from None


def _write(room: Room, args: argparse.Namespace) -> int:
    snap = room.snapshot()
    classroom = snap.classroom
    me = acting_staff(classroom, getattr(args, "as_", None))
    if me is None:
        raise UsageProblem(
            f"who is acting? login {identity.login()!r} is not in any staff's `logins`; "
            f"add --as STAFF ({', '.join(s.id for s in classroom.staff)})")
    now = room.clock()
    cmd = args.command
    if cmd == "move":
        student = find_student(classroom, args.student)
        to = find_location(classroom, args.to)
        escorts = [me.id] if args.with_ is None else [find_staff(classroom, w).id for w in args.with_]
        event = room.record("move", me.id, {"student": student.id, "to": to.id, "with": escorts})
    elif cmd == "back":
        student = find_student(classroom, args.student)
        event = room.record("back", me.id, {"student": student.id})
    elif cmd == "assign":
        staff = find_staff(classroom, args.staff)
        students = [find_student(classroom, s).id for s in args.with_]
        at = find_location(classroom, args.at).id if args.at else None
        until = parse_clock(args.until, now).isoformat(timespec="minutes") if args.until else None
        event = room.record("assign", me.id, {"staff": staff.id, "students": students, "at": at,
                                              "activity": args.activity, "until": until})
    elif cmd == "absent":
        staff = find_staff(classroom, args.staff)
        sub = find_staff(classroom, args.sub).id if args.sub else None
        if sub == staff.id:
            raise UsageProblem("an adult cannot sub for themselves")
        until = parse_clock(args.until, now).isoformat(timespec="minutes") if args.until else None
        event = room.record("absent", me.id, {"staff": staff.id, "sub": sub, "until": until})
    elif cmd == "task" and args.task_command == "add":
        for_ = find_staff(classroom, args.for_).id if args.for_ else None
        due = parse_clock(args.due, now).isoformat(timespec="minutes") if args.due else None
        event = room.record("task.add", me.id, {"text": args.text, "for": for_, "due": due})
    elif cmd == "task" and args.task_command == "done":
        task = _find_task(snap.events, args.id)
        event = room.record("task.done", me.id, {"task": task})
    elif cmd == "undo":
        undone = room.undo(me.id, snap)
        if undone is None:
            print(f"paratui: nothing to undo for {me.short}")
            return 0
        retract, target = undone
        print(f"{describe(retract, classroom, target)}  [{retract.id[:6]}]")
        return 0
    else:  # pragma: no cover - argparse rejects anything else
        raise UsageProblem(f"unknown command {cmd}")
    print(f"recorded: {describe(event, classroom)}  [{event.id[:6]}] by {me.short} at {now:%H:%M}")
    return 0


def _find_task(events, query: str) -> str:
    tasks = [e for e in live_events(events) if e.type == "task.add"]
    q = query.strip().lower()
    hits = [e for e in tasks if e.id.startswith(q)] if q else []
    if len(hits) == 1:
        return hits[0].id
    listing = [f"{e.id[:6]} {e.payload['text']}" for e in (hits or tasks)]
    what = "matches more than one task" if hits else "matches no task"
    raise UsageProblem(f"{query!r} {what}: " + "; ".join(listing))


def _init(target: Path) -> int:
    if (target / "classroom.toml").exists():
        raise UsageProblem(f"{target} already has a classroom.toml; not overwriting it")
    source = paths.demo_data()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target, dirs_exist_ok=True,
                    ignore=lambda d, names: [n for n in names if n == JOURNAL])
    (target / JOURNAL).mkdir(exist_ok=True)
    print(f"wrote a starter classroom in {target}: edit classroom.toml, schedule.toml and binder/,")
    print(f"then run: paratui --data {target}")
    return 0


def _theme_folders(data: Path | None) -> list[Path]:
    folders = [paths.builtin_themes()]
    if data is not None:
        folders.append(data / "themes")
    return folders


def _themes(args: argparse.Namespace) -> int:
    themes, problems = load_themes(_theme_folders(paths.data_folder(args.data)))
    for t in themes:
        traits = ", ".join(x for x in ("dark" if t.dark else "light", "large text" if t.large else "") if x)
        print(f"{t.name:24} {traits:20} {t.source}")
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    return 0


def _open_board(args: argparse.Namespace) -> int:
    # Start-up allocates a lot that lives as long as the board (Textual, a year of tasks): no
    # garbage collection until the first paint, when the board freezes it all (see BoardApp).
    gc.disable()
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
