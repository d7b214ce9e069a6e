"""The commands that record: the same command functions the board's keys call
(paratui.model.commands), written through paratui.store.room.Room.apply."""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from paratui.cli.common import Run, acting_for_write, open_room
from paratui.model.classroom import Staff
from paratui.model.commands import Change, Context, Refused
from paratui.model.text import clean
from paratui.store import identity
from paratui.store.room import Room

# The command line's words → the change to record (None: nothing to do, e.g. nothing to undo).
Make = Callable[[Room, Context, argparse.Namespace], Change | None]


def writes(make: Make) -> Run:
    """The handler of a command that records what `make` returns, as the person acting."""

    def run(args: argparse.Namespace) -> int:
        room = open_room(args, check_as=False)  # acting_for_write refuses a --as that is no one
        snap = room.snapshot()
        me = acting_for_write(room, snap.classroom, args)
        if me is None:
            raise Refused(
                f"who is acting? login {identity.login()!r} is the shared classroom login; "
                f"add --as STAFF ({', '.join(s.id for s in snap.classroom.staff)})", "as")
        ctx = room.context(me.id, snap)
        change = make(room, ctx, args)
        if change is None:
            print(f"paratui: nothing to undo for {clean(me.short)}")
            return 0
        event = room.apply(change, me.id)
        said = change.text if change.type == "retract" else f"recorded: {change.text}"
        print(f"{said}  [{event.id[:6]}] by {clean(me.short)} at {ctx.now:%H:%M}")
        if change.type == "note":
            print(f"note id: {event.id}")
        if change.type == "session.start":
            print(f"session id: {event.id}")
        if change.type == "task.claim":
            _claim_check(room, change.payload["task"], me)
        return 0

    return run


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
