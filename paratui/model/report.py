"""Progress reports for one student: CSV (one row per entry), Markdown, self-contained HTML and JSON
(the same numbers). Pure: the classroom, the student's events and the dates in, text out.

Initials only unless `names=True` (the CLI's `--names`). Every text from a file or a person passes
through `clean` (and `html.escape` in HTML); CSV cells that a spreadsheet would run as a formula are
prefixed with `'`. The HTML chart is matplotlib's SVG when the optional `reports` extra is
installed, else a small inline SVG drawn here; either way the page needs nothing else to print.
"""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import date, datetime
from typing import Any, Collection, Iterable

from paratui.model.classroom import Classroom, Student
from paratui.model.datalog import (
    Entry,
    SessionMark,
    abc_patterns,
    cold_probes,
    criterion_text,
    entries,
    keyed,
    open_timers,
    per_day,
    phase_on,
    phases_of,
    session_marks,
    students_events,
    summarize,
    unit_of,
)
from paratui.model.events import Event
from paratui.model.goals import StudentPlan
from paratui.model.ioa import STANDARD_MEAN, STANDARD_SHARE, GoalIOA, agreement, ioa_ids
from paratui.model.text import clean

SCHEMA = 1
FORMATS = ("csv", "md", "html", "json")
CSV_FIELDS = ("date", "time", "student", "goal", "kind", "value", "count", "seconds", "prompt", "step", "step_name",
              "behavior", "antecedent", "consequence", "setting", "note", "staff", "id", "phase", "phase_kind",
              "observed_at", "observer", "host", "entered", "goal_title", "cold_probe",
              "session", "session_start", "session_end", "minutes_observed", "ioa", "session_not_closed")

RATE_KINDS = ("tally", "abc")  # the kinds whose sessions have a rate (count ÷ observation time)

# What a goal's mastery criterion is compared with, per kind (the report states it).
MASTERY_ON = {"trials": "the % of each session's trials correct at the criterion's level or better",
              "task_analysis": "the % of each session's steps of the chain independent",
              "interval": "the % of each session's scored intervals scored +",
              "mts": "the % of each session's scored samples scored +",
              "tally": "each session's count", "abc": "each day's count of ABC records",
              "duration": "each session's mean seconds per episode", "latency": "each session's mean seconds"}
PER_DAY_ON = "each day's total count (the sum of that day's sessions)"  # mastery.per = "day"


def _who(student: Student, names: bool) -> str:
    return clean(student.name if names and student.name else student.initials, limit=80)


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def _minute(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="minutes")


def _n(v: float | None, digits: int = 2) -> float | int | None:
    if v is None:
        return None
    v = round(v, digits)
    return int(v) if float(v).is_integer() else v


