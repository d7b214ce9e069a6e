"""Signed journal entries (docs/trust.md): this account's ed25519 key pair, signing an event as it is
written, checking a signature as it is read, and the room's enrolled keys (`keys.json`, the teacher's).

* **The key pair** lives in the account's own config folder (`$XDG_CONFIG_HOME/paratui/keys/`, default
  `~/.config`), mode 0600 in a 0700 folder, never in the data folder (a place inside it is skipped,
  as for the caches). Made on the first write. A key file that is not a plain file of this account's
  own, or that others may read, is not used (the write goes unsigned).
* **A signature** covers the event's canonical JSON (its document without `sig`, keys sorted, no
  spaces, UTF-8) and carries the public key, so a reader checks it without the enrolment:
  `"sig": {"ed25519": <64 bytes hex>, "key": <32 bytes hex>}`. What a check finds: None (unsigned),
  `BAD` (the signature does not match the document), or the key's id (`key_id`).
* **The enrolment** (`keys.json` in the data folder, written by `paratui keys enrol / revoke`) says
  whose each key is; paratui.model.access refuses what a key may not have written.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from paratui.model.access import BAD_SIGNATURE, KeyRing
from paratui.store.atomic import atomic_write
from paratui.store.safe_read import MiB, UnsafeFile, inside, read_regular_owned

KEYS_FILE = "keys.json"
KEYS_LIMIT = 1 * MiB
BAD = BAD_SIGNATURE  # a signature that does not match its document (an Origin's `signer`)
_KEY_NAME = "ed25519.key"


def key_id(public: bytes) -> str:
    """A key's short, stable name: the first 16 hex digits of the SHA-256 of its public bytes."""
    return sha256(public).hexdigest()[:16]


def canonical(doc: dict[str, Any]) -> bytes:
    """What a signature covers: the document without `sig`, as canonical JSON."""
    return json.dumps({k: v for k, v in doc.items() if k != "sig"}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8", "surrogatepass")


# -- this account's key ---------------------------------------------------------------------------
def key_folder(data_root: Path | None = None) -> Path | None:
    """Where this account's key pair is kept (None: every candidate lies inside the data folder)."""
    import pwd

    candidates = [os.environ.get("XDG_CONFIG_HOME")]
    try:
        candidates.append(str(Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".config"))
    except KeyError:
        pass
    root = Path(data_root).resolve() if data_root is not None else None
    for base in candidates:
        if not base or not os.path.isabs(base):
            continue
        folder = Path(base).resolve() / "paratui" / "keys"
        if root is None or not inside(folder, root):
            return folder
    return None


class Signer:
    """This account's private key, loaded (or made) once, on the first write that needs it."""

    def __init__(self, data_root: Path | None = None, create: bool = True):
        self.data_root, self.create = data_root, create
        self._key: Any = None
        self._public: str = ""
        self.problem: str | None = None  # why writes go unsigned (None: they are signed, or not tried)
        self._tried = False

    def key(self) -> Any:
        if not self._tried:
            self._tried = True
            try:
                self._key = _load_or_make(self.data_root, self.create)
            except ImportError:
                self.problem = "the cryptography package is not installed"
            except (OSError, ValueError) as e:
                self.problem = str(e)
            if self._key is not None:
                from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

                self._public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        return self._key

    @property
    def public(self) -> str:
        """This account's public key (hex; "" when it has none)."""
        self.key()
        return self._public

    def sign(self, doc: dict[str, Any]) -> dict[str, Any]:
        """`doc` with its signature (as it was, when this account has no usable key)."""
        key = self.key()
        if key is None:
            return doc
        return {**doc, "sig": {"ed25519": key.sign(canonical(doc)).hex(), "key": self._public}}


def _load_or_make(data_root: Path | None, create: bool) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = key_folder(data_root)
    if folder is None:
        raise ValueError("no key folder outside the data folder")
    path = folder / _KEY_NAME
    me = os.geteuid()
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is None:
        if not create:
            return None
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fst = os.lstat(folder)
        if not stat.S_ISDIR(fst.st_mode) or fst.st_uid != me or fst.st_mode & 0o077:
            raise ValueError(f"{folder}: not a private folder of this account's own")
        key = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, raw.hex().encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        return key
    if not stat.S_ISREG(st.st_mode) or st.st_uid != me or st.st_mode & 0o077:
        raise ValueError(f"{path}: not a private file of this account's own (mode 0600); not used")
    with open(path, "rb") as f:
        text = f.read(200).strip()
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text.decode("ascii")))


# -- checking a signature --------------------------------------------------------------------------
_PUBLIC: dict[str, Any] = {}  # public key hex → its key object (a room has a handful)


