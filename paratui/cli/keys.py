"""`paratui keys show|enrol|revoke|sign-over|trust`: this account's signing key, the room's enrolled
keys, and this machine's pin of the teacher's key (docs/trust.md). Enrolling, revoking and signing
over are the teacher's, from their own login; each writes keys.json signed with the teacher's key."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from paratui.cli.common import Commands, acting_staff, command, open_room
from paratui.model.access import Screened, content_hash
from paratui.model.commands import NotAllowed, Refused
from paratui.model.resolve import NotFound, find_staff
from paratui.model.text import clean
from paratui.store import identity, keys
from paratui.store.journal import JournalWriteError
from paratui.store.room import Room


def add_keys(sub: Commands) -> None:
    k = command(sub, "keys", "this account's signing key, and the room's enrolled keys (docs/trust.md)",
                "paratui keys show  |  paratui keys enrol AL 3b1f…  |  paratui keys enrol @room12 7a0c…  |  "
                "paratui keys revoke 9c2e  |  paratui keys sign-over  |  paratui keys trust 5d0e…", _keys)
    k.add_argument("action", choices=("show", "enrol", "revoke", "sign-over", "trust"),
                   help="show: this account's key, the enrolled ones and this machine's pin; enrol STAFF "
                        "PUBLIC_KEY (or @SHARED_LOGIN); revoke KEY_ID; sign-over: the teacher signs the "
                        "unsigned entries applied today (then only signed ones count); trust KEY_ID: pin the "
                        "teacher's key on this machine")
    k.add_argument("what", nargs="*", help="enrol: the staff member and their public key (64 hex digits, "
                                           "from `paratui keys show` on their account); revoke: a key id; "
                                           "trust: the teacher's key id (16 hex digits)")


def _keys(args: argparse.Namespace) -> int:
    room = open_room(args)
    snap = room.snapshot()
    enrolment, _uid, problems = keys.read_enrolment(room.root)
    if args.action == "show":
        return _show(room, snap.classroom, enrolment, problems)
    if args.action == "trust":
        return _trust(room, enrolment, args.what)
    me = acting_staff(snap.classroom, getattr(args, "as_", None))
    if me is None or me.role != "teacher" or identity.login() not in me.logins:
        raise NotAllowed("only the teacher, from their own login, enrols, revokes and signs over (keys.json "
                         "must be theirs: docs/trust.md)")
    signer = keys.Signer(room.root)
    if not signer.public:
        raise NotAllowed(f"this account has no signing key ({clean(signer.problem or 'unknown reason')}): "
                         "keys.json is signed with the teacher's")
    now = room.clock()
    mine = keys.key_id(bytes.fromhex(signer.public))
    if mine not in enrolment.keys or enrolment.keys[mine].get("staff") != me.id or mine in enrolment.revoked:
        # keys.json is signed with the teacher's key: it must be theirs in it
        before = enrolment.signed_by
        enrolment, _ = keys.enrol(enrolment, signer.public, me.id, now)
        print(f"enrolled this account's own key {mine} for {clean(me.short)}: keys.json is signed with it")
        if before not in (None, keys.BAD, mine):
            print(f"  keys.json was signed with key {before}: machines that pinned it ignore this one until each runs "
                  f"`paratui keys trust {mine}` (or enrol this key from that key's account first: docs/trust.md)")
    if args.action == "enrol":
        return _enrol(room, snap.classroom, enrolment, signer, args.what, now)
    if args.action == "revoke":
        return _revoke(room, enrolment, signer, args.what, now)
    return _sign_over(room, enrolment, signer, now)


def _show(room: Room, classroom: object, enrolment: keys.Enrolment, problems: list[str]) -> int:
    signer = keys.Signer(room.root)
    if signer.public:
        kid = keys.key_id(bytes.fromhex(signer.public))
        print(f"this account ({clean(identity.login(), limit=32)}): key {kid}")
        print(f"  public key: {signer.public}")
    else:
        print(f"this account has no signing key: {clean(signer.problem or 'unknown reason')}")
    shorts = {s.id: s.short for s in getattr(classroom, "staff", ())}
    if not enrolment.keys:
        print("enrolled keys: none (no keys.json: no signature is checked until the teacher enrols a key)")
    for kid, entry in sorted(enrolment.keys.items(), key=lambda kv: kv[1].get("staff", "")):
        state = f"revoked {enrolment.revoked[kid]}" if kid in enrolment.revoked else \
            f"enrolled {entry.get('enrolled', '?')}"
        whose = entry.get("staff", "?")
        print(f"  {kid}  {clean(whose, limit=12):<4} {clean(shorts.get(whose, ''), limit=20):<10} {clean(state)}")
    if enrolment.keys:
        signed = enrolment.signed_by
        by = 'not signed' if signed is None else 'bad signature' if signed == keys.BAD else f'signed with key {signed}'
        over = any('signed-over' in m for m in enrolment.manifests)
        print(f"keys.json: {by}; {'signed entries only (a sign-over exists)' if over else 'no sign-over yet'}")
    pin = keys.read_pin(room.root)
    print(f"this machine trusts keys.json signed with: {pin.key if pin else 'no key pinned yet'}"
          + (f" ({clean(pin.staff, limit=12)}'s, pinned {clean(pin.pinned, limit=20)})" if pin else ""))
    for p in problems:
        print(f"  {clean(p)}")
    return 0


def _enrol(room: Room, classroom: object, enrolment: keys.Enrolment, signer: keys.Signer, what: list[str],
           now: datetime) -> int:
    if len(what) != 2:
        raise NotAllowed("enrol STAFF PUBLIC_KEY: the staff member and the public key `paratui keys show` "
                         "printed on their account")
    who = what[0].strip()
    if who.startswith("@"):  # the shared classroom login's key: it signs for whoever picked themselves
        if not _shared(classroom, who[1:]):
            raise NotAllowed(f"{clean(who, limit=32)}: not a shared login (`[access] shared_logins` "
                             "in classroom.toml)")
        try:
            enrolment, kid = keys.enrol(enrolment, what[1].strip(), who, now)
        except ValueError as e:
            raise NotAllowed(str(e)) from None
        _write(room.root, enrolment, signer)
        print(f"enrolled key {kid} for the shared login {clean(who[1:], limit=32)}: events it signs with "
              "that login count as whoever picked themselves there (their roles apply)")
        return 0
    try:
        staff = find_staff(classroom, who)  # type: ignore[arg-type]
    except NotFound as e:
        raise Refused(str(e), "staff") from None
    try:
        enrolment, kid = keys.enrol(enrolment, what[1].strip(), staff.id, now)
    except ValueError as e:
        raise NotAllowed(str(e)) from None
    _write(room.root, enrolment, signer)
    print(f"enrolled key {kid} for {clean(staff.short)}: events it signs count as {clean(staff.id)}'s; "
          f"unsigned ones claiming {clean(staff.id)} dated from {now:%Y-%m-%d %H:%M} on are not applied")
    return 0


def _revoke(room: Room, enrolment: keys.Enrolment, signer: keys.Signer, what: list[str], now: datetime) -> int:
    if len(what) != 1:
        raise NotAllowed("revoke KEY_ID: the key's id (its first letters, at least 4; `paratui keys show`)")
    try:
        kid = keys.find_key(enrolment, what[0].strip())
    except ValueError as e:
        raise NotAllowed(str(e)) from None
    if kid == keys.key_id(bytes.fromhex(signer.public)):
        raise NotAllowed("that is this account's own key, which signs keys.json: revoke it from the teacher's "
                         "new key's account (enrol that one first)")
    # what the key signed that is applied now: only these stay, whatever time a later event claims
    screened = _applied(room, now)
    signed = {e.id: content_hash(e) for e in screened.events if e.origin is not None and e.origin.signer == kid}
    enrolment, kid = keys.revoke(enrolment, kid, now)
    name = f"{keys.MANIFEST_DIR}/revoked-{kid}.json"
    body = {"kind": "revoked", "key": kid, "at": now.isoformat(timespec="minutes"), "events": signed}
    enrolment = _manifest(room.root, enrolment, name, body, signer)
    _write(room.root, enrolment, signer)
    print(f"revoked key {kid} at {now:%Y-%m-%d %H:%M}: the {len(signed)} event(s) it had signed stay applied "
          f"(listed in {name}); anything else it signs is not, whatever its time says")
    return 0


def _sign_over(room: Room, enrolment: keys.Enrolment, signer: keys.Signer, now: datetime) -> int:
    _write(room.root, enrolment, signer)  # so the read below checks signatures (keys.json exists)
    screened = _applied(room, now)
    unsigned = {e.id: content_hash(e) for e in screened.events if e.origin is not None and e.origin.signer is None}
    name = f"{keys.MANIFEST_DIR}/signed-over-{now:%Y-%m-%dT%H%M}.json"
    n = 1
    while name in enrolment.manifests or (room.root / name).exists():
        n += 1
        name = f"{keys.MANIFEST_DIR}/signed-over-{now:%Y-%m-%dT%H%M}-{n}.json"
    body = {"kind": "signed-over", "at": now.isoformat(timespec="minutes"), "events": unsigned}
    enrolment = _manifest(room.root, enrolment, name, body, signer)
    _write(room.root, enrolment, signer)
    print(f"signed over {len(unsigned)} unsigned event(s) applied today ({name}): they read as signed. From now "
          "on this room takes signed entries only: an unsigned event not in a sign-over is not applied, whatever "
          "its time says")
    return 0


def _trust(room: Room, enrolment: keys.Enrolment, what: list[str]) -> int:
    if len(what) != 1 or len(what[0].strip()) != 16:
        raise NotAllowed("trust KEY_ID: the teacher's key id, all 16 hex digits (the teacher's `paratui keys show` "
                         "prints it; check it with them, not from the folder)")
    kid = what[0].strip().lower()
    now = datetime.now().isoformat(timespec="minutes")
    raw = keys.read_raw(room.root)
    if enrolment.signed_by == kid:
        whose = enrolment.keys.get(kid, {}).get("staff", "")
        pin = keys.Pin(kid, enrolment.signed_public, whose, now, raw)
        said = f"keys.json is signed with it ({clean(whose, limit=12) or 'no one'}'s key): it counts"
    else:
        old = keys.read_pin(room.root)
        pin = keys.Pin(kid, "", enrolment.keys.get(kid, {}).get("staff", ""), now,
                       old.copy if old is not None else None)
        said = "keys.json is not signed with it: it is ignored until the teacher signs it"
    try:
        keys.write_pin(room.root, pin)
    except OSError as e:
        raise JournalWriteError(f"could not pin the key: {e}") from None
    print(f"this machine now trusts keys.json signed with key {kid} for this room; {said}")
    return 0


def _applied(room: Room, now: datetime) -> Screened:
    """The room's whole journal as screened now (a fresh read, keys.json as just written)."""
    fresh = Room(room.root, room.clock)
    return fresh.folder.load(now.date(), whole_journal=True).screened()


