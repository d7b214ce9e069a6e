"""The student screen (`s` and the student on the board): each IEP goal with today's data, a trend
chart across sessions, the mastery status; recent ABC records and their patterns; the student's
behavior plan page from the binder; and the recent entries, any of which can be retracted (`r`).

Everything is folded by paratui.model.datalog (the same numbers as the reports) from the board's
snapshot (today and yesterday, fresh at every reload) plus the room's quick-logging history
(paratui.store.history: every day folder, loaded on a thread after the board starts). The screen
redraws when the board re-reads the folder or the history arrives.

Initials unless classroom.toml's `[data] full_names = true` (this screen is opened on purpose, by
one person; the wall board never shows names). All data is shown as `rich.text.Text` after `clean`,
never as markup; the plan page's section goes through `clean_block` and is drawn as plain text (headings
and **bold** kept as styles, bullets as •): one widget, no links to click.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer as TextualTimer
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

try:
    from textual._styles_cache import StylesCache
except ImportError:  # a Textual without it: nothing to clear
    StylesCache = None  # type: ignore[assignment,misc]

from paratui.app.chart import ChartData, draw, session_labels
from paratui.app.chart import release as release_charts
from paratui.app.host import Host, host
from paratui.app.picker import Choice, PickerScreen
from paratui.app.typeahead import flow
from paratui.model import access, commands
from paratui.model.classroom import Classroom, Student
from paratui.model.commands import Context, seconds_text
from paratui.model.datalog import (
    PERCENT_KINDS,
    AbcPatterns,
    GoalSummary,
    Session,
    abc_patterns,
    day_of,
    entries,
    is_late,
    observed_at,
    students_events,
    summarize,
    unit_of,
)
from paratui.model.events import Event
from paratui.model.goals import StudentPlan
from paratui.model.text import clean, clean_block
from paratui.model.week_plan import describe, week_of
from paratui.store.folder import Snapshot
from paratui.store.history import HistoryCache, history_for

WIDE = 150  # columns: goals side by side
RECENT = 15  # entries listed for retracting
ABC_RECENT = 5  # ABC records listed per behavior
CHART_SESSIONS = 40  # sessions drawn per chart
CHART_ROWS, CHART_ROWS_WIDE = 9, 11
POLL_S = 0.25  # how often the screen looks for a new board snapshot
RELEASE_S = 0.2  # after the screen closed: its memory is given back


# -- what the screen shows (pure) ---------------------------------------------------------------

@dataclass(frozen=True)
class StudentView:
    student: Student
    today: date
    plan: StudentPlan
    goals: tuple[GoalSummary, ...]
    abc: tuple[Event, ...]  # the newest live ABC records of each behavior (ABC_RECENT), newest first
    patterns: dict[str, AbcPatterns]  # behavior id → the patterns of all its live ABC records
    entries: tuple[tuple[Event, Event | None], ...]  # (entry, its retract or None), newest first
    events: tuple[Event, ...]  # what the listed entries and their retracts are (for `describe`)


def build_view(classroom: Classroom, student: Student, raw: list[Event], today: date) -> StudentView:
    plan = classroom.plans.get(student.id) or StudentPlan(student.id)
    mine = students_events(raw, student.id)
    unique = sorted({e.id: e for e in mine}.values(), key=lambda e: e.sort_key)
    retracts = {str(e.payload.get("target")): e for e in unique if e.type == "retract"}
    logged = [e for e in unique if e.type in ("data", "abc", "timer.stop", "phase")]  # a phase can be retracted too
    listed = tuple((e, retracts.get(e.id)) for e in reversed(logged[-RECENT:]))
    live_abc = [e for e in reversed(logged) if e.type == "abc" and e.id not in retracts]
    records = entries(live_abc, plan, student.id, live=True)
    patterns = {b.id: abc_patterns(records, b.id) for b in plan.behaviors}
    shown_abc = {b.id: 0 for b in plan.behaviors}
    abc: list[Event] = []
    for e in live_abc:
        b = e.payload.get("behavior")
        if isinstance(b, str) and shown_abc.get(b, ABC_RECENT) < ABC_RECENT:
            shown_abc[b] += 1
            abc.append(e)
    # each goal's sessions, not its entries: a year of them is neither kept with the view nor held at once
    goals = tuple(summarize(plan, unique, classroom.prompts, keep_entries=False)) if plan.goals else ()
    shown = tuple(x for pair in listed for x in pair if x is not None)
    # only a few dozen of the year's events stay with the view: the rest is freed as one (events kept
    # here and there would each hold their allocator pool, and the chart and widgets drawn next could
    # not reuse the memory)
    return StudentView(student, today, plan, goals, tuple(abc), patterns, listed, shown)


def display_name(classroom: Classroom, student: Student) -> str:
    """Initials, or the full name when the room allows it here (`[data] full_names`)."""
    if classroom.full_names and student.name:
        return f"{clean(student.name, limit=60)} ({clean(student.initials, limit=12)})"
    return clean(student.initials, limit=12)


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}%"


def _prompt_tally(tally: dict[str, int]) -> str:
    return " ".join(f"{clean(k, limit=6)}:{n}" for k, n in tally.items())


def today_line(s: GoalSummary, today: date, independent: str = "I") -> str:
    """Today's data for one goal: count, % correct, prompt-level breakdown, durations."""
    x, n = day_of(s.sessions, today)  # the day's sessions (an AM and a PM one) pooled for this line
    kind = s.goal.kind
    if x is None or not x.entries:
        return "Today: no data yet"
    return today_text(s, x, kind, independent) + (f" · {n} sessions" if n > 1 else "")


