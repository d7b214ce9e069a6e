"""The audit trail: every event as who did what, when, from which login and host — nothing deleted.

A retraction is shown twice: as its own line ("Ms. R retracted …") and on the line it cancelled
("retracted by Ms. R at 10:20"). Pure: the CLI (`paratui history`) and the board's history screen
both call `history_rows` and one of the formatters.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from paratui.model.access import BAD_SIGNATURE, is_unsigned
from paratui.model.classroom import Classroom
from paratui.model.commands import describe
from paratui.model.event_types import observed_text
from paratui.model.events import Event
from paratui.model.text import clean

FORMATS = ("text", "json", "csv")
# A day's history is read with the two weeks after it: an undo of its events is mostly that soon.
LATER_UNDOS = timedelta(days=14)
# Payload fields that name a student (one, or several).
_STUDENT_KEYS = ("student", "about")
_STUDENTS_KEYS = ("students",)


class HistoryRow(NamedTuple):  # a tuple: a year's history is ~130k rows, made fast
    id: str
    at: str  # YYYY-MM-DD HH:MM, the board's local time
    type: str
    staff: str  # id
    staff_short: str
    login: str
    host: str
    text: str  # the read-back sentence
    students: tuple[str, ...]
    retracted_by: str | None = None  # "Ms. R at 2026-11-23 10:20"
    not_applied: str | None = None  # why the writer's role did not allow it (paratui.model.access)
    unsigned: bool = False  # in a room with enrolled keys, an event with no signature (an older client)
    signed: bool = False  # its signature was checked (the room enrols keys) and matches what it says


def signed_cell(row: HistoryRow) -> str:
    """The history CSV's `signed` column: yes (a signature checked and matching, or an older unsigned
    entry the teacher signed over: `paratui keys sign-over`), unsigned (none, in a
    room that enrols keys: an older client, or a file written by hand), no (anything else: the room
    enrols no keys, so nothing is checked, or a signature that does not match)."""
    return "yes" if row.signed else "unsigned" if row.unsigned else "no"


def students_of(event: Event) -> tuple[str, ...]:
    p = event.payload
    found = [p[k] for k in _STUDENT_KEYS if isinstance(p.get(k), str)]
    for k in _STUDENTS_KEYS:
        value = p.get(k)
        if isinstance(value, list):
            found.extend(x for x in value if isinstance(x, str))
    return tuple(dict.fromkeys(found))


def history_rows(events: Iterable[Event], classroom: Classroom, *, student: str | None = None,
                 staff: str | None = None, start: date | None = None, end: date | None = None,
                 refused: dict[str, str] | None = None) -> list[HistoryRow]:
    """Events in time order, filtered (ids already resolved by the caller), oldest first."""
    everything = sorted({e.id: e for e in events}.values(), key=lambda e: e.sort_key)
    by_id = {e.id: e for e in everything}
    shorts = {s.id: s.short for s in classroom.staff}
    refused = refused or {}
    ring = getattr(classroom, "keys", None)
    keyed = bool(ring is not None and getattr(ring, "any", False))  # signatures matter: say which lack one
    retracted: dict[str, Event] = {}
    for e in everything:
        target = e.payload.get("target")
        if e.type == "retract" and isinstance(target, str) and e.id not in refused:  # a NOT APPLIED
            retracted.setdefault(target, e)  # retract undoes nothing: the first one applied is credited
    rows: list[HistoryRow] = []
    for e in everything:
        day = e.time.date()
        if (start and day < start) or (end and day > end):
            continue
        if staff and e.staff != staff:
            continue
        kids = students_of(e)
        if e.type == "retract" and isinstance(e.payload.get("target"), str) and e.payload["target"] in by_id:
            kids = students_of(by_id[e.payload["target"]])
        if student and student not in kids:
            continue
        who = e.staff or ""
        undo = retracted.get(e.id)
        rows.append(HistoryRow(
            e.id, f"{e.time:%Y-%m-%d %H:%M}", e.type, clean(who, limit=12),
            clean(shorts.get(who, who) or "—", limit=40), clean(e.login, limit=32), clean(e.host, limit=40),
            _said(e, describe(e, classroom, by_id), shorts.get(who, who) or "—"),
            tuple(clean(k, limit=12) for k in kids),
            None if undo is None else f"{clean(shorts.get(undo.staff or '', undo.staff or '?'), limit=40)} "
                                      f"at {undo.time:%Y-%m-%d %H:%M}",
            refused.get(e.id), keyed and (e.origin is None or is_unsigned(e, classroom)),
            _good_signature(e) or (keyed and e.origin is not None and e.origin.signer is None
                                   and not is_unsigned(e, classroom))))
    return rows


def _good_signature(e: Event) -> bool:
    """Whether `e` carries a signature that was checked and matches (paratui.store.journal_reader sets
    `origin.signer` to the key's id, or to BAD_SIGNATURE for one that does not match)."""
    signer = e.origin.signer if e.origin is not None else None
    return signer is not None and signer != BAD_SIGNATURE


def _said(e: Event, text: str, short: str) -> str:
    """The read-back; a late entry (paper data) says both times: "(observed 2026-11-20 10:05,
    entered 2026-11-23 14:30 by Ms. R)"."""
    late = observed_text(e.payload) if e.type in ("data", "abc") else None
    if late is None:
        return text
    return (f"{text.removesuffix(f' ({late})')} ({late}, entered {e.time:%Y-%m-%d %H:%M} by "
            f"{clean(short, limit=40)})")


def render(rows: Iterable[HistoryRow], fmt: str, classroom: Classroom) -> str:
    return "".join(render_parts(rows, fmt, classroom))


_CHUNK = 4096  # rows per piece `render_parts` hands out


def render_parts(rows: Iterable[HistoryRow], fmt: str, classroom: Classroom) -> Iterator[str]:
    """`render` in pieces of a few thousand rows each, for a history of millions to print without
    holding it all (what they join to is `render`'s text, byte for byte)."""
    if fmt == "json":
        yield from _json_parts(rows, classroom)
        return
    if fmt == "csv":
        yield CSV_HEADER
        yield from csv_parts(rows, classroom)
        return
    lines: list[str] = []
    for eid, at, _type, _staff, short, login, host, text, _kids, retracted_by, not_applied, unsigned, _s in rows:
        lines.append(text_line(eid, at, short, login, host, text, retracted_by, not_applied, unsigned))
        if len(lines) >= _CHUNK:
            lines.append("")
            yield "\n".join(lines)
            lines = []
    if lines:
        lines.append("")
        yield "\n".join(lines)


CSV_HEADER = "at,staff,login,host,type,what,students,retracted_by,not_applied,id,signed\r\n"


def cells(make: Callable[[str], str] | None = None) -> Callable[[str], str]:
    """`make` (default `csv_cell`), each value made once (most cells repeat: the same adults, hosts,
    kinds, sentences)."""
    made: dict[str, str] = {}
    make = make or csv_cell

    def cell(value: str) -> str:
        hit = made.get(value)
        if hit is None:
            if len(made) > 50_000:
                made.clear()
            hit = made[value] = make(value)
        return hit
    return cell


def csv_parts(rows: Iterable[HistoryRow], classroom: Classroom, retracted: str | None = None) -> Iterator[str]:
    """The CSV rows of `rows` (no header), a few thousand at a time; `retracted`: written as it is in
    every row's retracted_by cell instead (a mark the history cache puts the cell in place of)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    known = {s.id: s.initials for s in classroom.students}
    cell = cells()
    for n, r in enumerate(rows, 1):
        w.writerow([cell(r.at), cell(r.staff_short), cell(r.login), cell(r.host), cell(r.type), cell(r.text),
                    cell(" ".join(initials(r.students, classroom, known))),
                    cell(r.retracted_by or "") if retracted is None else retracted,
                    cell(r.not_applied or ""), csv_cell(r.id), signed_cell(r)])
        if n % _CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_field(value: str) -> str:
    """One CSV cell as the csv module writes it in a row (quoted when it must be)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value, ""])
    return out.getvalue()[:-1]