def _manifest(root: Path, enrolment: keys.Enrolment, name: str, body: dict, signer: keys.Signer) -> keys.Enrolment:
    from dataclasses import replace

    try:
        digest = keys.write_manifest(root, name, body, signer)
    except (OSError, ValueError) as e:
        raise JournalWriteError(f"could not write {name}: {getattr(e, 'strerror', None) or e}") from None
    return replace(enrolment, manifests={**enrolment.manifests, name: digest})


def _write(root: Path, enrolment: keys.Enrolment, signer: keys.Signer) -> None:
    try:
        keys.write_enrolment(root, enrolment, signer)
    except ValueError as e:
        raise NotAllowed(str(e)) from None
    except OSError as e:
        raise JournalWriteError(f"could not write {keys.KEYS_FILE}: {e.strerror or e} (the teacher's account "
                                "needs to be able to add files to the data folder)") from None
    # the teacher's own machine trusts what the teacher just signed
    if keys.read_pin(root) is None:
        kid = keys.key_id(bytes.fromhex(signer.public))
        try:
            keys.write_pin(root, keys.Pin(kid, signer.public, enrolment.keys.get(kid, {}).get("staff", ""),
                                          datetime.now().isoformat(timespec="minutes"), keys.read_raw(root)))
        except OSError:
            pass  # pinned on the next read instead
    else:
        keys.trusted_enrolment(root, frozenset(), None)  # refreshes the copy the pin keeps


def _shared(classroom: object, login: str) -> bool:
    """Whether `login` is a shared classroom login (listed, or nobody's own where the list is "*")."""
    from paratui.model.access import acting

    return login != "*" and acting(classroom, login, None).mode == "shared"  # type: ignore[arg-type]
