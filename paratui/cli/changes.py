"""Today's changes to the base week (paratui.model.change_commands): `change drill|assembly|block|
student-out|student-absent|lend`."""

from __future__ import annotations

import argparse
from functools import partial

from paratui.cli.common import Commands, command, group
from paratui.cli.write import writes
from paratui.model import change_commands as cc
from paratui.model.commands import Change, Context
from paratui.store.room import Room


def add_change(sub: Commands) -> None:
    ch = group(sub, "change", "today's changes to the base week: drill, assembly, block, student-out, "
               "student-absent, lend", "today's changes to the base week (today only; `paratui undo` retracts "
               "one); the teacher's call", (
                   ("paratui change drill --from 10:30 --to 10:50 --as MR", "a fire drill"),
                   ("paratui change block 13:15 --start 13:30 --as MR", "the 13:15 block starts late"),
                   ("paratui change student-out K.B. --for speech --to 11:00 --as MR", "out for services"),
                   ("paratui change student-absent O.W. --as MR", "not in school today"),
                   ("paratui change lend JT --to 'Room 8' --until 11:30 --as MR", "an adult lent")))
    chsub = ch.add_subparsers(metavar="KIND", required=True)
    for kind, what in (("drill", "a fire drill"), ("assembly", "an assembly")):
        cd = command(chsub, kind, f"{what}: a time range replaced for everyone (adults keep their students)",
                     f"paratui change {kind} --from 10:30 --to 10:50 --as MR", writes(partial(_drill, kind)))
        cd.add_argument("--from", dest="from_", required=True, metavar="HH:MM", help="starts")
        cd.add_argument("--to", required=True, metavar="HH:MM", help="ends")
        cd.add_argument("--at", metavar="LOCATION", help="where everyone goes (default: where the block is)")
        cd.add_argument("--note", metavar="TEXT", help="a short note (shown with it)")
    _add_block(chsub)
    _add_student_out(chsub)
    _add_student_absent(chsub)
    _add_lend(chsub)


def _drill(kind: str, room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return cc.drill(ctx, args.from_, args.to, args.note, args.at, kind)


def _add_block(chsub: Commands) -> None:
    cb = command(chsub, "block", "today only: a block at another time, place or activity",
                 "paratui change block 13:15 --start 13:30 --activity 'Cooking (late start)' --as MR",
                 writes(_block))
    cb.add_argument("block", metavar="HH:MM", help="the block's start time in the base week (today's blocks are "
                    "listed when it matches none)")
    cb.add_argument("--start", metavar="HH:MM", help="new start")
    cb.add_argument("--end", metavar="HH:MM", help="new end")
    cb.add_argument("--at", metavar="LOCATION", help="new place")
    cb.add_argument("--activity", metavar="TEXT", help="new activity")
    cb.add_argument("--note", metavar="TEXT", help="a short note")


def _block(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return cc.block(ctx, args.block, args.start, args.end, args.at, args.activity, args.note)


def _add_student_out(chsub: Commands) -> None:
    co = command(chsub, "student-out", "a student out of their block for services (speech, OT, a meeting)",
                 "paratui change student-out K.B. --for speech --from 10:30 --to 11:00 --with SK --as MR",
                 writes(_student_out))
    co.add_argument("student", help="student id or initials")
    co.add_argument("--for", dest="for_", metavar="SERVICE", help="what for (speech, OT…; also the default place)")
    co.add_argument("--at", metavar="LOCATION", help="where (default: the location named like --for)")
    co.add_argument("--from", dest="from_", metavar="HH:MM", help="from (default: now)")
    co.add_argument("--to", required=True, metavar="HH:MM", help="until")
    co.add_argument("--with", dest="with_", nargs="*", default=[], metavar="STAFF",
                    help="adults going with them (default: none; the place's own adult)")
    co.add_argument("--note", metavar="TEXT", help="a short note")


def _student_out(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return cc.student_out(ctx, args.student, args.for_, args.from_, args.to, args.at, args.with_, args.note)


def _add_student_absent(chsub: Commands) -> None:
    ca = command(chsub, "student-absent", "a student is not in school today",
                 "paratui change student-absent O.W. --as MR", writes(_student_absent))
    ca.add_argument("student", help="student id or initials")
    ca.add_argument("--note", metavar="TEXT", help="a short note")


def _student_absent(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return cc.student_absent(ctx, args.student, args.note)


def _add_lend(chsub: Commands) -> None:
    cl = command(chsub, "lend", "an adult is lent to another room until a time",
                 "paratui change lend JT --to 'Room 8' --until 11:30 --as MR", writes(_lend))
    cl.add_argument("staff", help="the adult lent")
    cl.add_argument("--to", required=True, metavar="ROOM", help="which room (text)")
    cl.add_argument("--until", required=True, metavar="HH:MM", help="back at")
    cl.add_argument("--note", metavar="TEXT", help="a short note")


def _lend(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return cc.lend(ctx, args.staff, args.to, args.until, args.note)