def _json_parts(rows: Iterable[HistoryRow], classroom: Classroom) -> Iterator[str]:
    """`json.dumps([row as a dict…], indent=2, ensure_ascii=False)`, a row at a time (the same text:
    each value through json's own encoder, the indentation as json.dumps lays it out). Each field's
    text is made once per value (the same adults, kinds, times and students fill most rows)."""
    known = {s.id: s.initials for s in classroom.students}
    dump = json.JSONEncoder(ensure_ascii=False).encode
    keys = [f'    {dump(k)}: ' for k in HistoryRow._fields]
    kid_field = HistoryRow._fields.index("students")
    unique = {HistoryRow._fields.index("id"), HistoryRow._fields.index("text")}
    made: list[dict[Any, str]] = [{} for _ in keys]

    def field(i: int, value: Any) -> str:
        if i in unique:
            return keys[i] + dump(value)
        seen = made[i]
        hit = seen.get(value)
        if hit is None:
            if len(seen) > 50_000:
                seen.clear()
            if i == kid_field:
                kids = initials(value, classroom, known)
                listed = ",\n".join(f"      {dump(k)}" for k in kids)
                hit = keys[i] + (f"[\n{listed}\n    ]" if kids else "[]")
            else:
                hit = keys[i] + dump(value)
            seen[value] = hit
        return hit

    order = range(len(keys))
    out: list[str] = []
    n = -1
    for n, r in enumerate(rows):
        out.append(("[\n" if n == 0 else ",\n") + "  {\n" + ",\n".join([field(i, r[i]) for i in order]) + "\n  }")
        if len(out) >= _CHUNK:
            yield "".join(out)
            out = []
    yield "".join(out) + ("\n]" if n >= 0 else "[]")


def text_line(eid: str, at: str, short: str, login: str, host: str, text: str, retracted_by: str | None,
              not_applied: str | None, unsigned: bool = False) -> str:
    """One row of `paratui history` as text."""
    mark = f"  (retracted by {retracted_by})" if retracted_by else ""
    if not_applied:
        mark += f"  (NOT APPLIED: {not_applied})"
    return f"{at}  {short:<8} {text}{mark}  [{eid[:6]} {login}@{host}{' unsigned' if unsigned else ''}]"


def initials(ids: Iterable[str], classroom: Classroom, known: dict[str, str] | None = None) -> list[str]:
    if known is None:
        known = {s.id: s.initials for s in classroom.students}
    return [clean(known.get(i, i), limit=12) for i in ids]


def csv_cell(value: Any) -> str:
    text = clean(str(value), limit=500)
    if len(text) > 1 and text[0] in "=+-@\t\r":  # a formula to a spreadsheet: keep it text
        text = "'" + text
    return text


def parse_day(text: str, field: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"{field}: {clean(text, limit=20)!r} is not a date like 2026-11-23") from None
