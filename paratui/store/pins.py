"""PINs for the shared classroom login: who picks a person whose role may do more than a para's
there acts with that role only after typing that person's PIN (docs/trust.md: The shared classroom
login). The PIN also unseals that person's PIN key (an Ed25519 key pair made by `pin set`, its
private key sealed with the PIN: scrypt, then AES-GCM), which signs their events there (`pin_sig`,
paratui.store.keys.pin_sign); a change beyond a para's rights written at the shared login without
it is not applied (paratui.model.access.pin_refusal).

Each PIN is kept as a slow salted hash only, never the PIN itself: `pins/STAFF.json` in the data
folder holds scrypt's parameters, a random 16-byte salt and the hash. In a folder several accounts
write into (where a file's owner says who wrote it: `owners_vouch`), a pins file counts only when
that person's own login or a teacher's owns it, and never when other accounts may write it (group-
or other-writable); otherwise it is ignored, with a problem naming it.

Wrong PINs are rate-limited: 3 wrong in a row lock that person's PIN for 30 s on this account, each
further wrong one doubles the lock (at most an hour). The count is kept per account, outside the data
folder (`paratui.store.user_cache`, kind "pins"), and in memory by a running board (`PinGate`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from paratui.model.access import duplicate_logins
from paratui.model.text import clean
from paratui.store.atomic import atomic_write
from paratui.store.identity import safe_name
from paratui.store.journal_reader import owner_login, owners_vouch
from paratui.store.user_cache import cache_folder

PINS_DIR = "pins"
N, R, P = 2**14, 8, 1  # scrypt's cost: about 45 ms and 16 MiB per try
SALT_BYTES = 16
HASH_BYTES = 32
FILE_LIMIT = 65536
FREE_TRIES = 3  # wrong PINs in a row before the first lock
FIRST_LOCK_S = 30
MAX_LOCK_S = 3600
PIN_RULE = "4 to 12 digits"
_PIN = re.compile(r"[0-9]{4,12}")


class _Adult(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def short(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def logins(self) -> tuple[str, ...]: ...


class _Room(Protocol):
    @property
    def staff(self) -> Sequence[_Adult]: ...


def pin_problem(pin: str) -> str | None:
    """What is wrong with a new PIN (None: nothing). Never says the PIN."""
    if not _PIN.fullmatch(pin):
        return f"a PIN is {PIN_RULE} (0-9 only)"
    return None


def pin_rel(staff_id: str) -> str:
    return f"{PINS_DIR}/{safe_name(staff_id)}.json"


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=HASH_BYTES)


def make_record(staff_id: str, pin: str, when: datetime, old_keys: Sequence[str] = ()) -> dict[str, Any]:
    """What `pins/STAFF.json` holds for `pin`: the hash and how to remake it, never the PIN; and a new
    PIN key (`pin_key`: an Ed25519 key pair, its private key sealed with the PIN: scrypt with a salt of
    its own, then AES-GCM, bound to the person and the public key), with the public keys of earlier
    PINs (`old_keys`), whose signatures stay valid."""
    if (problem := pin_problem(pin)) is not None:
        raise ValueError(problem)
    salt = os.urandom(SALT_BYTES)
    record: dict[str, Any] = {
        "staff": staff_id, "set": when.isoformat(timespec="minutes"),
        "scrypt": {"n": N, "r": R, "p": P, "salt": salt.hex(), "hash": _scrypt(pin, salt, N, R, P).hex()}}
    try:
        record["pin_key"] = _seal_new_key(staff_id, pin)
    except ImportError:
        pass  # no cryptography here: a PIN without a key (its changes at the shared login are not applied)
    if old_keys:
        record["old_keys"] = sorted(set(old_keys))
    return record


def _aad(staff_id: str, public: str) -> bytes:
    return f"paratui pin key\0{staff_id}\0{public}".encode("utf-8", "surrogatepass")


def _seal_new_key(staff_id: str, pin: str) -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(12)
    sealed = AESGCM(_scrypt(pin, salt, N, R, P)).encrypt(nonce, raw, _aad(staff_id, public))
    return {"public": public, "salt": salt.hex(), "nonce": nonce.hex(), "sealed": sealed.hex()}


@dataclass(frozen=True)
class PinRecord:
    staff: str
    n: int
    r: int
    p: int
    salt: bytes
    hash: bytes
    # the PIN key: its public key (hex), the salt and nonce its private key was sealed with, the sealed
    # bytes ("" / b"": a pins file written before PIN keys)
    public: str = ""
    key_salt: bytes = b""
    nonce: bytes = b""
    sealed: bytes = b""

    def matches(self, pin: str) -> bool:
        if pin_problem(pin) is not None:
            return False
        return hmac.compare_digest(_scrypt(pin, self.salt, self.n, self.r, self.p), self.hash)

    def unseal(self, pin: str) -> Any:
        """The PIN key's private key (to keep in memory only), or None (no key, or not this PIN)."""
        if not self.public or pin_problem(pin) is not None:
            return None
        try:
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
        except ImportError:
            return None
        try:
            raw = AESGCM(_scrypt(pin, self.key_salt, self.n, self.r, self.p)).decrypt(
                self.nonce, self.sealed, _aad(self.staff, self.public))
            key = Ed25519PrivateKey.from_private_bytes(raw)
        except (InvalidTag, ValueError):
            return None
        if key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex() != self.public:
            return None
        return key


