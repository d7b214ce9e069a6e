"""One event in a short sentence, for confirmations, undo toasts and the CLI."""

from __future__ import annotations

from paratui.model.classroom import Classroom
from paratui.model.events import Event


def describe(event: Event, classroom: Classroom, target: Event | None = None) -> str:
    staff = {s.id: s.short for s in classroom.staff}
    kids = {s.id: s.initials for s in classroom.students}
    places = {loc.id: loc.label for loc in classroom.locations}
    who = staff.get(event.staff or "", event.staff or "someone")
    p = event.payload
    if event.type == "move":
        escorts = [staff.get(x, x) for x in p.get("with") or []]
        by = f" with {', '.join(escorts)}" if escorts else " (alone)"
        return f"{kids.get(p['student'], p['student'])} → {places.get(p['to'], p['to'])}{by}"
    if event.type == "back":
        return f"{kids.get(p['student'], p['student'])} is back"
    if event.type == "assign":
        names = ", ".join(kids.get(s, s) for s in p.get("students", [])) or "no students"
        at = f" @ {places.get(p['at'], p['at'])}" if p.get("at") else ""
        doing = f" ({p['activity']})" if p.get("activity") else ""
        until = f" until {str(p['until'])[11:16]}" if p.get("until") else ""
        return f"{staff.get(p['staff'], p['staff'])} with {names}{at}{doing}{until}"
    if event.type == "absent":
        sub = f"; {staff.get(p['sub'], p['sub'])} covers" if p.get("sub") else "; no sub"
        until = f" until {str(p['until'])[11:16]}" if p.get("until") else ""
        return f"{staff.get(p['staff'], p['staff'])} out today{until}{sub}"
    if event.type == "task.add":
        for_ = f" for {staff.get(p['for'], p['for'])}" if p.get("for") else ""
        return f"task added: {p['text']}{for_}"
    if event.type == "task.done":
        return f"task {str(p['task'])[:6]} done by {who}"
    if event.type == "retract":
        return f"undone: {describe(target, classroom)}" if target else f"undone {str(p['target'])[:6]}"
    return f"{event.type} by {who}"
