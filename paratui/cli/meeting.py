"""The Friday meeting: `meeting` (its agenda, read only) and `meeting-items` (its action items → tasks)."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from paratui.cli.common import Commands, acting_for_write, command, day, open_room, say
from paratui.model import commands
from paratui.model.commands import Refused
from paratui.model.text import clean


def add_meeting(sub: Commands) -> None:
    mt = command(sub, "meeting", "the Friday meeting's agenda, prefilled from the week (Markdown)",
                 "paratui meeting --week 2026-11-20 > agenda.md", _meeting)
    mt.add_argument("--week", metavar="YYYY-MM-DD", help="a day of the week (default: this week)")
    mt.add_argument("--format", choices=("md",), default="md", help="md: Markdown (prints anywhere)")


def _meeting(args: argparse.Namespace) -> int:
    """The Friday meeting's agenda (read only): the week's folders and its log days, every task month."""
    from paratui.model import meeting

    room = open_room(args)
    now = room.clock()
    of = day(args.week, "--week") or now.date()
    monday, friday = meeting.week_of(of)
    # the week itself and the one after (changes and tasks already known for it)
    snap = room.folder.load(now.date(), day_range=(monday - timedelta(days=21), friday + timedelta(days=7)))
    sys.stdout.write(meeting.agenda(snap.classroom, snap.screened().events, of, now))
    return 0


def add_meeting_items(sub: Commands) -> None:
    mi = command(sub, "meeting-items", "turn a meeting's action items (`- [ ] what @STAFF due` in "
                 "binder/meetings/DATE.md) into tasks; each new task's id is written back after its line",
                 "paratui meeting-items 2026-11-27 --as MR", _meeting_items)
    mi.add_argument("date", nargs="?", metavar="YYYY-MM-DD",
                    help="the meeting's date, or any day of its week (default: this week's Friday)")


def _meeting_items(args: argparse.Namespace) -> int:
    """A meeting file's new action items → tasks (all or nothing), as `--as`; ids written back."""
    from paratui.store import meetings

    room = open_room(args)
    when = day(args.date, "date") or room.clock().date()
    if not (room.root / meetings.meeting_rel(when)).exists():
        when = meetings.meeting_day(when)
    rel = meetings.meeting_rel(when)
    try:
        notes = meetings.read_notes(room.root, when)
        if notes.text is None:
            raise Refused(f"{rel}: no such file (write the notes on the board: F, or in the binder)", "date")
        me = acting_for_write(room, room.snapshot().classroom, args)
        if me is None:
            raise Refused(f"who is acting? add --as STAFF ({', '.join(s.id for s in room.snapshot().classroom.staff)})",
                          "as")
        saved = meetings.save_notes(room, when, notes.text, notes.stamp, me.id)
    except meetings.MeetingError as e:
        say(e.message)
        return 1
    from paratui.model.action_items import summary

    print(f"{rel}: {summary(len(saved.made))}")
    for item, event in saved.made:
        print(f"  line {item.line}: [{event.id[:6]}] {clean(commands.describe(event, room.snapshot().classroom))}")
    return 0
