"""A student's goal file written from a screen (paratui setup goal): read with a stamp of what was
read, written back atomically only if the file on disk is still that one.

Two people editing `students/ID.toml` at once (one in an editor, one in `paratui setup goal`): the
second save sees that the file changed since it was read and says so, never overwriting it. The
check and the write are one step for every paratui process: both happen holding the journal's kind
of OS lock (`.NAME.lock` beside the file, paratui.store.journal), so two saves at the same moment
cannot both pass the check. A hand edit in an editor takes no lock: it is seen by the check.

Every save from a setup screen is told to the callbacks of `recording` (the CLI records it in the
audit trail through the command layer: who, which file, what, the file's sha256 before and after)."""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from paratui.store.atomic import atomic_write
from paratui.store.journal import JournalWriteError, _Lock, _lock_wait
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


@dataclass(frozen=True)
class Saved:
    """One save from a setup screen: the file (relative to the folder), what it was, its sha256
    before ("" for a new file) and after."""

    file: str
    what: str
    before: str
    after: str


_RECORDERS: list[Callable[[Saved], None]] = []


@contextmanager
def recording(callback: Callable[[Saved], None]) -> Iterator[None]:
    """While inside, every save calls `callback(Saved)` once the file is written."""
    _RECORDERS.append(callback)
    try:
        yield
    finally:
        _RECORDERS.remove(callback)


def rel_name(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


@contextmanager
def file_lock(path: Path, wait: float | None = None) -> Iterator[None]:
    """The OS lock every paratui process takes to check-and-write `path` (the journal's: a lock file
    beside it). OSError (a JournalWriteError's words) when it cannot be had."""
    try:
        lock = _Lock(path, _lock_wait(wait), path.name, "paratui setup")
        lock.__enter__()
    except JournalWriteError as e:
        raise OSError(str(e)) from None
    try:
        yield
    finally:
        lock.__exit__()


def changed_message(rel: str) -> str:
    return (f"{rel} changed on disk since it was opened (someone saved it): nothing was written; open it "
            "again to make the change to the new version")


def save_student_file(root: Path, read: StudentFile, text: str, what: str = "") -> Saved:
    """Write `text` over the file `read` came from, atomically, holding its lock; ChangedOnDisk when
    the file is no longer what was read (nothing written). `what`: the audit trail's words."""
    root = Path(root)
    rel = rel_name(root, read.path)
    data = text.encode("utf-8")
    read.path.parent.mkdir(exist_ok=True)
    with file_lock(read.path):
        if _digest(_read(read.path, root)) != read.digest:
            raise ChangedOnDisk(changed_message(rel))
        atomic_write(read.path, data)
    saved = Saved(rel, what or f"{rel} saved from a setup screen", read.digest, _digest(data))
    for callback in list(_RECORDERS):
        callback(saved)
    return saved


def save_new_student(root: Path, room: StudentFile, room_text: str, student_id: str, student_text: str,
                     what: str) -> tuple[Saved, Saved]:
    """A student added mid-year: students/ID.toml (which must not be there yet) and classroom.toml
    (which must still be the file read), both under classroom.toml's lock; the student's file is
    written first and taken back if classroom.toml cannot be. ChangedOnDisk, FileExistsError, OSError."""
    root = Path(root)
    rel = rel_name(root, room.path)
    path = root / "students" / f"{student_id}.toml"
    data, new = room_text.encode("utf-8"), student_text.encode("utf-8")
    with file_lock(room.path):
        if _digest(_read(room.path, root)) != room.digest:
            raise ChangedOnDisk(changed_message(rel))
        if os.path.lexists(path):
            raise FileExistsError(0, f"students/{student_id}.toml is already there (a student's file); nothing "
                                  "was written", str(path))
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, new)
        try:
            atomic_write(room.path, data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    done = (Saved(f"students/{student_id}.toml", what, "", _digest(new)),
            Saved(rel, what, room.digest, _digest(data)))
    for saved in done:
        for callback in list(_RECORDERS):
            callback(saved)
    return done


__all__ = ["ChangedOnDisk", "Saved", "StudentFile", "UnsafeFile", "file_lock", "read_room_file", "read_student_file",
           "recording", "save_new_student", "save_student_file"]