def _days(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per day: its sessions, count and total seconds, and minutes observed when every session has one."""
    out: dict[str, dict[str, Any]] = {}
    for x in sessions:
        d = out.setdefault(x["date"], {"date": x["date"], "sessions": 0, "count": 0, "total_seconds": None,
                                       "minutes": 0.0})
        d["sessions"] += 1
        d["count"] = _n(d["count"] + x["count"])
        if x["total_seconds"] is not None:
            d["total_seconds"] = _n((d["total_seconds"] or 0) + x["total_seconds"], 1)
        d["minutes"] = None if d["minutes"] is None or x["minutes"] is None else _n(d["minutes"] + x["minutes"])
    return list(out.values())


def build(classroom: Classroom, student: Student, events: Iterable[Event], now: datetime,
          start: date | None = None, end: date | None = None, goal: str | None = None,
          names: bool = False) -> dict[str, Any]:
    """The report's numbers, as JSON-ready data (what every format draws from)."""
    plan = classroom.plans.get(student.id) or StudentPlan(student.id)
    events = list(events)
    summaries = summarize(plan, events, classroom.prompts, start, end, goal)
    staff = {s.id: s.short for s in classroom.staff}
    timers = open_timers(events, student.id)
    goals = []
    for s in summaries:
        g = s.goal
        sessions = [{
            "date": x.day.isoformat(), "entries": x.entries, "trials": x.trials, "correct": x.correct,
            "percent_correct": _round(x.percent_correct), "percent_at_level": _round(x.percent_at_level),
            "missed": x.missed, "count": int(x.count) if x.count.is_integer() else x.count,
            "seconds": list(x.seconds),
            "prompts": x.prompts, "prompts_correct": x.correct_prompts, "prompts_error": x.errors,
            "level": _round(x.level), "met": x.met, "phase": x.phase.name, "phase_kind": x.phase.kind,
            "phase_start": x.phase.start.isoformat() if x.phase.start else None, "after_gap": x.after_gap,
            "probe": None if x.probe is None else {
                "value": x.probe.value, "prompt": x.probe.prompt, "independent": x.probe_independent,
                "time": x.probe.time.isoformat(timespec="minutes"), "id": x.probe.id},
            "id": x.id, "declared": x.declared, "start": _minute(x.start), "end": _minute(x.end),
            "minutes": _n(x.minutes), "not_closed": x.not_closed, "observer": x.observer,
            "observer_name": staff.get(x.observer or "", x.observer), "setting": x.setting,
            "total_seconds": _n(x.total_seconds, 1),
            # a rate is a count's per unit of time: tallies (and ABC records) only, never trials
            "rate_per_minute": _n(x.rate_per_minute, 3) if g.kind in RATE_KINDS else None,
            "rate_per_hour": _n(x.rate_per_hour, 1) if g.kind in RATE_KINDS else None,
        } for x in s.sessions]
        goals.append({
            "id": g.id, "title": g.title, "kind": g.kind, "area": g.area, "unit": unit_of(g.kind),
            "baseline": g.baseline, "mastery_text": g.mastery_text,
            "criterion": criterion_text(g, classroom.independent),
            "data_plan": {"collect_by": [staff.get(x, x) for x in g.collect_by], "when": g.when},
            "steps": list(g.steps),
            "current": _round(s.current), "trend": s.trend,
            "trend_line": {"method": "least squares", "per_week": s.line.per_week, "sessions": s.line.sessions,
                           "phase": s.line.phase.name, "phase_kind": s.line.phase.kind, "text": s.line.text},
            "phase": {"name": s.phase.name, "kind": s.phase.kind,
                      "start": s.phase.start.isoformat() if s.phase.start else None},
            "start": g.start.isoformat() if g.start else None, "target": g.target.isoformat() if g.target else None,
            "retired": g.retired.isoformat() if g.retired else None,  # kept in the report with its data
            "aim_line": None if s.aim is None else {
                "start": s.aim.start.isoformat(), "from": round(s.aim.level, 1), "target": s.aim.target.isoformat(),
                "to": s.aim.criterion, "reduce": s.aim.reduce},
            "consider_change": bool(s.decisions), "decision_rules": list(s.decisions),
            "phases": [{"name": p.name, "kind": p.kind, "start": p.start.isoformat() if p.start else None}
                       for p in s.phases],
            "mastery": None if s.status is None else {
                "run": s.status.run, "needed": s.status.needed, "mastered": s.status.mastered,
                "text": s.status.text},
            "entries": len(s.entries),
            "mastery_on": PER_DAY_ON if per_day(g) else MASTERY_ON.get(g.kind, "each session's level"),
            "mastery_per": g.mastery.per if g.mastery else None,
            "sessions": sessions,
            "days": _days(sessions) if g.kind in ("tally", "duration", "latency") else [],
            "open_timers": [{"start": t.started.isoformat(timespec="minutes"), "id": t.start, "staff": t.staff}
                            for t in timers if t.goal == g.id],
            "flagged": [{"id": x.id, "time": x.time.isoformat(timespec="minutes"), "seconds": x.seconds,
                         "flag": x.flag} for x in s.entries if x.flag],
        })
    records = [r for r in entries(events, plan, student.id) if r.kind == "abc"
               and (start is None or r.time.date() >= start) and (end is None or r.time.date() <= end)]
    abc = {}
    for b in plan.behaviors:
        p = abc_patterns(records, b.id)
        abc[b.id] = {"name": b.name, "definition": b.definition, "function": b.function, "total": p.total,
                     "antecedents": dict(p.antecedents), "consequences": dict(p.consequences),
                     "settings": dict(p.settings), "by_time_of_day": dict(p.by_time)}
    return {
        "schema": SCHEMA, "room": classroom.room, "generated": now.isoformat(timespec="minutes"),
        "student": {"id": student.id, "initials": student.initials,
                    **({"name": student.name} if names and student.name else {})},
        "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
        "prompts": list(classroom.prompts), "goals": goals, "abc": abc,
        "ioa": ioa_json(agreement(plan, events, summaries, classroom.independent, start, end), staff),
    }


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def _number(value: float) -> str:
    """A number as a spreadsheet reads it: 3, not 3.0; 12.5; never an exponent."""
    if value.is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _stamp(when: datetime | None) -> str | None:
    """ISO 8601 with the UTC offset of this board's time zone (the room's: events are read in it)."""
    return None if when is None else when.astimezone().isoformat(timespec="seconds")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = clean(str(value), limit=500) if isinstance(value, str) else _number(value) \
        if isinstance(value, float) else str(value)
    if len(text) > 1 and text[0] in "=+-@\t\r":  # a formula to a spreadsheet: keep it text
        text = "'" + text
    return text


def to_csv(classroom: Classroom, student: Student, events: Iterable[Event], start: date | None = None,
           end: date | None = None, goal: str | None = None, names: bool = False) -> str:
    plan = classroom.plans.get(student.id) or StudentPlan(student.id)
    staff = {s.id: s.short for s in classroom.staff}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_FIELDS)
    events = list(events)
    phases = {g.id: phases_of(events, student.id, g.id, end) for g in plan.goals}
    every = entries(events, plan, student.id, with_ioa=True)  # IOA rows too, flagged in `ioa`
    checks = ioa_ids(events)
    probes = cold_probes(x for x in every if x.id not in checks)
    keys = {x.id: k for k, x in keyed(every)}
    spans = _spans(plan, every, keys, session_marks(events, student.id), checks)
    for x in every:
        d = x.time.date()
        if (start and d < start) or (end and d > end) or (goal and x.goal.casefold() != goal.casefold()):
            continue
        g = plan.goal(x.goal) if x.goal else None
        step_name = g.steps[x.step - 1] if g and x.step and 0 < x.step <= len(g.steps) else None
        ph = phase_on(phases[g.id], d) if g and g.id in phases else None
        w.writerow([_cell(v) for v in (
            d.isoformat(), x.time.strftime("%H:%M:%S"), _who(student, names), x.goal, x.kind, x.value, x.count,
            x.seconds, x.prompt, x.step, step_name, x.behavior, x.antecedent, x.consequence, x.setting, x.note,
            staff.get(x.staff or "", x.staff), x.id, ph.name if ph else None, ph.kind if ph else None,
            _stamp(x.time), x.staff, x.host, _stamp(x.entered), g.title if g else None,
            "yes" if x.id in probes else None, *spans.get(keys[x.id], (None, None, None, None, False))[:4],
            "yes" if x.id in checks else None, "yes" if spans.get(keys[x.id], (None,) * 5)[4] else None)])
    return out.getvalue()