def _parse(raw: bytes, staff_id: str) -> PinRecord | str:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return "not JSON"
    if not isinstance(data, dict) or data.get("staff") != staff_id or not isinstance(data.get("scrypt"), dict):
        return f"expected {{\"staff\": \"{clean(staff_id, limit=12)}\", \"scrypt\": {{…}}}}"
    s = data["scrypt"]
    n, r, p = s.get("n"), s.get("r"), s.get("p")
    if not (isinstance(n, int) and isinstance(r, int) and isinstance(p, int)) or isinstance(n, bool) \
            or not (2**10 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 4):
        return "scrypt: n, r, p out of range"
    try:
        salt, digest = bytes.fromhex(str(s.get("salt"))), bytes.fromhex(str(s.get("hash")))
    except ValueError:
        return "scrypt: salt and hash must be hex"
    if len(salt) < SALT_BYTES or len(digest) != HASH_BYTES:
        return f"scrypt: a salt of at least {SALT_BYTES} bytes and a hash of {HASH_BYTES}"
    k = data.get("pin_key")
    if k is None:
        return PinRecord(staff_id, n, r, p, salt, digest)
    try:
        if not isinstance(k, dict):
            raise ValueError
        public = str(k["public"])
        parts = bytes.fromhex(public), bytes.fromhex(str(k["salt"])), bytes.fromhex(str(k["nonce"])), \
            bytes.fromhex(str(k["sealed"]))
    except (KeyError, ValueError):
        return "pin_key: expected {\"public\", \"salt\", \"nonce\", \"sealed\"} in hex"
    if len(parts[0]) != 32 or len(parts[1]) < SALT_BYTES or len(parts[2]) != 12:
        return "pin_key: a 32-byte public key, a 16-byte salt and a 12-byte nonce"
    return PinRecord(staff_id, n, r, p, salt, digest, public.lower(), parts[1], parts[2], parts[3])


def _public_keys(data: Any) -> list[str]:
    """Every PIN public key a pins file lists (hex): its current one and those of earlier PINs."""
    if not isinstance(data, dict):
        return []
    found = []
    k = data.get("pin_key")
    if isinstance(k, dict) and isinstance(k.get("public"), str):
        found.append(k["public"])
    old = data.get("old_keys")
    if isinstance(old, list):
        found.extend(x for x in old if isinstance(x, str))
    out = []
    for x in found:
        try:
            if len(bytes.fromhex(x)) == 32:
                out.append(x.lower())
        except ValueError:
            continue
    return out


def may_own(classroom: _Room, staff_id: str) -> set[str]:
    """The logins whose pins file for `staff_id` counts: that person's own and every teacher's (a
    login listed for two people counts for no one)."""
    twice = duplicate_logins(classroom.staff)
    logins = {login for s in classroom.staff if s.id == staff_id or s.role == "teacher" for login in s.logins}
    return logins - twice


def read_pin(root: Path, staff_id: str, classroom: _Room) -> tuple[PinRecord | None, str | None]:
    """(`staff_id`'s PIN record or None, the problem with their pins file or None). A file is read
    without following links; it counts only when no other account may write it and, in a folder
    several accounts write into, when its owner is that person's own login or a teacher's. A file
    whose PIN was cleared (only earlier keys kept) is no PIN."""
    raw, problem = _read_file(root, staff_id, classroom)
    if raw is None:
        return None, problem
    try:
        if isinstance(data := json.loads(raw), dict) and "scrypt" not in data and "cleared" in data:
            return None, None
    except (ValueError, RecursionError):
        pass
    found = _parse(raw, staff_id)
    if isinstance(found, str):
        return None, f"{pin_rel(staff_id)}: {found}: ignored"
    return found, None


