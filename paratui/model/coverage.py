"""Coverage ahead: the rest of today's coverage problems, before they happen.

From today's plan (paratui.model.changes: the base week, its services, today's changes, absences,
lends and assignments as recorded so far) the board is folded again at each moment later today when
something changes (a block starts, a service starts or ends, someone is back, an assignment ends),
and each problem is reported from the moment it starts:

- `uncovered`: a student who will have no adult (and is not in a supervised place);
- `one-to-one`: a one-to-one student whose para (or their sub) will be out, on break or lent, with
  nobody named in their place;
- `two-places`: an adult the plan puts in two places at once (their own block and a service, a block
  they cover for someone, or an assignment still running);
- `min-adults`: a block with fewer adults with students than classroom.toml's `min_adults`.

A problem already there now is on the board itself (Uncovered), not repeated here. Moves and backs
are not projected (a bathroom trip ends); a student marked absent for the day stays absent. Pure and
cheap: a dozen small folds per reload (bench/bench_coverage.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paratui.model.changes import DayPlan
from paratui.model.classroom import Classroom
from paratui.model.events import Event
from paratui.model.fold import Fold, current_block, fold_at, until_of
from paratui.model.schedule import WEEKDAYS
from paratui.model.tasks import parse_due

_Key = tuple[str, str]  # (kind, who); min-adults: "room@HH:MM", one per block


@dataclass(frozen=True)
class Ahead:
    """A coverage problem later today, from `time` on."""

    time: datetime
    kind: str  # "uncovered" | "one-to-one" | "two-places" | "min-adults"
    who: str  # a student id, a staff id, or "room"
    detail: str


def coverage_ahead(classroom: Classroom, plan: DayPlan, now: datetime) -> list[Ahead]:
    blocks = plan.schedule.blocks(WEEKDAYS[now.weekday()])
    if not blocks:
        return []
    today = now.date()
    day_end = datetime.combine(today, blocks[-1].end)
    if now >= day_end:
        return []
    projected = _projected(plan.events, classroom)
    moments: set[datetime] = {datetime.combine(today, b.start) for b in blocks}
    for p in plan.pullouts:
        moments.update((p.start, p.end))
    for e in projected:
        if e.type in ("absent", "assign"):
            until = until_of(e, plan.schedule, today) if e.type == "assign" else parse_due(e.payload.get("until"))
            if until is not None:
                moments.add(until)
    ahead: list[Ahead] = []
    previous = _problems(classroom, plan, projected, now)
    for t in sorted(m for m in moments if now < m < day_end):
        found = _problems(classroom, plan, projected, t)
        for key, detail in found.items():
            if key not in previous:
                ahead.append(Ahead(t, key[0], key[1].split("@")[0], detail))
        previous = found
    return ahead


def _projected(events: list[Event], classroom: Classroom) -> list[Event]:
    """Today's events as they bear on later today: no moves or backs (a trip ends), except a
    student's latest being a move to an `away` place (absent for the day)."""
    away = {loc.id for loc in classroom.locations if loc.kind == "away"}
    latest: dict[str, Event] = {}
    kept: list[Event] = []
    for e in events:
        if e.type in ("move", "back"):
            latest[e.payload["student"]] = e
        else:
            kept.append(e)
    absent = [e for e in latest.values() if e.type == "move" and e.payload.get("to") in away]
    if absent:
        kept = sorted([*kept, *absent], key=lambda e: e.sort_key)
    return kept


def _problems(classroom: Classroom, plan: DayPlan, events: list[Event], t: datetime) -> dict[_Key, str]:
    f = fold_at(classroom, plan, events, t)
    found: dict[_Key, str] = {}
    if f.block is None or not f.in_session:
        return found
    shorts = {s.id: s.short for s in classroom.staff}
    activity = f.block.activity
    for row in f.students:
        if row.covered:
            continue
        st = next(s for s in classroom.students if s.id == row.id)
        kind = "one-to-one" if st.one_to_one else "uncovered"
        found[(kind, row.id)] = f"{row.initials}: {row.why_uncovered} ({activity})"
    for staff_id, claims in _claims(plan, f, events, t).items():
        if len(claims) > 1:
            found[("two-places", staff_id)] = f"{shorts.get(staff_id, staff_id)}: {' and '.join(claims)}"
    need = classroom.min_adults
    if need:
        with_students = [sid for sid, d in f.doing.items() if d.students and d.source not in ("absent", "lent")]
        if len(with_students) < need:
            n = len(with_students)
            found[("min-adults", f"room@{f.block.start:%H:%M}")] = (
                f"{n} adult{'s' if n != 1 else ''} with students in {activity} (minimum {need})")
    return found


def _claims(plan: DayPlan, f: Fold, events: list[Event], t: datetime) -> dict[str, list[str]]:
    """Where the plan puts each adult at `t`, one entry per distinct duty."""
    base = current_block(plan.schedule, t)
    claims: dict[str, dict[tuple, str]] = {}

    def claim(staff_id: str, at: str | None, students: tuple[str, ...], what: str) -> None:
        if staff_id in f.absences:
            return
        claims.setdefault(staff_id, {}).setdefault((at, students), what)

    if base is not None:
        for staff_id, d in base.duties.items():
            if d.students:
                claim(staff_id, d.at or base.at, d.students, d.activity or base.activity)
        for staff_id, absence in f.absences.items():
            covered = base.duties.get(staff_id)
            if absence.sub and covered is not None and covered.students:
                claim(absence.sub, covered.at or base.at, covered.students,
                      f"{covered.activity or base.activity} for {staff_id}")
    for p in plan.pulled_at(t):
        for staff_id in p.staff:
            claim(staff_id, p.at, p.students, p.activity)
    for e in events:
        if e.type != "assign":
            continue
        until = until_of(e, plan.schedule, t.date())
        if until is not None and until > t:
            claim(e.payload["staff"], e.payload.get("at"), tuple(e.payload.get("students") or ()),
                  str(e.payload.get("activity") or "assigned"))
    return {k: list(v.values()) for k, v in claims.items()}
