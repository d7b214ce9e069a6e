"""Taking back what was recorded (nothing is ever deleted): `undo` and `retract`."""

from __future__ import annotations

import argparse

from paratui.cli.common import Commands, command
from paratui.cli.write import writes
from paratui.model import commands
from paratui.model.commands import Change, Context
from paratui.store.room import Room


def add_undo(sub: Commands) -> None:
    command(sub, "undo", "retract the last thing this person recorded (nothing is ever deleted)",
            "paratui undo --as JT", writes(_undo))


def _undo(room: Room, ctx: Context, args: argparse.Namespace) -> Change | None:
    return commands.undo(ctx)


def add_retract(sub: Commands) -> None:
    rt = command(sub, "retract", "retract one entry of any day, anyone's, by its id (a `retract` event; nothing "
                 "is deleted): the board and reports stop counting it", "paratui retract 3f9a1c --as MR",
                 writes(_retract))
    rt.add_argument("id", help="the event id, or its first letters (at least 4; printed in [brackets] after "
                               "each entry, and on the student screen)")


def _retract(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return commands.retract(_any_day(room, ctx, args.id), args.id)


def _any_day(room: Room, ctx: Context, query: str) -> Context:
    """`retract` may name an event of any day: when the board's days (today, yesterday, the tasks) do
    not hold it, the whole journal is read (its later retracts included)."""
    q = query.strip().lower()
    if len(q) >= 4 and any(e.id.lower().startswith(q) for e in ctx.events):
        return ctx
    snap = room.folder.load(ctx.now.date(), whole_journal=True)
    return Context(snap.classroom, snap.schedule, snap.screened().events, ctx.now, ctx.actor, ctx.permit)
