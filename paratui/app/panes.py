"""The board's panes. Each takes the whole BoardState and draws its part; none reads files.

The widgets they are (a Pane drawn whole, a LinePane drawn row by row) are in line_pane.py; styles
live in board_screen.tcss. Colours for out/over/overdue/uncovered are theme variables.
Every value from a file or the journal (initials, short names, activities, labels, task text) is
cleaned to one safe line and appended to a Rich `Text` as plain text: never markup, never terminal
control (see paratui.model.text).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from paratui.app.actions import student_key
from paratui.app.host import host
from paratui.app.line_pane import LinePane, Pane
from paratui.app.themes import board_color
from paratui.model.board import BoardState, StaffCard
from paratui.model.export import companions, location_label, short_id
from paratui.model.text import clean


def _block_of(state: BoardState) -> tuple:
    return (state.now.date(), state.block.start if state.block else None)


class AdultsPane(LinePane):
    """One card per adult, one line per fact (cut with "…", never wrapped into a narrow column):
    who, until when, doing what; then with whom and where; then their next block."""

    title = "Adults"

    def show(self, state: BoardState) -> None:
        initials = {s.id: clean(s.initials) for s in state.students}
        text = Text()
        for i, card in enumerate(state.staff):
            if i:
                text.append("\n")
            self._card(text, card, state, initials)
        self.update(text)

    def _card(self, text: Text, card: StaffCard, state: BoardState, initials: dict[str, str]) -> None:
        if card.source == "off":  # not in the schedule now: one quiet line
            text.append(clean(card.short), style="bold dim")
            text.append(f" {clean(card.activity.lower())}\n", style="dim")
            if card.next:
                text.append(f"  next {card.next.start:%H:%M} {clean(card.next.activity)}\n", style="dim")
            return
        loc = state.locations.get(card.location or "")
        # the out-of-room colour only for an adult who took students out (a move): a scheduled
        # place (lunch at the Cafeteria, a gen-ed class) is a normal state, and "—" has nobody
        away = card.source == "move" and loc is not None and not loc.in_room and bool(card.with_)
        when = ""
        if card.source == "move" and card.since:
            when = f" since {card.since:%H:%M}"
        elif card.until:
            when = f" →{card.until:%H:%M}"
        text.append(clean(card.short), style="bold")
        text.append(f"{when} {clean(card.activity)}\n", style="italic" if card.source == "assign" else "")
        if card.with_ or (card.location and card.source not in ("absent", "lent")):
            # an adult who is out or lent has no "with whom, where" line: nothing to show there
            who = " ".join(initials.get(x) or clean(x) for x in card.with_) or "—"
            text.append(f"  {who}", style="bold " + (board_color(self.app, "paratui-out") if away else ""))
            text.append(f" @ {location_label(state, card.location)}\n")
        if card.next:
            text.append(f"  next {card.next.start:%H:%M} {clean(card.next.activity)}\n", style="dim")


class StudentsPane(LinePane):
    title = "Students"

    def show(self, state: BoardState) -> None:
        # initials, then who they are with, then where: a narrow pane cuts the place, not the adult
        text = Text()
        uncovered = "bold " + board_color(self.app, "paratui-uncovered")
        out = board_color(self.app, "paratui-out")
        for i, s in enumerate(state.students, 1):
            style = ""
            if not s.covered:
                style = uncovered
            elif s.out and not s.placed:
                style = out
            text.append(f"{student_key(i) or ' '} {clean(s.initials):<5}", style="bold " + style)
            text.append(f" {companions(state, s)}", style=style or "bold")
            text.append(f" · {location_label(state, s.location)}\n", style=style or "dim")
        self.update(text)
        self._subtitle(f"{len(state.students)}")


class OutPane(LinePane):
    """Students who left the room and for how long (timed), then, dimmed and apart, the ones today's
    `assign` sent out with an adult (since when) and the ones the schedule places elsewhere now (a
    gen-ed class, lunch in the cafeteria): nobody needs to fetch those. Never "Everyone is in the
    room." above a list of students who are not."""

    title = "Out of room"
    reserve = 3
    holds = True

    def show(self, state: BoardState) -> None:
        self.hold_for(_block_of(state))
        timed = [s for s in state.out_of_room if not s.placed]
        assigned = [s for s in state.out_of_room if s.placed and s.placed_by == "assign"]
        placed = [s for s in state.out_of_room if s.placed and s.placed_by != "assign"]
        text = Text()
        for s in sorted(timed, key=lambda s: (not s.over, -(s.minutes_out or 0))):
            over = s.over
            style = ("bold reverse " + board_color(self.app, "paratui-over")) if over else \
                ("bold " + board_color(self.app, "paratui-out"))
            limit = f"/{s.expected_minutes}" if s.expected_minutes else ""
            minutes = f"{s.minutes_out}{limit}m" if s.minutes_out is not None else ""
            # initials, minutes, who with, then where: the numbers and the adult survive a narrow pane
            text.append(f"{clean(s.initials):<5}{minutes:>7} {'OVER ' if over else ''}", style=style)
            text.append(f"{companions(state, s, 'alone')}", style=style if over else "bold")
            text.append(f" · {location_label(state, s.location)}\n", style=style if over else "")
        if not timed:
            text.append("Everyone is in the room.\n" if not (assigned or placed) else "Nobody has stepped out.\n",
                        style="dim")
        if assigned:
            text.append("by today's assign:\n", style="dim italic")
            for s in assigned:
                since = f" since {s.since:%H:%M}" if s.since else ""
                text.append(f"{clean(s.initials):<5} {companions(state, s, 'alone')}"
                            f" · {location_label(state, s.location)}{since}\n", style="dim")
        if placed:
            text.append("by the schedule:\n", style="dim italic")
            for s in placed:
                text.append(f"{clean(s.initials):<5} {companions(state, s, 'alone')}"
                            f" · {location_label(state, s.location)}\n", style="dim")
        self.update(text)
        self._subtitle(str(len(timed)) if timed else "")
        self._alert(any(s.over for s in timed))


