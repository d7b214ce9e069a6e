"""Notes that get read: a note to one adult, several or everyone, optionally about a student, of a kind
(handoff, check-in, feedback, kudos), maybe urgent; and who acknowledged it, when.

A note is a `note` event (its id is the note's id); an `ack` event by an addressee records that they
read it (the first ack of each addressee counts; an ack by anyone else changes nothing). The board
shows today's notes and every urgent note that an addressee has not acknowledged yet, whatever day
it was written: an urgent note stays on every board until each addressee has acknowledged it (and
for the rest of the day the last one did, so the sender sees who read it and when).

Pure: no I/O. Used by paratui.model.board (`notes` on the board), paratui.model.commands (what may be
acknowledged) and paratui.store.journal_reader (which old notes a board never needs again: see
`settled`; they are then left out of every reload, so a year of notes costs a board nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterable, Sequence

from paratui.model.events import Event
from paratui.model.memo import same_items

KINDS = ("handoff", "check-in", "feedback", "kudos")
DEFAULT_KIND = "handoff"


@dataclass(frozen=True)
class NoteRow:
    id: str
    text: str
    kind: str
    from_: str | None
    to: tuple[str, ...]  # staff ids
    everyone: bool  # written to everyone (then `to` is everyone at the time, but the writer)
    about: str | None  # a student id
    urgent: bool
    at: datetime
    acked: tuple[tuple[str, datetime], ...] = ()  # (staff id, when), in order

    @property
    def acked_by(self) -> tuple[str, ...]:
        return tuple(s for s, _ in self.acked)

    @property
    def pending(self) -> tuple[str, ...]:
        """Addressees who have not acknowledged it yet."""
        done = set(self.acked_by)
        return tuple(s for s in self.to if s not in done)

    @property
    def waiting(self) -> bool:
        """Urgent, and someone has not acknowledged it: on every board, whatever day."""
        return self.urgent and bool(self.pending)

    def for_(self, staff: str) -> bool:
        return staff in self.to


def kind_of(text: str) -> str | None:
    """A kind as typed (any case; `checkin`, `Check in`) → one of KINDS, or None."""
    key = "".join(ch for ch in text.casefold() if ch.isalnum())
    return next((k for k in KINDS if k.replace("-", "") == key), None)


def note_row(e: Event, acks: Iterable[Event] = ()) -> NoteRow:
    p = e.payload
    to = tuple(dict.fromkeys(p.get("to") or ()))
    kind = p.get("kind")
    acked: dict[str, datetime] = {}
    for a in acks:
        if a.staff is not None and a.staff in to and a.staff not in acked:
            acked[a.staff] = a.time
    return NoteRow(e.id, str(p["text"]), kind if kind in KINDS else DEFAULT_KIND, e.staff, to,
                   p.get("everyone") is True, p.get("about"), p.get("urgent") is True, e.time,
                   tuple(acked.items()))


def histories(live: Sequence[Event]) -> tuple[list[Event], dict[str, list[Event]]]:
    """One pass: the note events, and each note id's acks in order."""
    notes: list[Event] = []
    acks: dict[str, list[Event]] = {}
    for e in live:
        t = e.type
        if t == "note":
            notes.append(e)
        elif t == "ack":
            acks.setdefault(e.payload["note"], []).append(e)
    return notes, acks


def all_notes(live: Sequence[Event]) -> list[NoteRow]:
    notes, acks = histories(live)
    return [note_row(e, acks.get(e.id, ())) for e in notes]


def fold_notes(live: Sequence[Event], now: datetime) -> tuple[NoteRow, ...]:
    """The board's notes: today's, and every urgent one still waiting for an acknowledgement (or whose
    last addressee acknowledged it today, so the sender sees it was read by all). Urgent ones waiting
    first (oldest first: waiting longest), then the rest, newest first."""
    last_live, last_day, last_rows = _LAST[0]
    if last_day == now.date() and same_items(last_live, live):
        return last_rows  # it depends on the clock only through the day
    rows = _fold_notes(live, now)
    _LAST[0] = (list(live), now.date(), rows)  # replaced whole: threads never mix two folds
    return rows


_LAST: list[tuple[Sequence[Event], date | None, tuple[NoteRow, ...]]] = [((), None, ())]


def _fold_notes(live: Sequence[Event], now: datetime) -> tuple[NoteRow, ...]:
    notes, acks = histories(live)
    start = datetime.combine(now.date(), time())
    rows = []
    for e in notes:
        if e.time < start:  # most notes are old: only an urgent one still waiting (or read today) counts
            if e.payload.get("urgent") is not True:
                continue
            mine = acks.get(e.id, ())
            read = {a.staff for a in mine}
            if all(x in read for x in e.payload["to"]) and not any(a.time >= start for a in mine):
                continue
        row = note_row(e, acks.get(e.id, ()))
        if e.time >= start or row.waiting or any(t >= start for _, t in row.acked):
            rows.append(row)
    waiting = [r for r in rows if r.waiting]
    rest = [r for r in rows if not r.waiting]
    rest.sort(key=lambda r: r.at, reverse=True)
    return tuple(waiting + rest)


def settled(events: Sequence[Event], cutoff: date) -> set[str]:
    """The note ids a board of `cutoff` or later never shows, judged from `events` alone (older
    months): written before `cutoff`, not retracted, every ack of it before `cutoff` too, and not an
    urgent note still waiting for someone."""
    start = datetime.combine(cutoff, time())
    retracted = {e.payload["target"] for e in events if e.type == "retract"}
    notes, acks = histories([e for e in events if e.id not in retracted])
    out: set[str] = set()
    for e in notes:
        mine = acks.get(e.id, ())
        if e.time >= start or any(a.time >= start for a in mine):
            continue
        if not note_row(e, mine).waiting:
            out.add(e.id)
    return out
