"""The Friday meeting's agenda (30 minutes), prefilled from the week, in the seeds' order: what went
well and what did not, student updates, the upcoming week, misc. Markdown; initials only.

Pure: the week's events (notes and acks, data and ABC records, tasks, today's changes) and the room
in, text out. `paratui meeting [--week DATE]` prints it; every value passes through `clean` and is
escaped as Markdown text, so nothing typed in a note becomes a heading, a link or markup.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

from paratui.model.classroom import Classroom
from paratui.model.datalog import abc_patterns, entries, observed_at, summarize
from paratui.model.events import Event, live_events
from paratui.model.notes import all_notes
from paratui.model.text import clean

AGENDA = ("What went well, what did not", "Student updates", "The upcoming week", "Misc")


def week_of(day: date) -> tuple[date, date]:
    """Monday … Friday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=4)


def _md(value: object, limit: int = 300) -> str:
    """One line of text that Markdown shows as written (no heading, list, link, emphasis or HTML)."""
    text = clean(value, limit=limit)
    for ch in "\\`*_[]<>#|~":
        text = text.replace(ch, "\\" + ch)
    return text


def agenda(classroom: Classroom, events: Iterable[Event], day: date, now: datetime) -> str:
    monday, friday = week_of(day)
    live = live_events(events)
    in_week = [e for e in live if monday <= observed_at(e).date() <= friday]  # data by its observation
    shorts = {s.id: s.short for s in classroom.staff}
    out = [f"# Friday meeting — week of {monday:%A %d %B %Y}", "",
           f"*{clean(classroom.room)} · prefilled from the journal on {now:%Y-%m-%d %H:%M}; "
           "30 minutes: keep each part short.*", ""]

    notes = [n for n in all_notes(in_week)]
    out += [f"## 1. {AGENDA[0]}", ""]
    kudos = [n for n in notes if n.kind == "kudos"]
    feedback = [n for n in notes if n.kind == "feedback"]
    for title, rows in (("Kudos", kudos), ("Feedback (both directions)", feedback)):
        out.append(f"**{title}:**")
        out += [f"- {n.at:%a} {_md(shorts.get(n.from_ or '', n.from_ or '?'))} → "
                f"{_md('everyone' if n.everyone else ', '.join(shorts.get(x, x) for x in n.to))}: {_md(n.text)}"
                for n in rows] or ["- none this week"]
        out.append("")
    unread = [n for n in notes if n.waiting]
    if unread:
        out.append("**Urgent notes still not acknowledged:**")
        out += [f"- {n.at:%a %H:%M} {_md(n.text)} (waiting for "
                f"{_md(', '.join(shorts.get(x, x) for x in n.pending))})" for n in unread]
        out.append("")

    out += [f"## 2. {AGENDA[1]}", ""]
    for st in classroom.students:
        out.append(f"### {_md(st.initials)}")
        about = [n for n in notes if n.about == st.id]
        out += [f"- note {n.at:%a}: {_md(n.text)}" for n in about]
        plan = classroom.plans.get(st.id)
        records = entries(in_week, plan, st.id)
        abc = abc_patterns(records)
        if abc.total:
            top_a = ", ".join(f"{_md(a)} ({n})" for a, n in abc.antecedents[:2]) or "—"
            top_c = ", ".join(f"{_md(c)} ({n})" for c, n in abc.consequences[:2]) or "—"
            out.append(f"- behavior: {abc.total} ABC record{'s' if abc.total != 1 else ''}; most common "
                       f"antecedent {top_a}; consequence {top_c}")
        if plan is not None:
            for g in summarize(plan, live, classroom.prompts, end=friday):
                week = [s for s in g.sessions if monday <= s.day <= friday]
                if not week:
                    continue
                level = f"{week[-1].level:.0f}" if week[-1].level is not None else "—"
                status = g.status.text if g.status else ""
                # the agenda reads three weeks: a phase begun before them is not seen, so the
                # implicit baseline is not named (a phase begun within them is)
                trend = g.line.text if g.phase.start is not None else g.line.plain
                out.append(f"- {_md(g.goal.title)}: {len(week)} session{'s' if len(week) != 1 else ''} this "
                           f"week, last {level}{'; ' + _md(status) if status else ''}"
                           f"{'; trend ' + trend if g.trend else ''}")
        if len(out) and out[-1].startswith("### "):
            out.append("- nothing recorded this week")
        out.append("- IEP changes: none recorded (goal files are edited in students/; say so here)")
        out.append("")

    out += [f"## 3. {AGENDA[2]}", ""]
    next_monday = friday + timedelta(days=3)
    next_friday = next_monday + timedelta(days=4)
    changes = [e for e in live if e.type == "day.change" and next_monday <= e.time.date() <= next_friday]
    out += [f"- change recorded for {e.time:%a}: {_md(e.payload.get('kind'))} {_md(e.payload.get('note') or '')}"
            for e in changes]
    for e in live:
        if e.type == "task.add" and isinstance(e.payload.get("due"), str):
            try:
                when = datetime.fromisoformat(e.payload["due"]).date()
            except ValueError:
                continue
            if next_monday <= when <= next_friday:
                owner = e.payload.get("for")
                out.append(f"- task due {when:%a}: {_md(e.payload.get('text'))}"
                           + (f" ({_md(shorts.get(owner, owner))})" if owner else ""))
    for rule in classroom.recurring:
        days = ", ".join(d[:3].capitalize() for d in getattr(rule, "days", ()))
        text = getattr(rule, "text", None)
        if text:
            who = getattr(rule, "for_", None)
            out.append(f"- recurring ({days}): {_md(text)}" + (f" ({_md(shorts.get(who, who))})" if who else ""))
    if out[-1] == "":
        out.append("- nothing known yet")
    out += ["", f"## 4. {AGENDA[3]}", "", "- ", "",
            "## Action items", "",
            "*One per line: `- [ ] what @STAFF due` (due: HH:MM, a weekday or YYYY-MM-DD); the meeting screen "
            "turns them into tasks.*", ""]
    return "\n".join(out) + "\n"
