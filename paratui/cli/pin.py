"""`paratui pin set [STAFF]` and `paratui pin clear STAFF`: the PIN a person whose role may do more
than a para's types at the shared classroom login (paratui.store.pins; docs/trust.md)."""

from __future__ import annotations

import argparse
import getpass
import sys

from paratui.cli import keys as keys_cli
from paratui.cli.common import Commands, acting_staff, command, open_room, say
from paratui.model import access
from paratui.model.classroom import Classroom, Staff
from paratui.model.commands import NotAllowed, Refused
from paratui.model.resolve import NotFound, find_staff
from paratui.model.text import clean
from paratui.store import identity, keys, pins
from paratui.store.room import Room


def add_pin(sub: Commands) -> None:
    p = command(sub, "pin", "set or clear the PIN a person types when they pick themselves at the shared "
                "classroom login (needed to act there with a role that may do more than a para's)",
                "paratui pin set            (your own, from your own login; asked twice)", _pin)
    p.add_argument("action", choices=("set", "clear"), help="set: a new PIN (4 to 12 digits); clear: remove it")
    p.add_argument("staff", nargs="?", metavar="STAFF",
                   help="whose (default: yours); the teacher may set or clear anyone's")


def _pin(args: argparse.Namespace) -> int:
    room = open_room(args)
    classroom = room.snapshot().classroom
    me = acting_staff(classroom, getattr(args, "as_", None))
    login = identity.login()
    if me is None or login not in me.logins:
        raise NotAllowed("a PIN is set from the person's own login (or the teacher's), never from the shared "
                         "classroom login: log in as yourself and run `paratui pin set`")
    who = _whose(classroom, me, args.staff)
    if who.id != me.id and me.role != "teacher":
        raise NotAllowed(f"only the teacher may set or clear {clean(who.short)}'s PIN: {clean(who.short)} sets "
                         "their own from their own login")
    if args.action == "clear":
        if not args.staff:
            raise Refused("pin clear STAFF: name whose PIN to clear", "staff")
        try:
            gone = pins.clear_pin(room.root, who.id, room.clock(), classroom)
        except OSError as e:
            say(f"{pins.pin_rel(who.id)}: cannot be removed ({e.strerror or e}): its owner or the folder's may")
            return 1
        print(f"{clean(who.short)}'s PIN cleared" if gone else f"{clean(who.short)} has no PIN set")
        return 0
    pin = _read_twice(args, who)
    problem = pins.pin_problem(pin)
    if problem is not None:
        raise Refused(problem, "pin")
    try:
        pins.write_pin(room.root, who.id, pin, room.clock(), classroom)
    except OSError as e:
        say(f"{pins.pin_rel(who.id)}: cannot be written ({e.strerror or e}); nothing changed (in a room several "
            "accounts share, `paratui init` makes pins/ like journal/: group-writable, setgid, sticky)")
        return 1
    del pin
    _enrol_pin_key(room, classroom, me, who)
    print(f"{clean(who.short)}'s PIN set ({pins.pin_rel(who.id)}: its scrypt hash and a PIN key sealed with it, "
          "never the PIN)")
    if not access.above_para(classroom, who.id):
        print(f"  note: a {clean(who.role)} acts with their own rights at the shared login without a PIN; it "
              "is asked only of a role that may do more than a para's")
    if not classroom.access.pins:
        print("  note: classroom.toml has `[access] pins = false`: the shared login does not ask for PINs")
    return 0


def _whose(classroom: Classroom, me: Staff, ref: str | None) -> Staff:
    if not ref:
        return me
    try:
        return find_staff(classroom, ref)
    except NotFound as e:
        raise Refused(str(e), "staff") from None


def _read_twice(args: argparse.Namespace, who: Staff) -> str:
    """The new PIN: two lines of stdin with --pin-stdin (the same twice), else asked twice."""
    if getattr(args, "pin_stdin", None):
        first = sys.stdin.readline().rstrip("\r\n")
        second = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        try:
            first = getpass.getpass(f"new PIN for {clean(who.short)} ({pins.PIN_RULE}): ")
            second = getpass.getpass("the same again: ")
        except (EOFError, KeyboardInterrupt):
            raise Refused("no PIN typed: nothing changed", "pin") from None
    else:
        raise Refused("pin set: type the PIN in a terminal, or give it twice on stdin with --pin-stdin", "pin")
    if first != second:
        raise Refused("the two PINs differ: nothing changed", "pin")
    return first


def _enrol_pin_key(room: Room, classroom: Classroom, me: Staff, who: Staff) -> None:
    """From the teacher's own login, in a room that enrols keys: the new PIN key in keys.json as
    `STAFF@pin` (signed with the teacher's key), which vouches for it where a pins file's owner proves
    nothing (a synced folder: docs/trust.md)."""
    if me.role != "teacher" or not access.above_para(classroom, who.id):
        return
    enrolment, _uid, _problems = keys.read_enrolment(room.root)
    if not enrolment.keys:
        return  # no keys.json: nothing is enrolled (nor checked)
    record, _ = pins.read_pin(room.root, who.id, classroom)
    signer = keys.Signer(room.root)
    mine = keys.key_id(bytes.fromhex(signer.public)) if signer.public else ""
    if record is None or not record.public or enrolment.keys.get(mine, {}).get("staff") != me.id:
        print("  note: the PIN key is not enrolled in keys.json (this account's key is not the teacher's there): "
              "across synced machines it is not vouched for")
        return
    enrolment, kid = keys.enrol(enrolment, record.public, f"{who.id}@pin", room.clock())
    keys_cli._write(room.root, enrolment, signer)
    print(f"  enrolled its PIN key {kid} in keys.json as {clean(who.id)}@pin")
