"""An interval-recording or momentary-time-sampling session, docked at the bottom of the board while
it runs (the board stays live and its keys keep working). An interval goal's key opens a run of
intervals in the logging sheet (the para keeps the time: one key per interval); its `t` hands it here,
where the board keeps the time.

At the end of each interval (the goal's `interval_seconds`, a Textual timer) the session prompts, on
screen and with the terminal bell. One key records the observation: `+` (or `=`, the same key unshifted)
it happened, `-` it did not. A prompt still unanswered when the next one comes is recorded as `missed`
(an event too), and so is one left open when the session ends (`x`). Each answer is one `data` event
through the same command as `paratui log STUDENT GOAL +|-|missed`.

`advance()` is what the timer calls: tests call it directly, so no test waits on a clock.

Each run on the board (this session, a logging sheet's run of trials, of intervals or of a task
analysis's steps) is one declared observation session (docs/reports.md, "What a session is"),
`RunSession`: opening the run writes a `session.start` (the same command as `paratui session start`,
with the setting the student is in now), its entries carry that event's id in their payload's
`session`, and ending it writes the `session.end`. A run ended with no entry leaves no session: its
start is retracted (an observation of trials, intervals or steps with none taken is no observation).
"""

from __future__ import annotations

import weakref

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from paratui.app.host import Host, host
from paratui.model import commands, data_commands
from paratui.model.commands import Change, Context
from paratui.model.datalog import open_sessions
from paratui.model.events import Event
from paratui.model.goals import Goal
from paratui.model.text import clean
from paratui.store.room import Room

KEYS = {"+": "+", "=": "+", "-": "-", "x": "end"}
QUESTION = {"partial": "did it happen at any time in that interval?",
            "whole": "did it last the whole interval?",
            "mts": "is it happening right now?"}


def setting_now(board: Host, student: str) -> str | None:
    """Where the student is observed now, in words: the activity of the adult with them, else the
    block's activity, else where they are (a place's label); a student out of the room is where they are."""
    state, snapshot = board.state, board.snapshot
    if state is None or snapshot is None:
        return None
    row = next((r for r in state.students if r.id == student), None)
    labels = {loc.id: loc.label for loc in snapshot.classroom.locations}
    where = labels.get(row.location, row.location) if row is not None else None
    if row is not None and row.out:
        return where or None
    with_them = [c.activity for c in state.staff if student in c.with_ and c.activity]
    said = [*with_them, *([state.block.activity] if state.block and state.block.activity else []),
            *([where] if where else [])]
    return clean(said[0], limit=60) if said else None


def knowing(ctx: Context, *written: Event | None) -> Context:
    """`ctx` with events this board wrote and may not have re-read yet (a run's session.start, an entry
    to retract)."""
    have = {e.id for e in ctx.events}
    extra = tuple(e for e in written if e is not None and e.id not in have)
    if not extra:
        return ctx
    return Context(ctx.classroom, ctx.schedule, (*ctx.events, *extra), ctx.now, ctx.actor, ctx.permit,
                   login=ctx.login, host=ctx.host)


class RunSession:
    """The observation session of one run on the board: `begin` when the run opens (a `session.start`,
    or, when the acting adult already has a session of this goal open, from `paratui session start`
    or a board that was killed mid-run, that one), `end` when it ends (a `session.end`; with no entry,
    the start this run wrote is retracted instead, and a session it joined is left as it was)."""

    # the session events this board wrote lately: a command sees them even before the board has re-read
    # them (a run's start, or the end of the run before it, typed in the same burst)
    written: weakref.WeakKeyDictionary[Room, list[Event]] = weakref.WeakKeyDictionary()  # per room

    def __init__(self, board: Host, student: str, goal: Goal) -> None:
        self.board = board
        self.student = student
        self.goal = goal
        self.id: str | None = None  # the session's id: what the run's entries carry in `session`
        self.start: Event | None = None  # the session.start this run wrote (None: it joined an open one)
        self.ended = False

    async def begin(self) -> tuple[str | None, str] | None:
        """Open the run's session; a refusal as `submit` gives it (the run does not open then)."""
        snapshot, me = self.board.snapshot, self.board.me_id
        ctx = self.context(self.board.room.context(me, snapshot)) if snapshot and me else None
        mine = open_sessions(ctx.events, self.student, self.goal.id, me, ctx.now.date()) if ctx and me else []
        if mine:
            self.id = mine[-1].id
            return None
        setting = setting_now(self.board, self.student)
        refusal = await self.board.submit(
            lambda ctx: data_commands.session_start(self.context(ctx), self.student, self.goal.id, setting),
            quiet=True)
        if refusal is None and self.board.last_written is not None:
            self.start = self.board.last_written
            self.id = self.start.id
            self._wrote()
        return refusal

    def _wrote(self) -> None:
        if self.board.last_written is not None:
            mine = RunSession.written.setdefault(self.board.room, [])
            mine[:] = [*mine[-15:], self.board.last_written]

    def context(self, ctx: Context) -> Context:
        """The context an entry of the run is checked against: with the run's session.start in it (and
        the session events this board wrote lately)."""
        return knowing(ctx, *RunSession.written.get(self.board.room, ()), self.start)

    async def end(self, entries: int) -> None:
        """The run ended with `entries` entries still standing (undone ones not counted)."""
        if self.ended or self.id is None:
            return
        self.ended = True
        sid = self.id
        if entries == 0:
            if self.start is not None:  # nothing observed: no session at all
                start = self.start
                if await self.board.submit(lambda ctx: self._retract(ctx, start), quiet=True) is None:
                    self._wrote()
            return
        ended = await self.board.submit(lambda ctx: data_commands.session_end(
            self.context(ctx), self.student, self.goal.id, session=sid), quiet=True)
        if ended is None:
            self._wrote()

    def end_now(self, entries: int) -> None:
        """`end`, written at once, off no thread: the board is closing with the run open (quitting, or
        its terminal gone). Nothing is said: there is no screen left to say it on."""
        board, me = self.board, self.board.me_id
        if self.ended or self.id is None or me is None or board.snapshot is None or (
                board.acting is not None and board.acting.read_only) or (entries == 0 and self.start is None):
            return
        self.ended = True
        ctx = self.context(board.room.context(me, board.snapshot))
        try:
            change = self._retract(ctx, self.start) if entries == 0 and self.start is not None else \
                data_commands.session_end(ctx, self.student, self.goal.id, session=self.id)
            board.room.apply(change, me)
        except Exception:  # noqa: BLE001  # refused or not written: the session stays open, as after a crash
            return

    def _retract(self, ctx: Context, start: Event) -> Change:
        return commands.retract(self.context(ctx), start.id)