def _spans(plan: StudentPlan, every: list[Entry], keys: dict[str, str], marks: dict[str, SessionMark],
           checks: Collection[str] = ()) -> dict[str, tuple[str, str | None, str | None, float | None, bool]]:
    """Per session id: (id, start, end, minutes observed, not closed) as the CSV writes them (a
    declared session's from its events, one never ended to its last entry (not IOA); else its first
    and last entries', and an interval session's minutes from its intervals)."""
    seen: dict[str, list[Any]] = {}
    for x in every:
        seen.setdefault(keys[x.id], []).append(x)
    out: dict[str, tuple[str, str | None, str | None, float | None, bool]] = {}
    for key, xs in seen.items():
        m = marks.get(key)
        g = plan.goal(xs[0].goal) if xs[0].goal else None
        start, end = (m.start, m.end) if m is not None else (xs[0].time, xs[-1].time)
        minutes = None
        own = [x for x in xs if x.id not in checks]
        if m is not None and m.end is None:  # never ended (a board killed mid-session): to its last entry
            end = max(own[-1].time, m.start) if own else m.start
            minutes = round((end - m.start).total_seconds() / 60, 2) if own else None
        if m is not None and m.end is not None:
            minutes = round((m.end - m.start).total_seconds() / 60, 2)
        elif g is not None and g.kind in ("interval", "mts") and g.interval_seconds:
            minutes = round(len(xs) * g.interval_seconds / 60, 2)
        out[key] = (key, _stamp(start), _stamp(end), minutes, m is not None and m.end is None)
    return out


# -- Markdown -------------------------------------------------------------------------------------

def _level(v: float | None, unit: str) -> str:
    if v is None:
        return "no data"
    return f"{v:.0f}%" if unit == "%" else f"{v:.0f} s" if unit == "s" else f"{v:g}"


def _range(report: dict[str, Any]) -> str:
    a, b = report["from"], report["to"]
    return f"{a or 'the start'} to {b or report['generated'][:10]}"


def _md(text: Any) -> str:
    """Text for Markdown: cleaned, with table and markup characters escaped."""
    s = clean(str(text), limit=300)
    for ch in "\\`*_[]<>|#":
        s = s.replace(ch, "\\" + ch)
    return s


def _bars(sessions: list[dict], unit: str, width: int = 30) -> list[str]:
    """A text bar chart of the last sessions (Markdown has no pictures of its own)."""
    shown = [s for s in sessions if s["level"] is not None][-15:]
    top = 100.0 if unit == "%" else max((s["level"] for s in shown), default=0) or 1
    out = []
    for i, s in enumerate(shown):
        if i and _phase_key(s) != _phase_key(shown[i - 1]):  # the condition line
            out.append(f"---------- {clean(str(s['phase']), limit=40).replace('`', chr(39))} ----------")
        out.append(f"{s['date']} {'█' * round(width * min(s['level'], top) / top):<{width}} "
                   f"{_level(s['level'], unit)}")
    return out


def _columns(kind: str) -> tuple[str, ...]:
    """The sessions table's header: what each kind's share is of, and its prompts or missed intervals;
    then the session's observation (observer, setting, start–end, minutes) and, for a tally, its rate
    (a duration goal: its total time and mean per episode)."""
    if kind in ("interval", "mts"):
        head: tuple[str, ...] = ("Date", "Intervals", "Level", "% of intervals", "Missed", "Phase")
    elif kind == "trials":
        head = ("Date", "Entries", "Level", "% correct", "Prompts", "Phase", "Cold probe")
    else:
        head = ("Date", "Entries", "Level", "% correct", "Prompts", "Phase")
    head += ("Observer", "Setting", "Start–end", "Minutes")
    if kind == "tally":
        head += ("Rate /min", "Rate /h")
    if kind in ("duration", "latency"):
        head += ("Total", "Mean per episode")
    return head


