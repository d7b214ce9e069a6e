"""The IEP progress report of one student for one reporting period (`[[periods]]` in classroom.toml):
one page per goal a parent can read, Markdown or printable HTML (and JSON, CSV: the same numbers).
Pure: the classroom, the student's events, the period's day events and the clock in, text out.

Each goal's page: its text, the baseline (the goal file's words and the baseline sessions' mean),
the current level, the chart (paratui.model.report's, with its phases' condition lines and the aim
line), the trend per week, the mastery status and the day it was first met, IOA, the sessions and
the days marked absent, the decision rules that fire, and the teacher's progress statement from the
room's scale with a free comment (a `progress` event: `paratui progress`, folded here).

Every figure is paratui.model.report's `build` (paratui.model.datalog's fold and decision rules),
read up to the period's end from the journal's start, so that a baseline measured before the period
still gives the aim line; the sessions listed and drawn are the period's. Initials unless `names`.
Every text from a file or a person passes through `clean`, and `html.escape` in HTML.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from paratui.model import report as reports
from paratui.model.classroom import Classroom, Period, Student
from paratui.model.datalog import RULE_ABOVE, RULE_BELOW, RULE_FLAT, RULE_FLAT_UP, students_events, summarize
from paratui.model.events import Event, live_events
from paratui.model.ioa import STANDARD_MEAN, STANDARD_SHARE
from paratui.model.text import clean

SCHEMA = 1
FORMATS = ("html", "md", "json", "csv")
SESSIONS_LISTED = 45  # a goal page lists this many of the period's sessions, newest; the rest: "in the CSV"
# The decision rules as the Data due pane names them (short): the same rules, from the same fold.
SHORT_RULES = {RULE_BELOW: "3 below aim", RULE_ABOVE: "3 above aim", RULE_FLAT: "flat/falling 6+",
               RULE_FLAT_UP: "flat/rising 6+"}
IOA_NONE = "IOA: not checked this period"


# -- the fold of `progress` events ------------------------------------------------------------------

@dataclass(frozen=True)
class Statement:
    """The teacher's progress statement on a goal for a period (the newest live `progress` event)."""

    status: str
    comment: str | None
    staff: str | None
    time: datetime
    id: str


def statements(events: Iterable[Event], student: str, period: str) -> dict[str, Statement]:
    """goal id → the newest live progress statement of `student` for `period` (a retracted one is
    gone; an earlier one stands again)."""
    mine = live_events(e for e in events if e.type == "retract" or (
        e.type == "progress" and e.payload.get("student") == student
        and str(e.payload.get("period", "")).casefold() == period.casefold()))
    out: dict[str, Statement] = {}
    for e in mine:
        p = e.payload
        out[str(p.get("goal"))] = Statement(str(p.get("status") or "?"), p.get("comment") or None, e.staff,
                                            e.time, e.id)
    return out


def absences(day_events: Iterable[Event], student: str, period: Period, away: Iterable[str] = ()) -> list[date]:
    """The days of the period the student was marked absent: a live `day.change` student-absent
    (`paratui change student-absent`, or the board's change menu), or a move to an `away` place
    (`away`: their ids; the demo's "Absent / home")."""
    places = set(away)
    days = {e.time.date() for e in live_events(day_events)
            if e.payload.get("student") == student and period.start <= e.time.date() <= period.end
            and ((e.type == "day.change" and e.payload.get("kind") == "student-absent")
                 or (e.type == "move" and e.payload.get("to") in places))}
    return sorted(days)


def ioa(section: dict[str, Any] | None, goal: str, period: Period, sessions: int) -> str | None:
    """The goal's inter-observer agreement over the period, in words (None: not checked this
    period), from the report's IOA section (paratui.model.ioa, docs/reports.md): the sessions
    checked of the period's sessions, the mean and range of agreement, and whether that meets the
    field's standard (at least 20% of sessions at a mean of at least 80%)."""
    first, last = period.start.isoformat(), period.end.isoformat()
    found = next((x for x in (section or {}).get("goals") or [] if x.get("goal") == goal), None)
    checks = [c for c in (found or {}).get("checks") or []
              if first <= c["date"] <= last and c.get("agreement") is not None]
    if not checks or found is None:
        return None
    values = [float(c["agreement"]) for c in checks]
    mean, low, high = sum(values) / len(values), min(values), max(values)
    share = 100.0 * len(checks) / sessions if sessions else 0.0
    span = f"{low:.0f}%" if round(low) == round(high) else f"{low:.0f}% to {high:.0f}%"
    text = (f"{len(checks)} of {sessions} sessions checked ({share:.0f}%), {found['measure']}: mean "
            f"{mean:.0f}% agreement (range {span})")
    if share < STANDARD_SHARE or mean < STANDARD_MEAN:
        text += (f"; below the field's standard (at least {STANDARD_SHARE:.0f}% of sessions at a mean of at "
                 f"least {STANDARD_MEAN:.0f}%)")
    return text