def today_text(s: GoalSummary, x: Session, kind: str, independent: str = "I") -> str:
    if kind in ("interval", "mts"):  # missed intervals are shown, beside the share of those scored
        bits = [f"{x.trials + x.missed} intervals", f"{_pct(x.percent_correct)} of intervals scored"]
        return "Today: " + ", ".join(bits + [f"{x.missed} missed"] * bool(x.missed))
    if kind in PERCENT_KINDS:
        shown = f"{x.entries} of {x.trials} steps" if kind == "task_analysis" and x.entries < x.trials \
            else f"{x.trials} {'steps' if kind == 'task_analysis' else 'trials'}"
        level = (s.goal.mastery.level if s.goal.mastery else None) or independent
        bits = [shown, f"{_pct(x.percent_correct)} correct", f"{_pct(x.percent_at_level)} " + (
            "independent" if level == independent else f"at {clean(level)} or better")]
        if x.correct_prompts:
            bits.append("prompts " + _prompt_tally(x.correct_prompts))
        if x.errors:
            bits.append("errors " + _prompt_tally(x.errors))
        if x.probe is not None:  # the day's first trial (the binder's Friday probes)
            bits.append("cold probe " + ("+ independent" if x.probe_independent else clean(
                f"{x.probe.value} at {x.probe.prompt}" if x.probe.value == "+" and x.probe.prompt else
                x.probe.value or "?", limit=12)))
        return "Today: " + ", ".join(bits)
    if kind in ("tally", "abc"):
        return f"Today: count {x.count:g}" + (f" ({x.entries} entries)" if x.entries > 1 else "")
    times = ", ".join(seconds_text(v) for v in x.seconds[-6:])
    mean = f" (mean {seconds_text(x.level)})" if x.level is not None and len(x.seconds) > 1 else ""
    return f"Today: {len(x.seconds)} × {times}{mean}"