def _observed(g: dict[str, Any], s: dict[str, Any]) -> tuple[str, ...]:
    """The session's observation cells: observer, setting, start–end, minutes (and rate, or totals)."""
    span = f"{(s['start'] or '')[11:16]}–{(s['end'] or '')[11:16]}" if s["start"] else ""
    if s.get("not_closed"):  # its end never written: it ends at its last entry
        span += " (not closed)"
    minutes = f"{s['minutes']:g}" if s["minutes"] is not None else "— no observation time"
    out: tuple[str, ...] = (s["observer_name"] or "", s["setting"] or "", span, minutes)
    if g["kind"] == "tally":
        out += (f"{s['rate_per_minute']:g}", f"{s['rate_per_hour']:g}") if s["rate_per_minute"] is not None \
            else ("— no observation time", "")
    if g["kind"] in ("duration", "latency"):
        mean = f"{s['level']:g} s" if s["level"] is not None else ""
        out += (f"{s['total_seconds']:g} s" if s["total_seconds"] is not None else "", mean)
    return out


def _cells(g: dict[str, Any], s: dict[str, Any]) -> tuple[str, ...]:
    """One session's row under `_columns`: prompt levels of correct trials apart from errors."""
    pc = f"{s['percent_correct']:.0f}%" if s["percent_correct"] is not None else ""
    level = _level(s["level"], g["unit"])
    phase = s["phase"] if s["phase"].casefold() == s["phase_kind"] else f"{s['phase']} ({s['phase_kind']})"
    if g["kind"] in ("interval", "mts"):
        return (s["date"], str(s["trials"] + s["missed"]), level, pc, str(s["missed"]), phase) + _observed(g, s)
    prompts = " ".join(f"{k}:{v}" for k, v in s["prompts_correct"].items())
    if s["prompts_error"]:
        prompts += (" · " if prompts else "") + "errors " + " ".join(f"{k}:{v}" for k, v in s["prompts_error"].items())
    if g["kind"] == "trials":
        return (s["date"], str(s["entries"]), level, pc, prompts, phase, probe_text(s.get("probe"))) + _observed(g, s)
    return (s["date"], str(s["entries"]), level, pc, prompts, phase) + _observed(g, s)


def _extra_lines(g: dict[str, Any]) -> list[str]:
    """What the goal's header says beyond its levels: what mastery compares, the day totals of a
    tally or duration goal, open timers and flagged episodes (in no figure)."""
    out = [f"Mastery on: {g['mastery_on']}"]
    if g["days"]:
        unit = "s" if g["unit"] == "s" else ""
        per = "; ".join(f"{d['date']}: {d['total_seconds'] if unit else d['count']:g}{' s' if unit else ''} "
                        f"over {d['sessions']} session{'s' if d['sessions'] != 1 else ''}"
                        + (f", {d['minutes']:g} min observed" if d["minutes"] else "")
                        for d in g["days"][-10:] if not unit or d["total_seconds"] is not None)
        out.append(f"{'Total per day' if unit else 'Count per day'}: {per or 'none'}")
    for t in g["open_timers"]:
        out.append(f"Open timer: started {t['start'].replace('T', ' ')} and never stopped; not in the figures "
                   "until stopped (`timer stop --end`)")
    for x in g["flagged"]:
        out.append(f"Flagged ({x['flag']}): the episode stopped {x['time'].replace('T', ' ')} ran past midnight "
                   f"({x['seconds']:g} s); not in the figures")
    return out


def probe_text(probe: dict[str, Any] | None) -> str:
    """A cold probe as the sessions table says it: "+ (independent)", "+ at V", "-"."""
    if probe is None:
        return ""
    if probe["independent"]:
        return "+ (independent)"
    return f"{probe['value']}" + (f" at {probe['prompt']}" if probe["prompt"] and probe["value"] == "+" else "")


def _aim_text(g: dict[str, Any]) -> str:
    """"from 30% on 2026-11-17 to 80% by 2027-01-29", or why there is none."""
    a = g["aim_line"]
    if a is None:
        why = ("no target date in the goal file" if not g["target"] else
               "no baseline sessions" if not any(s["phase_kind"] == "baseline" for s in g["sessions"])
               else "no start: no start date and no session after baseline yet")
        return f"none ({why})"
    return f"from {_level(a['from'], g['unit'])} on {a['start']} to {_level(a['to'], g['unit'])} by {a['target']}"


def _decision_text(g: dict[str, Any], strong: str = "") -> str:
    if not g["decision_rules"]:
        return "no decision rule fires" + (" (baseline)" if g["trend_line"]["phase_kind"] == "baseline" else "")
    return f"{strong}consider a change{strong}: " + "; ".join(g["decision_rules"])


def _retired(g: dict[str, Any]) -> str:
    return f" (retired {g['retired']})" if g.get("retired") else ""


