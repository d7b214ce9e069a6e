"""The board as data (`paratui board --json`) and as plain text (`--plain`, screen readers, scripts).

The JSON shape is a public interface: add fields, never rename or remove them.

Text people typed or put in files is data. The JSON keeps it exactly as written (json.dumps escapes
every control character). Everything meant to be read (`board_to_text`, and `location_label` /
`companions`, which panes and pickers show too) passes it through `clean`: one line, control
characters shown as symbols, bidi overrides dropped, so it can never forge a line or drive a terminal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from paratui.model.board import BoardState, StudentRow
from paratui.model.changes import DayChange
from paratui.model.events import elapsed
from paratui.model.text import clean

SCHEMA_VERSION = 1


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="minutes") if t else None


def short_id(task_id: str) -> str:
    return task_id[:6]


def board_to_dict(state: BoardState) -> dict[str, Any]:
    b = state.block
    return {
        "schema": SCHEMA_VERSION,
        "room": state.room,
        "now": _iso(state.now),
        "weekday": state.weekday,
        "block": None if b is None else {
            "start": f"{b.start:%H:%M}", "end": f"{b.end:%H:%M}", "activity": b.activity, "location": b.at,
            "changed": state.block_changed},
        "staff": [{
            "id": s.id, "name": s.name, "short": s.short, "role": s.role, "with": list(s.with_),
            "location": s.location, "activity": s.activity, "since": _iso(s.since), "until": _iso(s.until),
            "source": s.source,
            "next": None if s.next is None else {
                "start": _iso(s.next.start), "activity": s.next.activity, "location": s.next.location},
        } for s in state.staff],
        "students": [{
            "id": s.id, "initials": s.initials, "location": s.location, "out": s.out,
            "minutes_out": s.minutes_out, "expected_minutes": s.expected_minutes, "over": s.over,
            "with": list(s.with_), "covered": s.covered, "why_uncovered": s.why_uncovered or None,
            "placed": s.placed,
        } for s in state.students],
        "tasks": [{
            "id": t.id, "short_id": short_id(t.id), "text": t.text, "for": t.for_, "due": _iso(t.due),
            "done": t.done, "overdue": t.overdue, "added_by": t.added_by, "added": _iso(t.added),
            "about": t.about, "claimed_by": t.claimed_by, "claimed_at": _iso(t.claimed_at),
            "done_by": t.done_by, "done_at": _iso(t.done_at), "recurring": t.recurring,
        } for t in state.tasks],
        "notes": [{
            "id": n.id, "short_id": short_id(n.id), "text": n.text, "kind": n.kind, "from": n.from_,
            "to": list(n.to), "everyone": n.everyone, "about": n.about, "urgent": n.urgent,
            "acked_by": [{"staff": who, "at": _iso(when)} for who, when in n.acked],
            "waiting_for": list(n.pending) if n.urgent else [], "at": _iso(n.at),
        } for n in state.notes],
        "binder": {"tab": state.binder.tab, "title": state.binder.title},
        "in_session": state.in_session,
        "timers": [{"student": t.student, "goal": t.goal, "start": t.start, "started": _iso(t.started),
                    "staff": t.staff, "seconds": max(0, int(elapsed(t.started, state.now)))}
                   for t in state.timers],
        "data_due": [{"staff": d.staff, "student": d.student, "goal": d.goal, "kind": d.kind, "when": d.when}
                     for d in state.data_due],
        "changes": [{"id": c.id, "kind": c.kind, "start": _iso(c.start), "end": _iso(c.end), "by": c.by,
                     "at": _iso(c.made), "text": change_text(state, c)} for c in state.changes],
        "day": [{"start": f"{d.start:%H:%M}", "end": f"{d.end:%H:%M}", "activity": d.activity, "location": d.at,
                 "changed": bool(d.changes), "changes": list(d.changes)} for d in state.day],
        "teacher_out": None if state.teacher_out is None else {
            "staff": state.teacher_out.staff, "sub": state.teacher_out.sub, "until": _iso(state.teacher_out.until),
            "procedure": {"page": state.teacher_out.page, "section": state.teacher_out.section}},
        "ahead": [{"time": _iso(a.time), "kind": a.kind, "who": a.who, "detail": a.detail} for a in state.ahead],
        "warnings": list(state.warnings),
    }


def change_text(state: BoardState, change: DayChange) -> str:
    """One of today's changes in words (cleaned), as the command read it back."""
    from paratui.model.changes import describe_change

    return describe_change(change.kind, change.payload, {s.id: s.short for s in state.staff},
                           {s.id: s.initials for s in state.students},
                           {k: v.label for k, v in state.locations.items()})


def location_label(state: BoardState, location_id: str | None) -> str:
    """A location's label as shown (cleaned: one line, no control characters)."""
    if location_id is None:
        return "-"
    loc = state.locations.get(location_id)
    return clean(loc.label if loc else location_id)


def companions(state: BoardState, student: StudentRow, nobody: str = "no adult") -> str:
    """Who a student is with, in words: the adults' short names, or who else is looking after them
    (`nobody` when no one is). Cleaned, like every shown value."""
    shorts = {s.id: s.short for s in state.staff}
    if student.with_:
        return clean(", ".join(shorts.get(x, x) for x in student.with_))
    place = state.locations.get(student.location)
    if place is not None and place.kind == "away":
        return "absent"
    if place is not None and place.supervised:
        return "staff there"
    return nobody if state.in_session else "-"


