"""Conflict copies of the room's own files: when classroom.toml, schedule.toml, a goal file, a week
plan or a binder page is edited on two machines at once, the sync tool keeps one version and leaves
the other beside it: `NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT` (Syncthing: the copy holds the
older edit, the device is the first 7 characters of the id of the one that made it), or
`NAME (conflicted copy).EXT` / `NAME (conflicted copy YYYY-MM-DD).EXT` (other tools).

Found here (`find_conflicts`), named by `paratui check` and on the board, shown as a diff against the
real file (`diff`), and resolved by keeping one of the two (`keep`): the other is moved aside into
`conflicts-kept/` in the data folder, never deleted, and the real file is written atomically.
The journal's own conflict copies are not here: the journal merges them by event id.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from paratui.model.text import clean
from paratui.store.atomic import atomic_write, fsync_dir
from paratui.store.safe_read import MiB, inside, read_regular

KEPT = "conflicts-kept"  # where the version not kept goes: conflicts-kept/YYYYMMDD-HHMMSS/<its path>
# The folders whose files the room reads, and the kinds of file in each ("" is the data folder itself).
SCOPE = {"": (".toml", ".md"), "students": (".toml",), "binder": (".md",), "binder/meetings": (".md",),
         "plans": (".toml",), "themes": (".toml",)}
LIMIT = 2 * MiB
DIFF_LINES = 2000

_SYNCTHING = re.compile(r"^(?P<stem>.+)\.sync-conflict-(?P<day>\d{8})-(?P<time>\d{6})-(?P<device>[A-Z0-9]{7})"
                        r"(?P<ext>\.[^.]+)?$")
_OTHER = re.compile(r"^(?P<stem>.+?) \((?:[^()]{1,64}'s )?conflicted copy(?P<when> [^()]{1,40})?\)(?P<ext>\.[^.]+)?$")


@dataclass(frozen=True)
class Conflict:
    copy: str  # relative to the data folder, with / (binder/monday.sync-conflict-….md)
    original: str  # the file it is a copy of (binder/monday.md)
    device: str | None = None  # Syncthing: the first 7 characters of the device id that made it
    when: str | None = None  # as the name says (2026-11-23 10:12:00, or the other tool's date)

    def words(self) -> str:
        made = [f"device {self.device}"] if self.device else []
        made += [self.when] if self.when else []
        made_by = f" ({', '.join(made)})" if made else ""
        return (f"{self.copy}: a conflict copy of {self.original}{made_by}, edited on two machines at once: "
                f"`paratui check --conflicts` shows the differences; keep one with `paratui check --keep-copy "
                f"{self.copy}` or `--keep-original {self.copy}`")


def original_name(name: str) -> tuple[str, str | None, str | None] | None:
    """(the original file's name, device, when) if `name` is a conflict copy's name, else None."""
    m = _SYNCTHING.match(name)
    if m:
        d, t = m.group("day"), m.group("time")
        return (m.group("stem") + (m.group("ext") or ""), m.group("device"),
                f"{d[:4]}-{d[4:6]}-{d[6:]} {t[:2]}:{t[2:4]}:{t[4:]}")
    m = _OTHER.match(name)
    if m:
        return m.group("stem") + (m.group("ext") or ""), None, (m.group("when") or "").strip() or None
    return None


def is_conflict_copy(name: str) -> bool:
    return original_name(name) is not None


def find_conflicts(root: Path) -> list[Conflict]:
    """Every conflict copy of a file the room reads, sorted by path."""
    out = []
    for folder, kinds in SCOPE.items():
        try:
            names = os.listdir(Path(root) / folder) if folder else os.listdir(root)
        except OSError:
            continue
        for n in names:
            if n.startswith(".") or not n.endswith(kinds):
                continue
            found = original_name(n)
            if found is None or not found[0].endswith(kinds):
                continue
            prefix = f"{folder}/" if folder else ""
            out.append(Conflict(prefix + n, prefix + found[0], found[1], found[2]))
    return sorted(out, key=lambda c: c.copy)


def _read_raw(root: Path, rel: str) -> tuple[bytes | None, str | None]:
    """(bytes, None) or (None, why): bounded, a regular file only (never a FIFO or a link out)."""
    try:
        return read_regular(Path(root) / rel, LIMIT, root=Path(root)), None
    except FileNotFoundError:
        return None, "missing"
    except OSError as e:
        return None, clean(e.strerror or e, limit=80)


def _read(root: Path, rel: str) -> tuple[str | None, str | None]:
    """(text, None) or (None, why)."""
    raw, why = _read_raw(root, rel)
    return (raw.decode("utf-8", "replace"), None) if raw is not None else (None, why)


def _mtime(root: Path, rel: str) -> str:
    try:
        return datetime.fromtimestamp(os.lstat(Path(root) / rel).st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    except OSError:
        return "?"


def diff(root: Path, conflict: Conflict) -> list[str]:
    """A unified diff of the real file (---) against the copy (+++), each line safe to print; the
    header says when each was last modified (the older edit lost: it is the copy's)."""
    old, why_old = _read(root, conflict.original)
    new, why_new = _read(root, conflict.copy)
    head = [f"=== {conflict.copy}",
            f"    the real file: {conflict.original} (modified {_mtime(root, conflict.original)})",
            f"    the copy:      {conflict.copy} (modified {_mtime(root, conflict.copy)})"]
    if old is None or new is None:
        return [*head, f"    cannot compare: {conflict.original if old is None else conflict.copy} "
                       f"is {why_old if old is None else why_new}"]
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=conflict.original,
                                      tofile=conflict.copy, lineterm=""))
    if not lines:
        return [*head, "    the two are the same: keep either (`--keep-original` moves the copy aside)"]
    shown = [clean(x) for x in lines[:DIFF_LINES]]
    if len(lines) > DIFF_LINES:
        shown.append(f"… {len(lines) - DIFF_LINES} more lines")
    return [*head, *shown]