class UncoveredPane(LinePane):
    title = "Uncovered"
    reserve = 3
    holds = True

    def show(self, state: BoardState) -> None:
        self.hold_for(_block_of(state))
        rows = state.uncovered
        text = Text()
        for s in rows:
            text.append(f"{clean(s.initials):<5} {location_label(state, s.location)}: {clean(s.why_uncovered)}\n",
                        style="bold " + board_color(self.app, "paratui-uncovered"))
        if not state.in_session:
            text.append("Outside school hours: no coverage alarms.", style="dim")
        elif not rows:
            text.append("Every student has an adult.", style=board_color(self.app, "paratui-covered"))
        self.update(text)
        self._subtitle(str(len(rows)) if rows else "")
        self._alert(bool(rows))


class TasksPane(Pane):
    title = "Tasks"
    mine: str | None = None  # `y` on the board: only the tasks for this adult or claimed by them

    _inputs: tuple | None = None

    def show(self, state: BoardState) -> None:
        # a year holds hundreds of open tasks: most reloads change none of them, so the rows are
        # built again only when what they show changed (the rows carry their overdue flags)
        shorts = {s.id: s.short for s in state.staff}
        initials = {s.id: s.initials for s in state.students}
        inputs = (state.tasks, self.mine, state.now.date(), shorts, initials, self.app.theme)
        if inputs == self._inputs:
            return
        self._inputs = inputs
        text = Text()
        tasks = [t for t in state.tasks if self.mine is None or t.for_ == self.mine or t.claimed_by == self.mine]
        for t in tasks:
            if t.done:
                style = "dim strike"
            elif t.overdue:
                style = "bold " + board_color(self.app, "paratui-overdue")
            else:
                style = ""
            text.append(f"{clean(short_id(t.id))} ", style="dim")
            text.append(clean(t.text), style=style)
            extra = []
            if t.for_:
                extra.append(clean(shorts.get(t.for_, t.for_)))
            if t.about:
                extra.append(f"about {clean(initials.get(t.about, t.about))}")
            if t.claimed_by and not t.done:
                extra.append(f"{clean(shorts.get(t.claimed_by, t.claimed_by))} has it")
            if t.due:
                same_day = t.due.date() == state.now.date()
                extra.append(f"due {t.due:%H:%M}" if same_day else f"due {t.due:%a %d %b}")
            if t.overdue:
                extra.append("OVERDUE")
            if extra:
                text.append(f" · {' · '.join(extra)}", style=style or "dim")
            text.append("\n")
        if not tasks:
            text.append("No tasks for you." if self.mine else "No tasks.", style="dim")
        self.update(text)
        pending = sum(not t.done for t in tasks)
        overdue = sum(t.overdue for t in tasks)
        late = f", {overdue} overdue" if overdue else ""
        self._subtitle(("mine: " if self.mine else "") + f"{pending} open{late}")


def elapsed(seconds: float) -> str:
    """A running timer's time, m:ss ("1:10"; "75:03" past the hour): whole minutes lag a minute."""
    total = max(0, int(seconds))
    return f"{total // 60}:{total % 60:02d}"