def goal_text(s: GoalSummary, today: date, independent: str) -> Text:
    g = s.goal
    text = Text()
    text.append(f"{clean(g.id, limit=40)}", style="bold")
    text.append(f"  {clean(g.title, limit=120)}")
    text.append(f"  ({g.kind}, {g.area})", style="dim")
    if g.retired is not None:
        text.append(f"  retired {g.retired.isoformat()}", style="bold")
    text.append("\n" + today_line(s, today, independent))
    unit = unit_of(g.kind)
    level = s.current
    shown = "–" if level is None else f"{level:.0f}%" if unit == "%" else \
        seconds_text(level) if unit == "s" else f"{level:g}"
    trend = s.line.text if s.trend else f"too few sessions in {s.line.phase.label}"
    text.append(f"\nLast session: {shown}  ·  {len(s.sessions)} sessions  ·  trend: {trend}")
    stale = [x for x in s.sessions if x.not_closed]
    if stale:  # a session.start with no session.end (a board killed mid-session): it ends at its last entry
        x = stale[-1]
        many = f"{len(stale)} sessions" if len(stale) > 1 else "1 session"
        text.append(f"\nNot closed: {many} never ended (the last begun {x.start:%m-%d %H:%M}"
                    + (f", by {clean(x.observer, limit=12)}" if x.observer else "")
                    + (f"; it ends at its last entry, {x.end:%H:%M}" if x.end and x.start and x.end > x.start else "")
                    + ")", style="bold")
    if s.aim is not None:
        a = s.aim
        def said(v: float) -> str:
            return f"{v:.0f}%" if unit == "%" else seconds_text(v) if unit == "s" else f"{v:g}"
        text.append(f"\nAim line: from {said(a.level)} on {a.start:%m-%d} to {said(a.criterion)} by "
                    f"{a.target:%Y-%m-%d}", style="dim")
    if s.decisions:
        text.append("\nConsider a change: ", style="bold")
        text.append("; ".join(s.decisions), style="bold")
    if s.status is not None:
        text.append("\nMastery: ")
        text.append(clean(s.status.text, limit=160), style="bold" if s.status.mastered else "")
        if s.status.mastered:
            text.append("  ✓ mastered", style="bold")
    elif g.mastery_text:
        text.append(f"\nMastery: {clean(g.mastery_text, limit=160)}")
    if g.baseline:
        text.append(f"\nBaseline: {clean(g.baseline, limit=160)}", style="dim")
    return text


def abc_text(view: StudentView, classroom: Classroom) -> Text:
    text = Text()
    if not view.plan.behaviors:
        text.append("No behaviors defined for this student.", style="dim")
        return text
    staff = {s.id: s.short for s in classroom.staff}
    for i, b in enumerate(view.plan.behaviors):
        p = view.patterns[b.id]
        if i:
            text.append("\n\n")
        text.append(clean(b.name, limit=80), style="bold")
        text.append(f"  (function: {clean(b.function)}) · {p.total} ABC records")
        text.append(f"\n{clean(b.definition, limit=300)}", style="italic")
        if p.total:
            def top(pairs: tuple[tuple[str, int], ...]) -> str:
                return ", ".join(f"{clean(k, limit=40)} ({n})" for k, n in pairs[:3]) or "–"

            text.append("\nMost common antecedent: ")
            text.append(top(p.antecedents), style="bold")
            text.append("\nMost common consequence: ")
            text.append(top(p.consequences), style="bold")
            text.append(f"\nBy time of day: {top(p.by_time)}")
            if p.settings:
                text.append(f"\nSettings: {top(p.settings)}")
        recent = [e for e in view.abc if e.payload.get("behavior") == b.id][:ABC_RECENT]
        for e in recent:
            q = e.payload
            bits = [f"in {clean(q['setting'], limit=30)}" if q.get("setting") else "",
                    f"A: {clean(q['antecedent'], limit=40)}" if q.get("antecedent") else "",
                    f"C: {clean(q['consequence'], limit=40)}" if q.get("consequence") else ""]
            who = clean(staff.get(e.staff or "", e.staff or "?"), limit=20)
            late = "  (entered later)" if is_late(e) else ""
            text.append(f"\n  {observed_at(e):%m-%d %H:%M}  " + " · ".join(x for x in bits if x) + f"  ({who}){late}")
    return text


_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def plan_section(binder: dict[str, str], student: Student) -> tuple[str, str] | None:
    """(page name, Markdown) of the student's section of the binder's behavior-plan page: the
    heading naming their id or initials, to the next heading of the same level or higher."""
    pages = sorted(n for n in binder if "behavior" in n.casefold() or "behaviour" in n.casefold())
    keys = [k for k in (student.id, student.initials) if k]
    for name in pages:
        lines = binder[name].splitlines()
        for i, line in enumerate(lines):
            m = _HEADING.match(line)
            if not m or not any(re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", m.group(2)) for k in keys):
                continue
            level = len(m.group(1))
            end = next((j for j in range(i + 1, len(lines))
                        if (h := _HEADING.match(lines[j])) and len(h.group(1)) <= level), len(lines))
            return name, "\n".join(lines[i:end])
    return None


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plan_text(markdown: str) -> Text:
    """A binder section as styled text: headings bold, `- ` items as bullets, **bold** kept; any other
    Markdown shows as written. Never parsed as markup (a Text built piece by piece)."""
    text = Text()
    lines: list[str] = []
    for raw in clean_block(markdown).splitlines():
        # a list item's continuation line (indented, not an item itself) joins its item
        if lines and raw[:1] == " " and raw.strip() and not re.match(r"\s*([-*+]|\d+[.)])\s", raw) \
                and lines[-1].lstrip()[:2] in ("- ", "* ", "+ "):
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw)
    for n, raw in enumerate(lines):
        if n:
            text.append("\n")
        line = raw.rstrip()
        if m := _HEADING.match(line):
            text.append(m.group(2).strip(), style="bold underline")
            continue
        stripped = line.lstrip()
        if stripped.startswith(("- ", "* ", "+ ")):
            text.append(" " * (len(line) - len(stripped)) + "• ")
            line = stripped[2:]
        pos = 0
        for b in _BOLD.finditer(line):
            text.append(line[pos:b.start()])
            text.append(b.group(1), style="bold")
            pos = b.end()
        text.append(line[pos:])
    return text


