"""Every event type, declared once: its payload, its stream, the rule its writer needs, what it
refers to, which module folds it, the CLI commands that write it, and how it reads back in words.

The tables the rest of paratui used to keep by hand are derived from `TYPES`: the payload shapes
(`paratui.model.events.PAYLOADS`), the streams (`TASK_TYPES`, `DATA_TYPES`), `refers_to`, the types
access checks on read, `describe`, the board's routine lists and the lock stamp's command labels.
`markdown_table()` is docs/events.md. Adding an event type: a declaration here, its fold, and its
command (paratui.model.commands or a sibling) with a key and a CLI sub-command.

This module sits at the bottom of the model (it imports only paratui.model.text): a read-back gets
the payload and a `Words`, which paratui.model.commands makes over the classroom and the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Mapping, Protocol

from paratui.model.text import clean

# What a payload field may hold. "?" fields may be missing or null; others must be present.
ID, IDS, TEXT, TIME, NUM = "id", "ids", "text", "time", "num"
OPT_ID, OPT_IDS, OPT_TEXT, OPT_TIME, OPT_NUM = "id?", "ids?", "text?", "time?", "num?"
OPT_FLAG = "flag?"  # true / false

# Where an event is written (paratui.store.journal.JournalWriter.file_for).
DAY = "day"  # journal/YYYY-MM-DD/: what the board of that day folds
TASKS = "tasks"  # journal/tasks/YYYY-MM/: what outlives a day (a task, an urgent note until read)
LOG = "log"  # journal/log/YYYY-MM/DD/: quick-logging entries, read by reports month by month
TARGET = "its target's"  # beside the event it refers to (a retract), so both are read together
STREAMS = (DAY, TASKS, LOG, TARGET)

# The modules that fold them.
FOLD, TASK_FOLD, NOTE_FOLD = "paratui.model.fold", "paratui.model.tasks", "paratui.model.notes"
DATA_FOLD, CHANGE_FOLD, EVENT_FOLD = "paratui.model.datalog", "paratui.model.changes", "paratui.model.events"
PROGRESS_FOLD = "paratui.model.progress_report"


class Written(Protocol):
    """What a read-back may know of another event."""

    @property
    def staff(self) -> str | None: ...

    @property
    def payload(self) -> dict[str, Any]: ...


class Words(Protocol):
    """The names a read-back may use (every one passes through `clean`): paratui.model.commands
    makes one per event over the classroom and the journal."""

    @property
    def by(self) -> str: ...  # the writer's short name

    @property
    def day(self) -> date: ...  # the day the event is of


    def adult(self, x: Any) -> str: ...
    def kid(self, x: Any) -> str: ...
    def place(self, x: Any) -> str: ...
    def place_kind(self, x: Any) -> str | None: ...
    def task(self, tid: Any) -> str: ...  # a task's text, a recurring one's too
    def event(self, eid: Any) -> Written | None: ...
    def said(self, eid: Any) -> str | None: ...  # the event with that id, in words
    def step(self, student: Any, goal: Any, n: Any) -> str | None: ...  # a task-analysis step's name
    def behavior(self, student: Any, behavior: Any) -> str | None: ...  # a behavior's name
    def change(self, payload: Mapping[str, Any]) -> str: ...  # a day change (paratui.model.changes)


ReadBack = Callable[[Mapping[str, Any], Words], str]


@dataclass(frozen=True)
class EventType:
    name: str
    doc: str
    payload: Mapping[str, tuple[str, str]]  # key → (what it may hold, what it means)
    stream: str  # one of STREAMS
    action: str  # the [access.roles] rule its writer needs (paratui.model.access.ACTIONS)
    refers: str | None  # the payload key naming the task, note or event it is about; None: nothing
    folded_by: str  # the module that folds it
    commands: tuple[str, ...]  # the CLI commands that write it, as the lock stamp says them
    reads: ReadBack
    other: tuple[str, str] | None = None  # (key, rule): the rule instead when payload[key] is not the writer

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(k for k, (kind, _) in self.payload.items() if not kind.endswith("?"))

    def needs(self, writer: str | None, payload: Mapping[str, Any]) -> str:
        """The rule this event needs of its writer."""
        if self.other is not None and payload.get(self.other[0]) != writer:
            return self.other[1]
        return self.action


def clock(raw: Any) -> str:
    return str(raw)[11:16] if raw else ""


def seconds_text(value: Any) -> str:
    """Seconds as people say them: 45 s, 4 min 12 s, 1 h 5 min."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "?"
    secs = int(round(value))
    if secs < 60:
        return f"{secs} s"
    if secs < 3600:
        return f"{secs // 60} min {secs % 60} s" if secs % 60 else f"{secs // 60} min"
    return f"{secs // 3600} h {secs % 3600 // 60} min"