class KeepError(Exception):
    """Not done (nothing changed): the message says why."""


def resolve_copy(root: Path, given: str) -> Conflict:
    """The conflict named by `given` (a path relative to the data folder, or any path to the copy)."""
    root = Path(root)
    conflicts = find_conflicts(root)
    by_rel = {c.copy: c for c in conflicts}
    if given in by_rel:
        return by_rel[given]
    path = Path(given).expanduser()
    try:
        real = (path if path.is_absolute() else Path.cwd() / path).resolve()
        rel = real.relative_to(root.resolve()).as_posix() if inside(real, root.resolve()) else None
    except (OSError, ValueError):
        rel = None
    if rel in by_rel:
        return by_rel[rel]
    choices = ", ".join(c.copy for c in conflicts[:10]) or "none"
    raise KeepError(f"{clean(given, limit=120)} is not a conflict copy of the room's files "
                    f"(the conflict copies: {clean(choices, limit=400)})")


def keep(root: Path, conflict: Conflict, which: str, now: datetime) -> list[str]:
    """Keep the copy (`which` = "copy": its text becomes the real file's) or the original ("original");
    the version not kept is moved into conflicts-kept/STAMP/, never deleted. Returns what was done."""
    root = Path(root)
    if which not in ("copy", "original"):
        raise ValueError(which)
    copy, original = root / conflict.copy, root / conflict.original
    raw, why = _read_raw(root, conflict.copy)
    if raw is None:
        raise KeepError(f"{conflict.copy}: cannot be read ({why}); nothing changed")
    if which == "copy" and conflict.copy.endswith(".toml"):
        try:
            tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise KeepError(f"{conflict.copy}: not valid TOML ({clean(e, limit=100)}): fix it first, or keep the "
                            "original; nothing changed") from None
    old: bytes | None = None
    if which == "copy":
        old, why_old = _read_raw(root, conflict.original)
        if old is None and why_old != "missing":
            raise KeepError(f"{conflict.original}: cannot be read ({why_old}); nothing changed")
    stamp = now.strftime("%Y%m%d-%H%M%S")
    backup = root / KEPT / stamp
    n = 1
    while backup.exists():
        n += 1
        backup = root / KEPT / f"{stamp}-{n}"
    done = []
    if which == "copy":
        if old is not None:
            saved = backup / conflict.original
            saved.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(saved, old)
            done.append(f"moved aside: {conflict.original} as it was → {saved.relative_to(root).as_posix()}")
        atomic_write(original, raw)
        done.append(f"kept: the copy's version is now {conflict.original}")
    moved = backup / conflict.copy
    moved.parent.mkdir(parents=True, exist_ok=True)
    os.rename(copy, moved)
    fsync_dir(copy.parent)
    fsync_dir(moved.parent)
    if which == "original":
        done.append(f"kept: {conflict.original} as it is")
    done.append(f"moved aside: {conflict.copy} → {moved.relative_to(root).as_posix()}")
    return done