def entry_label(e: Event, retract: Event | None, classroom: Classroom, events: tuple[Event, ...]) -> Text:
    staff = {s.id: s.short for s in classroom.staff}
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{e.id[:6]} ", style="dim")
    body = Text(f"{e.time:%m-%d %H:%M}  {commands.describe(e, classroom, events)}"
                f"  ({clean(staff.get(e.staff or '', e.staff or '?'), limit=20)})")
    if retract is not None:
        body.stylize("strike dim")
        text.append_text(body)
        who = clean(staff.get(retract.staff or "", retract.staff or "someone"), limit=20)
        text.append(f"  RETRACTED by {who} {retract.time:%m-%d %H:%M}", style="bold")
        text = Text.assemble(Text("✗ ", style="bold"), text, no_wrap=True, overflow="ellipsis")
    else:
        text.append_text(body)
    return text


# -- the screen ---------------------------------------------------------------------------------

def trim_heap() -> None:
    """Hand the heap's free pages back to the system (glibc's `malloc_trim`; elsewhere nothing): a
    board runs all day, and memory freed in one shape (a year of events) is not all reused in
    another (widgets, strips), so without this each peak adds to the last (issue 9: ≤ 60 MiB)."""
    global _trim
    if _trim is None:
        try:
            _trim = ctypes.CDLL(None).malloc_trim
        except (AttributeError, OSError):  # not glibc
            _trim = False
    if _trim:
        _trim(0)


_trim: Any = None  # libc's malloc_trim, False where there is none


def give_memory_back() -> None:
    """After a student screen closed: forget its charts, let its widgets go, and hand the freed heap
    back. Textual 8.2's `StylesCache.get_inner_outer` is an `lru_cache(1024)` on a method: it keeps
    the style cache of every widget drawn (1024 of them), with its rendered lines, long after the
    widget is gone: each screen opened (the charts are large) stayed in memory. Clearing it frees
    them (it caches two `Style`s per colour pair: made again on the next paint)."""
    release_charts()
    clear = getattr(getattr(StylesCache, "get_inner_outer", None), "cache_clear", None)
    if callable(clear):
        clear()
    gc.collect()  # the widgets are reference cycles
    trim_heap()

class LastView:
    """The last student view folded and what it was folded from (the room, the student, the history's version,
    the day, the ids of the student's events in the board's snapshot, the classroom and schedule it
    was screened against): the screen opened again with none of them changed draws it again without
    unpacking, screening and folding the year once more. One view only (a student's sessions, not
    their events): what a board running all day keeps for it is small."""

    _key: tuple | None = None
    _config: tuple[Classroom, Any] | None = None
    _view: StudentView | None = None

    @classmethod
    def get(cls, key: tuple, classroom: Classroom, schedule: Any) -> StudentView | None:
        if cls._view is None or cls._key != key or cls._config is None:
            return None
        was_classroom, was_schedule = cls._config
        same = (was_classroom is classroom or was_classroom == classroom) and \
            (was_schedule is schedule or was_schedule == schedule)
        return cls._view if same else None

    @classmethod
    def keep(cls, key: tuple, classroom: Classroom, schedule: Any, view: StudentView) -> None:
        cls._key, cls._config, cls._view = key, (classroom, schedule), view

    @classmethod
    def forget(cls) -> None:
        cls._key = cls._config = cls._view = None


def _release_now() -> None:
    """The closed screen's memory given back; the timer let go (its task's context holds the screen)."""
    StudentScreen.release = None
    give_memory_back()


