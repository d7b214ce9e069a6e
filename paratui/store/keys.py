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
* **The enrolment** (`keys.json` in the data folder, written by `paratui keys enrol / revoke /
  sign-over`, signed with the teacher's key) says whose each key is and lists the teacher's
  **manifests** (`keys/signed-over-….json`, `keys/revoked-<key id>.json`: event ids and content
  hashes, each signed, each listed by the SHA-256 of its bytes); paratui.model.access refuses what a
  key may not have written.
* **The pin**: each account pins the teacher's key per room in its own config folder
  (`paratui/trust/<room>.json`, with the last keys.json that key signed); a keys.json not signed by
  it is ignored and that copy used (`trusted_enrolment`).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from paratui.model.access import BAD_SIGNATURE, KeyRing
from paratui.model.text import clean
from paratui.store.atomic import atomic_write
from paratui.store.safe_read import MiB, UnsafeFile, inside, read_regular, read_regular_owned

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


# -- the PIN key: a second signature by the person at the shared login -----------------------------
PIN_SIG = "pin_sig"


def pin_canonical(doc: dict[str, Any]) -> bytes:
    """What a PIN key's signature covers: the document without `sig` and `pin_sig`, as canonical JSON
    (the account's signature, made after it, covers `pin_sig` too)."""
    return json.dumps({k: v for k, v in doc.items() if k not in ("sig", PIN_SIG)}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def pin_sign(doc: dict[str, Any], key: Any) -> dict[str, Any]:
    """`doc` with `pin_sig` by `key` (an Ed25519 private key unsealed with the person's PIN, kept in
    memory only: paratui.store.pins); as it was when `key` is None."""
    if key is None:
        return doc
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    return {**doc, PIN_SIG: {"ed25519": key.sign(pin_canonical(doc)).hex(), "key": public}}


def check_pin(doc: dict[str, Any]) -> str | None:
    """The `pin_sig` of `doc`: None (none), BAD (does not match what the document says, or unreadable),
    else the PIN key's id (which person's it is: their pins file, paratui.store.pins.pin_key_ids)."""
    sig = doc.get(PIN_SIG)
    if sig is None:
        return None
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    if not isinstance(sig, dict) or not isinstance(sig.get("ed25519"), str) or not isinstance(sig.get("key"), str):
        return BAD
    try:
        public = bytes.fromhex(sig["key"])
        Ed25519PublicKey.from_public_bytes(public).verify(bytes.fromhex(sig["ed25519"]), pin_canonical(doc))
    except (ValueError, InvalidSignature, UnicodeEncodeError, TypeError):
        return BAD
    return key_id(public)


# -- the room's enrolment: keys.json ----------------------------------------------------------------
MANIFEST_DIR = "keys"
MANIFEST_LIMIT = 64 * MiB
# the names a manifest may have (keys.json lists them; nothing else is read): keys/signed-over-….json
# (the unsigned events the teacher signed over) and keys/revoked-<key id>.json (what a key had signed)
_MANIFEST = re.compile(r"keys/(signed-over-\d{4}-\d{2}-\d{2}T\d{4}(-\d{1,3})?|revoked-[0-9a-f]{16})\.json")


@dataclass(frozen=True)
class Enrolment:
    """keys.json as read: key id → {"public", "staff", "enrolled"}; revoked key id → when; the
    teacher's manifests (name → SHA-256 of the file); and what signed it (`signed_by`: a key id, BAD,
    or None for an unsigned keys.json, written before they were signed; `signed_public` its key)."""

    keys: dict[str, dict[str, str]] = field(default_factory=dict)
    revoked: dict[str, str] = field(default_factory=dict)
    manifests: dict[str, str] = field(default_factory=dict)
    signed_by: str | None = None
    signed_public: str = ""
    signed_only: bool = False


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
    enrolment, problems = parse_enrolment(data)
    return enrolment, uid, problems


def parse_enrolment(data: Any, label: str = KEYS_FILE) -> tuple[Enrolment, list[str]]:
    problems: list[str] = []
    keys: dict[str, dict[str, str]] = {}
    revoked: dict[str, str] = {}
    found = data.get("keys", {}) if isinstance(data, dict) else None
    gone = data.get("revoked", {}) if isinstance(data, dict) else None
    listed = data.get("manifests", {}) if isinstance(data, dict) else None
    if not isinstance(found, dict) or not isinstance(gone, dict) or not isinstance(listed, dict):
        return Enrolment(), [f"{label}: expected {{\"keys\": {{…}}, \"revoked\": {{…}}}}"]
    for kid, entry in found.items():
        ok = (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("public", "staff"))
              and _is_key(entry["public"]) and key_id(bytes.fromhex(entry["public"])) == kid)
        if ok:
            keys[kid] = {k: v for k, v in entry.items() if isinstance(v, str)}
        else:
            problems.append(f"{label}: key {str(kid)[:16]!r}: not a key id with its public key and staff; ignored")
    for kid, when in gone.items():
        revoked[str(kid)] = str(when)
    manifests: dict[str, str] = {}
    for name, digest_ in listed.items():
        if isinstance(name, str) and _MANIFEST.fullmatch(name) and isinstance(digest_, str):
            manifests[name] = digest_
        else:
            problems.append(f"{label}: manifest {clean(name, limit=60)!r}: not a manifest's name; ignored")
    signer = check(data) if isinstance(data, dict) else None
    public = data["sig"]["key"] if signer not in (None, BAD) else ""
    only = data.get("signed_only") is True
    return Enrolment(keys, revoked, manifests, signer, public, only), problems


def _time(text: object) -> datetime | None:
    """A time keys.json recorded (naive local, as the journal's); None: missing or unreadable."""
    try:
        t = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return t.astimezone().replace(tzinfo=None) if t is not None and t.tzinfo is not None else t


@dataclass(frozen=True)
class Manifests:
    """What the teacher's manifests say (read_manifests): event id → content hash signed over;
    revoked key id → {event id: content hash} it had signed then; whether a sign-over exists."""

    signed_over: dict[str, str] = field(default_factory=dict)
    kept: dict[str, dict[str, str]] = field(default_factory=dict)
    any_sign_over: bool = False


def key_ring(e: Enrolment, m: Manifests | None = None, signed_only: bool = False) -> KeyRing:
    """What the model checks: whose each key is, when each revoked key was revoked (None: keys.json
    does not say, so nothing it signed stands), and since when each person has a key (their earliest
    enrolment; one without a readable time counts as always: every unsigned event of theirs refused);
    and what the manifests signed over or kept."""
    m = m or Manifests()
    since: dict[str, datetime] = {}
    for entry in e.keys.values():
        t = _time(entry.get("enrolled")) or datetime.min
        who = entry["staff"]
        since[who] = min(since.get(who, t), t)
    # a revocation listed with a manifest that cannot be read keeps nothing (the safe reading)
    kept = {kid: m.kept.get(kid, {}) for kid in e.revoked if f"{MANIFEST_DIR}/revoked-{kid}.json" in e.manifests}
    return KeyRing({k: v["staff"] for k, v in e.keys.items()}, {k: _time(v) for k, v in e.revoked.items()}, since,
                   m.signed_over, kept, m.any_sign_over or e.signed_only or signed_only)


def _is_key(text: str) -> bool:
    try:
        return len(bytes.fromhex(text)) == 32
    except ValueError:
        return False


def _json(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def write_enrolment(root: Path, enrolment: Enrolment, signer: Signer) -> dict[str, Any]:
    """Write keys.json signed with `signer` (the teacher's key; ValueError when it has none)."""
    data: dict[str, Any] = {"keys": enrolment.keys, "revoked": enrolment.revoked, "manifests": enrolment.manifests}
    if enrolment.signed_only:
        data["signed_only"] = True
    signed = signer.sign(data)
    if "sig" not in signed:
        raise ValueError(f"this account has no signing key ({signer.problem or 'unknown reason'}): keys.json "
                         "is signed with the teacher's")
    atomic_write(Path(root) / KEYS_FILE, _json(signed), mode=0o644)
    return signed


def write_manifest(root: Path, name: str, body: dict[str, Any], signer: Signer) -> str:
    """Write a manifest (keys/…) signed with `signer`; returns the SHA-256 of its bytes (keys.json
    lists it by that)."""
    if not _MANIFEST.fullmatch(name):
        raise ValueError(f"not a manifest's name: {name}")
    signed = signer.sign(body)
    if "sig" not in signed:
        raise ValueError(f"this account has no signing key ({signer.problem or 'unknown reason'})")
    data = _json(signed)
    folder = Path(root) / MANIFEST_DIR
    folder.mkdir(mode=0o755, exist_ok=True)  # readable by every account; what is in it is checked by hash
    atomic_write(Path(root) / name, data, mode=0o644)
    return sha256(data).hexdigest()


def read_manifests(root: Path, e: Enrolment) -> tuple[Manifests, list[str]]:
    """The manifests keys.json lists, each read only when its bytes have the SHA-256 listed and its
    signature is good (a changed or missing one is a warning naming it: what it would have kept is
    not applied)."""
    over: dict[str, str] = {}
    kept: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    any_over = False
    for name, want in sorted(e.manifests.items()):
        is_over = name.startswith(f"{MANIFEST_DIR}/signed-over-")
        any_over |= is_over
        try:
            raw = read_regular(Path(root) / name, MANIFEST_LIMIT, root=Path(root))
        except FileNotFoundError:
            problems.append(f"{name}: missing (keys.json lists it): the events it lists are not applied until "
                            "it is back (the folder's backups hold it)")
            continue
        except OSError as err:
            problems.append(f"{name}: cannot read ({err.strerror}): the events it lists are not applied")
            continue
        if sha256(raw).hexdigest() != want:
            problems.append(f"{name}: not the manifest keys.json lists (changed after the teacher wrote it): "
                            "ignored, the events it lists are not applied")
            continue
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            problems.append(f"{name}: not JSON: ignored")
            continue
        events = doc.get("events") if isinstance(doc, dict) else None
        if not isinstance(events, dict) or check(doc) in (None, BAD):
            problems.append(f"{name}: not a signed manifest: ignored")
            continue
        listed = {str(k): str(v) for k, v in events.items()}
        if is_over:
            over.update(listed)
        else:
            kept[name[len(f"{MANIFEST_DIR}/revoked-"):-len(".json")]] = listed
    return Manifests(over, kept, any_over), problems


def enrol(e: Enrolment, public: str, staff: str, when: datetime) -> tuple[Enrolment, str]:
    if not _is_key(public):
        raise ValueError("expected a public key: 64 hex digits (`paratui keys show` prints it)")
    kid = key_id(bytes.fromhex(public))
    keys = {**e.keys, kid: {"public": public.lower(), "staff": staff, "enrolled": when.isoformat(timespec="minutes")}}
    revoked = {k: v for k, v in e.revoked.items() if k != kid}
    manifests = {k: v for k, v in e.manifests.items() if k != f"{MANIFEST_DIR}/revoked-{kid}.json"}
    return replace(e, keys=keys, revoked=revoked, manifests=manifests), kid


def find_key(e: Enrolment, prefix: str) -> str:
    hits = [k for k in e.keys if k.startswith(prefix.lower())] if len(prefix) >= 4 else []
    if len(hits) != 1:
        raise ValueError(f"no single enrolled key starts with {prefix[:16]!r} "
                         f"(enrolled: {', '.join(e.keys) or 'none'})")
    return hits[0]


def revoke(e: Enrolment, prefix: str, when: datetime) -> tuple[Enrolment, str]:
    kid = find_key(e, prefix)
    return replace(e, revoked={**e.revoked, kid: when.isoformat(timespec="minutes")}), kid


# -- this machine's pin of the teacher's key -----------------------------------------------------------
# Per account and room, in the account's own config folder (never in the data folder): the teacher's
# key this machine trusts to sign keys.json, and the last keys.json it signed. A keys.json signed by
# any other key (a sync peer's rewrite), or none, is ignored with a warning; the copy is used instead.
@dataclass(frozen=True)
class Pin:
    key: str  # the teacher's key id
    public: str  # its public key ("" when pinned by `paratui keys trust` before keys.json was seen)
    staff: str  # whose (the teacher's staff id; "" when not known yet)
    pinned: str  # when
    copy: dict[str, Any] | None  # the last keys.json it signed (as read), None: none seen yet


def pin_file(root: Path) -> Path | None:
    folder = key_folder(root)
    if folder is None:
        return None
    name = sha256(os.fsencode(Path(root).resolve())).hexdigest()[:16]
    return folder.parent / "trust" / f"{name}.json"


def read_pin(root: Path) -> Pin | None:
    path = pin_file(root)
    if path is None:
        return None
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            return None
        data = json.loads(read_regular(path, KEYS_LIMIT + 64 * 1024))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        return None
    copy = data.get("copy")
    return Pin(data["key"], str(data.get("public", "")), str(data.get("staff", "")), str(data.get("pinned", "")),
               copy if isinstance(copy, dict) else None)


def write_pin(root: Path, pin: Pin) -> None:
    path = pin_file(root)
    if path is None:
        raise OSError("no config folder outside the data folder")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    doc = {"room": str(Path(root).resolve()), "key": pin.key, "public": pin.public, "staff": pin.staff,
           "pinned": pin.pinned, "copy": pin.copy}
    atomic_write(path, _json(doc), mode=0o600)


def _trusted_signers(pin: Pin) -> set[str]:
    """The pinned key, and the keys the last trusted keys.json enrols for the same teacher (their new
    laptop), but none it revoked."""
    found = {pin.key}
    if pin.copy is not None:
        copy, _ = parse_enrolment(pin.copy)
        found |= {k for k, v in copy.keys.items() if pin.staff and v.get("staff") == pin.staff}
        found -= set(copy.revoked)
    return found


def trusted_enrolment(root: Path, teachers: frozenset[str], owner_refusal: str | None = None,
                      when: datetime | None = None) -> tuple[Enrolment, list[str]]:
    """The room's enrolment as this machine trusts it, and the problems (each naming keys.json).

    `teachers`: the staff ids that are teachers; `owner_refusal`: why keys.json's owner cannot have
    written it (a folder several accounts share), None when it may. With no pin yet, a keys.json
    signed by a key it enrols for a teacher is accepted and its signer pinned (the first time); an
    unsigned one (written before keys.json was signed) is used with a warning. With a pin, only a
    keys.json signed by a trusted key counts; otherwise the last trusted copy is used."""
    enrolment, uid, problems = read_enrolment(root)
    present = uid is not None and not any("not JSON" in p for p in problems)
    if present and owner_refusal is not None:
        problems.append(f"{KEYS_FILE}: {owner_refusal}: ignored (no keys enrolled; `paratui keys enrol` as the "
                        "teacher)")
        enrolment, present = Enrolment(), False
    pin = read_pin(root)
    signer = enrolment.signed_by
    if pin is None:
        if not present:
            return enrolment, problems
        if signer is None:
            problems.append(f"{KEYS_FILE}: not signed (written by an older paratui): a sync peer could rewrite it; "
                            "the teacher signs it with any `paratui keys` command (e.g. `paratui keys sign-over`)")
            return enrolment, problems
        whose = enrolment.keys.get(signer, {}).get("staff", "") if signer != BAD else ""
        if signer == BAD or whose not in teachers or signer in enrolment.revoked:
            why = "its signature does not match what it says" if signer == BAD else \
                f"signed with key {signer[:8]}, not a teacher's enrolled key"
            problems.append(f"{KEYS_FILE}: {why}: ignored (no keys enrolled)")
            return Enrolment(), problems
        at = (when or datetime.now()).isoformat(timespec="minutes")
        try:
            write_pin(root, Pin(signer, enrolment.signed_public, whose, at, read_raw(root)))
        except OSError as err:
            problems.append(f"{KEYS_FILE}: could not pin the teacher's key on this machine ({err}): a sync peer "
                            "could rewrite keys.json")
        return enrolment, problems
    if present and signer not in (None, BAD) and signer in _trusted_signers(pin):
        raw = read_raw(root)
        if raw is not None and raw != pin.copy:
            whose = enrolment.keys.get(signer, {}).get("staff", pin.staff)
            try:
                public = pin.public or (enrolment.signed_public if signer == pin.key else "")
                write_pin(root, replace(pin, public=public, staff=pin.staff or whose, copy=raw))
            except OSError:
                pass  # the copy stays the older one: still the teacher's
        return enrolment, problems
    said = ("missing" if uid is None else owner_refusal if owner_refusal is not None else "not readable"
            if not present else "not signed" if signer is None else "its signature does not match what it says"
            if signer == BAD else f"signed with key {signer[:8]}, not the teacher's")
    kept = ("using the last trusted copy (kept on this machine)" if pin.copy is not None
            else "no keys trusted but that one")
    problems = [p for p in problems if not p.startswith(f"{KEYS_FILE}: written by")]
    problems.append(f"{KEYS_FILE}: {said}: ignored, {kept}; this machine trusts only a keys.json signed with the "
                    f"teacher's key {pin.key[:8]} (if it changed: `paratui keys trust KEY_ID`, docs/trust.md)")
    if pin.copy is not None:
        copy, _ = parse_enrolment(pin.copy)
        return copy, problems
    keys = {pin.key: {"public": pin.public, "staff": pin.staff}} if pin.public and pin.staff else {}
    return Enrolment(keys, signed_only=True), problems


def read_raw(root: Path) -> dict[str, Any] | None:
    """keys.json as JSON (None: missing or unreadable), for the pin's copy."""
    try:
        data = json.loads(read_regular(Path(root) / KEYS_FILE, KEYS_LIMIT, root=Path(root)))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