def to_markdown(report: dict[str, Any], who: str) -> str:
    lines = [f"# Progress report: {_md(who)}", "",
             f"{_md(report['room'])} · {_range(report)} · prompt levels {' '.join(report['prompts'])} "
             "(most to least intrusive)", ""]
    for g in report["goals"]:
        lines += [f"## {_md(g['id'])}: {_md(g['title'])}{_retired(g)}", "",
                  f"- Kind: {g['kind']} ({g['area']})",
                  f"- Baseline: {_md(g['baseline']) or 'not given'}",
                  f"- Current level: {_level(g['current'], g['unit'])}",
                  f"- Trend: {g['trend_line']['text']}",
                  f"- Aim line: {_aim_text(g)}",
                  f"- Decision: {_decision_text(g, '**')}",
                  f"- Mastery: {_md(g['mastery_text'] or g['criterion'])}"
                  + (f": **{_md(g['mastery']['text'])}**" + (" (mastered)" if g["mastery"]["mastered"] else "")
                     if g["mastery"] else ""),
                  f"- Data plan: {_md(', '.join(g['data_plan']['collect_by']) or 'anyone')}"
                  + (f", {_md(g['data_plan']['when'])}" if g["data_plan"]["when"] else ""),
                  f"- Sessions: {len(g['sessions'])}, entries: {g['entries']}",
                  *(f"- {_md(x)}" for x in _extra_lines(g)), ""]
        if g["sessions"]:
            head = _columns(g["kind"])
            lines += ["```", *_bars(g["sessions"], g["unit"]), "```", "",
                      "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(_md(c) for c in _cells(g, s)) + " |" for s in g["sessions"]]
            lines.append("")
    for b in report["abc"].values():
        lines += [f"## Behavior: {_md(b['name'])}", "", f"- Definition: {_md(b['definition'])}",
                  f"- Likely function: {b['function']}", f"- ABC records: {b['total']}"]
        for key, label in (("antecedents", "Most common antecedents"), ("consequences", "Most common consequences"),
                           ("settings", "Settings"), ("by_time_of_day", "By time of day")):
            if b[key]:
                lines.append(f"- {label}: " + ", ".join(f"{_md(k)} ({v})" for k, v in list(b[key].items())[:5]))
        lines.append("")
    lines += ioa_markdown(report)
    return "\n".join(lines)


# -- HTML -----------------------------------------------------------------------------------------

def _phase_runs(pts: list[tuple[str, float, str]], gaps: set[int] | None = None
                ) -> list[list[tuple[int, str, float]]]:
    """The points (index, date, level) split where the phase changes or after a gap (the indices in
    `gaps`): one data path each."""
    runs: list[list[tuple[int, str, float]]] = []
    for i, (d, v, key) in enumerate(pts):
        if not runs or pts[i - 1][2] != key or i in (gaps or ()):
            runs.append([])
        runs[-1].append((i, d, v))
    return runs


def _phase_key(s: dict) -> str:
    return f"{s.get('phase', 'baseline')}\x00{s.get('phase_start')}"


def _gaps(shown: list[dict]) -> set[int]:
    return {i for i, s in enumerate(shown) if s.get("after_gap")}


def svg_chart(sessions: list[dict], unit: str, goal_line: float | None = None, width: int = 640,
              height: int = 220, aim: dict | None = None) -> str:
    """A line chart of the sessions' levels as inline SVG (no library needed), x by date. The data
    path is broken after a gap and at each phase change (one polyline per run), where a dashed vertical
    condition line is drawn, labelled with the new phase's name (Cooper et al.); `aim` (start,
    from, target, to) draws the aim line."""
    shown = [s for s in sessions if s["level"] is not None]
    if not shown:
        return "<p><em>No data in this period.</em></p>"
    pts = [(s["date"], float(s["level"]), _phase_key(s)) for s in shown]
    names = {_phase_key(s): str(s.get("phase", "baseline")) for s in shown}
    pad_l, pad_r, pad_t, pad_b = 48, 12, 16, 28
    days = [date.fromisoformat(d).toordinal() for d, _, _ in pts]
    first, last = days[0], days[-1]
    if aim is not None:
        first = min(first, date.fromisoformat(aim["start"]).toordinal())
        last = max(last, date.fromisoformat(aim["target"]).toordinal())
    top = 100.0 if unit == "%" else max(max(v for _, v, _ in pts), goal_line or 0,
                                        aim["to"] if aim else 0) * 1.1 or 1.0
    w, h = width - pad_l - pad_r, height - pad_t - pad_b

    def x_of(day: int) -> float:
        return round(pad_l + (w * (day - first) / (last - first) if last > first else w / 2), 1)

    def y_of(v: float) -> float:
        return round(pad_t + h - h * min(max(v, 0.0), top) / top, 1)

    e = html.escape
    label = {"%": "%", "s": "seconds", "count": "count"}[unit]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="trend chart, {label} per session" font-family="sans-serif" font-size="11">',
             f'<rect x="{pad_l}" y="{pad_t}" width="{w}" height="{h}" fill="none" stroke="#999"/>']
    for frac in (0, 0.5, 1):
        y = pad_t + h - h * frac
        parts.append(f'<text x="{pad_l - 4}" y="{y + 4:.0f}" text-anchor="end">{top * frac:.0f}</text>')
    if goal_line is not None:
        gy = y_of(goal_line)
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="#2a7" '
                     'stroke-dasharray="6 4"><title>mastery criterion</title></line>')
    if aim is not None:
        ax1 = x_of(date.fromisoformat(aim["start"]).toordinal())
        ax2 = x_of(date.fromisoformat(aim["target"]).toordinal())
        parts.append(f'<line class="aim-line" x1="{ax1}" x2="{ax2}" y1="{y_of(aim["from"])}" y2="{y_of(aim["to"])}" '
                     'stroke="#c60" stroke-width="1.5"><title>aim line</title></line>')
    runs = _phase_runs(pts, _gaps(shown))
    for k, run in enumerate(runs):
        if k and pts[run[0][0]][2] != pts[run[0][0] - 1][2]:
            # a condition line between the last session of one phase and the first of the next
            cx = round((x_of(days[runs[k - 1][-1][0]]) + x_of(days[run[0][0]])) / 2, 1)
            name = e(clean(names[pts[run[0][0]][2]], limit=40))
            parts.append(f'<line class="condition-line" x1="{cx}" x2="{cx}" y1="{pad_t}" y2="{pad_t + h}" '
                         f'stroke="#000" stroke-dasharray="4 3"><title>phase change: {name}</title></line>')
            parts.append(f'<text class="condition-label" x="{cx + 3}" y="{pad_t - 4}">{name}</text>')
        line = " ".join(f"{x_of(days[i])},{y_of(v)}" for i, _, v in run)
        parts.append(f'<polyline class="data-path" points="{line}" fill="none" stroke="#246" stroke-width="2"/>')
    for i, (d, v, _) in enumerate(pts):
        parts.append(f'<circle cx="{x_of(days[i])}" cy="{y_of(v)}" r="3" fill="#246">'
                     f'<title>{d}: {v:g}</title></circle>')
    parts.append(f'<text x="{pad_l}" y="{height - 8}">{date.fromordinal(first).isoformat()}</text>')
    parts.append(f'<text x="{pad_l + w}" y="{height - 8}" text-anchor="end">{date.fromordinal(last).isoformat()}'
                 '</text>')
    parts.append("</svg>")
    return "".join(parts)


