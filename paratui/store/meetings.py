"""The Friday meeting's notes: `binder/meetings/YYYY-MM-DD.md` (the date: the Friday of the week).

Saving (the board's meeting screen, `paratui meeting-items`): the notes are written atomically
(0644), then each new action item (paratui.model.action_items) becomes one task.add through the
command layer (`Room.context` + `commands.task_add`: permissions and the journal apply), and as soon
as they are recorded the file is written again with each task's short id after its line,
`(task 3f9a1c)`, so saving twice never makes a task twice. The tasks are written in batches (1, 2,
4… up to BATCH items: one journal write and one notes write each), so a save of n items costs about
n, not n² (3,000 items took 157 s one by one); a crash mid-save repeats at most the batch it was in.
Every item is checked before anything is written: one bad item and nothing is saved.

Two boards on one meeting: each remembers what the file held when it opened it (a hash); a save
finds the file changed since (another board saved first) and refuses, keeping the typed text, rather
than overwrite the other's notes. A lock file beside the notes (`.lock`) makes the check and the
writes one step between processes of one machine.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

from paratui.model import action_items
from paratui.model.action_items import ActionItem
from paratui.model.events import Event
from paratui.model.text import clean_block
from paratui.store.atomic import atomic_write
from paratui.store.folder import _decode
from paratui.store.journal import JournalWriteError
from paratui.store.room import Room
from paratui.store.safe_read import MiB, read_regular

MEETINGS = "binder/meetings"
MEETING_LIMIT = 1 * MiB  # a 30-minute meeting's notes are a few KiB
LOCK_WAIT_S = 5.0
# Tasks written per journal write, doubling from 1 up to this: a crash between a batch's write and
# its ids written back into the notes repeats that batch (the first item alone, then 2, 4…), and a
# save costs a write per batch, not per item (each rewrites the file: n items one by one cost n²).
BATCH = 256


class MeetingError(Exception):
    """The notes cannot be read or saved as asked; nothing (more) was written. `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Stale(MeetingError):
    """The file changed since this screen (or command) read it: another board saved first."""


class Partial(MeetingError):
    """The notes were written, but the journal failed part-way: `saved` is what the file now holds
    (the tasks made so far marked), to show in place of the typed text."""

    def __init__(self, message: str, saved: Saved):
        super().__init__(message)
        self.saved = saved


def meeting_day(day: date) -> date:
    """The meeting of the week holding `day`: that week's Friday."""
    return day - timedelta(days=day.weekday()) + timedelta(days=4)


def meeting_rel(day: date) -> str:
    return f"{MEETINGS}/{day.isoformat()}.md"


def stamp(data: bytes | None) -> str | None:
    """What a save compares: the file's content hash (None: there was no file)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass
class Notes:
    """One meeting's notes as read: `text` None when there is no file yet."""

    day: date
    text: str | None
    stamp: str | None


@dataclass
class Saved:
    text: str  # the file as now written (with the new task ids)
    stamp: str | None
    made: list[tuple[ActionItem, Event]] = field(default_factory=list)


def _folder(root: Path) -> Path:
    """binder/meetings, made if missing; never a link or anything but a folder."""
    folder = root / MEETINGS
    for path in (root / "binder", folder):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            try:
                os.mkdir(path, 0o755)
            except FileExistsError:
                pass
            except OSError as e:
                raise MeetingError(f"{path.relative_to(root)}/: cannot be made ({e.strerror or e})") from None
            st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode):
            raise MeetingError(f"{path.relative_to(root)}: not a folder (a link or a file): notes not saved")
    return folder


def _raw(root: Path, day: date) -> bytes | None:
    path = root / meeting_rel(day)
    try:
        return read_regular(path, MEETING_LIMIT, root=root)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise MeetingError(f"{meeting_rel(day)}: {e.strerror or e}") from None


def read_notes(root: Path, day: date) -> Notes:
    """The notes of the meeting on `day` (bounded read of a regular file; UTF-8)."""
    raw = _raw(Path(root), day)
    if raw is None:
        return Notes(day, None, None)
    try:
        text = _decode(raw)
    except UnicodeDecodeError:
        raise MeetingError(f"{meeting_rel(day)}: not UTF-8 text (save it as UTF-8)") from None
    return Notes(day, text, stamp(raw))


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One save at a time on this machine (flock has no timeout: poll with a deadline)."""
    path = folder / ".lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM):
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        else:
            raise MeetingError(f"{MEETINGS}/.lock: {e.strerror or e}: notes not saved") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MeetingError(f"{MEETINGS}/.lock is not a plain file: notes not saved")
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise MeetingError("another board has been saving these notes for a while; "
                                       "try again in a moment (your text is kept)") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def save_notes(room: Room, day: date, text: str, opened: str | None, actor: str) -> Saved:
    """Write the notes of the meeting on `day`, make the new action items tasks (as `actor`), write
    their ids back. `opened`: the stamp of the file as the writer read it (None: there was none).
    Raises Refused / NotAllowed (an item is wrong: nothing written), Stale, MeetingError, or Partial
    (the journal failed part-way; the tasks made before are marked in the file)."""
    text = clean_block(text)
    data = text.encode()
    rel = meeting_rel(day)
    if len(data) > MEETING_LIMIT:
        raise MeetingError(f"{rel}: {len(data) // 1024} KiB of notes; at most {MEETING_LIMIT // 1024} KiB")
    folder = _folder(room.root)
    with _locked(folder):
        current = _raw(room.root, day)
        if stamp(current) != opened and current != data:
            raise Stale(f"{rel} was changed by someone else since you opened it (another board saved "
                        "first): nothing saved, your text is kept. Esc twice then F opens theirs with yours "
                        "quoted below it, to merge")
        changes = action_items.plan(room.context(actor), text, rel)  # under the lock: the journal as now
        path = room.root / rel
        if current != data:
            atomic_write(path, data, mode=0o644)
        made: list[tuple[ActionItem, Event]] = []
        notes = text
        at, size = 0, 1
        while at < len(changes):
            batch = changes[at:at + size]
            try:
                events = room.apply_all([change for _item, change in batch], actor)
            except JournalWriteError as e:
                raise Partial(f"NOT all saved: {e}. {len(made)} of {len(changes)} action items became tasks "
                              "(marked in the notes); save again to make the rest",
                              Saved(notes, stamp(data), made)) from e
            made += [(item, ev) for (item, _change), ev in zip(batch, events)]
            # each batch's ids written back at once: a crash between the two can repeat that batch only
            notes = action_items.with_task_ids(text, [(i.line, ev.id) for i, ev in made])
            data = notes.encode()
            atomic_write(path, data, mode=0o644)
            at, size = at + size, min(size * 2, BATCH)
    return Saved(notes, stamp(data), made)
