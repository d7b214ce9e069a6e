"""A student's goal file written from a screen (paratui setup goal): read with a stamp of what was
read, written back atomically only if the file on disk is still that one.

Two people editing `students/ID.toml` at once (one in an editor, one in `paratui setup goal`): the
second save sees that the file changed since it was read and says so, never overwriting it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from paratui.store.atomic import atomic_write
from paratui.store.safe_read import UnsafeFile, read_regular

LIMIT = 1024 * 1024


class ChangedOnDisk(Exception):
    """The file is not the one read: someone saved it meanwhile."""


@dataclass(frozen=True)
class StudentFile:
    path: Path
    text: str
    digest: str  # of the bytes read ("" when the file was not there)


def _digest(raw: bytes | None) -> str:
    return "" if raw is None else hashlib.sha256(raw).hexdigest()


def _read(path: Path, root: Path) -> bytes | None:
    try:
        return read_regular(path, LIMIT, root)
    except FileNotFoundError:
        return None


def read_student_file(root: Path, student_id: str) -> StudentFile:
    """The text of students/ID.toml (a new file's first line when there is none). OSError, UnsafeFile
    or UnicodeDecodeError when it cannot be read."""
    path = Path(root) / "students" / f"{student_id}.toml"
    raw = _read(path, Path(root))
    text = raw.decode("utf-8") if raw is not None else f'student = "{student_id}"\n'
    return StudentFile(path, text, _digest(raw))


def read_room_file(root: Path, rel: str) -> StudentFile:
    """Any TOML file of the folder (schedule.toml), read the same way: its text and stamp."""
    path = Path(root) / rel
    raw = _read(path, Path(root))
    if raw is None:
        raise FileNotFoundError(0, "no such file", str(path))
    return StudentFile(path, raw.decode("utf-8"), _digest(raw))


def save_student_file(root: Path, read: StudentFile, text: str) -> None:
    """Write `text` over the file `read` came from, atomically; ChangedOnDisk when the file is no
    longer what was read (nothing written)."""
    if _digest(_read(read.path, Path(root))) != read.digest:
        raise ChangedOnDisk(f"{read.path.parent.name}/{read.path.name} changed on disk since it was opened "
                            "(someone saved it): nothing was written; open it again to add the goal to the new "
                            "version")
    read.path.parent.mkdir(exist_ok=True)
    atomic_write(read.path, text.encode("utf-8"))


__all__ = ["ChangedOnDisk", "StudentFile", "UnsafeFile", "read_room_file", "read_student_file", "save_student_file"]