def check(doc: dict[str, Any]) -> str | None:
    """None: unsigned; BAD: a signature that does not match (or cannot be read); else the key's id."""
    sig = doc.get("sig")
    if sig is None:
        return None
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None  # cannot check here: read as unsigned
    if not isinstance(sig, dict) or not isinstance(sig.get("ed25519"), str) or not isinstance(sig.get("key"), str):
        return BAD
    public_hex = sig["key"]
    try:
        key = _PUBLIC.get(public_hex)
        if key is None:
            public = bytes.fromhex(public_hex)
            key = Ed25519PublicKey.from_public_bytes(public)
            if len(_PUBLIC) < 1024:
                _PUBLIC[public_hex] = key
        key.verify(bytes.fromhex(sig["ed25519"]), canonical(doc))
    except (ValueError, InvalidSignature, UnicodeEncodeError, TypeError):
        return BAD
    return key_id(bytes.fromhex(public_hex))


# -- the room's enrolment: keys.json ----------------------------------------------------------------
@dataclass(frozen=True)
class Enrolment:
    """keys.json as read: key id → {"public", "staff", "enrolled"}; revoked key id → when."""

    keys: dict[str, dict[str, str]] = field(default_factory=dict)
    revoked: dict[str, str] = field(default_factory=dict)


def read_enrolment(root: Path) -> tuple[Enrolment, int | None, list[str]]:
    """(the enrolment, the uid owning keys.json or None when there is none, problems)."""
    path = Path(root) / KEYS_FILE
    try:
        raw, uid = read_regular_owned(path, KEYS_LIMIT, root=Path(root))
    except FileNotFoundError:
        return Enrolment(), None, []
    except UnsafeFile as e:
        return Enrolment(), None, [f"{KEYS_FILE}: {e.strerror}"]
    except OSError as e:
        return Enrolment(), None, [f"{KEYS_FILE}: cannot read ({e.strerror})"]
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return Enrolment(), uid, [f"{KEYS_FILE}: not JSON (no keys enrolled until it is fixed)"]
    problems: list[str] = []
    keys: dict[str, dict[str, str]] = {}
    revoked: dict[str, str] = {}
    found = data.get("keys", {}) if isinstance(data, dict) else None
    gone = data.get("revoked", {}) if isinstance(data, dict) else None
    if not isinstance(found, dict) or not isinstance(gone, dict):
        return Enrolment(), uid, [f"{KEYS_FILE}: expected {{\"keys\": {{…}}, \"revoked\": {{…}}}}"]
    for kid, entry in found.items():
        ok = (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("public", "staff"))
              and _is_key(entry["public"]) and key_id(bytes.fromhex(entry["public"])) == kid)
        if ok:
            keys[kid] = {k: v for k, v in entry.items() if isinstance(v, str)}
        else:
            problems.append(f"{KEYS_FILE}: key {str(kid)[:16]!r}: not a key id with its public key and staff; ignored")
    for kid, when in gone.items():
        revoked[str(kid)] = str(when)
    return Enrolment(keys, revoked), uid, problems


def _time(text: object) -> datetime | None:
    """A time keys.json recorded (naive local, as the journal's); None: missing or unreadable."""
    try:
        t = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return t.astimezone().replace(tzinfo=None) if t is not None and t.tzinfo is not None else t


def key_ring(e: Enrolment) -> KeyRing:
    """What the model checks: whose each key is, when each revoked key was revoked (None: keys.json
    does not say, so nothing it signed stands), and since when each person has a key (their earliest
    enrolment; one without a readable time counts as always: every unsigned event of theirs refused)."""
    since: dict[str, datetime] = {}
    for entry in e.keys.values():
        t = _time(entry.get("enrolled")) or datetime.min
        who = entry["staff"]
        since[who] = min(since.get(who, t), t)
    return KeyRing({k: v["staff"] for k, v in e.keys.items()}, {k: _time(v) for k, v in e.revoked.items()}, since)


def _is_key(text: str) -> bool:
    try:
        return len(bytes.fromhex(text)) == 32
    except ValueError:
        return False


def write_enrolment(root: Path, enrolment: Enrolment) -> None:
    data = {"keys": enrolment.keys, "revoked": enrolment.revoked}
    atomic_write(Path(root) / KEYS_FILE, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode(), mode=0o644)


def enrol(e: Enrolment, public: str, staff: str, when: datetime) -> tuple[Enrolment, str]:
    if not _is_key(public):
        raise ValueError("expected a public key: 64 hex digits (`paratui keys show` prints it)")
    kid = key_id(bytes.fromhex(public))
    keys = {**e.keys, kid: {"public": public.lower(), "staff": staff, "enrolled": when.isoformat(timespec="minutes")}}
    revoked = {k: v for k, v in e.revoked.items() if k != kid}
    return Enrolment(keys, revoked), kid


def revoke(e: Enrolment, prefix: str, when: datetime) -> tuple[Enrolment, str]:
    hits = [k for k in e.keys if k.startswith(prefix.lower())] if len(prefix) >= 4 else []
    if len(hits) != 1:
        raise ValueError(f"no single enrolled key starts with {prefix[:16]!r} "
                         f"(enrolled: {', '.join(e.keys) or 'none'})")
    kid = hits[0]
    return Enrolment(e.keys, {**e.revoked, kid: when.isoformat(timespec="minutes")}), kid
