"""What every command shares: the options, how a command is added and bound to its handler, who is
acting, the room it works on (its writer stamped with the command), and how problems are said."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Callable

from paratui.model import access
from paratui.model.classroom import Classroom, Staff
from paratui.model.commands import NotAllowed, Refused
from paratui.model.resolve import NotFound, find_staff
from paratui.model.text import clean
from paratui.store import identity, paths, pins, room_zone
from paratui.store.room import Room

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

# A command's handler: the parsed command line in, the exit code out.
Run = Callable[[argparse.Namespace], int]
Commands = argparse._SubParsersAction  # what `add_subparsers` returns: commands are added to it


class UsageProblem(Exception):
    """Exit 2: the command line itself does not make sense (before any name is looked up)."""


def add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    # On sub-commands the defaults are SUPPRESS so `paratui --data X move …` and
    # `paratui move … --data X` both work.
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--data", metavar="DIR", default=default,
                        help="the classroom's data folder (default: $PARATUI_DATA, else the demo room)")
    parser.add_argument("--as", dest="as_", metavar="STAFF", default=default,
                        help="who is acting: staff id, short name or login (default: your login, "
                             "through `logins` in classroom.toml)")
    parser.add_argument("--pin-stdin", dest="pin_stdin", action="store_true", default=default,
                        help="at the shared classroom login, read the --as person's PIN from the first line of "
                             "stdin (default: asked in a terminal; without it, a para's rights)")


def command(sub: Commands, name: str, help: str, example: str, run: Run) -> argparse.ArgumentParser:
    """Add the command `name`, run by `run`. Its writes are stamped with its name (`paratui task
    done`), never the rest of the command line: that holds names."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=help, epilog=f"example:\n  {example}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(parser, False)
    parser.set_defaults(run=run, doing=parser.prog)
    return parser


def group(sub: Commands, name: str, help: str, description: str,
          examples: tuple[tuple[str, str], ...]) -> argparse.ArgumentParser:
    """Add the command group `name` (`task`, `timer`…: its actions are commands of their own): its
    --help lists its examples, each with what it does, and the exit codes, as every command's does."""
    shown = "\n".join(f"  {line}" + (f"\n      {what}" if what else "") for line, what in examples)
    return sub.add_parser(name, help=help, description=description,
                          epilog=f"examples:\n{shown}\n\n`paratui {name} ACTION --help` describes each action.\n\n"
                                 f"{EXIT_CODES}", formatter_class=argparse.RawDescriptionHelpFormatter)


def open_room(args: argparse.Namespace, check_as: bool = True) -> Room:
    """The data folder the command line names, its journal writer stamped with the command. A --as
    that is no one is refused here (`check_as`; a command that writes checks who acts itself)."""
    root = paths.data_folder(args.data)
    zone = room_zone.use_room_zone(root)  # the room's local time, before anything reads a clock
    if zone is not None:
        say(clean(zone))
    room = Room(root)
    room.writer.doing = args.doing
    as_ = getattr(args, "as_", None)
    if as_ and check_as:  # a name that is no one is refused by every command, those that only read too: exit 2
        try:
            find_staff(room.snapshot().classroom, as_)
        except NotFound as e:
            raise Refused(str(e), "as") from None
    return room


def acting_staff(classroom: Classroom, as_: str | None) -> Staff | None:
    """Who is acting, from the OS login (never USER): a personal login is its person (--as someone
    else: exit 3); the shared classroom login names someone with --as; anyone else reads only."""
    if as_:
        try:  # by id, short name, name or login, as --help says: the rules then see the id
            as_ = find_staff(classroom, as_).id
        except NotFound as e:
            raise Refused(str(e), "as") from None
    who = access.acting(classroom, identity.login(), as_)
    if who.refusal:
        raise NotAllowed(who.refusal)
    return classroom.staff_by_id()[who.staff] if who.staff else None


def acting_for_write(room: Room, classroom: Classroom, args: argparse.Namespace) -> Staff | None:
    """Who is acting, as `acting_staff`, for a command that writes: at the shared classroom login a
    person whose role may do more than a para's acts with it only after their PIN (the first line of
    stdin with --pin-stdin, else asked when stdin is a terminal); otherwise with a para's rights
    (`room.capped`), said on stderr."""
    me = acting_staff(classroom, getattr(args, "as_", None))
    if me is None or not classroom.access.pins or not access.above_para(classroom, me.id):
        return me
    if access.acting(classroom, identity.login(), me.id).mode != "shared":
        return me
    gate = pins.PinGate(room.root, room.clock)
    verdict = gate.check(classroom, me.id, None)  # no PIN set: nothing to ask
    if verdict.kind != "none":
        pin: str | None = None
        if getattr(args, "pin_stdin", None):
            pin = sys.stdin.readline().rstrip("\r\n") or None
        elif sys.stdin.isatty():
            try:
                pin = getpass.getpass(f"{clean(me.short)}'s PIN (Enter: act with a para's rights): ") or None
            except (EOFError, KeyboardInterrupt):
                pin = None
        verdict = gate.check(classroom, me.id, pin)
        del pin
    room.pin_typed(me.id, verdict)
    if not verdict.ok:
        if verdict.kind == "missing":
            say(f"{verdict.message} (at the shared login: --pin-stdin, or run it in a terminal to be asked)")
        else:
            say(verdict.message)
    return me


def day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(f"{field}: {clean(text, limit=20)!r} is not a date like 2026-11-23") from None


def theme_folders(data: Path | None) -> list[Path]:
    folders = [paths.builtin_themes()]
    if data is not None:
        folders.append(data / "themes")
    return folders


def say(message: str) -> None:
    print(f"paratui: {clean(message)}", file=sys.stderr)