def matplotlib_chart(sessions: list[dict], unit: str, goal_line: float | None = None,
                     aim: dict | None = None) -> str | None:
    """The same chart drawn by matplotlib (the `reports` extra) as inline SVG; None without it."""
    try:
        # an optional extra: mypy may run where it is not installed
        import matplotlib  # type: ignore[import-not-found,unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    shown = [s for s in sessions if s["level"] is not None]
    if not shown:
        return "<p><em>No data in this period.</em></p>"
    pts = [(s["date"], float(s["level"]), _phase_key(s)) for s in shown]
    runs = _phase_runs(pts, _gaps(shown))
    fig, ax = plt.subplots(figsize=(7, 2.4))
    try:
        for k, run in enumerate(runs):  # one data path per phase, a condition line between
            xs = [datetime.fromisoformat(d) for _, d, _ in run]
            if k and pts[run[0][0]][2] != pts[run[0][0] - 1][2]:
                ax.axvline(xs[0] - (xs[0] - datetime.fromisoformat(runs[k - 1][-1][1])) / 2,  # type: ignore[arg-type,unused-ignore]
                           color="#000",
                           linestyle=":")
                label = clean(str(shown[run[0][0]].get("phase", "")), limit=40).replace("$", r"\$")  # not mathtext
                ax.annotate(label, (xs[0], 1.0),
                            xycoords=("data", "axes fraction"), fontsize=7, va="bottom")
            ax.plot(xs, [v for _, _, v in run], marker="o", color="#224466")  # type: ignore[arg-type,unused-ignore]
        if aim is not None:
            ax.plot([datetime.fromisoformat(aim["start"]), datetime.fromisoformat(aim["target"])],  # type: ignore[arg-type,unused-ignore]
                    [aim["from"], aim["to"]], color="#cc6600", label="aim line")
        if goal_line is not None:
            ax.axhline(goal_line, linestyle="--", color="#22aa77", label="mastery criterion")
        if goal_line is not None or aim is not None:
            ax.legend(loc="lower right", fontsize=8)
        if unit == "%":
            ax.set_ylim(0, 100)
        ax.set_ylabel({"%": "%", "s": "seconds", "count": "count"}[unit])
        fig.autofmt_xdate()
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg")
    finally:
        plt.close(fig)
    svg = out.getvalue()
    return svg[svg.find("<svg"):]


def _goal_line(g: dict) -> float | None:
    crit = g["criterion"]
    if not crit:
        return None
    import re

    m = re.search(r"(\d+(?:\.\d+)?)", crit)
    return float(m.group(1)) if m else None