def pin_key_ids(root: Path, staff_id: str, classroom: _Room) -> frozenset[str]:
    """The ids (paratui.store.keys.key_id) of `staff_id`'s PIN keys, current and earlier, from their
    pins file if it counts (the same rules as `read_pin`)."""
    from paratui.store.keys import key_id

    raw, _ = _read_file(root, staff_id, classroom)
    if raw is None:
        return frozenset()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return frozenset()
    if not isinstance(data, dict) or data.get("staff") != staff_id:
        return frozenset()
    return frozenset(key_id(bytes.fromhex(x)) for x in _public_keys(data))


def _read_file(root: Path, staff_id: str, classroom: _Room) -> tuple[bytes | None, str | None]:
    root = Path(root)
    rel = pin_rel(staff_id)
    path = root / rel
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return None, None
    except OSError as e:
        return None, f"{rel}: cannot be read ({e.strerror}): ignored"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > FILE_LIMIT:
            return None, f"{rel}: not a small regular file: ignored"
        if st.st_mode & 0o022:
            return None, (f"{rel}: other accounts may change it (mode {stat.S_IMODE(st.st_mode):o}): ignored "
                          "(`paratui pin set` writes it 0644)")
        try:
            folder_mode = os.stat(root / PINS_DIR).st_mode
        except OSError:
            folder_mode = 0
        if owners_vouch(root / "journal") or folder_mode & 0o022:
            owner = owner_login(st.st_uid)
            if owner not in may_own(classroom, staff_id):
                return None, (f"{rel}: written by account {clean(owner, limit=32)}, not "
                              f"{clean(staff_id, limit=12)}'s own login or a teacher's: ignored")
        raw = os.read(fd, FILE_LIMIT + 1)
    finally:
        os.close(fd)
    return raw, None


def check_pins(root: Path, classroom: _Room) -> list[str] | None:
    """`paratui check`: every pins file's problem (None: the room has no pins folder). A file for
    someone not on the staff list, or one that would be ignored, is named with the reason."""
    folder = Path(root) / PINS_DIR
    if not folder.is_dir():
        return None
    staff = {safe_name(s.id): s.id for s in classroom.staff}
    problems: list[str] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.name.endswith(".json"):
            continue
        who = staff.get(entry.name[:-5])
        if who is None:
            problems.append(f"{PINS_DIR}/{clean(entry.name, limit=40)}: not anyone on the staff list: ignored")
            continue
        _, problem = read_pin(root, who, classroom)
        if problem:
            problems.append(problem)
    return problems


def write_pin(root: Path, staff_id: str, pin: str, when: datetime, classroom: _Room | None = None) -> Path:
    """Set `staff_id`'s PIN (its hash and a new PIN key) in the data folder, keeping the public keys of
    the earlier PINs its file lists (when it counts: `classroom` given). The pins folder is made like
    the journal: in a room several accounts share, group-writable, setgid and sticky (each person may
    add their own file, nobody may replace or remove another's)."""
    record = make_record(staff_id, pin, when, _kept_keys(root, staff_id, classroom))
    root = Path(root)
    folder = root / PINS_DIR
    if not folder.is_dir():
        folder.mkdir()
        shared = owners_vouch(root / "journal")
        os.chmod(folder, 0o3775 if shared else 0o755)
    path = root / pin_rel(staff_id)
    atomic_write(path, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode(), mode=0o644)
    return path


def _kept_keys(root: Path, staff_id: str, classroom: _Room | None) -> list[str]:
    if classroom is None:
        return []
    raw, _ = _read_file(root, staff_id, classroom)
    try:
        data = json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):
        return []
    return _public_keys(data) if isinstance(data, dict) and data.get("staff") == staff_id else []


def clear_pin(root: Path, staff_id: str, when: datetime | None = None, classroom: _Room | None = None) -> bool:
    """Clear `staff_id`'s PIN (False: none was set). The public keys of its PINs are kept in the file
    (`"cleared"`, `old_keys`), so what they signed stays applied; with no keys to keep, the file goes."""
    path = Path(root) / pin_rel(staff_id)
    if not os.path.lexists(path):
        return False
    kept = _kept_keys(root, staff_id, classroom)
    if not kept or when is None:
        path.unlink()
        return True
    body = {"staff": staff_id, "cleared": when.isoformat(timespec="minutes"), "old_keys": sorted(set(kept))}
    atomic_write(path, (json.dumps(body, indent=2, sort_keys=True) + "\n").encode(), mode=0o644)
    return True


