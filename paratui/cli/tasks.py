"""Tasks and notes: `task add|claim|done|reopen|list`, `note`, `ack`."""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from paratui.cli.common import Commands, Run, acting_staff, command, group, open_room
from paratui.cli.write import writes
from paratui.model import commands
from paratui.model.commands import Change, Context, Refused
from paratui.model.text import clean
from paratui.store.room import Room


def add_task(sub: Commands) -> None:
    t = group(sub, "task", "add, claim, finish, reopen or list tasks",
              "add, claim, finish, reopen or list tasks (recurring ones come from recurring.toml)", (
                  ("paratui task add 'Copies of the math page' --for AL --due 13:00 --as MR", ""),
                  ("paratui task list --mine --as AL", "my tasks (for me or claimed by me)"),
                  ("paratui task claim 3f9a --as AL", "\"I've got it\" (the id the board shows)"),
                  ("paratui task done 3f9a --as AL", "done")))
    tsub = t.add_subparsers(metavar="ACTION", required=True)
    ta = command(tsub, "add", "add a task", "paratui task add 'Copies of the math page' --for AL --due 13:00 --as MR",
                 writes(_task_add))
    ta.add_argument("text", help="what needs doing")
    ta.add_argument("--for", dest="for_", metavar="STAFF", help="who should do it (default: anyone)")
    ta.add_argument("--about", metavar="STUDENT", help="the student it is about (id or initials)")
    ta.add_argument("--due", metavar="WHEN", help="HH:MM today, YYYY-MM-DD, or YYYY-MM-DDTHH:MM; a time already "
                    "past is refused (in a terminal: asked)")
    ta.add_argument("--past", action="store_true", help="add it even when --due is already past (overdue at once)")
    for action, what, change in (
            ("claim", "\"I've got it\": take an open task, so nobody does it twice", commands.task_claim),
            ("done", "mark a task done", commands.task_done),
            ("reopen", "a task marked done is not: open again, nobody has it", commands.task_reopen)):
        tx = command(tsub, action, what, f"paratui task {action} 3f9a --as AL", _by_id(change))
        tx.add_argument("id", help="the task id shown on the board (the first letters are enough)")
    tl = command(tsub, "list", "the tasks on the board: open ones, done today, today's recurring ones",
                 "paratui task list --mine --as JT", _task_list)
    tl.add_argument("--mine", action="store_true", help="only tasks for me or claimed by me (needs --as or a login)")
    tl.add_argument("--open", action="store_true", help="only tasks not done")


def _task_add(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    try:
        return commands.task_add(ctx, args.text, args.for_, args.due, args.about, past=args.past)
    except commands.PastDue as e:
        # a script is refused (exit 2); a person at a terminal is asked (stdin is theirs, not a PIN's)
        if getattr(args, "pin_stdin", None) or not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise commands.PastDue(f"{e.message} (or add --past to add it overdue anyway)", "due") from None
        print(f"paratui: {clean(e.message)}.", file=sys.stderr)
        print("Add it anyway, overdue at once? [y/N] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().casefold()
        if answer not in ("y", "yes"):
            raise commands.PastDue("not added: give a later --due", "due") from None
        return commands.task_add(ctx, args.text, args.for_, args.due, args.about, past=True)


def _by_id(change: Callable[[Context, str], Change]) -> Run:
    """claim, done, reopen: the task named by its id."""

    def make(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
        try:
            return change(ctx, args.id)
        except Refused as e:
            if e.field == "task" and "matches no task" in e.message:
                # the board's read leaves out tasks done before last month: look in every task month
                events = room.folder.reader.task_events()
                commands.task_done(Context(ctx.classroom, ctx.schedule, events, ctx.now, ctx.actor), args.id)
            raise

    return writes(make)


def _task_list(args: argparse.Namespace) -> int:
    """The board's tasks, one a line; --mine: for me or claimed by me."""
    room = open_room(args)
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


def add_note(sub: Commands) -> None:
    nt = command(sub, "note", "a note to one adult, several or everyone (prints the note's id)",
                 "paratui note 'R.N. had a rough bus ride' --to JT DP --about R.N. --urgent --as MR", writes(_note))
    nt.add_argument("text", help="the note")
    nt.add_argument("--to", nargs="+", metavar="STAFF", help="addressees (default: everyone but you)")
    nt.add_argument("--about", metavar="STUDENT", help="the student it is about (id or initials)")
    nt.add_argument("--kind", metavar="K", help="handoff (default), check-in, feedback or kudos")
    nt.add_argument("--urgent", action="store_true",
                    help="on every board until each addressee has acknowledged it (paratui ack)")


def _note(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return commands.note(ctx, args.text, args.to, args.about, args.kind, args.urgent)


def add_ack(sub: Commands) -> None:
    ak = command(sub, "ack", "acknowledge a note addressed to you", "paratui ack 3f9a --as JT", writes(_ack))
    ak.add_argument("id", help="the note's id (the first letters are enough)")


def _ack(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    return commands.ack(ctx, args.id)