class TimersPane(LinePane):
    """Running duration and latency timers (several at once, any student): shown only while one runs.
    They are journal events, so a board started later shows them too. Each shows its time in m:ss,
    redrawn every second from the board's clock while any runs (the board itself refolds by the minute)."""

    title = "Timers"
    _state: BoardState | None = None

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self._state is not None and self._state.timers:
            self._draw(self._state)

    def _now(self, state: BoardState) -> datetime:
        """The board's clock now, within the day the state was folded for (never before it)."""
        now = host(self).room.clock()
        return now if now.date() == state.now.date() and now >= state.now else state.now

    def show(self, state: BoardState) -> None:
        self._state = state
        self._draw(state)

    def _draw(self, state: BoardState) -> None:
        now = self._now(state)
        initials = {s.id: clean(s.initials) for s in state.students}
        shorts = {s.id: clean(s.short) for s in state.staff}
        text = Text()
        for t in state.timers:
            text.append(f"⏱ {initials.get(t.student, clean(t.student)):<5} {clean(t.goal)} ", style="bold")
            running = elapsed((now - t.started).total_seconds())
            text.append(running, style="bold " + board_color(self.app, "paratui-timer"))  # its own: not "out"
            if t.started.date() == state.now.date():
                text.append(f" since {t.started:%H:%M}")
            else:  # left running overnight: kept, and says since which day (`timer stop --end` stops it)
                text.append(f" since {t.started:%a %H:%M}: stop with --end", style="bold")
            if t.staff:
                text.append(f" · {shorts.get(t.staff, clean(t.staff))}", style="dim")
            text.append("\n")
        self.update(text)
        self._subtitle(f"{len(state.timers)} · t stops" if state.timers else "")
        if self.display != bool(state.timers):
            self.display = bool(state.timers)


class DataDuePane(LinePane):
    """Per adult in the data plans: each goal still without data today, the acting adult first and,
    for each adult, the goals collected in the current block ("▸", bold) first, then this week's
    priority goals ("★", the week's plan). A goal a decision rule fires for has "⚑" and the rule after it,
    short ("⚑ 3 below aim": paratui.app.decision_flags). Clears as entries arrive, from any board (it is
    drawn from the journal, like everything else)."""

    title = "Data due"
    me: str | None = None  # the acting adult, set by the board screen
    # (student, goal) → the decision rules firing, short ("3 below aim"): "⚑" and the rule after the
    # goal (paratui.app.decision_flags, set by the board screen)
    marks: dict[tuple[str, str], tuple[str, ...]] = {}

    _inputs: tuple | None = None

    def show(self, state: BoardState) -> None:
        activity = state.block.activity.casefold() if state.block else None
        # most writes (a move, a note) leave the data due as it was: nothing to build then
        inputs = (state.data_due, self.me, activity, state.in_session, tuple((s.id, s.short) for s in state.staff),
                  tuple((s.id, s.initials) for s in state.students), tuple(sorted(self.marks.items())))
        if inputs == self._inputs:
            return
        self._inputs = inputs
        initials = {s.id: clean(s.initials) for s in state.students}
        order = {s.id: i for i, s in enumerate(state.staff)}
        shorts = {s.id: clean(s.short) for s in state.staff}

        def now(when: str) -> bool:
            return activity is not None and bool(activity) and activity in when.casefold()

        by_staff: dict[str, list] = {}
        for d in state.data_due:
            by_staff.setdefault(d.staff, []).append(d)
        text = Text()
        for staff in sorted(by_staff, key=lambda x: (x != self.me, order.get(x, 99), x)):
            text.append(shorts.get(staff, clean(staff)), style="bold")
            text.append(" (you)" if staff == self.me else "", style="bold")
            text.append(f" {len(by_staff[staff])}\n", style="dim")
            for d in sorted(by_staff[staff], key=lambda d: (not now(d.when), d.priority is None)):
                hot = now(d.when)
                text.append("▸" if hot else " ", style="bold")
                text.append("★" if d.priority is not None else " ", style="bold")
                text.append(f"{initials.get(d.student, clean(d.student)):<5} {clean(d.goal)}",
                            style="bold" if hot else "")
                rules = self.marks.get((d.student, d.goal))
                if rules:  # "consider a change" (the decision rules, as the report and student screen): before
                    # the when and kind, so that a narrow pane still shows it
                    text.append(f" ⚑ {clean(', '.join(rules), limit=40)}", style="bold")
                if d.when:
                    text.append(f" · {clean(d.when)}", style="" if hot else "dim")
                text.append(f" · {clean(d.kind.replace('_', ' '))}", style="dim")
                text.append("\n")
        if not state.data_due:
            text.append("Nothing due: every goal in today's plans has data." if state.in_session or state.block
                        else "No data plan now.", style="dim")
        self.update(text)
        goals = len({(d.student, d.goal) for d in state.data_due})
        flagged = len({(d.student, d.goal) for d in state.data_due if self.marks.get((d.student, d.goal))})
        self._subtitle((f"{goals} goal{'s' if goals != 1 else ''}" if goals else "")
                       + (f" · ⚑ {flagged} consider a change" if flagged else ""))