def to_html(report: dict[str, Any], who: str, use_matplotlib: bool = True) -> str:
    e = html.escape

    def t(x: Any) -> str:
        return e(clean(str(x), limit=300))

    body = [f"<h1>Progress report: {t(who)}</h1>",
            f"<p>{t(report['room'])} · {t(_range(report))} · prompt levels {t(' '.join(report['prompts']))} "
            "(most to least intrusive)</p>"]
    for g in report["goals"]:
        aim = g.get("aim_line")
        chart = (matplotlib_chart(g["sessions"], g["unit"], _goal_line(g), aim) if use_matplotlib else None) \
            or svg_chart(g["sessions"], g["unit"], _goal_line(g), aim=aim)
        mastery = ""
        if g["mastery"]:
            done = " (mastered)" if g["mastery"]["mastered"] else ""
            mastery = f"<strong>{t(g['mastery']['text'])}</strong>{done}"
        body += [f"<section><h2>{t(g['id'])}: {t(g['title'])}{t(_retired(g))}</h2><dl>",
                 f"<dt>Kind</dt><dd>{t(g['kind'])} ({t(g['area'])})</dd>",
                 f"<dt>Baseline</dt><dd>{t(g['baseline'] or 'not given')}</dd>",
                 f"<dt>Current level</dt><dd>{t(_level(g['current'], g['unit']))}</dd>",
                 f"<dt>Trend</dt><dd>{t(g['trend_line']['text'])}</dd>",
                 f"<dt>Aim line</dt><dd>{t(_aim_text(g))}</dd>",
                 f"<dt>Decision</dt><dd>{'<strong>' * bool(g['decision_rules'])}{t(_decision_text(g))}"
                 f"{'</strong>' * bool(g['decision_rules'])}</dd>",
                 f"<dt>Mastery</dt><dd>{t(g['mastery_text'] or g['criterion'])}: {mastery}</dd>",
                 f"<dt>Data plan</dt><dd>{t(', '.join(g['data_plan']['collect_by']) or 'anyone')}"
                 f"{', ' + t(g['data_plan']['when']) if g['data_plan']['when'] else ''}</dd>",
                 f"<dt>Sessions</dt><dd>{len(g['sessions'])} ({g['entries']} entries)</dd>",
                 *(f"<dt>{t(x.split(': ', 1)[0])}</dt><dd>{t(x.split(': ', 1)[1])}</dd>" for x in _extra_lines(g)),
                 "</dl>",
                 f'<div class="chart">{chart}</div>']
        if g["sessions"]:
            rows = "".join("<tr>" + "".join(f"<td>{t(c)}</td>" for c in _cells(g, s)) + "</tr>"
                           for s in g["sessions"])
            head = "".join(f"<th>{t(c)}</th>" for c in _columns(g["kind"]))
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        body.append("</section>")
    for b in report["abc"].values():
        body += [f"<section><h2>Behavior: {t(b['name'])}</h2><dl>",
                 f"<dt>Definition</dt><dd>{t(b['definition'])}</dd>",
                 f"<dt>Likely function</dt><dd>{t(b['function'])}</dd>",
                 f"<dt>ABC records</dt><dd>{b['total']}</dd>"]
        for key, label in (("antecedents", "Most common antecedents"), ("consequences", "Most common consequences"),
                           ("settings", "Settings"), ("by_time_of_day", "By time of day")):
            if b[key]:
                body.append(f"<dt>{label}</dt><dd>"
                            + t(", ".join(f"{k} ({v})" for k, v in list(b[key].items())[:5])) + "</dd>")
        body.append("</dl></section>")
    body += ioa_html(report)
    style = ("body{font-family:sans-serif;max-width:48rem;margin:2rem auto;color:#111}"
             "dl{display:grid;grid-template-columns:9rem 1fr;gap:.2rem .8rem}dt{font-weight:bold}"
             "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.15rem .5rem}"
             "section{break-inside:avoid;margin-bottom:2rem}@media print{body{margin:0}}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Progress report: {t(who)}'
            f"</title><style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


# -- inter-observer agreement (paratui.model.ioa) -------------------------------------------------

def ioa_json(goals: list[GoalIOA], staff: dict[str, str]) -> dict[str, Any]:
    """The IOA section's numbers: per goal, each checked session's agreement, the mean, the range and
    the share of sessions checked, against the field's standard."""
    def who(x: str | None) -> str | None:
        return staff.get(x or "", x)

    return {
        "standard": {"share": STANDARD_SHARE, "mean": STANDARD_MEAN,
                     "text": f"at least {STANDARD_SHARE:.0f}% of sessions checked, at a mean of at least "
                             f"{STANDARD_MEAN:.0f}% agreement"},
        "goals": [{
            "goal": x.goal.id, "title": x.goal.title, "kind": x.goal.kind, "measure": x.measure, "sessions": x.sessions,
            "checked": x.checked, "share": _round(x.share), "mean": _round(x.mean), "low": _round(x.low),
            "high": _round(x.high), "meets_standard": x.meets_standard, "flag": x.flag or None,
            "checks": [{
                "date": c.day.isoformat(), "primary": who(c.primary.staff), "ioa_observer": who(c.ioa.staff),
                "start": c.ioa.start.isoformat(timespec="minutes"), "measure": c.measure,
                "agreement": _round(c.agreement), "agreed": c.agreed, "compared": c.compared,
                "total_count": _round(c.total_count), "left_out": c.left_out, "note": c.note or None,
                "primary_entries": len(c.primary.items), "ioa_entries": len(c.ioa.items),
                "session": c.ioa.session,
            } for c in x.checks],
            "not_paired": [{"date": r.day.isoformat(), "ioa_observer": who(r.staff),
                            "start": r.start.isoformat(timespec="minutes"), "entries": len(r.items), "why": why}
                           for r, why in x.unpaired],
        } for x in goals],
    }


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:.0f}%"


