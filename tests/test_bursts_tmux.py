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
from pathlib import Path
from typing import Any, Callable

import pytest

from paratui.model import commands
from paratui.store.room import Room
from tests.helpers import entries
from tests.terminal import Tmux, _kill, _paratui_pids, remote

if not shutil.which("tmux") and not os.environ.get("CI"):
    pytest.skip("needs tmux (apt-get install tmux)", allow_module_level=True)

ESC, ENTER = "\x1b", "\r"
PICKER_OPEN = "Esc cancels"  # the hint line of every picker
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


def shape(e: Any) -> tuple:
    """What an event means: type, student, goal, value, prompt (and where, how many, what text)."""
    p = e.payload
    return (e.type, p.get("student", p.get("about")), p.get("goal"), p.get("value"), p.get("prompt"),
            p.get("to"), p.get("count"), p.get("text"))


def ids(data: Path) -> set[str]:
    return {e.id for e in Room(data).snapshot().events}


def written_since(data: Path, before: set[str]) -> list[tuple]:
    return [shape(e) for e in entries(data) if e.id not in before]


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
    return ("move", student, None, None, None, to, None, None)


def back(student: str) -> tuple:
    return ("back", student, None, None, None, None, None, None)


def datum(student: str, goal: str, value: str | None = None, prompt: str | None = None,
          count: int | None = None) -> tuple:
    return ("data", student, goal, value, prompt, None, count, None)


def em_out(data: Path) -> None:
    room = Room(data)
    room.apply(commands.move(room.context("JT"), "E.M.", "nurse"), "JT")


# flow: (keys from the board, what must be written, set-up before the board starts)
FLOWS: dict[str, tuple[str, list[tuple], Callable[[Path], None] | None]] = {
    "move m1b": ("m1b", [move("S01", "bathroom")], None),
    "back b1": ("b1", [back("S01")], em_out),
    "tally l23": ("l23", [datum("S02", "greet", count=1)], None),
    "tally 23": ("23", [datum("S02", "greet", count=1)], None),  # the student's own key, then the goal's
    "trial l2+v": ("l2+v", [datum("S02", "coins", "+", "V")], None),
    "two flows m1b b1": ("m1bb1", [move("S01", "bathroom"), back("S01")], None),
    "refused m# then Esc": ("m#" + ESC, [], None),
    # Esc, then the next flow at once (a terminal sends Alt+b as ESC b: Esc used to be lost)
    "Esc then b1": ("m#" + ESC + "b1", [back("S01")], em_out),
    "note, Esc, then m5b": ("N" + ESC + "m5b", [move("S05", "bathroom")], None),
    # a run of intervals (L.S.'s ontask, the sheet's 2nd goal): + - + not observed, a - undone, +, Esc
    "interval run 32": ("32" + "+-=0-u+" + ESC, [datum("S03", "ontask", v) for v in ("+", "-", "+", "missed", "+")],
                        None),
    # ABC in five keys: R.N., elopement (the 4th goal), Enter on each list's ▶ choice (the last saves)
    "ABC 54": ("54" + ENTER * 3, [("abc", "S05", None, None, None, None, None, None)], None),
    "note N": ("N" + "Snack is late" + ENTER + "AL" + ENTER + "EM" + ENTER + "kudos" + ENTER + ENTER,
               [("note", "S01", None, None, None, ["AL"], None, "Snack is late")], None),
}


@pytest.mark.parametrize("spacing", SPACINGS)
@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_burst_in_tmux_writes_exactly_what_was_meant(room_dir, tmux, flow, spacing):
    keys, expected, setup = FLOWS[flow]
    if setup:
        setup(room_dir)
    before = ids(room_dir)
    try:
        pid = start_board(tmux, room_dir)
        send(tmux, "S", keys, spacing)
        if flow.startswith("refused"):
            tmux.wait_screen("S", "is not a choice here", seconds=20)  # the refusal is said
        got = wait_written(room_dir, before, expected)
        assert got == expected, f"{flow!r} at {spacing * 1000:.0f} ms:\n{tmux.screen('S')}"
        assert still_running(tmux, "S", pid), f"the board exited:\n{tmux.screen('S')}"
        assert PICKER_OPEN not in tmux.screen("S")  # no picker left open: back on the board
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
                move("S01", "bathroom"), back("S01"), ("note", None, None, None, None, ["AL"], None, "Snack"),
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
