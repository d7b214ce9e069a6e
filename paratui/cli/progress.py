"""`paratui progress`: the teacher's progress statement on a goal for a reporting period (the IEP
progress report, `paratui report STUDENT --period NAME`, prints it)."""

from __future__ import annotations

import argparse

from paratui.cli.common import Commands, command
from paratui.cli.write import writes
from paratui.model.commands import Change, Context
from paratui.store.room import Room


def add_progress(sub: Commands) -> None:
    pr = command(sub, "progress", "state a goal's progress for a reporting period (the IEP progress report); "
                 "the teacher's", "paratui progress K.B. coins --period Q2 --status 'sufficient progress' "
                 "--comment 'Counts to 50¢ without help' --as MR", writes(_progress))
    pr.add_argument("student", help="student id or initials")
    pr.add_argument("goal", help="the goal's id in students/ID.toml")
    pr.add_argument("--period", required=True, metavar="NAME", help="a [[periods]] name in classroom.toml (Q2)")
    pr.add_argument("--status", required=True, metavar="TEXT",
                    help="one of the room's [data] progress_scale (default: mastered, sufficient progress, "
                    "insufficient progress, not introduced)")
    pr.add_argument("--comment", metavar="TEXT", help="a free comment printed under the statement")


def _progress(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.progress(ctx, args.student, args.goal, args.period, args.status, args.comment)