def _ioa_summary(g: dict[str, Any]) -> list[str]:
    """A goal's IOA in lines: sessions checked, mean and range, the flag."""
    share = f"{g['checked']} of {g['sessions']} ({_pct(g['share']) or 'no sessions'})"
    out = [f"Measure: {g['measure']}", f"Sessions checked: {share}"]
    if g["mean"] is not None:
        span = f"{_pct(g['low'])}" if g["low"] == g["high"] else f"{_pct(g['low'])} to {_pct(g['high'])}"
        out.append(f"Mean agreement: {_pct(g['mean'])} (range {span})")
    return out


_IOA_HEAD = ("Date", "Primary", "IOA observer", "Measure", "Agreement", "Agreed", "Note")


def _ioa_cells(c: dict[str, Any]) -> tuple[str, ...]:
    agreed = f"{c['agreed']} of {c['compared']}" if c["compared"] and c["measure"] != "total count" else ""
    note = c["note"] or ""
    if c["total_count"] is not None and c["measure"] != "total count":
        note = (note + "; " if note else "") + f"total count {_pct(c['total_count'])}"
    return (c["date"], str(c["primary"] or "?"), str(c["ioa_observer"] or "?"), c["measure"],
            _pct(c["agreement"]), agreed, note)


def ioa_markdown(report: dict[str, Any]) -> list[str]:
    section = report.get("ioa") or {}
    goals = section.get("goals") or []
    if not goals:
        return []
    lines = ["## Inter-observer agreement", "",
             f"A second adult's record of a session (`paratui log --ioa`) against the primary observer's; "
             f"the field's standard: {section['standard']['text']}. IOA records are not in the goals' data.", ""]
    for g in goals:
        lines += [f"### {_md(g['goal'])}: {_md(g['title'])}", ""] + [f"- {x}" for x in _ioa_summary(g)]
        if g["flag"]:
            lines.append(f"- **{_md(g['flag'])}**")
        for u in g["not_paired"]:
            lines.append(f"- Not paired: {u['date']} {_md(u['ioa_observer'] or '?')}'s IOA observation at "
                         f"{u['start'][11:16]} ({u['entries']} entries): {_md(u['why'])}")
        lines.append("")
        if g["checks"]:
            lines += ["| " + " | ".join(_IOA_HEAD) + " |", "|" + "---|" * len(_IOA_HEAD)]
            lines += ["| " + " | ".join(_md(x) for x in _ioa_cells(c)) + " |" for c in g["checks"]]
            lines.append("")
    return lines


def ioa_html(report: dict[str, Any]) -> list[str]:
    section = report.get("ioa") or {}
    goals = section.get("goals") or []
    if not goals:
        return []

    def t(x: Any) -> str:
        return html.escape(clean(str(x), limit=300))

    body = ['<section class="ioa"><h2>Inter-observer agreement</h2>',
            f"<p>A second adult's record of a session (<code>paratui log --ioa</code>) against the primary "
            f"observer's; the field's standard: {t(section['standard']['text'])}. IOA records are not in the "
            "goals' data.</p>"]
    for g in goals:
        body.append(f"<h3>{t(g['goal'])}: {t(g['title'])}</h3><ul>"
                    + "".join(f"<li>{t(x)}</li>" for x in _ioa_summary(g)))
        if g["flag"]:
            body.append(f'<li class="ioa-flag"><strong>{t(g["flag"])}</strong></li>')
        for u in g["not_paired"]:
            body.append(f"<li>Not paired: {t(u['date'])} {t(u['ioa_observer'] or '?')}'s IOA observation at "
                        f"{t(u['start'][11:16])} ({u['entries']} entries): {t(u['why'])}</li>")
        body.append("</ul>")
        if g["checks"]:
            head = "".join(f"<th>{t(c)}</th>" for c in _IOA_HEAD)
            rows = "".join("<tr>" + "".join(f"<td>{t(x)}</td>" for x in _ioa_cells(c)) + "</tr>" for c in g["checks"])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    body.append("</section>")
    return body


def render(fmt: str, classroom: Classroom, student: Student, events: Iterable[Event], now: datetime,
           start: date | None = None, end: date | None = None, goal: str | None = None,
           names: bool = False, use_matplotlib: bool = True) -> str:
    events = students_events(events, student.id)
    if fmt == "csv":
        return to_csv(classroom, student, events, start, end, goal, names)
    report = build(classroom, student, events, now, start, end, goal, names)
    if fmt == "json":
        return to_json(report) + "\n"
    who = _who(student, names)
    return to_markdown(report, who) if fmt == "md" else to_html(report, who, use_matplotlib)