class IntervalSession(Static):
    def __init__(self, student: str, initials: str, goal: Goal, *, id: str = "session") -> None:
        super().__init__("", id=id)
        self.student = student
        self.initials = initials
        self.goal = goal
        self.seconds = goal.interval_seconds or 10
        self.number = 0  # intervals ended so far
        self.pending: int | None = None  # the interval whose prompt is waiting for a key
        self.answers: list[str] = []
        self._timer: Timer | None = None
        self.ended = False
        self.observation: RunSession | None = None  # its session (on mount: the board is there then)

    @property
    def board(self) -> Host:
        return host(self)

    async def on_mount(self) -> None:
        self.observation = RunSession(self.board, self.student, self.goal)
        refusal = await self.observation.begin()
        if refusal is not None:
            self.board.toast(f"Session not started: {refusal[1]}", severity="error")
        kind = "MTS" if self.goal.kind == "mts" else f"{self.goal.interval_type or ''} interval"
        self.border_title = f"{kind}: {clean(self.initials)} · {clean(self.goal.id)} · every {self.seconds} s"
        self._timer = self.set_interval(self.seconds, self.advance)
        self.paint()

    def paint(self) -> None:
        text = Text()
        if self.pending is not None:
            question = QUESTION["mts" if self.goal.kind == "mts" else (self.goal.interval_type or "partial")]
            text.append(f" Interval {self.pending}: ", style="bold reverse")
            text.append(f" {clean(self.goal.title, limit=50)} — {question}  ", style="bold")
            text.append(" + ", style="bold reverse")
            text.append(" yes  ")
            text.append(" - ", style="bold reverse")
            text.append(" no\n")
        else:
            text.append(f"Watching interval {self.number + 1} ({self.seconds} s): "
                        f"{clean(self.goal.title, limit=60)}\n", style="italic")
        yes, no, missed = (self.answers.count(v) for v in ("+", "-", "missed"))
        text.append(f"{len(self.answers)} recorded: {yes} yes, {no} no, {missed} missed", style="dim")
        if yes + no:
            text.append(f" · {100 * yes // (yes + no)}% yes", style="dim")
        text.append(" · x ends the session", style="dim")
        self.update(text)

    async def advance(self) -> None:
        """An interval ended: an unanswered prompt is recorded as missed, then the next prompt."""
        if self.ended:
            return
        if self.pending is not None:
            await self._record("missed")
        self.number += 1
        self.pending = self.number
        self.app.bell()
        self.paint()

    async def key(self, char: str) -> bool:
        """A key pressed on the board while the session runs; True when it was the session's."""
        what = KEYS.get(char)
        if what is None:
            return False
        if what == "end":
            await self.end()
        elif self.pending is not None:
            await self._record(what)
            self.paint()
        else:
            self.board.toast(f"No prompt yet: the interval ends in at most {self.seconds} s.")
        return True

    async def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self._timer is not None:
            self._timer.stop()
        if self.pending is not None:
            await self._record("missed")
        yes, no, missed = (self.answers.count(v) for v in ("+", "-", "missed"))
        if self.observation is not None:
            await self.observation.end(len(self.answers))
        self.board.toast(f"Session ended: {clean(self.initials)} · {clean(self.goal.id)}: "
                         f"{yes} yes, {no} no, {missed} missed")
        await self.remove()

    def on_unmount(self) -> None:
        if not self.ended and self.observation is not None:  # the board closed with the session running
            self.observation.end_now(len(self.answers))

    async def _record(self, value: str) -> None:
        interval = self.pending
        self.pending = None
        run = self.observation
        refusal = await self.board.submit(lambda ctx: data_commands.log(
            run.context(ctx) if run else ctx, self.student, self.goal.id, value, session=run.id if run else None))
        if refusal is not None:
            self.board.toast(f"Interval {interval} not recorded: {refusal[1]}", severity="error")
            return
        self.answers.append(value)