def decision_marks(classroom: Classroom, student: str, events: Iterable[Event]) -> dict[str, tuple[str, ...]]:
    """goal id → the decision rules that fire now ("consider a change"), short (SHORT_RULES): the
    Data due pane's mark, from the same fold and rules as the report and the student screen."""
    plan = classroom.plans.get(student)
    if plan is None or not plan.goals:
        return {}
    mine = students_events(events, student)
    unique = sorted({e.id: e for e in mine}.values(), key=lambda e: e.sort_key)
    return {s.goal.id: tuple(SHORT_RULES.get(r, r) for r in s.decisions)
            for s in summarize(plan, unique, classroom.prompts, keep_entries=False) if s.decisions}


# -- the numbers ------------------------------------------------------------------------------------

def _met_on(sessions: list[dict[str, Any]], needed: int | None, per_day: bool = False) -> str | None:
    """The day the mastery criterion was first met: the last session of the first run of `needed`
    consecutive sessions meeting it (a per-day criterion: of `needed` consecutive days)."""
    if not needed:
        return None
    run, day = 0, None
    for s in sessions:
        if per_day and s["date"] == day:
            continue  # a day's sessions share its verdict: the day counts once
        day = s["date"]
        run = run + 1 if s["met"] else 0
        if run >= needed:
            return str(s["date"])
    return None


def build(classroom: Classroom, student: Student, events: Iterable[Event], day_events: Iterable[Event],
          now: datetime, period: Period, goal: str | None = None, names: bool = False) -> dict[str, Any]:
    """The progress report's numbers, JSON-ready (what Markdown and HTML draw from)."""
    events = students_events(events, student.id)  # progress statements are in the log stream too
    base = reports.build(classroom, student, events, now, None, period.end, goal, names)
    said = statements(events, student.id, period.name)
    first, last = period.start.isoformat(), period.end.isoformat()
    away = absences(day_events, student.id, period, [loc.id for loc in classroom.locations if loc.kind == "away"])
    goals = []
    for g in base["goals"]:
        every = g["sessions"]
        mine = [s for s in every if first <= s["date"] <= last]
        baseline = [s["level"] for s in every if s["phase_kind"] == "baseline" and s["level"] is not None]
        st = said.get(g["id"])
        ioa_text = ioa(base.get("ioa"), g["id"], period, len(mine))
        goals.append({
            **{k: g[k] for k in ("id", "title", "kind", "area", "unit", "baseline", "mastery_text", "criterion",
                                 "trend", "trend_line", "phase", "phases", "aim_line", "consider_change",
                                 "decision_rules", "mastery", "start", "target")},
            "aim_text": reports._aim_text(g),
            "baseline_level": round(sum(baseline) / len(baseline), 1) if baseline else None,
            "baseline_sessions": len(baseline),
            "current": next((s["level"] for s in reversed(mine) if s["level"] is not None), None),
            "met_on": _met_on(every, g["mastery"]["needed"] if g["mastery"] else None, g.get("mastery_per") == "day"),
            "sessions": mine, "earlier_sessions": len([s for s in every if s["date"] < first]),
            "ioa": ioa_text,
            "statement": None if st is None else {
                "status": st.status, "comment": st.comment, "by": _short(classroom, st.staff),
                "date": st.time.date().isoformat(), "id": st.id},
        })
    return {
        "schema": SCHEMA, "room": base["room"], "generated": base["generated"],
        "student": base["student"], "period": {"name": period.name, "start": first, "end": last},
        "scale": list(classroom.progress_scale), "absences": [d.isoformat() for d in away],
        "absence_days": len(away), "goals": goals,
    }


def _short(classroom: Classroom, staff: str | None) -> str | None:
    return None if staff is None else {s.id: s.short for s in classroom.staff}.get(staff, staff)


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# -- words shared by Markdown and HTML ---------------------------------------------------------------

def _level(v: float | None, unit: str) -> str:
    if v is None:
        return "no data"
    return f"{v:.0f}%" if unit == "%" else f"{v:.0f} s" if unit == "s" else f"{v:g}"


