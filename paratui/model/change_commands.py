"""Today's changes to the base week, as commands (`paratui change …` and, later, the board's keys).

Built on paratui.model.commands like every other change: names resolved, the request checked
against the classroom, today's plan and the clock, the permission hook asked (`change.room` for a
drill, an assembly or a changed block; `change.student` for a student out or absent; `change.lend`
for lending an adult), and a `Change` of type `day.change` returned (payload: paratui.model.events
PAYLOADS; folded by paratui.model.changes). Refused (exit 2) with the choices; nothing written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from paratui.model.changes import CHANGE, action_for
from paratui.model.commands import Change, Context, Refused, _change, _place, _staff, _student, _text, parse_time
from paratui.model.resolve import NotFound, find_location
from paratui.model.schedule import WEEKDAYS
from paratui.model.text import clean


def _today(ctx: Context, text: str | None, field: str, required: bool = True) -> datetime | None:
    """A time today (HH:MM), refused when it is another day."""
    if text is None or not text.strip():
        if required:
            raise Refused(f"{field}: missing (a time today like 10:30)", field)
        return None
    when = parse_time(text, ctx.now, field)
    if when.date() != ctx.now.date():
        raise Refused(f"{field}: {when:%Y-%m-%d} is not today; changes are for today only", field)
    return when


def _span(ctx: Context, start: str | None, end: str | None, default_start: bool = False) -> tuple[datetime, datetime]:
    s = _today(ctx, start, "from", required=not default_start) or ctx.now.replace(second=0, microsecond=0)
    e = _today(ctx, end, "to")
    assert e is not None
    if e <= s:
        raise Refused(f"to: {e:%H:%M} is not after {s:%H:%M}", "to")
    if e <= ctx.now:
        raise Refused(f"to: {e:%H:%M} is already over (it is {ctx.now:%H:%M} now)", "to")
    return s, e


def _blocks_text(ctx: Context) -> str:
    blocks = ctx.schedule.blocks(WEEKDAYS[ctx.now.weekday()])
    return ", ".join(f"{b.start:%H:%M} {clean(b.activity, limit=30)}" for b in blocks) or "no blocks today"


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="minutes") if t else None


def _make(ctx: Context, kind: str, payload: dict) -> Change:
    return _change(ctx, CHANGE, {"kind": kind, **payload}, action_for(kind))


def drill(ctx: Context, start: str | None, end: str | None, note: str | None = None, at: str | None = None,
          kind: str = "drill") -> Change:
    """A fire drill or an assembly: start–end replaced for everyone (adults keep their students)."""
    if kind not in ("drill", "assembly"):
        raise Refused(f"kind: {clean(kind, limit=20)!r} is not one of drill, assembly", "kind")
    s, e = _span(ctx, start, end)
    blocks = ctx.schedule.blocks(WEEKDAYS[ctx.now.weekday()])
    if not any(b.start < e.time() and s.time() < b.end for b in blocks):
        raise Refused(f"from/to: {s:%H:%M}-{e:%H:%M} is outside today's blocks ({_blocks_text(ctx)})", "from")
    place = _place(ctx, at, "at").id if at and at.strip() else None
    return _make(ctx, kind, {"start": _iso(s), "end": _iso(e), "at": place,
                             "note": _text(note, "note", required=False)})


def block(ctx: Context, which: str, start: str | None = None, end: str | None = None, at: str | None = None,
          activity: str | None = None, note: str | None = None) -> Change:
    """Today only: the base block starting at `which` (HH:MM) gets a new time, place or activity."""
    blocks = ctx.schedule.blocks(WEEKDAYS[ctx.now.weekday()])
    target = next((b for b in blocks if f"{b.start:%H:%M}" == (which or "").strip().zfill(5)), None)
    if target is None:
        raise Refused(f"block: {clean(which or '', limit=10)!r} is not the start of one of today's blocks: "
                      f"{_blocks_text(ctx)}", "block")
    s = _today(ctx, start, "start", required=False)
    e = _today(ctx, end, "end", required=False)
    place = _place(ctx, at, "at").id if at and at.strip() else None
    doing = _text(activity, "activity", required=False)
    if not (s or e or place or doing):
        raise Refused("nothing to change: give --start, --end, --at or --activity", "block")
    new_start, new_end = (s.time() if s else target.start), (e.time() if e else target.end)
    if new_end <= new_start:
        raise Refused(f"end: {new_end:%H:%M} is not after {new_start:%H:%M}", "end")
    if datetime.combine(ctx.now.date(), new_end) <= ctx.now:
        raise Refused(f"end: the block would end at {new_end:%H:%M}, already over (it is {ctx.now:%H:%M} now)",
                      "end")
    return _make(ctx, "block", {"block": f"{target.start:%H:%M}", "start": _iso(s), "end": _iso(e),
                                "at": place, "activity": doing, "note": _text(note, "note", required=False)})


def student_out(ctx: Context, student: str, service: str | None, start: str | None, end: str | None,
                at: str | None = None, with_: Sequence[str] | None = None, note: str | None = None) -> Change:
    """A student out of their block for services (speech, OT, a meeting) from start (default now) to
    end, at a place (default: the place named like the service), with these adults (default none)."""
    st = _student(ctx, student)
    row = next(r for r in ctx.board.students if r.id == st.id)
    loc = ctx.board.locations.get(row.location)
    if loc is not None and loc.kind == "away":
        raise Refused(f"{clean(st.initials)} is absent today", "student")
    s, e = _span(ctx, start, end, default_start=True)
    if at and at.strip():
        place = _place(ctx, at, "at")
    else:
        try:
            place = find_location(ctx.classroom, service or "")
        except NotFound as err:
            choices = ", ".join(err.candidates)
            raise Refused(f"at: where does {clean(st.initials)} go? add --at LOCATION ({clean(choices)})",
                          "at") from None
    adults = list(dict.fromkeys(_staff(ctx, w, "with").id for w in with_ or []))
    return _make(ctx, "student-out", {"student": st.id, "service": _text(service, "for", required=False),
                                      "start": _iso(s), "end": _iso(e), "at": place.id, "with": adults,
                                      "note": _text(note, "note", required=False)})


def student_absent(ctx: Context, student: str, note: str | None = None) -> Change:
    """A student is not in school today."""
    st = _student(ctx, student)
    if not any(loc.kind == "away" for loc in ctx.classroom.locations):
        raise Refused("classroom.toml has no location of kind \"away\" (absent / home): add one", "student")
    row = next(r for r in ctx.board.students if r.id == st.id)
    loc = ctx.board.locations.get(row.location)
    if loc is not None and loc.kind == "away":
        raise Refused(f"{clean(st.initials)} is already absent today", "student")
    return _make(ctx, "student-absent", {"student": st.id, "note": _text(note, "note", required=False)})


def lend(ctx: Context, staff: str, room: str | None, until: str | None, note: str | None = None) -> Change:
    """An adult is lent to another room until a time (they are out of this room until then)."""
    who = _staff(ctx, staff)
    where = _text(room, "to", required=True)
    if where is not None and len(where) > 60:
        raise Refused("to: at most 60 characters (a room, e.g. \"Room 8\")", "to")
    e = _today(ctx, until, "until")
    assert e is not None
    if e <= ctx.now:
        raise Refused(f"until: {e:%H:%M} is already over (it is {ctx.now:%H:%M} now)", "until")
    card = next((c for c in ctx.board.staff if c.id == who.id), None)
    if card is not None and card.source in ("absent", "lent"):
        raise Refused(f"{clean(who.short)} is already out of the room ({clean(card.activity, limit=40)})", "staff")
    return _make(ctx, "lend", {"staff": who.id, "room": where, "end": _iso(e),
                               "note": _text(note, "note", required=False)})
