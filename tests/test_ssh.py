"""The teacher over SSH: a real sshd on loopback, a real ssh client, and (for the board) a real
terminal in tmux, on a tmux server of its own (never the developer's). `.ci/run` installs
openssh-server and tmux; elsewhere these tests skip when the tools are missing (in CI they fail
instead, so they can never silently stop running).

The remote paratui runs on this machine (sshd is on loopback), so a test can see whether it is still
alive: it is the process whose arguments hold the test's own `--data` folder as one argument (the
ssh client and the tmux server carry the same path inside one longer argument)."""

from __future__ import annotations

import getpass
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from paratui.store.room import Room
from tests.helpers import run_cli
from tests.terminal import Tmux, _gone_within, _kill, _paratui_pids, remote

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
MISSING = [tool for tool, path in (("sshd", SSHD), ("ssh", shutil.which("ssh")), ("tmux", shutil.which("tmux")),
                                   ("ssh-keygen", shutil.which("ssh-keygen")))
           if not path or not Path(path).exists()]
if MISSING and not os.environ.get("CI"):
    pytest.skip(f"needs {', '.join(MISSING)} (apt-get install openssh-server tmux)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sshd(keys: Path) -> tuple[subprocess.Popen, int]:
    """An sshd on 127.0.0.1 with its host key and one client key (authorized for every account) in
    `keys`; returns (the process, its port) once it accepts connections."""
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
    (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
    port = _free_port()
    config = keys / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {keys / 'host'}
AuthorizedKeysFile {keys / 'authorized_keys'}
PidFile {keys / 'sshd.pid'}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
""")
    Path("/run/sshd").mkdir(exist_ok=True) if os.geteuid() == 0 else None
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=open(keys / "sshd.log", "w"))
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port


def ssh_argv(keys: Path, port: int, user: str) -> list[str]:
    return ["ssh", "-p", str(port), "-i", str(keys / "client"), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", f"{user}@127.0.0.1"]


@pytest.fixture
def sshd(tmp_path):
    """An sshd for this test only, on 127.0.0.1, key login for the current user."""
    keys = tmp_path / "ssh"
    keys.mkdir()
    proc, port = start_sshd(keys)
    yield ssh_argv(keys, port, getpass.getuser())
    proc.terminate()
    proc.wait(timeout=5)


def test_cli_over_ssh_without_a_terminal_records_the_ssh_login(sshd, room_dir):
    out = subprocess.run([*sshd, remote(["board", "--plain"], room_dir)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Room 12 — Monday 2026-11-23 10:15")
    out = subprocess.run([*sshd, remote(["move", "E.M.", "--to", "office", "--as", "MR"], room_dir)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "recorded: Ms. R took E.M. to Office" in out.stdout
    [path] = list((room_dir / "journal").rglob("*.json"))
    doc = json.loads(path.read_text())["_default"]["1"]
    assert doc["login"] == getpass.getuser() and doc["staff"] == "MR"


def _signal_state(pid: int) -> dict[str, str]:
    """The signal masks of a process (for the failure message: does it block or ignore SIGHUP?)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)
            if k in ("SigBlk", "SigIgn", "SigCgt", "SigPnd", "ShdPnd", "State")}