def observed_text(p: Mapping[str, Any]) -> str | None:
    """A late entry's observation time in words, "observed 2026-11-20 10:05" (in this board's local
    time), or None for an entry made as it happened."""
    raw = p.get("observed")
    if not isinstance(raw, str) or not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
        if when.tzinfo is not None:
            when = when.astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return f"observed {clean(raw, limit=30)}"
    return f"observed {when:%Y-%m-%d %H:%M}"


def _late(p: Mapping[str, Any]) -> str:
    said = observed_text(p)
    return f" ({said})" if said else ""


# -- how each reads back --------------------------------------------------------------------------

def _move(p: Mapping[str, Any], w: Words) -> str:
    kind = w.place_kind(p.get("to"))
    escorts = [w.adult(x) for x in p.get("with") or []]
    if kind == "away":
        return f"{w.kid(p.get('student'))} is at {w.place(p.get('to'))}"
    if kind == "room":
        return f"{w.kid(p.get('student'))} moved to {w.place(p.get('to'))}"
    if escorts:
        return f"{' and '.join(escorts)} took {w.kid(p.get('student'))} to {w.place(p.get('to'))}"
    return f"{w.kid(p.get('student'))} went to {w.place(p.get('to'))} alone"


def _back(p: Mapping[str, Any], w: Words) -> str:
    return f"{w.kid(p.get('student'))} is back in the room"


def _assign(p: Mapping[str, Any], w: Words) -> str:
    names = ", ".join(w.kid(s) for s in p.get("students") or []) or "no students"
    at = f" at {w.place(p['at'])}" if p.get("at") else ""
    doing = f" ({clean(p['activity'], limit=60)})" if p.get("activity") else ""
    until = f" until {clock(p['until'])}" if p.get("until") else " until the end of the block"
    return f"{w.adult(p.get('staff'))} is with {names}{at}{doing}{until}"


def _absent(p: Mapping[str, Any], w: Words) -> str:
    until = f" until {clock(p['until'])}" if p.get("until") else " today"
    sub = f"; {w.adult(p['sub'])} covers" if p.get("sub") else "; no sub"
    return f"{w.adult(p.get('staff'))} is out{until}{sub}"


def _day_change(p: Mapping[str, Any], w: Words) -> str:
    return w.change(p)


def _task_add(p: Mapping[str, Any], w: Words) -> str:
    for_ = f" for {w.adult(p['for'])}" if p.get("for") else " for anyone"
    if p.get("about"):
        for_ += f" about {w.kid(p['about'])}"
    same_day = str(p.get("due"))[:10] == w.day.isoformat()
    due = f" (due {clock(p['due']) if same_day else str(p['due'])[:10]})" if p.get("due") else ""
    return f"task{for_}: {clean(p.get('text', ''), limit=80)}{due}"


def _task_claim(p: Mapping[str, Any], w: Words) -> str:
    return f"{w.by} has it: {w.task(p.get('task'))}"


def _task_done(p: Mapping[str, Any], w: Words) -> str:
    return f"task done: {w.task(p.get('task'))}"


