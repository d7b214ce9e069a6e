"""Issue 19 in a real terminal: the board in tmux (120×40), each flow's keys sent as one burst
(`tmux send-keys -l`, every byte at once: 0 ms) or key by key 10 ms apart. Then, read back from the
journal files as another process would, exactly the events meant were written (type, student, goal,
value, prompt…), nothing else, and the board still runs. There is no timing assertion: the test
waits (up to a timeout) for the journal to hold the events, then a little longer to see that nothing
extra follows.

tests/test_bursts.py proves the same with Pilot; tests/test_ssh.py does it over a real sshd."""

from __future__ import annotations

import os
import shutil
import time
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, NamedTuple

import pytest

from paratui.model import commands, data_commands
from paratui.store.room import Room
from tests.helpers import NOW_DT
from tests.terminal import Tmux, _kill, _paratui_pids, remote

if not shutil.which("tmux") and not os.environ.get("CI"):
    pytest.skip("needs tmux (apt-get install tmux)", allow_module_level=True)

ESC, ENTER = "\x1b", "\r"
PICKER_OPEN = "Esc cancels"  # the hint line of every picker
# the hint of a picker, a form, a run on the logging sheet (trials, intervals, task-analysis steps)…
STILL_OPEN = (PICKER_OPEN, "Esc ends", "Esc done", "Esc closes", "Esc back")
BOARD_KEYS = "m  Move  b  Back"  # the board's own key bar (the student screen has another)


def on_the_board(screen: str) -> bool:
    """Back on the board: nothing open over it, and its key bar at the bottom."""
    lines = [line for line in screen.splitlines() if line.strip()]
    return not any(hint in screen for hint in STILL_OPEN) and bool(lines) and lines[-1].strip().startswith(BOARD_KEYS)
SPACINGS = [pytest.param(0.0, id="0ms"), pytest.param(0.010, id="10ms")]


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.close()