def test_the_board_without_a_terminal_over_ssh_says_use_ssh_t_and_exits_2(sshd, room_dir):
    """`ssh host paratui` without -t: no board down the pipe, a hint, exit 2, nothing left running.
    The client keeps its stdin open, as a person at a terminal would."""
    proc = subprocess.Popen([*sshd, remote([], room_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        left = _paratui_pids(room_dir)
        _kill(left)
        raise AssertionError(f"`ssh host paratui` without -t never exited; remote paratui left: {left}") from None
    finally:
        proc.stdin.close()
    out, err = proc.stdout.read(), proc.stderr.read().decode(errors="replace")
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == 2, (proc.returncode, err)
    assert "ssh -t" in err and "board --plain" in err, err
    assert b"\x1b" not in out and len(out) < 1000, out[:200]  # no escape codes down the pipe
    left = _gone_within(room_dir, 10)
    _kill(left)
    assert not left, f"a paratui process outlived the ssh client: {left}"


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.close()


def _ssh_board(tmux: Tmux, sshd: list[str], data: Path, session: str, prefix: str = "") -> None:
    """The board over `ssh -t` in a 100×30 tmux terminal, on screen. `prefix`: shell run before it."""
    board = prefix + remote(["--as", "MR"], data, TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
    command = " ".join(shlex.quote(a) for a in [*sshd[:1], "-t", *sshd[1:], board])
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    tmux.wait_screen(session, "Room 12", "you: Ms. R", "live (inotify)", "Adults")


def test_the_board_over_ssh_in_a_real_terminal(sshd, room_dir, tmux):
    session = "board"
    try:
        _ssh_board(tmux, sshd, room_dir, session)
        # steer the room from the SSH board: "taking K.B. to the bathroom" is m 2 b
        for key in ("m", "2", "b"):
            tmux("send-keys", "-t", session, key)
            time.sleep(0.3)
        tmux.wait_screen(session, "Bathroom", "Ms. R")
        data = json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)
        kb = next(s for s in data["students"] if s["initials"] == "K.B.")
        assert kb["location"] == "bathroom" and kb["with"] == ["MR"]
        # a change made in the classroom shows up on the teacher's SSH board by itself
        run_cli("move", "T.H.", "--to", "nurse", "--as", "JT", data=room_dir, check=True)
        tmux.wait_screen(session, "T.H.", "Nurse")
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 15
        while (alive := tmux.alive(session)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive, "the board did not quit on q"
        left = _gone_within(room_dir, 10)
        assert not left, f"the board quit on q but a paratui process is still running: {left}"
    finally:
        _kill(_paratui_pids(room_dir))


HUP_IGNORED = pytest.param(
    "close the terminal", "trap '' HUP; exec ", id="close the terminal, SIGHUP ignored")


@pytest.mark.parametrize("how, prefix", [("close the terminal", ""), ("kill the ssh client", ""), HUP_IGNORED,
                                         ("kill the ssh client mid-redraw", "")])
def test_a_board_whose_terminal_goes_away_exits(sshd, room_dir, tmux, how, prefix):
    """The teacher closes the terminal window (tmux kills the pane: the ssh client gets SIGHUP) or the
    ssh client dies (SIGKILL: the connection drops), also while the board redraws after the window
    was resized. Either way sshd hangs up the board's terminal, and the board on the server must not
    keep running, even when started with SIGHUP ignored."""
    session = "board"
    try:
        _ssh_board(tmux, sshd, room_dir, session, prefix)
        [board] = _paratui_pids(room_dir)
        if how.endswith("mid-redraw"):
            _resize_around(tmux, session)
        if how == "close the terminal":
            tmux("kill-session", "-t", session)
        else:
            os.kill(tmux.pane_pid(session), signal.SIGKILL)  # the pane runs ssh itself
        left = _gone_within(room_dir, 10)
        assert not left, (f"{how}: the board (pid {board}) is still running 10 s later; "
                          f"signals: {_signal_state(board)}")
    finally:
        _kill(_paratui_pids(room_dir))


def _resize_around(tmux: Tmux, session: str) -> None:
    """Window sizes one after another, at once: each makes the board redraw the whole screen."""
    for size in ("80x24", "200x50", "100x30", "160x45"):
        width, height = size.split("x")
        tmux("resize-window", "-t", session, "-x", width, "-y", height, check=False)


ROUNDS, AT_ONCE = 20, 4


def test_no_board_outlives_a_terminal_killed_mid_redraw(room_dir):
    """20 rounds of: a board in a real terminal (a tmux server of its own), the window resized
    through four sizes, the whole terminal killed at once, mid-redraw. Four rounds run at the same
    time, so the machine is busy as it is when boards pile up. No board may stay behind."""
    command = remote(["--as", "JT"], room_dir, TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
    stayed: list[int] = []
    try:
        for _ in range(ROUNDS // AT_ONCE):
            servers = [Tmux() for _ in range(AT_ONCE)]
            for server in servers:
                server("new-session", "-d", "-s", "board", "-x", "120", "-y", "40", command)
            for server in servers:
                server.wait_screen("board", "Room 12", "Adults")
            for server in servers:
                _resize_around(server, "board")
                server.close()
            stayed += _gone_within(room_dir, 10)
            _kill(stayed)
    finally:
        _kill(_paratui_pids(room_dir))
    assert not stayed, f"{len(stayed)} of {ROUNDS} boards outlived their terminal by 10 s: {stayed}"


# every flow of tests/test_bursts_tmux.py but those with a test of their own below (the refused key
# and the note form)
SSH_FLOWS = ["move m1b", "back b1", "tally l23", "tally 23", "trial l2+v", "two flows m1b b1", "Esc then b1",
             "note, Esc, then m5b", "interval run 32", "MTS run 72", "ABC 54", "ABC l54121 note", "assign a",
             "absent o3", "task n",
             "task analysis l22", "timers l55 l41 l55 41", "trial run l21 of 10", "undo l23u", "retract s2rry"]


@pytest.mark.parametrize("spacing", [pytest.param(0.0, id="0ms"), pytest.param(0.010, id="10ms")])
@pytest.mark.parametrize("flow", SSH_FLOWS)
def test_a_burst_over_ssh_writes_exactly_what_was_meant(sshd, room_dir, tmux, flow, spacing):
    """Issue 19 over the real sshd: the board over `ssh -t` in a 120×40 tmux terminal, the flow's keys
    sent in one burst (0 ms) or 10 ms apart; the journal holds exactly the events meant and the board
    still runs."""
    from tests.test_bursts_tmux import FLOWS, SHORT, ids, on_the_board, send, wait_written

    keys, expected, setup, staff = FLOWS[flow]
    if setup:
        setup(room_dir)
    before = ids(room_dir)
    session = "board"
    board = remote(["--as", staff], room_dir, TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
    command = " ".join(shlex.quote(a) for a in [*sshd[:1], "-t", *sshd[1:], board])
    try:
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
        tmux.wait_screen(session, "Room 12", f"you: {SHORT[staff]}", "live (inotify)", "Adults")
        [pid] = _paratui_pids(room_dir)
        send(tmux, session, keys, spacing)
        got = wait_written(room_dir, before, expected)
        assert got == expected, f"{flow!r} over ssh at {spacing * 1000:.0f} ms:\n{tmux.screen(session)}"
        assert tmux.alive(session) and _paratui_pids(room_dir) == [pid], f"the board exited:\n{tmux.screen(session)}"
        assert on_the_board(tmux.screen(session)), f"not back on the board:\n{tmux.screen(session)}"
    finally:
        _kill(_paratui_pids(room_dir))


def test_bursts_over_ssh_from_the_first_frame_on(sshd, room_dir, tmux):
    """Over ssh, the keys sent as soon as the terminal shows anything: 5 rounds of `m1b` + `b1` in one
    burst, each lands, in order, and the board still runs."""
    from tests.test_bursts_tmux import back, ids, move, send, wait_written

    before = ids(room_dir)
    board = remote(["--as", "JT"], room_dir, TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
    command = " ".join(shlex.quote(a) for a in [*sshd[:1], "-t", *sshd[1:], board])
    try:
        tmux("new-session", "-d", "-s", "board", "-x", "120", "-y", "40", command)
        deadline = time.monotonic() + 30
        while "Room 12" not in tmux.screen("board"):
            assert time.monotonic() < deadline, f"never drew:\n{tmux.screen('board')}"
            time.sleep(0.005)
        send(tmux, "board", "m1bb1" * 5, 0)
        expected = [move("S01", "bathroom"), back("S01")] * 5
        got = wait_written(room_dir, before, expected, seconds=40)
        assert got == expected, tmux.screen("board")
        assert tmux.alive("board") and len(_paratui_pids(room_dir)) == 1
    finally:
        _kill(_paratui_pids(room_dir))


@pytest.mark.parametrize("spacing", [pytest.param(0.0, id="0ms"), pytest.param(0.010, id="10ms")])
def test_over_ssh_a_refused_key_is_said_on_screen_and_a_note_lands_field_by_field(sshd, room_dir, tmux, spacing):
    """Over the real sshd in a 120×40 tmux terminal: `m#` is refused, and the refusal's toast is on the
    screen (the pane captured as the teacher sees it: what it refused, what was expected); Esc closes
    the picker and nothing is written. Then the note form typed as one burst (0 ms) or 10 ms apart:
    text, Enter, to, Enter, about, Enter, kind, Enter, urgent, Enter: each part lands in its own field."""
    from tests.test_bursts_tmux import ENTER, ESC, PICKER_OPEN, ids, send, wait_written

    session = "board"
    board = remote(["--as", "JT"], room_dir, TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
    command = " ".join(shlex.quote(a) for a in [*sshd[:1], "-t", *sshd[1:], board])
    before = ids(room_dir)
    try:
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
        tmux.wait_screen(session, "Room 12", "you: Mr. T", "live (inotify)", "Adults")
        [pid] = _paratui_pids(room_dir)
        send(tmux, session, "m#", spacing)
        screen = tmux.wait_screen(session, "“#” is not a choice here", "Key not used", seconds=20)
        assert "Who is leaving?" in screen  # the toast says what the picker expected
        send(tmux, session, ESC, spacing)
        deadline = time.monotonic() + 20
        while PICKER_OPEN in tmux.screen(session) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert PICKER_OPEN not in tmux.screen(session), tmux.screen(session)
        assert wait_written(room_dir, before, [], seconds=1) == []
        send(tmux, session, "N" + "Snack is late" + ENTER + "AL" + ENTER + "EM" + ENTER + "kudos" + ENTER + ENTER,
             spacing)
        expected = [("note", "S01", None, None, None, ["AL"], None, "Snack is late", {"kind": "kudos"})]
        got = wait_written(room_dir, before, expected)
        assert got == expected, f"over ssh at {spacing * 1000:.0f} ms:\n{tmux.screen(session)}"
        [note] = [e for e in Room(room_dir).snapshot().events if e.id not in before]
        assert note.payload == {"text": "Snack is late", "to": ["AL"], "everyone": False, "kind": "kudos",
                                "urgent": False, "about": "S01"}
        assert note.staff == "JT" and note.login == getpass.getuser()
        assert tmux.alive(session) and _paratui_pids(room_dir) == [pid], f"the board exited:\n{tmux.screen(session)}"
        assert PICKER_OPEN not in tmux.screen(session)
    finally:
        _kill(_paratui_pids(room_dir))