# -- trying a PIN: the rate limit ------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """What trying a PIN gave: `ok` (act with the person's own role), else why not, in words."""

    ok: bool
    kind: str  # "ok" | "wrong" | "locked" | "none" (no PIN set, or its file ignored) | "missing" (none typed)
    #          | "nokey" (the PIN is right, but its file has no PIN key: set before PIN keys)
    message: str
    # the person's PIN key, unsealed (ok only): kept in memory to sign their changes (`pin_sig`)
    key: Any = field(default=None, repr=False, compare=False)


def lock_seconds(wrong: int) -> int:
    """How long the PIN is locked after `wrong` wrong tries in a row (0: not locked)."""
    if wrong < FREE_TRIES:
        return 0
    return min(FIRST_LOCK_S * 2 ** (wrong - FREE_TRIES), MAX_LOCK_S)


class PinGate:
    """Tries PINs for one data folder, with the rate limit, on this account. A board keeps one for its
    life: its count in memory holds even if the state file is removed."""

    def __init__(self, root: Path, clock: Callable[[], datetime]):
        self.root = Path(root)
        self.clock = clock
        self._memory: dict[str, dict[str, Any]] = {}
        folder = cache_folder(self.root, PINS_DIR)
        self.state_path = folder / "attempts.json" if folder is not None else None

    # the state: staff id → {"wrong": n, "until": ISO time or None}
    def _read_state(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        if self.state_path is not None:
            try:
                data = json.loads(self.state_path.read_bytes()[:65536])
                if isinstance(data, dict):
                    found = {k: v for k, v in data.items() if isinstance(v, dict)}
            except (OSError, ValueError, RecursionError):
                pass
        for staff, mine in self._memory.items():  # the more cautious of the two
            other = found.get(staff)
            if other is None or _wrong(mine) >= _wrong(other):
                found[staff] = mine
        return found

    def _write_state(self, state: dict[str, dict[str, Any]]) -> None:
        self._memory = {k: dict(v) for k, v in state.items()}
        if self.state_path is None:
            return
        try:
            self.state_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(self.state_path, json.dumps(state, sort_keys=True).encode(), mode=0o600, durable=False)
        except OSError:
            pass  # the memory still counts

    def locked_for(self, staff_id: str) -> int:
        """Seconds until `staff_id`'s PIN may be tried again (0: now)."""
        entry = self._read_state().get(staff_id)
        until = _until(entry)
        if until is None:
            return 0
        left = (until - self.clock()).total_seconds()
        return max(0, int(left + 0.999))

    def check(self, classroom: _Room, staff_id: str, pin: str | None) -> Verdict:
        """Try `pin` for `staff_id`. Never raises for a bad PIN; never says it."""
        name = _short(classroom, staff_id)
        record, problem = read_pin(self.root, staff_id, classroom)
        if record is None:
            why = f"{problem}; " if problem else ""
            return Verdict(False, "none", f"{why}no PIN set for {name}: acting with a para's rights; set one with "
                           "`paratui pin set`")
        if pin is None:
            return Verdict(False, "missing", f"no PIN typed for {name}: acting with a para's rights")
        left = self.locked_for(staff_id)
        if left:
            return Verdict(False, "locked", f"{name}'s PIN is locked for {left} s more (too many wrong PINs): "
                           "acting with a para's rights")
        state = self._read_state()
        if record.matches(pin):
            state.pop(staff_id, None)
            self._write_state(state)
            key = record.unseal(pin)
            if key is None:
                return Verdict(False, "nokey", f"{name}'s PIN is right, but its pins file has no PIN key (set "
                               "before PIN keys, or without the cryptography package): acting with a para's "
                               "rights; set it again with `paratui pin set` from your own login")
            return Verdict(True, "ok", f"PIN right: acting as {name}", key)
        wrong = _wrong(state.get(staff_id)) + 1
        lock = lock_seconds(wrong)
        until = self.clock() + timedelta(seconds=lock) if lock else None
        state[staff_id] = {"wrong": wrong, "until": until.isoformat() if until else None}
        self._write_state(state)
        if lock:
            return Verdict(False, "wrong", f"wrong PIN: {name}'s PIN is locked for {lock} s; acting with a "
                           "para's rights")
        tries = FREE_TRIES - wrong
        return Verdict(False, "wrong", f"wrong PIN ({tries} {'try' if tries == 1 else 'tries'} left): acting "
                       "with a para's rights")


def _wrong(entry: dict[str, Any] | None) -> int:
    n = entry.get("wrong") if entry else 0
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 0


def _until(entry: dict[str, Any] | None) -> datetime | None:
    raw = entry.get("until") if entry else None
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _short(classroom: _Room, staff_id: str) -> str:
    who = next((s for s in classroom.staff if s.id == staff_id), None)
    return clean(who.short if who is not None else staff_id, limit=20)