def start_board(tmux: Tmux, data: Path, as_staff: str = "JT", session: str = "S",
                ready: Callable[[str], bool] | None = None) -> int:
    """The board as `as_staff` in a 120×40 tmux pane; returns its pid once it has drawn (or, with
    `ready`, as soon as the screen satisfies it)."""
    command = remote(["--as", as_staff], data, TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    if ready is None:
        tmux.wait_screen(session, "Room 12", "Adults", "live (inotify)")
    else:
        deadline = time.monotonic() + 30
        while not ready(tmux.screen(session)):
            assert time.monotonic() < deadline, f"the board never drew:\n{tmux.screen(session)}"
            time.sleep(0.005)
    [pid] = wait_pids(data)
    return pid


def wait_pids(data: Path, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while not (pids := _paratui_pids(data)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return pids


def send(tmux: Tmux, session: str, keys: str, spacing: float) -> None:
    """`keys` (Enter as \\r, Esc as \\x1b) as the terminal would deliver them: all at once, or one key
    every `spacing` seconds."""
    if not spacing:
        tmux("send-keys", "-t", session, "-l", keys)
        return
    for k in keys:
        tmux("send-keys", "-t", session, "-l", k)
        time.sleep(spacing)


MORE = ("staff", "students", "at", "activity", "sub", "until", "for", "due", "step", "behavior", "antecedent",
        "consequence", "setting", "note", "kind", "target", "start")
REFERS = ("target", "start")  # another event's id: compared by what that event is


def shape(e: Any, by_id: dict[str, Any]) -> tuple:
    """What an event means: type, student, goal, value, prompt, where to, how many, what text, then
    the rest of what it says (who, where, until when, which step, which event it undoes…)."""
    p = e.payload
    more: dict[str, Any] = {}
    for k in MORE:
        v = p.get(k)
        if v is None:
            continue
        if k in REFERS:
            v = shape(by_id[v], by_id) if v in by_id else v
        elif k in ("until", "due"):
            v = str(v)[:16]
        more[k] = v
    return (e.type, p.get("student", p.get("about")), p.get("goal"), p.get("value"), p.get("prompt"),
            p.get("to"), p.get("count"), p.get("text"), more)


def ids(data: Path) -> set[str]:
    return {e.id for e in Room(data).snapshot().events}


def written_since(data: Path, before: set[str]) -> list[tuple]:
    """Every event written since `before`, retractions included, in journal order."""
    events = {e.id: e for e in Room(data).snapshot().events}
    new = sorted((e for e in events.values() if e.id not in before), key=attrgetter("time", "written", "id"))
    return [shape(e, events) for e in new]


def wait_written(data: Path, before: set[str], expected: list[tuple], seconds: float = 20,
                 quiet: float = 0.7) -> list[tuple]:
    """Waits until the events written since `before` are `expected` (or `seconds` pass), then `quiet`
    seconds more (so an extra event has the time to show); returns what was written."""
    deadline = time.monotonic() + seconds
    while (got := written_since(data, before)) != expected and len(got) <= len(expected) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(quiet)
    return written_since(data, before)


def still_running(tmux: Tmux, session: str, pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return tmux.alive(session) and pid in _paratui_pids_of(tmux, session)


def _paratui_pids_of(tmux: Tmux, session: str) -> list[int]:
    """The pane's process and its children (the pane runs `env … python -m paratui`)."""
    pane = tmux.pane_pid(session)
    found = [pane]
    for task in Path(f"/proc/{pane}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        found += map(int, children)
    return found


def move(student: str, to: str) -> tuple:
    return ("move", student, None, None, None, to, None, None, {})


def back(student: str) -> tuple:
    return ("back", student, None, None, None, None, None, None, {})


def datum(student: str, goal: str, value: str | None = None, prompt: str | None = None,
          count: int | None = None, step: int | None = None) -> tuple:
    return ("data", student, goal, value, prompt, None, count, None, {} if step is None else {"step": step})


def abc(student: str, behavior: str, antecedent: str, consequence: str, setting: str, note: str | None = None) -> tuple:
    more = {"behavior": behavior, "antecedent": antecedent, "consequence": consequence, "setting": setting}
    return ("abc", student, None, None, None, None, None, None, more | ({"note": note} if note else {}))


def timer_start(student: str, goal: str) -> tuple:
    return ("timer.start", student, goal, None, None, None, None, None, {})


def timer_stop(student: str, goal: str) -> tuple:
    return ("timer.stop", student, goal, None, None, None, None, None, {"start": timer_start(student, goal)})


def session(student: str, goal: str, setting: str | None = None) -> tuple:
    """A run on the logging sheet is a session: its start (with where the student is) and end."""
    return ("session.start", student, goal, None, None, None, None, None, {"setting": setting} if setting else {})


def session_end(student: str, goal: str) -> tuple:
    return ("session.end", student, goal, None, None, None, None, None, {})


def retract(target: tuple) -> tuple:
    return ("retract", None, None, None, None, None, None, None, {"target": target})


def em_out(data: Path) -> None:
    room = Room(data)
    room.apply(commands.move(room.context("JT"), "E.M.", "nurse"), "JT")


def kb_coin(data: Path) -> None:
    """An entry to retract: a trial on K.B.'s coins, + independent, by Mr. T (at the fixed clock)."""
    room = Room(data, clock=lambda: NOW_DT)
    room.apply(data_commands.log(room.context("JT"), "K.B.", "coins", "+", "I"), "JT")


class Flow(NamedTuple):
    keys: str  # from the board, Enter as \r, Esc as \x1b
    expected: list[tuple]  # what must be written, in order, retractions included
    setup: Callable[[Path], None] | None = None  # before the board starts
    staff: str = "JT"  # who the board runs as


SHORT = {"JT": "Mr. T", "MR": "Ms. R", "AL": "Ms. L"}  # what the top bar says: "you: Mr. T"
COIN = datum("S02", "coins", "+", "I")

FLOWS: dict[str, Flow] = {
    "move m1b": Flow("m1b", [move("S01", "bathroom")]),
    "back b1": Flow("b1", [back("S01")], em_out),
    "tally l23": Flow("l23", [datum("S02", "greet", count=1)]),
    "tally 23": Flow("23", [datum("S02", "greet", count=1)]),  # the student's own key, then the goal's
    "trial l2+v": Flow("l2+v", [datum("S02", "coins", "+", "V")]),
    "two flows m1b b1": Flow("m1bb1", [move("S01", "bathroom"), back("S01")]),
    "refused m# then Esc": Flow("m#" + ESC, []),
    # Esc, then the next flow at once (a terminal sends Alt+b as ESC b: Esc used to be lost)
    "Esc then b1": Flow("m#" + ESC + "b1", [back("S01")], em_out),
    "note, Esc, then m5b": Flow("N" + ESC + "m5b", [move("S05", "bathroom")]),
    # a run of intervals (L.S.'s ontask, the sheet's 2nd goal): + - + not observed, a - undone, +, Esc
    "interval run 32": Flow("32" + "+-=0-u+" + ESC,
                            [session("S03", "ontask", "Math groups")]
                            + [datum("S03", "ontask", v) for v in ("+", "-", "+", "missed", "-")]
                            + [retract(datum("S03", "ontask", "-")), datum("S03", "ontask", "+"),
                               session_end("S03", "ontask")]),
    # a run of momentary time samples (Z.C.'s engaged, the sheet's 2nd goal): + - not observed +, Esc
    "MTS run 72": Flow("72" + "+-0+" + ESC,
                       [session("S07", "engaged", "Math groups")]
                       + [datum("S07", "engaged", v) for v in ("+", "-", "missed", "+")]
                       + [session_end("S07", "engaged")]),
    # ABC in five keys: R.N., elopement (the 4th goal), Enter on each list's ▶ choice (the last saves)
    "ABC 54": Flow("54" + ENTER * 3, [abc("S05", "elopement", "Task demand", "Blocked and redirected", "Math groups")]),
    # ABC from the sheet: each list's 1st, 2nd, 1st choice, then a note and Enter
    "ABC l54121 note": Flow("l54121" + "ran" + ENTER,
                            [abc("S05", "elopement", "Task demand", "Break given", "Math groups", "ran")]),
    "note N": Flow("N" + "Snack is late" + ENTER + "AL" + ENTER + "EM" + ENTER + "kudos" + ENTER + ENTER,
                   [("note", "S01", None, None, None, ["AL"], None, "Snack is late", {"kind": "kudos"})]),
    # today's change: Mr. T with E.M. in the library, Reading, until the end of the block
    "assign a": Flow("a" + ENTER + "EM" + ENTER + "library" + ENTER + "Reading" + ENTER + ENTER,
                     [("assign", None, None, None, None, None, None, None,
                       {"staff": "JT", "students": ["S01"], "at": "library", "activity": "Reading"})]),
    # the teacher: Ms. L (the 3rd adult) is out, no sub, until 11:30
    "absent o3": Flow("o3" + "0" + "11:30" + ENTER,
                      [("absent", None, None, None, None, None, None, None,
                        {"staff": "AL", "until": "2026-11-23T11:30"})], staff="MR"),
    "task n": Flow("n" + "Copies for math" + ENTER + "AL" + ENTER + "13:00" + ENTER,
                   [("task.add", None, None, None, None, None, None, "Copies for math",
                     {"for": "AL", "due": "2026-11-23T13:00"})]),
    # K.B.'s hand washing (the 2nd goal), one key a step: independent, verbal, not done, partial physical
    "task analysis l22": Flow("l22" + "iv-p" + ESC,
                              [session("S02", "wash", "Math groups"),
                               datum("S02", "wash", "+", "I", step=1), datum("S02", "wash", "+", "V", step=2),
                               datum("S02", "wash", "-", step=3), datum("S02", "wash", "+", "PP", step=4),
                               session_end("S02", "wash")], staff="AL"),
    # R.N.'s tantrum (duration, 5th goal) and O.W.'s start (latency, 1st goal): started, then stopped
    "timers l55 l41 l55 41": Flow("l55" + "l41" + "l55" + "41",
                                  [timer_start("S05", "tantrum"), timer_start("S04", "start"),
                                   timer_stop("S05", "tantrum"), timer_stop("S04", "start")]),
    # a run of 10 trial keys on K.B.'s coins: + + - v+ g- + u(ndoes that +) +, Esc
    "trial run l21 of 10": Flow("l21" + "++-v+g-+u+" + ESC,
                                [session("S02", "coins", "Math groups"),
                                 COIN, COIN, datum("S02", "coins", "-"), datum("S02", "coins", "+", "V"),
                                 datum("S02", "coins", "-", "G"), COIN, retract(COIN), COIN,
                                 session_end("S02", "coins")]),
    "undo l23u": Flow("l23" + "u", [datum("S02", "greet", count=1), retract(datum("S02", "greet", count=1))]),
    # the student screen (s 2: K.B.), r chooses the newest entry, r y retracts it; Esc back to the board
    "retract s2rry": Flow("s2rry" + ESC, [retract(COIN)], kb_coin),
}


@pytest.mark.parametrize("spacing", SPACINGS)
@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_burst_in_tmux_writes_exactly_what_was_meant(room_dir, tmux, flow, spacing):
    keys, expected, setup, staff = FLOWS[flow]
    if setup:
        setup(room_dir)
    before = ids(room_dir)
    try:
        pid = start_board(tmux, room_dir, as_staff=staff)
        send(tmux, "S", keys, spacing)
        if flow.startswith("refused"):
            tmux.wait_screen("S", "is not a choice here", seconds=20)  # the refusal is said
        got = wait_written(room_dir, before, expected)
        assert got == expected, f"{flow!r} at {spacing * 1000:.0f} ms:\n{tmux.screen('S')}"
        assert still_running(tmux, "S", pid), f"the board exited:\n{tmux.screen('S')}"
        assert on_the_board(tmux.screen("S")), f"not back on the board:\n{tmux.screen('S')}"
    finally:
        _kill(_paratui_pids(room_dir))


ROUNDS = 5


@pytest.mark.parametrize("spacing", SPACINGS)
def test_bursts_from_the_first_frame_on(room_dir, tmux, spacing):
    """The burst goes out as soon as the pane shows anything at all, before the board has read the
    room: 5 rounds of `m1b` + `b1`, every one lands, in order."""
    before = ids(room_dir)
    try:
        pid = start_board(tmux, room_dir, ready=lambda screen: bool(screen.strip()))
        send(tmux, "S", "m1bb1" * ROUNDS, spacing)
        expected = [move("S01", "bathroom"), back("S01")] * ROUNDS
        got = wait_written(room_dir, before, expected, seconds=40)
        assert got == expected, f"at {spacing * 1000:.0f} ms:\n{tmux.screen('S')}"
        assert still_running(tmux, "S", pid), f"the board exited:\n{tmux.screen('S')}"
    finally:
        _kill(_paratui_pids(room_dir))


@pytest.mark.parametrize("spacing", SPACINGS)
def test_every_flow_in_one_burst_from_the_first_frame_on(room_dir, tmux, spacing):
    """A tally in two keys, a trial, a note opened and cancelled, a move, a move and a back, a note
    written, another tally: one burst as soon as the pane shows anything, each lands, in order."""
    keys = ("23" + "l2+v" + "N" + ESC + "m5b" + "m1bb1"
            + "N" + "Snack" + ENTER + "AL" + ENTER + ENTER + ENTER + ENTER + "l23")
    expected = [datum("S02", "greet", count=1), datum("S02", "coins", "+", "V"), move("S05", "bathroom"),
                move("S01", "bathroom"), back("S01"),
                ("note", None, None, None, None, ["AL"], None, "Snack", {"kind": "handoff"}),
                datum("S02", "greet", count=1)]
    before = ids(room_dir)
    try:
        pid = start_board(tmux, room_dir, ready=lambda screen: bool(screen.strip()))
        send(tmux, "S", keys, spacing)
        got = wait_written(room_dir, before, expected, seconds=40)
        assert got == expected, f"at {spacing * 1000:.0f} ms:\n{tmux.screen('S')}"
        assert still_running(tmux, "S", pid), f"the board exited:\n{tmux.screen('S')}"
        assert PICKER_OPEN not in tmux.screen("S")
    finally:
        _kill(_paratui_pids(room_dir))
