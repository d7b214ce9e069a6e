"""Every key of the board, listed once: the key bindings, the help page, the command palette and the
key bar at the bottom are all made from `ACTIONS`, so they cannot drift apart.

Adding a key: one `BoardAction` here, and an `action_<name>` method on `BoardScreen`
(paratui/app/board_screen.py) that does it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

# When a key shows in the key bar at the bottom: always, when the screen is wide enough, or never
# (it is still on the help page `?` and in the palette ctrl+p).
ALWAYS, WIDE, NEVER = "always", "wide", "never"
RESERVED = "x"  # ends an interval session (paratui/app/logging_session.py): never a student's key


@dataclass(frozen=True)
class BoardAction:
    name: str  # the BoardScreen method is action_<name>; "app.quit" runs the app's own action
    key: str  # a Textual key name
    title: str  # the palette's and the help page's name for it
    help: str  # one sentence: what it does
    short: str  # the key bar's word for it
    footer: str = ALWAYS  # ALWAYS | WIDE | NEVER
    # also bound to every student's own key (`action_<name>('k')`): see student_keys()
    per_student: bool = False

    @property
    def key_label(self) -> str:
        label = "?" if self.key == "question_mark" else self.key
        if self.per_student:
            keys = student_keys()
            label += f", {keys[0]}…{keys[8]} {keys[9]} {keys[10]}…"
        return label


ACTIONS: tuple[BoardAction, ...] = (
    BoardAction("move", "m", "Move a student",
                "Announce a student leaving: pick the student, then where (you go along)", "Move"),
    BoardAction("back_in", "b", "Back from a move",
                "A student a move took out is back: pick them (only one out: at once, u undoes); they go where "
                "the schedule places them now (the room, or their gen-ed class)", "Back"),
    BoardAction("assign", "a", "Assign (today's change)",
                "Put an adult with students somewhere until a time", "Assign", WIDE),
    BoardAction("absent", "o", "Out today / sub",
                "An adult is out today (until a time, or all day) and who subs; or back early", "Out"),
    BoardAction("new_task", "n", "New task",
                "Add a task (copies, filing, call home…) for someone or anyone, due at a time or on a day if "
                "it has to be", "Task"),
    BoardAction("done_task", "d", "Task done", "Mark an open task done", "Done", WIDE),
    BoardAction("log", "l", "Log data",
                "Log data for a student: their goals open with one key each (tally; a trial: +/− then the "
                "prompt level; a trials goal's key starts a run: +/− per trial, the prompt level's key "
                "before it, u undoes, Esc ends; an interval goal's key opens a run the same way: + occurred, − not, "
                "0 not observed; ABC, timers, task analysis steps). "
                "Each student's own key "
                "(shown beside them on Students) opens the same sheet directly", "Log", per_student=True),
    BoardAction("timers", "t", "Stop a timer",
                "Stop a running duration or latency timer: pick which (only one running: at once, u undoes); "
                "start one from the student's goals (their key)", "Timer", WIDE),
    BoardAction("undo", "u", "Undo my last",
                "Retract your newest change still in force (nothing is deleted: history shows both)", "Undo"),
    BoardAction("whoami", "i", "Who am I",
                "Choose who is using this board, at the shared login (recorded with every change; a role "
                "with more rights than a para's asks its PIN); a personal login is always its person", "Me", WIDE),
    BoardAction("student", "s", "Student screen",
                "A student's goals: today's data, trend charts, mastery, ABC patterns, behavior plan; "
                "retract an entry", "Student", NEVER),  # on ? and ctrl+p; the key bar (and its snapshots) unchanged
    BoardAction("pages", "p", "Binder pages",
                "Open a binder page: today's plan, IEP at a glance, behavior and safety plans…", "Pages", WIDE),
    BoardAction("warnings", "w", "File warnings",
                "Show problems found in the data folder's files, and how syncing with the other boards goes",
                "Warnings", WIDE),
    BoardAction("claim", "c", "Claim a task (\"I've got it\")",
                "Take an open task so nobody else does it twice: every board shows who has it", "Claim", WIDE),
    BoardAction("reopen", "R", "Reopen a task", "A task marked done today is not done after all", "Reopen",
                NEVER),
    BoardAction("mine", "Y", "My tasks", "Show only the tasks for me or claimed by me (Y again: all)", "Mine",
                NEVER),
    BoardAction("note", "N", "Write a note",
                "A note to one adult, several or everyone (handoff, check-in, feedback, kudos), maybe urgent",
                "Note", WIDE),
    BoardAction("change", "G", "Change today's plan",
                "A fire drill or assembly, a changed block, a student out for services or absent, a para lent "
                "to another room (the teacher's call)", "Change", NEVER),
    BoardAction("ack", "k", "Acknowledge a note",
                "Acknowledge an urgent note addressed to you: pick which (only one waiting: at once, u undoes); "
                "it stays on every board until all have", "Ack", WIDE),
    BoardAction("privacy", "z", "Privacy screen",
                "Hide every student detail at once (a visitor at the door); z again shows the board", "Hide", WIDE),
    BoardAction("history", "H", "History",
                "Who did what and when, day by day (the audit trail; retractions shown, nothing deleted)",
                "History", NEVER),
    BoardAction("next_tab", "V", "Binder: another day",
                "Show the next weekday's binder tab (after Friday, today's again; a small screen opens it as "
                "a page)", "Tab", NEVER),
    BoardAction("edit_page", "E", "Edit a binder page",
                "Open a binder page in your editor ($EDITOR); every board shows the change", "Edit", NEVER),
    BoardAction("meeting", "F", "Friday meeting",
                "The week's agenda, prefilled, and the meeting notes (binder/meetings/); action items "
                "`- [ ] what @STAFF due` become tasks on ctrl+s", "Meeting", NEVER),
    BoardAction("setup", "S", "Set up the room",
                "The teacher: add a student, the week, a goal from a template, retire a goal (paratui setup)",
                "Setup", NEVER),
    BoardAction("help", "question_mark", "Help", "List every key", "Help"),
    BoardAction("app.quit", "q", "Quit", "Close the board (nothing is lost: every change is already saved)",
                "Quit"),
)


def student_keys() -> str:
    """Each student's own key on the board, in the order of the Students pane: 1…9, 0, then every
    letter no board key uses (so a room of 15 or 25 students still takes one key per student)."""
    taken = {a.key for a in ACTIONS} | set(RESERVED)
    return "1234567890" + "".join(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in taken)


def student_key(position: int) -> str | None:
    """The key of the student at `position` (1-based) on the Students pane, if there is one."""
    keys = student_keys()
    return keys[position - 1] if 1 <= position <= len(keys) else None


def bindings() -> list[Binding]:
    """The board's key bindings (none shown by Textual's Footer: the board draws its own key bar)."""
    out = [Binding(a.key, a.name, a.short, show=False) for a in ACTIONS]
    for a in ACTIONS:
        if a.per_student:
            out += [Binding(k, f"{a.name}('{k}')", a.short, show=False) for k in student_keys()]
    return out


def footer_key_label(a: BoardAction) -> str:
    return "?" if a.key == "question_mark" else a.key


def footer_actions(width: int) -> list[BoardAction]:
    """The key bar's actions: as many as fit in `width` columns, the daily ones first."""
    wanted = [a for a in ACTIONS if a.footer == ALWAYS] + [a for a in ACTIONS if a.footer == WIDE]
    shown: list[BoardAction] = []
    used = 0
    for a in wanted:
        cost = len(footer_key_label(a)) + len(a.short) + 4  # " k " + " Word "
        if used + cost > width:
            continue
        shown.append(a)
        used += cost
    order = {a.name: i for i, a in enumerate(ACTIONS)}
    return sorted(shown, key=lambda a: order[a.name])


def footer_keys(width: int) -> list[tuple[str, str]]:
    """(key, word) pairs for the key bar: as many as fit in `width` columns, the daily ones first."""
    return [(footer_key_label(a), a.short) for a in footer_actions(width)]