def _out_of_room_lines(state: BoardState, c: Callable[[str], str]) -> list[str]:
    """--plain's OUT OF ROOM: the students who left, timed; then, untimed, the ones placed elsewhere."""
    out: list[str] = []
    rows = state.out_of_room
    timed = [s for s in rows if not s.placed]
    for s in timed:
        who = companions(state, s, "")
        limit = f" of {s.expected_minutes}" if s.expected_minutes else ""
        flag = " OVER" if s.over else ""
        out.append(f"  {c(s.initials)}: {location_label(state, s.location)}, {s.minutes_out}{limit} min, "
                   f"{f'with {who}' if who else 'alone'}{flag}")
    if not timed:
        out.append("  everyone is in the room" if not rows else "  nobody has stepped out")
    # placed elsewhere (untimed: nobody needs to fetch them): by today's assign, then by the schedule
    for by, heading in (("assign", "by today's assign"), ("schedule", "by the schedule")):
        placed = [s for s in rows if s.placed and (s.placed_by == "assign") == (by == "assign")]
        if placed:
            out.append(f"  {heading}:")
        for s in placed:
            who = companions(state, s, "")
            since = f", since {s.since:%H:%M}" if by == "assign" and s.since else ""
            out.append(f"    {c(s.initials)}: {location_label(state, s.location)}"
                       f"{f', with {who}' if who else ''}{since}")
    return out


def board_to_text(state: BoardState) -> str:
    """Plain, linear text: one fact a line, in the order a person scans the wall board.

    Every value from a file or the journal goes through `clean` (one line), so whatever the data
    holds, the output has no escape sequences and one line per fact."""
    c = clean
    initials = {s.id: s.initials for s in state.students}
    shorts = {s.id: s.short for s in state.staff}
    out: list[str] = []
    block = c(state.block.label()) if state.block else (
        "no block now" if state.in_session else "outside school hours")
    out.append(f"{c(state.room)} — {c(state.weekday.capitalize())} {state.now:%Y-%m-%d %H:%M} — {block}")
    out.append("")
    out.append("ADULTS")
    for card in state.staff:
        who = c(", ".join(initials.get(x, x) for x in card.with_)) or "no students"
        until = f" until {card.until:%H:%M}" if card.until else ""
        since = f" since {card.since:%H:%M}" if card.since and card.source == "move" else ""
        nxt = f"; next {card.next.start:%H:%M} {c(card.next.activity)}" if card.next else ""
        out.append(f"  {c(card.short)} ({c(card.id)}): {c(card.activity)} — {who} @ "
                   f"{location_label(state, card.location)}{since}{until}{nxt}")
    out.append("")
    out.append("OUT OF ROOM")
    out.extend(_out_of_room_lines(state, c))
    out.append("")
    out.append("UNCOVERED")
    for s in state.uncovered:
        out.append(f"  {c(s.initials)} @ {location_label(state, s.location)}: {c(s.why_uncovered)}")
    if not state.in_session:
        out.append("  outside school hours: no coverage alarms")
    elif not state.uncovered:
        out.append("  every student has an adult")
    out.append("")
    out.append("STUDENTS")
    for s in state.students:
        who = companions(state, s)
        with_ = f"with {who}" if who not in ("absent", "-") else ("absent" if who == "absent" else "")
        out.append(f"  {c(s.initials)} ({c(s.id)}): {location_label(state, s.location)} {with_}".rstrip())
    out.append("")
    out.append("TASKS")
    for t in state.tasks:
        mark = "done" if t.done else ("OVERDUE" if t.overdue else "open")
        due = f" due {t.due:%a %H:%M}" if t.due else ""
        who = f" for {c(shorts.get(t.for_, t.for_))}" if t.for_ else ""
        if t.claimed_by and not t.done:
            who += f", {c(shorts.get(t.claimed_by, t.claimed_by))} has it"
        if t.done and t.done_by:
            mark = f"done by {c(shorts.get(t.done_by, t.done_by))}"
        out.append(f"  [{c(short_id(t.id))}] {c(t.text)}{who}{due} ({mark})")
    if not state.tasks:
        out.append("  no tasks")
    out.append("")
    if state.teacher_out is not None:
        away = state.teacher_out
        where = (f"binder/{away.page}.md" + (f" — {away.section}" if away.section else "")
                 if away.page else "(no page in binder/)")
        out.append(f"TEACHER OUT: {c(shorts.get(away.staff, away.staff))}; procedure: {c(where)}")
        out.append("")
    if state.changes:
        out.append("TODAY'S CHANGES")
        out.extend(f"  [{c(ch.id[:6])}] {change_text(state, ch)}" for ch in state.changes)
        out.append("")
    out.append("COVERAGE AHEAD")
    out.extend(f"  {a.time:%H:%M} {c(a.kind)}: {c(a.detail)}" for a in state.ahead)
    if not state.ahead:
        out.append("  no problems ahead today")
    out.append("")
    out.append("NOTES")
    for n in state.notes:
        to = "everyone" if n.everyone else ", ".join(shorts.get(x, x) for x in n.to)
        about = f" about {initials.get(n.about, n.about)}" if n.about else ""
        sender = shorts.get(n.from_ or "", n.from_ or "?")
        head = f"{'URGENT ' if n.urgent else ''}{n.kind} from {sender} to {to}{about}"
        waiting = f" (waiting for {', '.join(shorts.get(x, x) for x in n.pending)})" if n.waiting else ""
        out.append(f"  [{c(short_id(n.id))}] {n.at:%a %H:%M} {c(head)}: {c(n.text)}{c(waiting)}")
    if not state.notes:
        out.append("  no notes today")
    out.append("")
    tab = state.binder
    out.append(f"BINDER ({c(tab.tab)}): {c(tab.title) if tab.title else '(no page)'}" if tab.tab
               else "BINDER: no tab today")
    if state.warnings:
        out.append("")
        out.append("WARNINGS")
        out.extend(f"  {c(w)}" for w in state.warnings)
    return "\n".join(out) + "\n"