class GoalCard(Widget):
    """One goal: its lines of text and its trend chart, drawn as one widget (a screen of widgets
    costs Textual several milliseconds each to style and lay out)."""

    def __init__(self, s: GoalSummary, today: date, independent: str):
        super().__init__(classes="goal-card")
        self.goal_id = s.goal.id
        self.text = Text()
        self.chart: ChartData | None = None
        self.show(s, today, independent)

    def show(self, s: GoalSummary, today: date, independent: str) -> None:
        text = goal_text(s, today, independent)
        text.no_wrap, text.overflow = True, "ellipsis"
        shown = [x for x in s.sessions if x.level is not None][-CHART_SESSIONS:]
        m = s.goal.mastery
        line = None if m is None else m.percent if m.percent is not None else \
            m.at_most if m.at_most is not None else m.at_least
        changes = tuple((i, x.phase.name) for i, x in enumerate(shown) if i and x.phase != shown[i - 1].phase)
        aim = s.aim
        on_aim = () if aim is None else tuple((i, round(aim.at(x.day), 1)) for i, x in enumerate(shown)
                                              if x.day >= aim.start)
        chart = ChartData(session_labels([x.day for x in shown]), tuple(float(x.level or 0) for x in shown),
                          unit_of(s.goal.kind), None if line is None else float(line), changes,
                          tuple(i for i, x in enumerate(shown) if i and x.after_gap), on_aim) if shown else None
        if (text.plain, chart) != (self.text.plain, self.chart):
            self.text, self.chart = text, chart
            self.refresh(layout=True)

    @property
    def chart_rows(self) -> int:
        return 0 if self.chart is None else CHART_ROWS_WIDE if self.app.size.width >= WIDE else CHART_ROWS

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.text.plain.splitlines()) + (self.chart_rows or 1)

    def render(self) -> RenderableType:
        if self.chart is None:
            empty = Text("No sessions yet: the chart starts with the first day of data.", style="dim")
            return Group(self.text, empty)
        return Group(self.text, draw(self.chart, max(20, self.content_size.width), self.chart_rows))


