"""`paratui keys show|enrol|revoke`: this account's signing key, and the room's enrolled keys
(docs/trust.md). Enrolling and revoking are the teacher's, from their own login."""

from __future__ import annotations

import argparse
from pathlib import Path

from paratui.cli.common import Commands, acting_staff, command, open_room
from paratui.model.commands import NotAllowed, Refused
from paratui.model.resolve import NotFound, find_staff
from paratui.model.text import clean
from paratui.store import identity, keys
from paratui.store.journal import JournalWriteError


def add_keys(sub: Commands) -> None:
    k = command(sub, "keys", "this account's signing key, and the room's enrolled keys (docs/trust.md)",
                "paratui keys show  |  paratui keys enrol AL 3b1f…  |  paratui keys enrol @room12 7a0c…  |  "
                "paratui keys revoke 9c2e", _keys)
    k.add_argument("action", choices=("show", "enrol", "revoke"),
                   help="show: this account's key and the enrolled ones; enrol STAFF PUBLIC_KEY (or @SHARED_LOGIN); "
                        "revoke KEY_ID")
    k.add_argument("what", nargs="*", help="enrol: the staff member and their public key (64 hex digits, "
                                           "from `paratui keys show` on their account); revoke: a key id")


def _keys(args: argparse.Namespace) -> int:
    room = open_room(args)
    snap = room.snapshot()
    enrolment, _uid, problems = keys.read_enrolment(room.root)
    if args.action == "show":
        signer = keys.Signer(room.root)
        if signer.public:
            kid = keys.key_id(bytes.fromhex(signer.public))
            print(f"this account ({clean(identity.login(), limit=32)}): key {kid}")
            print(f"  public key: {signer.public}")
        else:
            print(f"this account has no signing key: {clean(signer.problem or 'unknown reason')}")
        shorts = {s.id: s.short for s in snap.classroom.staff}
        if not enrolment.keys:
            print("enrolled keys: none (signatures are checked, but not whose they are)")
        for kid, entry in sorted(enrolment.keys.items(), key=lambda kv: kv[1].get("staff", "")):
            state = f"revoked {enrolment.revoked[kid]}" if kid in enrolment.revoked else \
                f"enrolled {entry.get('enrolled', '?')}"
            whose = entry.get("staff", "?")
            print(f"  {kid}  {clean(whose, limit=12):<4} {clean(shorts.get(whose, ''), limit=20):<10} {clean(state)}")
        for p in problems:
            print(f"  {clean(p)}")
        return 0
    me = acting_staff(snap.classroom, getattr(args, "as_", None))
    if me is None or me.role != "teacher" or identity.login() not in me.logins:
        raise NotAllowed("only the teacher, from their own login, enrols and revokes keys (keys.json must be "
                         "theirs: docs/trust.md)")
    now = room.clock()
    if args.action == "enrol":
        if len(args.what) != 2:
            raise NotAllowed("enrol STAFF PUBLIC_KEY: the staff member and the public key `paratui keys show` "
                             "printed on their account")
        who = args.what[0].strip()
        if who.startswith("@"):  # the shared classroom login's key: it signs for whoever picked themselves
            if not _shared(snap.classroom, who[1:]):
                raise NotAllowed(f"{clean(who, limit=32)}: not a shared login (`[access] shared_logins` "
                                 "in classroom.toml)")
            try:
                enrolment, kid = keys.enrol(enrolment, args.what[1].strip(), who, now)
            except ValueError as e:
                raise NotAllowed(str(e)) from None
            _write(room.root, enrolment)
            print(f"enrolled key {kid} for the shared login {clean(who[1:], limit=32)}: events it signs with "
                  "that login count as whoever picked themselves there (their roles apply)")
            return 0
        try:
            staff = find_staff(snap.classroom, who)
        except NotFound as e:
            raise Refused(str(e), "staff") from None
        try:
            enrolment, kid = keys.enrol(enrolment, args.what[1].strip(), staff.id, now)
        except ValueError as e:
            raise NotAllowed(str(e)) from None
        _write(room.root, enrolment)
        print(f"enrolled key {kid} for {clean(staff.short)}: events it signs count as {clean(staff.id)}'s; "
              f"unsigned ones claiming {clean(staff.id)} dated from {now:%Y-%m-%d %H:%M} on are not applied")
        return 0
    if len(args.what) != 1:
        raise NotAllowed("revoke KEY_ID: the key's id (its first letters, at least 4; `paratui keys show`)")
    try:
        enrolment, kid = keys.revoke(enrolment, args.what[0].strip(), now)
    except ValueError as e:
        raise NotAllowed(str(e)) from None
    _write(room.root, enrolment)
    print(f"revoked key {kid} at {now:%Y-%m-%d %H:%M}: events it signs dated from then on are not applied "
          "(those dated before stay)")
    return 0


def _write(root: Path, enrolment: keys.Enrolment) -> None:
    try:
        keys.write_enrolment(root, enrolment)
    except OSError as e:
        raise JournalWriteError(f"could not write {keys.KEYS_FILE}: {e.strerror or e} (the teacher's account "
                                "needs to be able to add files to the data folder)") from None


def _shared(classroom: object, login: str) -> bool:
    """Whether `login` is a shared classroom login (listed, or nobody's own where the list is "*")."""
    from paratui.model.access import acting

    return login != "*" and acting(classroom, login, None).mode == "shared"  # type: ignore[arg-type]
