"""The logging sheet: one student's goals, each with one key, opened by the student's own key on the
board (or `l` and a pick). What a para presses, counted from the board:

- tally: student, goal (2 keys: +1 is recorded at once);
- trial: student, `+` or `-`, prompt level (3 keys: `+`/`-` go to the goal the sheet points at, ▶, the
  goal this board last logged trials for, else a trials goal due for you today);
- a run of trials: student, the trials goal's key (▶ moves there), then per trial `+` or `-`, with the
  prompt level's key before it when it was prompted (`v+`; a lone `+` is independent, a lone `-` has no
  prompt): each trial is written as it is typed, the sheet shows "7 trials · 5 + · 71% · last V+",
  `u` undoes the run's last trial, Esc ends the run (ten trials, two prompted: 12 keys, then Esc);
- ABC: student, behavior (its goal's key), antecedent, consequence, Enter (5 keys: each list has a choice
  marked ▶ and Enter takes it; the setting's Enter also saves). The antecedent's and consequence's ▶ is
  their list's first; the setting's is the one that fits the student's block now (the activity of the
  adult with them, the block's, or where they are), else the first. A setting picked by its key (or `0`,
  skipped) opens the note field, Enter saves (6 keys). The behavior's definition and likely function
  stay on screen the whole time;
- duration, latency: student, goal (starts the timer; the same two keys stop it; `t` on the board too);
- task analysis: student, goal, then one key per step (its prompt level, or `-` not done);
- a run of intervals (interval, MTS): student, goal, then one key per interval as it ends, `+` it
  occurred, `-` it did not, `0` not observed (`missed`): each written as typed, the sheet shows
  "8 intervals · 5 occurred · 62.5%", `u` undoes the last, Esc ends the run; `t` hands the run to a
  session docked on the board that keeps the time and prompts (paratui.app.logging_session).

A run (of trials, intervals or steps) is one observation session (docs/reports.md, "What a session
is"; paratui.app.logging_session.RunSession): the goal's key writes its `session.start`, its entries
carry that id, and Esc, the chain's last step or `t` write its `session.end`; a run ended with no
entry retracts its start instead (no session). `u` in a run retracts only the run's last entry.

`*` on the goal list toggles **IOA observer**: the sheet's next entries (a tally, a trial, a run, a
timer) are a second adult's inter-observer agreement record, the same `data` events `paratui log --ioa`
writes (payload `ioa: true`, never in the goal's data). An IOA timer (duration, latency: `*` and the
goal's key start it, `*` and the key again stop it) is kept by this board, not the journal (no
`timer.start`: the primary's timer of the goal is not touched), and its stop writes one `data` event
with its seconds through `data_commands.log(…, ioa=True)`, as `log --ioa SECONDS` does. A run in IOA
mode writes no `session.start` (an IOA record is a check of the primary observer's session, not a
session of the goal): its entries carry the id of the session another adult has open of that goal now
(paired with it exactly), else a run id of their own (paired by time). The sheet says so in words on
every stage ("IOA OBSERVER").

Every entry goes through the same commands as the CLI (paratui.model.data_commands) and the board's one
write path (`BoardApp.submit`: one journal event, a toast saying what was logged and `u` to undo).
Labels are data: cleaned and shown as plain `Text`, never markup.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from paratui.app.form import EDITS
from paratui.app.host import Host, host
from paratui.app.logging_session import RunSession, knowing
from paratui.app.typeahead import became_ready, refuse
from paratui.model import commands, data_commands
from paratui.model.commands import Change, Context, Refused
from paratui.model.datalog import SESSION_TYPES, is_ioa, open_sessions, running_timers
from paratui.model.events import Event, elapsed, live_events
from paratui.model.goals import TIMED, Behavior, Goal, StudentPlan
from paratui.model.text import clean

# one key per goal or pick-list entry: no u (undo here), no m or q (they mean move and quit on the board)
PICK_KEYS = "123456789abcdefghijklnoprstvwxyz"
IOA_KEY = "*"  # on the goal list: the next entries are an IOA observer's (a second adult's record)
IOA_BANNER = ("IOA OBSERVER: recording as the second observer (inter-observer agreement): "
              "checked against the primary observer's record, never in the goal's data")
KIND_LABEL = {"tally": "tally +1", "trials": "trials + −", "duration": "duration timer",
              "latency": "latency timer", "task_analysis": "task analysis", "interval": "intervals + −",
              "mts": "MTS + −", "abc": "ABC"}


def prompt_keys(prompts: tuple[str, ...]) -> dict[str, str]:
    """key → prompt code: each code's first letter when those are all different letters (the default
    FP PP M G V I → f p m g v i), and always its position, 1…9."""
    keys: dict[str, str] = {}
    firsts = [p[:1].lower() for p in prompts]
    if len(set(firsts)) == len(firsts) and all(c.isalpha() and c != "u" for c in firsts):
        keys = dict(zip(firsts, prompts))
    for i, p in enumerate(prompts[:9], 1):
        keys.setdefault(str(i), p)
    return keys


def percent(part: int, whole: int) -> str:
    """"62.5", "80", "66.7": one decimal, none when it is zero."""
    return f"{100 * part / whole:.1f}".removesuffix(".0") if whole else "0"


def interval_summary(run: list[str]) -> str:
    """"8 intervals · 5 occurred · 62.5%" (the run so far; % of the intervals observed, as in reports:
    one not observed, `missed`, is counted apart and left out of the %)."""
    if not run:
        return "0 intervals yet"
    occurred, missed = run.count("+"), run.count("missed")
    text = f"{len(run)} interval{'s' if len(run) != 1 else ''} · {occurred} occurred"
    if missed:
        text += f" · {missed} not observed"
    return text + f" · {percent(occurred, len(run) - missed)}%"


INTERVAL_KEYS = {"+": "+", "=": "+", "-": "-", "0": "missed"}
QUESTION = {"partial": "did it occur at any time in the interval?",
            "whole": "did it last the whole interval?",
            "mts": "was it occurring at the moment the interval ended?"}


def run_summary(run: list[tuple[str, str | None]]) -> str:
    """"7 trials · 5 + · 71% · last V+" (the run so far; % is correct of all trials)."""
    if not run:
        return "0 trials yet"
    correct = sum(1 for value, _ in run if value == "+")
    value, prompt = run[-1]
    last = f"{prompt or ''}{'+' if value == '+' else '−'}"
    return (f"{len(run)} trial{'s' if len(run) != 1 else ''} · {correct} + · {round(100 * correct / len(run))}%"
            f" · last {clean(last)}")


@dataclass(frozen=True)
class Item:
    """One line of the sheet: a goal, or a behavior without an ABC goal of its own."""

    key: str
    goal: Goal | None
    behavior: Behavior | None


@dataclass(frozen=True)
class StartSession:
    """What the sheet asks the board to do after it closes: run an interval session."""

    student: str
    goal: str


class LogSheet(ModalScreen["StartSession | None"]):
    CSS_PATH = "logging_sheet.tcss"
    BINDINGS = [Binding("escape", "back", "Back")]
    AUTO_FOCUS = None  # the sheet takes the keys itself; the note field only at the end of an ABC

    def __init__(self, student: str, label: str, trial_goals: dict[str, str],
                 ioa_timers: dict[tuple[str, str, str], datetime] | None = None):
        super().__init__()
        # the board's memory: (adult, student, goal) → when that adult's IOA timer started
        self.ioa_timers = ioa_timers if ioa_timers is not None else {}
        self.student = student
        self.label = label  # "E.M. (1)": initials and the student's key
        self.trial_goals = trial_goals  # the board's memory: student → the trials goal ▶ points at
        self.stage = "goals"  # goals | trial | run | intervals | steps | antecedent | consequence | setting | note
        self.run: list[tuple[str, str | None]] = []  # a run of trials: (value, prompt) written so far
        self.intervals: list[str] = []  # a run of intervals: + - missed, written so far
        self.run_events: list[Event | None] = []  # the events a run was written as (`u` retracts the last)
        self.run_prompt: str | None = None  # the prompt level typed for the run's next trial
        self.goal: Goal | None = None
        self.value = ""
        self.behavior: Behavior | None = None
        self.picked: dict[str, str | None] = {}
        self.step = 1
        self.step_marks: dict[int, str] = {}
        self.step_events: dict[int, Event | None] = {}  # the steps written, as events (`u` retracts one)
        self.busy = False
        self.closed = False
        self.items: list[Item] = []
        self._plan: StudentPlan | None = None
        self.observation: RunSession | None = None  # the open run's session (paratui.app.logging_session)
        self.ioa = False  # `*`: the entries are an IOA observer's (payload `ioa: true`, not the goal's data)
        self.ioa_session: str | None = None  # an IOA run's `session`: the primary's open one, or a run id

    @property
    def board(self) -> Host:
        return host(self)

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="sheet"):
            yield Label(Text(clean(f"Log for {self.label}")), id="sheet-title")
            yield Label(Text(IOA_BANNER), id="sheet-ioa")
            yield Static("", id="sheet-about")  # the behavior's definition and function, during an ABC
            yield Static("", id="sheet-body")
            yield Input(placeholder="note (optional) — Enter saves", id="sheet-note", disabled=True)
            yield Label("", id="sheet-error")
            yield Label("", id="sheet-hint")

    def on_mount(self) -> None:
        snapshot = self.board.snapshot
        self._plan = snapshot.classroom.plans.get(self.student) if snapshot else None
        plan = self._plan
        # a retired goal is not offered (its data stays in the reports)
        goals = plan.current(self.board.room.clock().date()) if plan else ()
        tracked = {g.behavior for g in goals if g.kind == "abc"}
        extra = [b for b in (plan.behaviors if plan else ()) if b.id not in tracked]
        by_id = {b.id: b for b in (plan.behaviors if plan else ())}
        self.items = [Item(k, g, by_id.get(g.behavior or "") if g.kind == "abc" else None)
                      for k, g in zip(PICK_KEYS, goals)]
        self.items += [Item(k, None, b) for k, b in zip(PICK_KEYS[len(self.items):], extra)]
        if self.student not in self.trial_goals:
            trials = [g.id for g in goals if g.kind == "trials"]
            state = self.board.state
            mine = [d.goal for d in (state.data_due if state else ())
                    if d.student == self.student and d.staff == self.board.me_id and d.goal in trials]
            if mine or trials:
                self.trial_goals[self.student] = (mine or trials)[0]
        self.paint()
        became_ready(self)  # the keys typed before the sheet was up, in order

    # -- what is on screen ---------------------------------------------------------------------
    def paint(self) -> None:
        body, hint = Text(), ""
        if self.stage == "goals":
            hint = self._paint_goals(body)
        elif self.stage == "trial":
            hint = self._paint_trial(body)
        elif self.stage == "run":
            hint = self._paint_run(body)
        elif self.stage == "intervals":
            hint = self._paint_intervals(body)
        elif self.stage == "steps":
            hint = self._paint_steps(body)
        else:
            hint = self._paint_abc(body)
        about = self.query_one("#sheet-about", Static)
        about.display = self.behavior is not None
        if self.behavior is not None:
            b = self.behavior
            text = Text()
            text.append(clean(b.name), style="bold")
            text.append(f" — likely function: {clean(b.function)}\n", style="bold")
            text.append(clean(b.definition, limit=400), style="italic")
            about.update(text)
        body.rstrip()
        self.query_one("#sheet-title", Label).update(Text(clean(f"Log for {self.label}")
                                                          + (" · IOA observer" if self.ioa else "")))
        self.query_one("#sheet-ioa", Label).set_class(self.ioa, "-shown")
        self.query_one("#sheet-body", Static).update(body)
        self.query_one("#sheet-hint", Label).update(Text(hint))
        note = self.query_one("#sheet-note", Input)
        note.disabled = self.stage != "note"
        note.display = self.stage == "note"
        if self.stage == "note":
            note.focus()

    def _today(self) -> list:
        snapshot, state = self.board.snapshot, self.board.state
        if snapshot is None or state is None:
            return []
        today = state.now.date()
        return [e for e in live_events(e for e in snapshot.screened().events if e.time.date() == today)
                if e.payload.get("student") == self.student]

    def _paint_goals(self, body: Text) -> str:
        if not self.items:
            body.append(f"No goals or behaviors in students/{clean(self.student)}.toml.", style="dim")
            return "Esc closes"
        todays = self._today()
        counts: dict[str, int] = {}
        for e in todays:
            if e.type in ("data", "timer.stop") and not is_ioa(e):  # a second adult's IOA record is not data
                counts[str(e.payload.get("goal"))] = counts.get(str(e.payload.get("goal")), 0) + 1
            elif e.type == "abc":
                counts["abc:" + str(e.payload.get("behavior"))] = counts.get("abc:" + str(e.payload.get("behavior")),
                                                                             0) + 1
        timers = {t.goal: t for t in running_timers(todays)}
        pointed = self.trial_goals.get(self.student)
        week = self.board.snapshot.classroom.week_plan if self.board.snapshot else None
        this_week = week.of(self.student) if week is not None else None
        priority = this_week.priority if this_week else ()
        for item in self.items:
            g = item.goal
            mark = "▶" if g is not None and g.id == pointed else " "
            body.append(f"{mark}{item.key} ", style="bold")
            if g is None:
                b = item.behavior
                assert b is not None
                # no goal id: the id column is kept, so the kind and name line up with the goals'
                body.append(f"{'—':<10} ", style="dim")
                body.append(f"{'ABC':<16}", style="dim")
                body.append(clean(b.name, limit=40))
                n = counts.get(f"abc:{b.id}", 0)
            else:
                body.append(f"{clean(g.id, limit=10):<10} ", style="bold")
                body.append(f"{KIND_LABEL.get(g.kind, g.kind):<16}", style="dim")
                title = item.behavior.name if item.behavior else g.title
                body.append(clean(title, limit=60))
                n = counts.get(f"abc:{g.behavior}" if g.kind == "abc" else g.id, 0)
                if g.id in timers:
                    body.append(f"  ⏱ running since {timers[g.id].started:%H:%M}", style="bold")
                ioa_since = self.ioa_timers.get(self._ioa_key(g))
                if ioa_since is not None:
                    body.append(f"  ⏱ IOA timer since {ioa_since:%H:%M:%S} ({IOA_KEY} and its key stop it)",
                                style="bold")
            if n:
                body.append(f"  · {n} today", style="dim")
            if g is not None and g.id in priority:
                body.append("  ★ priority this week", style="bold")
            body.append("\n")
        hint = "a goal's key logs it" + (" as IOA" if self.ioa else "")
        if pointed:
            hint += f" · + or − : a trial for {clean(pointed)} (▶)"
        return hint + f" · u undo · {IOA_KEY} IOA{' off' if self.ioa else ''} · Esc closes"

    def _prompt_row(self, body: Text, none: bool = False) -> None:
        prompts = self.board.snapshot.classroom.prompts if self.board.snapshot else ()
        keys = prompt_keys(prompts)
        letters = [(k, p) for k, p in keys.items() if not k.isdigit()] or list(keys.items())
        for k, p in letters:
            body.append(f" {k} ", style="bold reverse")
            body.append(f" {clean(p)}  ")
        if none:
            body.append(" 0 ", style="bold reverse")
            body.append(" no prompt")

    def _paint_trial(self, body: Text) -> str:
        g = self.goal
        assert g is not None
        body.append(f"{clean(g.id)}: {clean(g.title, limit=60)}\n", style="bold")
        body.append("A trial: " + ("+ correct" if self.value == "+" else "− incorrect") + ". Prompt level?\n")
        self._prompt_row(body, none=self.value == "-")
        return "most intrusive first · the digits 1… work too · Esc back"

    def _paint_run(self, body: Text) -> str:
        g = self.goal
        assert g is not None
        body.append(f"{clean(g.id)}: {clean(g.title, limit=60)}\n", style="bold")
        body.append(run_summary(self.run) + "\n", style="bold")
        body.append("Next trial: " + (f"at {clean(self.run_prompt)}, " if self.run_prompt else "")
                    + "+ correct or − incorrect; the prompt level's key first if prompted\n")
        self._prompt_row(body)
        return "+ alone: independent · u undoes the last trial · Esc ends the run"

    def _paint_intervals(self, body: Text) -> str:
        g = self.goal
        assert g is not None
        kind = "momentary time sampling" if g.kind == "mts" else f"{g.interval_type or 'partial'} interval"
        body.append(f"{clean(g.id)}: {clean(g.title, limit=60)}\n", style="bold")
        question = QUESTION["mts" if g.kind == "mts" else (g.interval_type or "partial")]
        body.append(f"{kind}, every {g.interval_seconds or 10} s: {question}\n", style="dim")
        body.append(interval_summary(self.intervals) + "\n", style="bold")
        body.append(f"Interval {len(self.intervals) + 1}: ")
        for k, what in (("+", "occurred"), ("-", "did not occur"), ("0", "not observed")):
            body.append(f" {k} ", style="bold reverse")
            body.append(f" {what}  ")
        return "u undoes the last interval · t: the board keeps the time and prompts · Esc ends the run"

    def _paint_steps(self, body: Text) -> str:
        g = self.goal
        assert g is not None
        body.append(f"{clean(g.id)}: {clean(g.title, limit=60)}\n", style="bold")
        for i, name in enumerate(g.steps, 1):
            here = i == self.step
            mark = "▶" if here else " "
            done = self.step_marks.get(i)
            body.append(f"{mark}{i:>2} {clean(name, limit=50)}", style="bold" if here else "")
            if done:
                body.append(f"  {clean(done)}", style="bold")
            body.append("\n")
        body.append(f"Step {self.step}: prompt level?\n")
        self._prompt_row(body)
        body.append(" - ", style="bold reverse")
        body.append(" not done")
        return "one key per step · u undoes the last step · Esc done"

    def _pick_list(self) -> tuple[str, ...]:
        b = self.behavior
        assert b is not None
        return {"antecedent": b.antecedents, "consequence": b.consequences, "setting": b.settings}.get(
            self.stage, ())

    def _paint_abc(self, body: Text) -> str:
        for field in ("antecedent", "consequence", "setting"):
            if field in self.picked:
                body.append(f"{field.capitalize()}: ", style="dim")
                body.append(clean(self.picked[field] or "—", limit=60) + "\n")
        if self.stage == "note":
            return "type a note if you like · Enter saves the record · Esc back"
        now = self.setting_now() if self.stage == "setting" else None
        marked = self.marked()
        body.append(f"{self.stage.capitalize()}?\n", style="bold")
        for k, text in zip(PICK_KEYS, self._pick_list()):
            body.append(f"{'▶' if text == marked else ' '}{k} ", style="bold")
            body.append(clean(text, limit=60) + ("  (now)" if text == now else "") + "\n")
        body.append(" 0 ", style="bold")
        body.append("skip\n", style="dim")
        if self.stage == "setting":
            where = " (where the student is now)" if now is not None else ""
            return (f"Enter: {clean(marked or '', limit=40)}{where}, and save · a key picks, then a note"
                    " · Esc back")
        return f"Enter: {clean(marked or '', limit=40)} · or one key · Esc back"

    def marked(self) -> str | None:
        """The choice ▶ marks on the list on screen, the one Enter takes: the setting that fits the
        student's block now, else (and on the other lists) the list's first."""
        choices = self._pick_list()
        if not choices:
            return None
        return (self.setting_now() if self.stage == "setting" else None) or choices[0]

    def setting_now(self) -> str | None:
        """The behavior's setting that fits the student's block now: the activity of the adult
        with them, the block's activity, or where they are (the first of the pick list that matches)."""
        b, state, snapshot = self.behavior, self.board.state, self.board.snapshot
        if b is None or state is None or snapshot is None or not b.settings:
            return None
        row = next((r for r in state.students if r.id == self.student), None)
        with_them = [c.activity for c in state.staff if self.student in c.with_ and c.activity]
        labels = {loc.id: loc.label for loc in snapshot.classroom.locations}
        said = [*with_them, *([state.block.activity] if state.block else []),
                *([labels.get(row.location, row.location)] if row is not None else [])]
        said = [w.casefold() for w in said if w]
        for setting in b.settings:  # the same words first
            if setting.casefold() in said:
                return setting
        for setting in b.settings:  # then one inside the other ("Math" and "Math groups")
            if any(setting.casefold() in w or w in setting.casefold() for w in said):
                return setting
        return None

    def error(self, message: str) -> None:
        label = self.query_one("#sheet-error", Label)
        label.update(Text(clean(message)))
        label.set_class(bool(message), "-shown")

    # -- keys -------------------------------------------------------------------------------------
    takes_ready = False  # paratui.app.typeahead: up, and not yet closed

    async def take_key(self, key: str, character: str | None) -> None:
        """One key, in the order typed (paratui.app.typeahead); each is looked at once the one
        before it is written."""
        note = self.query_one("#sheet-note", Input)
        if self.stage == "note":  # the note field takes every key; Enter saves, Escape goes back
            if key == "escape":
                await self.action_back()
            elif key == "enter":
                await self._save_abc(note.value)
            elif character is not None and character.isprintable() and len(character) == 1:
                note.insert_text_at_cursor(character)
            elif key in EDITS:
                getattr(note, "action_" + EDITS[key])()
            return
        if key == "escape":
            await self.action_back()
            return
        char = character if character is not None and character.isprintable() and len(character) == 1 else None
        self.error("")
        if key == "enter" and self.stage in ("antecedent", "consequence", "setting") and self.marked():
            self.picked[self.stage] = self.marked()  # the choice marked ▶
            if self.stage == "setting":  # the last list: Enter saves (no note)
                await self._save_abc("")
                if self.closed:
                    return
            else:
                self._next_abc_stage()
        elif char is None:
            refuse(self, key, self.expected())
        elif self.stage == "goals":
            await self._goals_key(char)
        elif self.stage == "trial":
            await self._trial_key(char)
        elif self.stage == "run":
            await self._run_key(char)
        elif self.stage == "intervals":
            await self._interval_key(char)
        elif self.stage == "steps":
            await self._step_key(char)
        else:
            self._pick_key(char)
        if not self.closed:
            self.paint()

    def expected(self) -> str:
        """What a key here may be, for a refused one."""
        if self.stage == "goals":
            return f"a goal's key, + or − for ▶, {IOA_KEY} IOA observer, u undoes, Esc closes"
        if self.stage == "run":
            letters = " ".join(self._prompt_letters())
            return f"+ or −, the prompt level's key ({letters}) before it, u undo, Esc ends"
        if self.stage == "intervals":
            return "+ occurred, − did not, 0 not observed, u undo, t the board keeps the time, Esc ends"
        if self.stage == "trial":
            return "the prompt level's key (" + " ".join(self._prompt_letters()) + "), Esc back"
        if self.stage == "steps":
            letters = " ".join(self._prompt_letters())
            return f"the step's prompt level ({letters}), - not done, u undoes the last step, Esc done"
        return "a choice's key, Enter the one marked ▶, 0 skips, Esc back"

    def _prompt_letters(self) -> list[str]:
        prompts = self.board.snapshot.classroom.prompts if self.board.snapshot else ()
        keys = prompt_keys(prompts)
        return [k for k in keys if not k.isdigit()] or list(keys)

    async def _goals_key(self, char: str) -> None:
        if char in ("u", IOA_KEY):  # undo; the IOA observer on or off
            await (self._undo() if char == "u" else self._toggle_ioa())
            return
        if char in "+=-":
            pointed = self._plan.goal(self.trial_goals.get(self.student, "")) if self._plan else None
            if pointed is None:
                self.error("no trials goal for this student: pick a goal by its key")
                return
            self.goal, self.value, self.stage = pointed, "-" if char == "-" else "+", "trial"
            self.paint()
            return
        item = self._item(char)
        if item is None:
            return
        g = item.goal
        if g is None or g.kind == "abc":
            if item.behavior is None:
                self.error("this ABC goal's behavior is not defined in the student's file")
                return
            self.goal, self.behavior, self.stage = g, item.behavior, "antecedent"
            self._skip_empty_lists()
        elif g.kind == "tally":
            if await self._record(lambda ctx: data_commands.log(ctx, self.student, g.id, ioa=self.ioa)):
                self.close(None)
                return
        elif g.kind == "trials":
            self.trial_goals[self.student] = g.id  # ▶ moves here, and a run of trials starts
            if not await self._open(g):
                return
            self.goal, self.stage, self.run, self.run_prompt, self.run_events = g, "run", [], None, []
        elif g.kind in TIMED:
            if await self._timer_key(g):
                self.close(None)
                return
        elif g.kind == "task_analysis":
            try:
                self.step = data_commands.next_step(self._ctx(), self.student, g.id, ioa=self.ioa)
            except Refused as e:
                self.error(e.message)
                return
            if not await self._open(g):
                return
            self.goal, self.stage, self.step_marks, self.step_events = g, "steps", {}, {}
        elif g.kind in ("interval", "mts"):
            if not await self._open(g):
                return
            self.goal, self.stage, self.intervals, self.run_events = g, "intervals", [], []
        self.paint()

    def _item(self, char: str) -> Item | None:
        """The goal list's line of that key; None (refused, and said) for none, or one an IOA observer
        cannot record."""
        item = next((i for i in self.items if i.key == char.lower()), None)
        if item is None:
            refuse(self, char, self.expected())
        return None if item is None or self._not_for_ioa(item.goal) else item

    async def _toggle_ioa(self) -> bool:
        self.ioa = not self.ioa
        return self.ioa

    def _not_for_ioa(self, g: Goal | None) -> bool:
        """An IOA observer's key for what has no IOA on the sheet (an ABC record): said, refused."""
        if not self.ioa or (g is not None and g.kind != "abc"):
            return False
        self.error("IOA observer: an ABC record has no IOA")
        return True

    async def _timer_key(self, g: Goal) -> bool:
        """A duration or latency goal's key: its timer started or stopped (an IOA observer's own, in
        IOA mode); True when the sheet is done."""
        if self.ioa:
            return await self._ioa_timer(g)
        if self._ioa_key(g) in self.ioa_timers:
            self.error(f"your IOA timer of {clean(g.id)} is running: {IOA_KEY} then its key stops it")
            return False
        running = any(t.goal == g.id for t in running_timers(self._today()))
        make = data_commands.timer_stop if running else data_commands.timer_start
        return await self._record(lambda ctx: make(ctx, self.student, g.id))

    def _ioa_key(self, g: Goal) -> tuple[str, str, str]:
        return self.board.me_id or "", self.student, g.id

    async def _ioa_timer(self, g: Goal) -> bool:
        """An IOA observer's timer of a duration or latency goal: the first press starts it (kept by
        this board: nothing is written, and the primary's timer is not touched), the second stops it
        and writes the IOA observation, the seconds between, as `paratui log STUDENT GOAL SECONDS
        --ioa` does (the same command). Its `session` is the one another adult has open of the goal
        now (paired exactly), else none (paired by time). True when the sheet is done."""
        key = self._ioa_key(g)
        started = self.ioa_timers.get(key)

        def observation(ctx: Context) -> Change:
            seconds = 0.0 if started is None else max(0.0, round(elapsed(started, ctx.now), 1))
            ctx = knowing(ctx, *RunSession.written.get(self.board.room, ()))
            theirs = [m for m in open_sessions(ctx.events, self.student, g.id, day=ctx.now.date())
                      if m.staff != ctx.actor]
            return data_commands.log(ctx, self.student, g.id, f"{seconds:.1f}",
                                     session=theirs[-1].id if theirs else None, ioa=True)

        if started is None:  # checked as the stop will be (who may record it, and not the primary's own)
            acting, snapshot, me = self.board.acting, self.board.snapshot, self.board.me_id
            try:
                if acting is not None and acting.read_only:
                    raise Refused(acting.refusal or "this board is read-only")
                if me is None or snapshot is None:
                    raise Refused("choose who you are first (i)")
                ctx = self._ctx()
                observation(ctx)
            except Refused as e:
                self.error(e.message)
                return False
            self.ioa_timers[key] = ctx.now
            self.board.toast(f"IOA timer started: {clean(self.label)} · {clean(g.id)} at {ctx.now:%H:%M:%S} "
                             f"({g.kind}; the same keys, {IOA_KEY} first, stop it) · never in the goal's data")
            return True
        if not await self._record(observation):
            return False
        self.ioa_timers.pop(key, None)
        return True

    async def _trial_key(self, char: str) -> None:
        g = self.goal
        assert g is not None
        prompts = self.board.snapshot.classroom.prompts if self.board.snapshot else ()
        level = prompt_keys(prompts).get(char.lower())
        if level is None and not (char == "0" and self.value == "-"):
            refuse(self, char, self.expected())
            return
        value = self.value
        if await self._record(lambda ctx: data_commands.log(ctx, self.student, g.id, value, level, ioa=self.ioa)):
            self.close(None)

    async def _run_key(self, char: str) -> None:
        """A run of trials: a prompt level's key waits for the + or − after it, which writes the trial."""
        g = self.goal
        assert g is not None
        if char == "u":
            if not self.run:
                refuse(self, char, "nothing in this run to undo: + or −, Esc ends the run")
            elif await self._retract(self.run_events[-1]):
                self.run.pop()
                self.run_events.pop()
            return
        if char in "+=-":
            value, level = ("-" if char == "-" else "+"), self.run_prompt
            if await self._record(lambda ctx: self._in_run(ctx, g, value, level)):
                snapshot = self.board.snapshot
                independent = snapshot.classroom.independent if snapshot else None
                self.run.append((value, level or (independent if value == "+" else None)))
                self.run_events.append(self.board.last_written)
                self.run_prompt = None
            return
        prompts = self.board.snapshot.classroom.prompts if self.board.snapshot else ()
        level = prompt_keys(prompts).get(char.lower())
        if level is None:
            refuse(self, char, self.expected())
            return
        self.run_prompt = level

    async def _interval_key(self, char: str) -> None:
        """A run of intervals: one key per interval, written as typed."""
        g = self.goal
        assert g is not None
        if char == "u":
            if not self.intervals:
                refuse(self, char, "nothing in this run to undo: + or −, Esc ends the run")
            elif await self._retract(self.run_events[-1]):
                self.intervals.pop()
                self.run_events.pop()
            return
        if char == "t" and self.ioa:
            refuse(self, char, "IOA observer: you keep the time (the docked session is a primary observer's)")
            return
        if char == "t":  # the timed session is a session of its own (this run's ends here)
            await self._end_run()
            self.close(StartSession(self.student, g.id))
            return
        value = INTERVAL_KEYS.get(char)
        if value is None:
            refuse(self, char, self.expected())
            return
        if await self._record(lambda ctx: self._in_run(ctx, g, value)):
            self.intervals.append(value)
            self.run_events.append(self.board.last_written)

    async def _step_key(self, char: str) -> None:
        g = self.goal
        assert g is not None
        if char == "u":
            last = self.step - 1
            if last not in self.step_marks:  # no step of this run written here
                refuse(self, char, "no step of this run to undo: a step's prompt level, - not done, Esc done")
            elif await self._retract(self.step_events.get(last)):  # that very step, by its id
                self.step = last
                self.step_marks.pop(last, None)
                self.step_events.pop(last, None)
            return
        prompts = self.board.snapshot.classroom.prompts if self.board.snapshot else ()
        level = "-" if char == "-" else prompt_keys(prompts).get(char.lower())
        if level is None:
            refuse(self, char, self.expected())
            return
        step = self.step
        if await self._record(lambda ctx: self._in_run(ctx, g, level, step=str(step))):
            self.step_marks[step] = "not done" if level == "-" else level
            self.step_events[step] = self.board.last_written
            if step >= len(g.steps):  # the chain's last step ends the run
                await self._end_run()
                self._steps_toast()
                self.close(None)
                return
            self.step = step + 1
        self.paint()

    def _pick_key(self, char: str) -> None:
        choices = self._pick_list()
        if char == "0":
            self.picked[self.stage] = None
        elif char.lower() in PICK_KEYS[:len(choices)]:
            index = PICK_KEYS.index(char.lower())
            self.picked[self.stage] = choices[index]
        else:
            refuse(self, char, self.expected())
            return
        self._next_abc_stage()
        self.paint()

    def _next_abc_stage(self) -> None:
        order = ["antecedent", "consequence", "setting", "note"]
        self.stage = order[order.index(self.stage) + 1]
        self._skip_empty_lists()

    def _skip_empty_lists(self) -> None:
        while self.stage != "note" and not self._pick_list():
            self.picked[self.stage] = None
            self.stage = {"antecedent": "consequence", "consequence": "setting", "setting": "note"}[self.stage]

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self._save_abc(event.value)

    async def _save_abc(self, note: str) -> None:
        if self.busy or self.behavior is None:
            return
        b, picks = self.behavior, dict(self.picked)

        def pick(field: str) -> str | None:  # by position: a pick-list entry that is a number stays itself
            lst = {"antecedent": b.antecedents, "consequence": b.consequences, "setting": b.settings}[field]
            chosen = picks.get(field)
            return str(lst.index(chosen) + 1) if chosen in lst else None

        if await self._record(lambda ctx: data_commands.abc(
                ctx, self.student, b.id, pick("antecedent"), pick("consequence"), pick("setting"), note or None)):
            self.close(None)

    # -- writing ------------------------------------------------------------------------------
    def _ctx(self) -> Context:
        board = self.board
        return board.room.context(board.me_id or "", board.snapshot)

    async def _record(self, make: Callable[[Context], Change | None]) -> bool:
        """One entry through the board's write path; a refusal stays on the sheet. In a run (of trials,
        intervals or steps) the sheet shows each entry itself: no toast per entry to cover it."""
        self.busy = True
        try:
            refusal = await self.board.submit(make, quiet=self.stage in ("run", "intervals", "steps"))
        finally:
            self.busy = False
        if refusal is not None:
            self.error(refusal[1])
            return False
        return True

    async def _open(self, g: Goal) -> bool:
        """A run opens: its session begins (`session.start`); refused, the sheet stays on its goals.
        An IOA observer's run is no session of the goal: its entries go to the session another adult
        has open of the goal now (the primary record it checks), else to a run id of its own."""
        if self.ioa:
            me = self.board.me_id
            ctx = knowing(self._ctx(), *RunSession.written.get(self.board.room, ()))
            theirs = [m for m in open_sessions(ctx.events, self.student, g.id, day=ctx.now.date()) if m.staff != me]
            self.ioa_session = theirs[-1].id if theirs else f"run-{secrets.token_hex(6)}"
            return True
        self.observation = RunSession(self.board, self.student, g)
        self.busy = True
        try:
            refusal = await self.observation.begin()
        finally:
            self.busy = False
        if refusal is not None:
            self.observation = None
            self.error(refusal[1])
            return False
        return True

    def _in_run(self, ctx: Context, g: Goal, value: str, prompt: str | None = None,
                step: str | None = None) -> Change:
        """One entry of the open run, in its session (an IOA observer's: the session it checks)."""
        run = self.observation
        if self.ioa:
            return data_commands.log(knowing(ctx, *RunSession.written.get(self.board.room, ())), self.student,
                                     g.id, value, prompt, step=step, session=self.ioa_session, ioa=True)
        return data_commands.log(run.context(ctx) if run else ctx, self.student, g.id, value, prompt,
                                 step=step, session=run.id if run else None)

    def _run_entries(self) -> int:
        """The entries of the open run still standing (undone ones are gone from these lists)."""
        return {"run": len(self.run), "intervals": len(self.intervals), "steps": len(self.step_marks)}.get(
            self.stage, 0)

    async def _end_run(self) -> None:
        """The run ends: its session ends (`session.end`), or, with no entry, is taken back."""
        run, self.observation = self.observation, None
        if run is not None:
            self.busy = True
            try:
                await run.end(self._run_entries())
            finally:
                self.busy = False

    async def _undo(self) -> bool:
        """The board's undo, of an entry: a run's session.start or session.end is never what `u` takes back."""
        def make(ctx: Context) -> Change | None:
            entries = tuple(e for e in ctx.events if e.type not in SESSION_TYPES)
            return commands.undo(Context(ctx.classroom, ctx.schedule, entries, ctx.now, ctx.actor, ctx.permit,
                                         login=ctx.login, host=ctx.host))

        return await self._record(make)

    async def _retract(self, written: Event | None) -> bool:
        """Undo one entry this sheet wrote, by its id (the board may not have re-read it yet)."""
        if written is None:
            return await self._undo()

        def make(ctx: Context) -> Change:
            return commands.retract(knowing(ctx, written), written.id)

        return await self._record(make)

    def on_unmount(self) -> None:
        """The board closed with a run open (quitting, its terminal gone): the run's session ends."""
        run, self.observation = self.observation, None
        if run is not None:
            run.end_now(self._run_entries())

    def close(self, result: StartSession | None) -> None:
        if not self.closed:  # once: a second dismiss would pop the screen below
            self.closed = True
            self.takes_ready = False
            self.dismiss(result)

    def _steps_toast(self) -> None:
        """The steps this chain wrote, in one toast ("K.B. (2) · wash: 1 I · 2 V · 3 not done")."""
        if self.step_marks and self.goal is not None:
            marks = " · ".join(f"{i} {clean(m)}" for i, m in sorted(self.step_marks.items()))
            what = "IOA steps" if self.ioa else "Steps"
            self.board.toast(f"{what} recorded: {clean(self.label)} · {clean(self.goal.id)}: {marks}")

    def _run_word(self) -> str:
        return "IOA run" if self.ioa else "Run"

    async def action_back(self) -> None:
        if self.stage in ("run", "intervals", "steps"):
            await self._end_run()
        if self.stage == "run" and self.run and self.goal is not None:
            self.board.toast(f"{self._run_word()} ended: {clean(self.label)} · {clean(self.goal.id)}: "
                             f"{run_summary(self.run)}")
        if self.stage == "intervals" and self.intervals and self.goal is not None:
            self.board.toast(f"{self._run_word()} ended: {clean(self.label)} · {clean(self.goal.id)}: "
                             f"{interval_summary(self.intervals)}")
        if self.stage == "steps":
            self._steps_toast()
        if self.stage in ("goals", "steps", "run", "intervals"):
            self.close(None)
            return
        self.stage, self.behavior, self.picked, self.goal = "goals", None, {}, None
        self.paint()