def _facts(g: dict[str, Any], report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of one goal's page, in order; plain text (each format escapes it)."""
    unit = g["unit"]
    base = g["baseline"] or "not given"
    if g["baseline_level"] is not None:
        base += f"; measured {_level(g['baseline_level'], unit)} (mean of {g['baseline_sessions']} baseline " \
                f"session{'s' * (g['baseline_sessions'] != 1)})"
    m = g["mastery"]
    mastery = g["mastery_text"] or g["criterion"] or "no mastery criterion in the goal file"
    if m:
        mastery += f": {m['text']}" + (" (mastered)" if m["mastered"] else "")
    met = f"met on {g['met_on']}" if g["met_on"] else "not met yet"
    trend = g["trend_line"]["text"]  # "rising, +12.1 points/week (least squares over 9 sessions in …)"
    n = len(g["sessions"])
    away = report["absence_days"]
    sessions = f"{n} session{'s' * (n != 1)} this period; {away} day{'s' * (away != 1)} marked absent" + (
        f" ({', '.join(report['absences'])})" if away else "")
    decision = ("consider a change: " + "; ".join(g["decision_rules"])) if g["decision_rules"] else \
        "no decision rule fires" + (" (baseline)" if g["trend_line"]["phase_kind"] == "baseline" else "")
    return [("Goal", f"{g['title']} ({g['kind'].replace('_', ' ')}, {g['area']})"),
            ("Baseline", base), ("Current level", _level(g["current"], unit)),
            ("Trend", trend), ("Aim line", g["aim_text"]), ("Mastery", mastery), ("Criterion met", met),
            ("IOA", g["ioa"] or IOA_NONE.split(": ", 1)[1]), ("Sessions", sessions), ("Decision", decision)]


def _statement(g: dict[str, Any]) -> tuple[str, str | None, str]:
    """(status, comment, who and when) of the goal's progress statement, or what is missing."""
    st = g["statement"]
    if st is None:
        return "no progress statement yet", None, "the teacher gives one with paratui progress"
    return st["status"], st["comment"], f"{st['by'] or 'someone'}, {st['date']}"


def _rows(g: dict[str, Any]) -> tuple[list[tuple[str, ...]], int]:
    """The sessions table (under report's columns) and how many earlier sessions of the period are
    left out of it."""
    shown = g["sessions"][-SESSIONS_LISTED:]
    return [reports._cells(g, s) for s in shown], len(g["sessions"]) - len(shown)


def _who(report: dict[str, Any]) -> str:
    s = report["student"]
    return clean(s.get("name") or s["initials"], limit=80)


def _csv_hint(report: dict[str, Any], g: dict[str, Any]) -> str:
    p = report["period"]
    return (f"paratui report {report['student']['initials']} --goal {g['id']} --from {p['start']} "
            f"--to {p['end']} --format csv")


# -- Markdown ---------------------------------------------------------------------------------------

def to_markdown(report: dict[str, Any]) -> str:
    md = reports._md
    p = report["period"]
    head = f"{md(report['room'])} · period {md(p['name'])}, {p['start']} to {p['end']}"
    lines = [f"# IEP progress report: {md(_who(report))}", "", head, ""]
    if not report["goals"]:
        lines += ["No goals in the student's goal file.", ""]
    for g in report["goals"]:
        status, comment, by = _statement(g)
        lines += [f"## {md(g['id'])}: {md(g['title'])}", "",
                  f"**Progress: {md(status)}**" + (f" ({md(by)})" if by else ""), ""]
        if comment:
            lines += [f"> {md(clean(comment, limit=1000))}", ""]
        lines += [f"- {label}: {md(text)}" for label, text in _facts(g, report)]
        lines.append("")
        if g["sessions"]:
            rows, left = _rows(g)
            head_row = reports._columns(g["kind"])
            lines += ["```", *reports._bars(g["sessions"], g["unit"]), "```", "",
                      "| " + " | ".join(head_row) + " |", "|" + "---|" * len(head_row)]
            lines += ["| " + " | ".join(md(c) for c in r) + " |" for r in rows]
            if left:
                lines += ["", f"{left} earlier session{'s' * (left != 1)} of this period in the CSV "
                          f"(`{md(_csv_hint(report, g))}`)."]
            lines.append("")
        else:
            lines += ["No sessions this period.", ""]
    return "\n".join(lines)


# -- HTML -------------------------------------------------------------------------------------------

# Printable from a browser: one page per goal, the first with the report's heading, so the first
# page is never blank (no break before it); every later goal page starts a page.
PRINT_CSS = (
    "@page{size:auto;margin:16mm 14mm}"
    "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;color:#111;line-height:1.35}"
    "h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:.6rem 0 .4rem}"
    ".meta{color:#444;margin:0 0 .6rem}"
    "dl{display:grid;grid-template-columns:9rem 1fr;gap:.2rem .8rem;margin:.4rem 0}dt{font-weight:bold}"
    ".statement{border:2px solid #246;padding:.4rem .6rem;margin:.4rem 0}"
    ".statement .status{font-weight:bold;font-size:1.1rem}.statement .comment{white-space:pre-wrap;margin:.3rem 0 0}"
    ".statement .by{color:#444;font-size:.9rem}"
    "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #bbb;padding:.1rem .4rem}"
    "thead{display:table-header-group}tr{break-inside:avoid}.chart svg{max-width:100%;height:auto}"
    ".goal-page{margin-bottom:2rem}.goal-page.next{break-before:page;page-break-before:always}"
    "@media print{body{margin:0;max-width:none}.goal-page{margin:0}}"
)


def to_html(report: dict[str, Any], use_matplotlib: bool = True) -> str:
    e = html.escape

    def t(x: Any, limit: int = 300) -> str:
        return e(clean(str(x), limit=limit))

    p = report["period"]
    who = _who(report)
    heading = (f'<h1>IEP progress report: {t(who)}</h1><p class="meta">{t(report["room"])} · period '
               f'{t(p["name"])}, {t(p["start"])} to {t(p["end"])} · generated {t(report["generated"][:10])}</p>')
    pages = []
    for i, g in enumerate(report["goals"]):
        aim = g["aim_line"]
        line = reports._goal_line(g)
        chart = (reports.matplotlib_chart(g["sessions"], g["unit"], line, aim) if use_matplotlib else None) \
            or reports.svg_chart(g["sessions"], g["unit"], line, aim=aim)
        status, comment, by = _statement(g)
        facts = "".join(f"<dt>{t(label)}</dt><dd>{t(text, 600)}</dd>" for label, text in _facts(g, report))
        parts = [f'<section class="goal-page{" next" if i else " first"}" id="goal-{t(g["id"])}">',
                 heading if i == 0 else "", f"<h2>{t(g['id'])}: {t(g['title'])}</h2>",
                 f'<div class="statement"><div class="status">Progress: {t(status)}</div>'
                 + (f'<p class="comment">{e(clean(comment, one_line=False, limit=1000))}</p>' if comment else "")
                 + f'<div class="by">{t(by)}</div></div>',
                 f"<dl>{facts}</dl>", f'<div class="chart">{chart}</div>']
        if g["sessions"]:
            rows, left = _rows(g)
            head = "".join(f"<th>{t(c)}</th>" for c in reports._columns(g["kind"]))
            body = "".join("<tr>" + "".join(f"<td>{t(c)}</td>" for c in r) + "</tr>" for r in rows)
            parts.append(f'<table class="sessions"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
            if left:
                parts.append(f'<p class="earlier">{left} earlier session{"s" * (left != 1)} of this period in '
                             f"the CSV (<code>{t(_csv_hint(report, g))}</code>).</p>")
        else:
            parts.append("<p>No sessions this period.</p>")
        parts.append("</section>")
        pages.append("".join(parts))
    if not pages:
        pages.append(f'<section class="goal-page first">{heading}<p>No goals in the student\'s goal file.</p>'
                     "</section>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>IEP progress report: {t(who)}, '
            f"{t(p['name'])}</title><style>{PRINT_CSS}</style></head><body>\n" + "\n".join(pages)
            + "\n</body></html>\n")


def render(fmt: str, classroom: Classroom, student: Student, events: Iterable[Event], day_events: Iterable[Event],
           now: datetime, period: Period, goal: str | None = None, names: bool = False,
           use_matplotlib: bool = True) -> str:
    events = list(events)
    if fmt == "csv":  # the period's entries, one row each: the CSV the goal pages point to
        return reports.render("csv", classroom, student, events, now, period.start, period.end, goal, names)
    data = build(classroom, student, events, day_events, now, period, goal, names)
    if fmt == "json":
        return to_json(data)
    return to_markdown(data) if fmt == "md" else to_html(data, use_matplotlib)