def _task_reopen(p: Mapping[str, Any], w: Words) -> str:
    return f"task reopened: {w.task(p.get('task'))}"


def _note(p: Mapping[str, Any], w: Words) -> str:
    names = "everyone" if p.get("everyone") else ", ".join(w.adult(x) for x in p.get("to") or []) or "nobody"
    about = f" about {w.kid(p['about'])}" if p.get("about") else ""
    urgent = "URGENT " if p.get("urgent") else ""
    kind = clean(p.get("kind", "note"), limit=20)
    return f"{urgent}{kind} note to {names}{about}: {clean(p.get('text', ''), limit=80)}"


def _ack(p: Mapping[str, Any], w: Words) -> str:
    target = w.event(p.get("note"))
    what = (f"{w.adult(target.staff)}'s note: {clean(target.payload.get('text', ''), limit=80)}" if target
            else f"note {clean(str(p.get('note'))[:6])}")
    return f"{w.by} read {what}"


def _data(p: Mapping[str, Any], w: Words) -> str:
    what = clean(p.get("goal", "?"), limit=40)
    if p.get("step") is not None:
        step = w.step(p.get("student"), p.get("goal"), p["step"])
        what += f" step {p['step']}" + (f" ({clean(step, limit=40)})" if step is not None else "")
    if p.get("count") is not None:
        said = f"+{p['count']:g}"
    elif p.get("seconds") is not None:
        said = seconds_text(p["seconds"])
    else:
        said = clean(p.get("value") or "", limit=10)
    if p.get("step") is not None:
        said = clean(p.get("prompt") or said, limit=10)
    elif p.get("prompt"):
        said = f"{said} at {clean(p['prompt'], limit=10)}"
    note = f" ({clean(p['note'], limit=60)})" if p.get("note") else ""
    ioa = " (IOA observation)" if p.get("ioa") is True else ""
    return f"{w.kid(p.get('student'))} · {what}: {said}{note}{ioa}{_late(p)}"


def _abc(p: Mapping[str, Any], w: Words) -> str:
    bits = [f"{k[0].upper()}: {clean(p[k], limit=40)}" for k in ("antecedent", "consequence") if p.get(k)]
    if p.get("setting"):
        bits.insert(0, f"in {clean(p['setting'], limit=40)}")
    known = w.behavior(p.get("student"), p.get("behavior"))
    name = clean(known if known is not None else p.get("behavior", "?"), limit=40)
    return (f"ABC for {w.kid(p.get('student'))}: {name}" + (f" ({'; '.join(bits)})" if bits else "")
            + _late(p))


def _timer_start(p: Mapping[str, Any], w: Words) -> str:
    return f"timer started: {w.kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}"


def _timer_stop(p: Mapping[str, Any], w: Words) -> str:
    end = f" (ended {clock(p['observed'])}, corrected)" if p.get("observed") else ""
    return (f"timer stopped: {w.kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}, "
            f"{seconds_text(p.get('seconds'))}{end}")


def _session_start(p: Mapping[str, Any], w: Words) -> str:
    where = f" in {clean(p['setting'], limit=40)}" if p.get("setting") else ""
    return (f"session started: {w.kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}{where}"
            + _late(p))


def _session_end(p: Mapping[str, Any], w: Words) -> str:
    return f"session ended: {w.kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}" + _late(p)


def _phase(p: Mapping[str, Any], w: Words) -> str:
    return (f"{w.kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}: new "
            f"{clean(p.get('kind') or '?', limit=20)} phase {clean(p.get('name') or '?', limit=60)!r} "
            "(condition line)")


def _progress(p: Mapping[str, Any], w: Words) -> str:
    comment = f" ({clean(p['comment'], limit=60)})" if p.get("comment") else ""
    return (f"{w.kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}, "
            f"{clean(p.get('period') or '?', limit=20)}: {clean(p.get('status') or '?', limit=60)}{comment}")


