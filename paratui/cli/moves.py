"""Who is where and with whom: `move`, `back`, `assign`, `absent`."""

from __future__ import annotations

import argparse

from paratui.cli.common import Commands, command
from paratui.cli.write import writes
from paratui.model import commands
from paratui.model.commands import Change, Context
from paratui.store.room import Room


def add_move(sub: Commands) -> None:
    m = command(sub, "move", "a student leaves for a place (\"I'm taking E.M. to the bathroom\")",
                "paratui move E.M. --to bathroom --as JT", writes(_move))
    m.add_argument("student", help="student id or initials (S01, E.M., em)")
    m.add_argument("--to", required=True, metavar="LOCATION", help="where to: location id or label (bath, nurse)")
    m.add_argument("--with", dest="with_", nargs="*", metavar="STAFF",
                   help="adults going along (default: the person acting; --with alone: nobody). "
                        "Places in the room and `away` places take no adult")


def _move(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return commands.move(ctx, args.student, args.to, args.with_)


def add_back(sub: Commands) -> None:
    bk = command(sub, "back", "a student is back in the room", "paratui back E.M. --as JT", writes(_back))
    bk.add_argument("student", help="student id or initials")


def _back(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return commands.back(ctx, args.student)


def add_assign(sub: Commands) -> None:
    a = command(sub, "assign", "today's change: an adult with students, somewhere, until a time",
                "paratui assign AL --with EM KB --at library --activity 'Library visit' --until 10:30 --as MR",
                writes(_assign))
    a.add_argument("staff", help="the adult: staff id or short name")
    a.add_argument("--with", dest="with_", nargs="*", default=[], metavar="STUDENT",
                   help="students: ids, initials, group names from classroom.toml, or `all`")
    a.add_argument("--at", metavar="LOCATION", help="where (default: where the block is)")
    a.add_argument("--activity", metavar="TEXT", help="doing what")
    a.add_argument("--until", metavar="HH:MM", help="until when (default: the end of the current block)")


def _assign(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return commands.assign(ctx, args.staff, args.with_, args.at, args.activity, args.until)


def add_absent(sub: Commands) -> None:
    ab = command(sub, "absent", "an adult is out today, and who subs for them", "paratui absent AL --sub SUB --as MR",
                 writes(_absent))
    ab.add_argument("staff", help="the adult who is out")
    ab.add_argument("--sub", metavar="STAFF", help="takes their place in the schedule (default: nobody)")
    ab.add_argument("--until", metavar="HH:MM", help="out until (default: the rest of the day)")


def _absent(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return commands.absent(ctx, args.staff, args.sub, args.until)