class StudentScreen(Screen[None]):
    CSS_PATH = "student_screen.tcss"
    release: ClassVar[TextualTimer | None] = None  # the memory of the screen closed last, given back soon
    BINDINGS = [("escape", "close", "Back to the board"), ("q", "close", "Back"),
                ("r", "retract", "Retract the chosen entry"), ("w", "week_plan", "This week's plan")]

    def __init__(self, student_id: str):
        super().__init__(id="student-screen")
        self.student_id = student_id
        self.view: StudentView | None = None
        self._seen: tuple | None = None
        self._goal_ids: tuple[str, ...] = ()
        self.plan_markdown = ""  # what the plan pane shows (cleaned Markdown)
        self._shown = False  # its first ScreenResume (the push) seen

    @property
    def board(self) -> Host:
        return host(self)

    @property
    def history(self) -> HistoryCache:
        return history_for(self.board.room.root)

    def _current(self) -> tuple[Snapshot, Student, StudentView, int | None] | None:
        """The board's snapshot, the student, what to show, and the version of the history it used
        (None: not read yet); None when there is no snapshot or the student left classroom.toml.
        The student's year of events is unpacked for this and let go once folded into the view."""
        snap = self.board.snapshot
        if snap is None:
            return None
        version = self.history.version  # before the events: a read landing between redraws again
        self._seen = (snap, version)
        student = snap.classroom.student_by_id().get(self.student_id)
        if student is None:
            return None
        today = self.board.room.clock().date()
        recent = students_events(snap.events, student.id)
        key = (self.board.room.root, self.student_id, version, today, tuple(e.id for e in recent))
        cached = LastView.get(key, snap.classroom, snap.schedule)
        if cached is not None:  # nothing it is folded from changed since: the year is not folded again
            self.view = cached
            return snap, student, cached, version
        raw = self.history.student_events(self.student_id) or []
        raw += recent
        raw = access.screen(raw, snap.classroom, snap.schedule).events  # the year's too: one screened stream
        self.view = build_view(snap.classroom, student, raw, today)
        del raw, recent  # freed here, and the heap it used handed back: the widgets drawn next reuse little of it
        trim_heap()
        LastView.keep(key, snap.classroom, snap.schedule, self.view)
        return snap, student, self.view, version

    def compose(self) -> ComposeResult:
        if StudentScreen.release is not None:  # a screen closed a moment ago: this one gives it all back
            StudentScreen.release.stop()  # when it closes (its charts drawn again are the same ones)
            StudentScreen.release = None
        self.set_class(self.app.size.width >= WIDE, "-wide")
        trim_heap()  # what the picker just freed: the peak of this screen does not stand on it
        current = self._current()  # the goals are composed with their numbers: one layout pass
        yield Static("", id="student-title")
        with VerticalScroll(id="student-body"):
            yield Static("", id="week")
            with Vertical(id="goals"):
                if current is not None:
                    snap, _student, view, _version = current
                    self._goal_ids = tuple(s.goal.id for s in view.goals)
                    for s in view.goals:
                        yield GoalCard(s, view.today, snap.classroom.independent)
            yield Static("", id="abc")
            yield Static("Recent entries (↑↓ to choose, r retracts; nothing is deleted)", id="entries-title")
            yield OptionList(id="entries")
            yield Static("", id="plan")
        yield Static(Text.assemble((" Esc ", "bold reverse"), " Board ", (" r ", "bold reverse"),
                                   " Retract entry ", (" w ", "bold reverse"), " Week's plan ",
                                   (" Tab ", "bold reverse"), " Next pane ",
                                   (" ↑↓ PgUp PgDn ", "bold reverse"), " Scroll"), id="student-keys")

    def on_mount(self) -> None:
        self.history.listeners.append(self._history_arrived)
        # the first read, or only the files changed since (a stat of each): after the first paint
        self.set_timer(0.3, self._refresh_history)
        self.redraw(self.view)
        self.set_interval(POLL_S, self._poll)

    def _refresh_history(self) -> None:
        trim_heap()  # the paint's leftovers: the read's own memory (its thread's) comes on top
        self.history.refresh()

    def on_unmount(self) -> None:
        if self._history_arrived in self.history.listeners:
            self.history.listeners.remove(self._history_arrived)
        self.view = None
        try:  # once the screen is gone (its widgets are reference cycles: only a collection frees them)
            StudentScreen.release = self.app.set_timer(RELEASE_S, _release_now)
        except Exception:  # the app is closing  # noqa: BLE001
            pass

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    def _history_arrived(self) -> None:
        """On the history's thread."""
        try:
            self.app.call_from_thread(self.redraw, None)
        except RuntimeError:  # the app is closing
            pass

    def _poll(self) -> None:
        snap = self.board.snapshot
        if snap is not None and (snap, self.history.version) != self._seen:
            self.redraw()

    def redraw(self, fresh: StudentView | None = None) -> None:
        """Draw the newest numbers (`fresh`: a view computed a moment ago, in compose)."""
        snap = self.board.snapshot
        if fresh is None or snap is None:
            current = self._current()
            if current is None:
                if snap is not None:
                    self.query_one("#student-title", Static).update(
                        Text("This student is no longer in classroom.toml."))
                return
            snap, _student, view, version = current
        else:
            view, version = fresh, self._seen[1] if self._seen else None
        classroom = snap.classroom
        student = view.student
        today = view.today
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f" {display_name(classroom, student)} ", style="bold reverse")
        title.append(f"  {clean(student.id)} · {len(view.plan.goals)} goals · {today:%A %Y-%m-%d}")
        if version is None:
            title.append("  · loading the year's data…", style="italic")
        self.query_one("#student-title", Static).update(title)
        if fresh is None:  # (composed with the fresh view already)
            self._draw_goals(view, classroom)
        self._draw_week(classroom, student, today)
        self.query_one("#abc", Static).update(abc_text(view, classroom))
        self.query_one("#abc").border_title = "Behavior (ABC)"
        self._draw_entries(view, classroom)
        found = plan_section(snap.binder, student)
        plan = self.query_one("#plan", Static)
        plan.border_title = f"Behavior plan (binder/{clean(found[0])}.md)" if found else "Behavior plan"
        md = clean_block(found[1]) if found else f"*No section for {clean(student.initials)} in the binder's " \
            "behavior plan page.*"
        if md != self.plan_markdown:  # only on a change
            self.plan_markdown = md
            plan.update(plan_text(md))

    def _draw_week(self, classroom: Classroom, student: Student, today: date) -> None:
        """This week's plan for the student (plans/2026-W48.toml): priority goals first."""
        box = self.query_one("#week", Static)
        week = week_of(today)
        plan = classroom.week_plan.of(student.id) if classroom.week_plan is not None else None
        box.border_title = f"This week ({week})"
        if plan is None:
            box.update(Text(f"No plan for this week (plans/{week}.toml; `paratui plan --new` makes one).",
                            style="dim"))
            return
        text = Text()
        for i, line in enumerate(describe(plan, classroom.plans.get(student.id))):
            head, sep, rest = line.partition(": ")
            text.append("\n" if i else "")
            text.append(clean(head) + sep, style="bold")
            text.append(clean(rest))
        box.update(text)

    def _draw_goals(self, view: StudentView, classroom: Classroom) -> None:
        ids = tuple(s.goal.id for s in view.goals)
        box = self.query_one("#goals", Vertical)
        if ids != self._goal_ids:
            self._goal_ids = ids
            box.remove_children()
            if not ids:
                box.mount(Static(f"No goals yet (students/{clean(view.student.id)}.toml).", classes="goal-none"))
            else:
                box.mount_all([GoalCard(s, view.today, classroom.independent) for s in view.goals])
            return
        cards = {c.goal_id: c for c in self.query(GoalCard)}
        for s in view.goals:
            card = cards.get(s.goal.id)
            if card is None:
                continue
            card.show(s, view.today, classroom.independent)

    def _draw_entries(self, view: StudentView, classroom: Classroom) -> None:
        listing = self.query_one("#entries", OptionList)
        keep = listing.highlighted
        listing.clear_options()
        listing.add_options([Option(entry_label(e, r, classroom, view.events), id=e.id) for e, r in view.entries])
        if not view.entries:
            listing.add_option(Option(Text("No entries yet."), disabled=True))
        elif keep is not None:
            listing.highlighted = min(keep, len(view.entries) - 1)

    def on_screen_resume(self) -> None:
        """Back from the week's plan editor (or any screen on top): what was saved there shows now.
        (Not on the screen's first showing: it was composed with the newest numbers a moment ago.)"""
        if not self._shown:
            self._shown = True
            return
        self._seen = None
        self._poll()

    def action_week_plan(self) -> None:
        from paratui.app.week_plan_screen import WeekPlanScreen

        state = self.board.state
        today = state.now.date() if state is not None else self.board.room.clock().date()
        self.app.push_screen(WeekPlanScreen(self.board.room.root, week_of(today)))

    def action_close(self) -> None:
        self.app.pop_screen()

    async def _listed(self, seconds: float = 5.0) -> None:
        """`r` typed as the screen opens (`s2rry` in one burst) waits for the entries to be listed."""
        for _ in range(int(seconds / 0.02)):
            if self.is_mounted and self.view is not None and self.query_one("#entries", OptionList).option_count:
                return
            await asyncio.sleep(0.02)

    @flow
    async def action_retract(self) -> None:
        await self._listed()
        view = self.view
        listing = self.query_one("#entries", OptionList)
        if view is None or not view.entries:
            self.board.toast("No entries to retract.")
            return
        if listing.highlighted is None:
            listing.focus()
            listing.highlighted = 0
            self.board.toast("Choose the entry with ↑↓, then r.")
            return
        entry, retracted = view.entries[min(listing.highlighted, len(view.entries) - 1)]
        if retracted is not None:
            self.board.toast("That entry is already retracted.")
            return
        snap = self.board.snapshot
        said = commands.describe(entry, snap.classroom, view.events) if snap else entry.id[:6]
        sure = await self.app.push_screen_wait(PickerScreen(f"Retract {said}?", [
            Choice("Yes: retract it (the board and reports stop counting it)", "yes", "y"),
            Choice("No: keep it", "no", "n")]))
        if sure != "yes":
            return
        if self.board.me is None:
            await self.board.ready()  # asks who is acting (one key)
        history = list(self.history.events or ())

        def make(ctx: Context) -> commands.Change:
            # a NOT APPLIED retract of the entry (screened with the entry itself) does not make it "already retracted"
            events = access.screen([entry, *history, *ctx.events], ctx.classroom, ctx.schedule).events
            wide = Context(ctx.classroom, ctx.schedule, events, ctx.now, ctx.actor, ctx.permit)
            return commands.retract(wide, entry.id)

        refusal = await self.board.submit(make)
        if refusal is not None:
            self.board.toast(refusal[1], title="Not retracted", severity="error")