def _setup_save(p: Mapping[str, Any], w: Words) -> str:
    after = clean(str(p.get("after") or "?"), limit=64)[:12]
    before = clean(str(p.get("before") or ""), limit=64)[:12] or "new"
    return (f"saved {clean(p.get('file', '?'), limit=60)} from a setup screen: "
            f"{clean(p.get('what', '?'), limit=80)} (sha256 {before} → {after})")


def _retract(p: Mapping[str, Any], w: Words) -> str:
    said = w.said(p.get("target"))
    return f"undone: {said}" if said is not None else f"undone: {clean(str(p.get('target'))[:6])}"


OBSERVED = ("a late entry (paper data): when it was observed, ISO with UTC offset; every reader of data uses it; "
            "missing: the event's time")

SESSION = ("the observation session it belongs to (a session.start id, or a board run's own id); missing: "
           "the implied session of its student, goal, observer, day and setting (docs/reports.md)")

# -- the declarations -----------------------------------------------------------------------------

TYPES: tuple[EventType, ...] = (
    EventType("move", "a student goes somewhere (out of the room: with the adults going along)",
              {"student": (ID, "the student"), "to": (ID, "location id"),
               "with": (OPT_IDS, "staff ids going along; may be empty")},
              DAY, "move", None, FOLD, ("move",), _move),
    EventType("back", "a student is back in the room",
              {"student": (ID, "the student")}, DAY, "back", None, FOLD, ("back",), _back),
    EventType("assign", "today's change: an adult with these students, there, doing this",
              {"staff": (ID, "the adult"), "students": (IDS, "student ids"),
               "at": (OPT_ID, "location id or null"), "activity": (OPT_TEXT, "what they do"),
               "until": (OPT_TIME, "ISO time or null = end of the block")},
              DAY, "assign.self", None, FOLD, ("assign",), _assign, other=("staff", "assign.other")),
    EventType("absent", "an adult is out today (or until a time), maybe with a sub",
              {"staff": (ID, "the adult out"), "sub": (OPT_ID, "staff id taking their place, or null"),
               "until": (OPT_TIME, "ISO time or null = the rest of the day")},
              DAY, "absent", None, FOLD, ("absent",), _absent),
    # `kind`: drill | assembly (start–end replaced for everyone; `at`, `note`), block (the base block
    # starting at `block` "HH:MM": new `start`/`end`/`at`/`activity`), student-out (`student` to `at`
    # start–end for `service`, `with` adults going), student-absent (`student`, the day), lend
    # (`staff` to `room` until `end`).
    EventType("day.change", "a change to today's base week (paratui.model.changes)",
              {"kind": (ID, "drill, assembly, block, student-out, student-absent or lend"),
               "start": (OPT_TIME, "ISO"), "end": (OPT_TIME, "ISO"),
               "block": (OPT_TEXT, "a base block's start, HH:MM"), "student": (OPT_ID, "student id"),
               "staff": (OPT_ID, "staff id"), "at": (OPT_ID, "location id"), "activity": (OPT_TEXT, "activity"),
               "room": (OPT_TEXT, "the room lent to"), "service": (OPT_TEXT, "the service"),
               "with": (OPT_IDS, "staff ids going"), "note": (OPT_TEXT, "note")},
              DAY, "change", None, CHANGE_FOLD, ("change",), _day_change),
    EventType("task.add", "a task for one adult or anyone; the task's id is the event id",
              {"text": (TEXT, "the task"), "for": (OPT_ID, "staff id or null = anyone"),
               "due": (OPT_TIME, "ISO time or null"), "about": (OPT_ID, "student id")},
              TASKS, "task.add", None, TASK_FOLD, ("task add", "meeting-items"), _task_add),
    # `task` may be a task.add id or a recurring task's derived id (paratui.model.recurring).
    EventType("task.claim", "\"I've got it\": the writer takes an open task",
              {"task": (ID, "a task id, or a recurring task's derived id")},
              TASKS, "task.claim", "task", TASK_FOLD, ("task claim",), _task_claim),
    EventType("task.done", "a task is done",
              {"task": (ID, "a task id, or a recurring task's derived id")},
              TASKS, "task.done", "task", TASK_FOLD, ("task done",), _task_done),
    EventType("task.reopen", "a task marked done is open again",
              {"task": (ID, "a task id, or a recurring task's derived id")},
              TASKS, "task.reopen", "task", TASK_FOLD, ("task reopen",), _task_reopen),
    # An urgent note stays on every board until each addressee has acknowledged it.
    EventType("note", "a note to adults, maybe about a student; the note's id is the event id",
              {"text": (TEXT, "the note"), "to": (IDS, "staff ids"), "everyone": (OPT_FLAG, "true/false"),
               "about": (OPT_ID, "student id or null"), "kind": (ID, "handoff, check-in, feedback, kudos"),
               "urgent": (OPT_FLAG, "true/false")},
              TASKS, "note", None, NOTE_FOLD, ("note",), _note),
    EventType("ack", "the writer has read a note addressed to them",
              {"note": (ID, "note id")}, TASKS, "ack", "note", NOTE_FOLD, ("ack",), _ack),
    # One observation for a goal in students/<id>.toml: value "+"/"-" (trials, interval, mts:
    # "missed" too), count (tally), seconds (duration, latency), step (1-based) and prompt (task
    # analysis, trials).
    EventType("data", "one observation for a student's goal",
              {"student": (ID, "student id"), "goal": (ID, "goal id"),
               "value": (OPT_TEXT, "+ or - (missed: interval, mts)"), "count": (OPT_NUM, "tally"),
               "seconds": (OPT_NUM, "duration, latency"), "prompt": (OPT_TEXT, "prompt code"),
               "step": (OPT_NUM, "task-analysis step, 1-based"), "note": (OPT_TEXT, "note"),
               "observed": (OPT_TIME, OBSERVED), "session": (OPT_ID, SESSION),
               "ioa": (OPT_FLAG, "true: an inter-observer agreement observation, a second adult's record of the "
                       "session (`paratui log --ioa`); compared with the primary observer's, never in the goal's "
                       "data")},
              LOG, "log", None, DATA_FOLD, ("log",), _data),
    EventType("abc", "an ABC record of a behavior",
              {"student": (ID, "student id"), "behavior": (ID, "behavior id"),
               "antecedent": (OPT_TEXT, "A"), "consequence": (OPT_TEXT, "C"),
               "setting": (OPT_TEXT, "setting or activity"), "note": (OPT_TEXT, "note"),
               "observed": (OPT_TIME, OBSERVED)},
              LOG, "log", None, DATA_FOLD, ("abc",), _abc),
    EventType("timer.start", "a duration or latency timer starts",
              {"student": (ID, "student id"), "goal": (ID, "goal id"), "session": (OPT_ID, SESSION)},
              LOG, "log", None, DATA_FOLD, ("timer start",), _timer_start),
    EventType("timer.stop", "a running timer stops: the observation",
              {"student": (ID, "student id"), "goal": (ID, "goal id"),
               "start": (ID, "the timer.start event id"), "seconds": (NUM, "seconds timed"),
               "observed": (OPT_TIME, "a corrected end (`timer stop --end`): when the timer should have "
                            "stopped, ISO with UTC offset; missing: the event's time"),
               "session": (OPT_ID, SESSION)},
              LOG, "log", None, DATA_FOLD, ("timer stop",), _timer_stop),
    # A session (Cooper et al.: an observation): a start, an end (so an observation time and a rate),
    # an observer (the writer) and a setting; entries carry its id in `session`.
    EventType("session.start", "an observation session of a student's goal begins; its id is the event id",
              {"student": (ID, "student id"), "goal": (ID, "goal id"),
               "setting": (OPT_TEXT, "where or in which activity it is observed"),
               "observed": (OPT_TIME, "a session typed in later: when it began, ISO with UTC offset")},
              LOG, "log", None, DATA_FOLD, ("session start",), _session_start),
    EventType("session.end", "an observation session ends",
              {"student": (ID, "student id"), "goal": (ID, "goal id"), "session": (ID, "the session.start event id"),
               "observed": (OPT_TIME, "a session typed in later: when it ended, ISO with UTC offset")},
              LOG, "log", None, DATA_FOLD, ("session end",), _session_end),
    # A phase change (Cooper et al.: a condition line): the goal's sessions from this event's day on
    # are in this phase, until the next one; before any, the goal is in baseline.
    EventType("phase", "a phase change on a student's goal: its sessions from this day on are in this phase",
              {"student": (ID, "student id"), "goal": (ID, "goal id"), "name": (TEXT, "the phase's name"),
               "kind": (ID, "baseline, intervention, maintenance or generalisation")},
              LOG, "phase", None, DATA_FOLD, ("phase",), _phase),
    # The teacher's statement of a goal's progress over a reporting period (the IEP progress report):
    # the newest live one for (student, goal, period) stands.
    EventType("progress", "the teacher's progress statement on a goal for a reporting period (IEP progress report)",
              {"student": (ID, "student id"), "goal": (ID, "goal id"),
               "period": (ID, "a [[periods]] name in classroom.toml"),
               "status": (TEXT, "one of the room's progress_scale"), "comment": (OPT_TEXT, "a free comment")},
              LOG, "progress", None, PROGRESS_FOLD, ("progress",), _progress),
    # The audit trail of the setup screens (`paratui setup`, the board's S): the file itself is the
    # truth; this says who saved it from a screen, when, and which version (sha256) it became.
    EventType("setup.save", "a file of the folder saved from a setup screen (a goal, a student, the week)",
              {"file": (TEXT, "the file, relative to the folder (students/S03.toml)"),
               "what": (TEXT, "what the save did, in words (goal G3 retired)"),
               "before": (OPT_TEXT, "the file's sha256 before; null for a new file"),
               "after": (TEXT, "the sha256 of the file written")},
              DAY, "setup", None, EVENT_FOLD, ("setup",), _setup_save),
    EventType("retract", "undoes an event (nothing is deleted)",
              {"target": (ID, "the id of the event it cancels")},
              TARGET, "retract.own", "target", EVENT_FOLD, ("undo", "retract"), _retract),
)
BY_NAME: dict[str, EventType] = {t.name: t for t in TYPES}
NAMES = tuple(BY_NAME)
ROUTINES = tuple(t for t in TYPES if t.folded_by in (TASK_FOLD, NOTE_FOLD))  # the team's tasks and notes
# The CLI commands that write events, as a lock stamp says them (`paratui task add`).
COMMANDS = tuple(dict.fromkeys(c for t in TYPES for c in t.commands))


def markdown_table() -> str:
    """docs/events.md: the declarations as a table (tests/test_event_types.py keeps them equal)."""
    lines = ["<!-- generated: python -c 'from paratui.model.event_types import markdown_table as m; "
             "print(m(), end=\"\")' > docs/events.md -->",
             "# Event types", "",
             "Every event in the journal has one of these types (declared in `paratui/model/event_types.py`).",
             "A field marked ? may be missing or null.", "",
             "| type | what it is | payload | stream | action | refers to | folded by | written by |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for t in TYPES:
        payload = "; ".join(f"`{k}` ({kind}): {meaning}" for k, (kind, meaning) in t.payload.items())
        action = f"`{t.action}`" + (f" (`{t.other[1]}` when `{t.other[0]}` is not the writer)" if t.other else "")
        refers = f"`{t.refers}`" if t.refers else "-"
        written = ", ".join(f"`paratui {c}`" for c in t.commands)
        lines.append(f"| `{t.name}` | {t.doc} | {payload} | {t.stream} | {action} | {refers} | "
                     f"`{t.folded_by}` | {written} |")
    return "\n".join(lines) + "\n"
