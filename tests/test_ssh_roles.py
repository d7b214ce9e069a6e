"""The teacher and a para, each from their own OS account over a real sshd on 127.0.0.1: who is acting
comes from the login (never USER or --as), each role does exactly what it may, and every change is in
the history with its login and host. The classroom board (this process's shared login) sees it all.

Needs root to create two OS accounts (`pt-teacher`, `pt-para`, group `pt-room`; kept for the next
run) and this Python readable by them; skips with the reason where it cannot (in CI it must run)."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.terminal import CHECKOUT
from tests.test_ssh import SSHD, Tmux, _kill, _paratui_pids, ssh_argv, start_sshd

TEACHER, PARA, GROUP = "pt-teacher", "pt-para", "pt-room"


def _skip_or_fail(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-account SSH tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def accounts():
    if os.geteuid() != 0:
        pytest.skip("creating two OS accounts needs root")  # even in CI: a non-root runner cannot
    if not (shutil.which("useradd") and shutil.which("ssh") and Path(SSHD).exists()):
        _skip_or_fail("needs useradd, ssh and sshd")
    subprocess.run(["groupadd", "-f", GROUP], check=True)
    for user in (TEACHER, PARA):
        try:
            pwd.getpwnam(user)
        except KeyError:
            home = Path("/tmp/pt-homes") / user
            home.parent.mkdir(exist_ok=True)
            subprocess.run(["useradd", "-m", "-d", str(home), "-s", "/bin/sh", "-G", GROUP, user], check=True)
        subprocess.run(["usermod", "-p", "*", "-a", "-G", GROUP, user], check=True)  # "*": key login only
    global PYTHON
    tried = []
    for python in _pythons():
        probe = subprocess.run(["su", "-s", "/bin/sh", PARA, "-c", f"{python} -m paratui --version"],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            PYTHON = python
            return TEACHER, PARA
        tried.append(f"{python}: {probe.stderr.strip()[-160:]}")
    _skip_or_fail("the test accounts cannot run this paratui: " + "; ".join(tried))


PYTHON = shlex.quote(sys.executable)


def _pythons() -> list[str]:
    """How another account can run this checkout's paratui: this venv's Python, or (when it lives in a
    private home, e.g. pyenv under /root) the system's Python of the same version with this venv's
    packages and this checkout on its path."""
    import site
    import sysconfig

    found = [shlex.quote(sys.executable)]
    system = shutil.which(f"python{sys.version_info[0]}.{sys.version_info[1]}", path="/usr/bin:/usr/local/bin")
    if system:
        paths = [*site.getsitepackages(), str(Path(__file__).resolve().parents[1]), sysconfig.get_paths()["purelib"]]
        found.append(f"env PYTHONPATH={shlex.quote(':'.join(dict.fromkeys(paths)))} {system}")
    return found


def remote(command: list[str], data: Path, **env: str) -> str:
    """The shell command sshd runs for another account: paratui from this checkout, the test clock."""
    settings = {"PARATUI_NOW": "2026-11-23T10:15", "PYTHONPATH": str(CHECKOUT), **env}  # not the venv's installed one
    return " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in settings.items()), PYTHON, "-m", "paratui",
                     *map(shlex.quote, command), "--data", shlex.quote(str(data))])


@pytest.fixture
def shared_room(accounts):
    """A room in a folder both accounts share (group pt-room), made by `paratui init`, with the two
    accounts as Ms. R's and Ms. L's own logins; this process's login stays the shared account."""
    base = Path(tempfile.mkdtemp(prefix="paratui-roles-", dir="/tmp"))
    os.chown(base, -1, grp.getgrnam(GROUP).gr_gid)
    os.chmod(base, 0o2775)
    room = base / "room"
    run_cli("init", str(room), check=True)
    toml = room / "classroom.toml"
    text = toml.read_text().replace('logins = ["mrivera"]', f'logins = ["{TEACHER}"]')
    toml.write_text(text.replace('logins = ["alopez"]', f'logins = ["{PARA}"]'))
    yield room
    _kill(_paratui_pids(room))
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def ssh_as(accounts):
    """An sshd on loopback accepting one key for both accounts; returns user → ssh argv."""
    # sshd reads authorized_keys as the account logging in: not under pytest's private tmp folder
    keys = Path(tempfile.mkdtemp(prefix="paratui-sshkeys-", dir="/tmp"))
    os.chmod(keys, 0o755)
    proc, port = start_sshd(keys)
    os.chmod(keys / "authorized_keys", 0o644)
    yield lambda user: ssh_argv(keys, port, user)
    proc.terminate()
    proc.wait(timeout=5)
    shutil.rmtree(keys, ignore_errors=True)


def over_ssh(ssh_as, user: str, args: list[str], room: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ssh_as(user), remote(args, room, **env)], capture_output=True, text=True, timeout=60)


def events(room: Path) -> list[dict]:
    found = []
    for path in sorted((room / "journal").rglob("*.json")):
        found.extend(json.loads(path.read_text() or "{}").get("_default", {}).values())
    return found


def test_each_login_is_its_person_and_may_do_what_its_role_allows(ssh_as, shared_room):
    room = shared_room
    # the para, from her own account: a move is hers to make, and is recorded as her, from her login
    out = over_ssh(ssh_as, PARA, ["move", "E.M.", "--to", "bathroom"], room)
    assert out.returncode == 0, out.stderr
    assert "Ms. L took E.M. to Bathroom" in out.stdout
    [doc] = events(room)
    assert (doc["staff"], doc["login"]) == ("AL", PARA)
    # a teacher-only change: exit 3 naming the rule, nothing written
    out = over_ssh(ssh_as, PARA, ["absent", "JT", "--sub", "SUB"], room)
    assert out.returncode == 3 and "para may not mark an adult out" in out.stderr, out.stderr
    # pretending to be the teacher: --as, or USER/LOGNAME/PARATUI_LOGIN in the environment
    out = over_ssh(ssh_as, PARA, ["absent", "JT", "--sub", "SUB", "--as", "MR"], room)
    assert out.returncode == 3 and "may not act as Ms. R" in out.stderr, out.stderr
    out = over_ssh(ssh_as, PARA, ["absent", "JT", "--sub", "SUB"], room,
                   USER=TEACHER, LOGNAME=TEACHER, PARATUI_LOGIN=TEACHER)
    assert out.returncode == 3 and "para may not" in out.stderr, out.stderr
    assert len(events(room)) == 1
    # the teacher, from her account, may
    out = over_ssh(ssh_as, TEACHER, ["absent", "JT", "--sub", "SUB"], room)
    assert out.returncode == 0, out.stderr
    assert [(d["staff"], d["login"]) for d in events(room)][-1] == ("MR", TEACHER)
    # the audit trail: every change, with who, from which login and computer
    out = over_ssh(ssh_as, TEACHER, ["history", "--format", "json"], room)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["staff"], r["login"], r["type"]) for r in rows] == [("AL", PARA, "move"), ("MR", TEACHER, "absent")]
    assert all(r["host"] for r in rows)


def test_a_hand_written_event_the_role_did_not_allow_is_a_warning_not_applied(shared_room):
    """A para's own journal file edited to claim a teacher-only change: the reader refuses it."""
    room = shared_room
    run_cli("move", "E.M.", "--to", "bathroom", "--as", "AL", data=room, check=True)
    [path] = list((room / "journal").rglob("*.json"))
    db = json.loads(path.read_text())
    doc = dict(db["_default"]["1"], id="forged00000000000000000000000001", type="absent",
               payload={"staff": "JT", "sub": "SUB", "until": None})
    db["_default"]["2"] = doc
    path.write_text(json.dumps(db))
    board = json.loads(run_cli("board", "--json", data=room, check=True).stdout)
    jt = next(s for s in board["staff"] if s["id"] == "JT")
    assert jt.get("source") != "absent"
    assert any("absent event forged by AL" in w and "not applied" in w for w in board["warnings"])


def test_the_teacher_board_over_ssh_and_the_classroom_board_see_each_other(ssh_as, shared_room):
    room = shared_room
    tmux = Tmux()
    try:
        env = dict(TEXTUAL_COLOR_SYSTEM="truecolor", TEXTUAL_ANIMATIONS="none")
        teacher = " ".join(shlex.quote(a) for a in [*ssh_as(TEACHER)[:1], "-t", *ssh_as(TEACHER)[1:],
                                                   remote([], room, **env)])
        tmux("new-session", "-d", "-s", "teacher", "-x", "120", "-y", "36", teacher)
        tmux.wait_screen("teacher", "Room 12", "you: Ms. R", "Adults")
        # the classroom workstation (this process's login: the shared account) as Mr. T
        classroom = " ".join(shlex.quote(a) for a in [
            "env", *(f"{k}={v}" for k, v in {**env, "PARATUI_NOW": "2026-11-23T10:15"}.items()),
            sys.executable, "-m", "paratui", "--data", str(room), "--as", "JT"])
        tmux("new-session", "-d", "-s", "classroom", "-x", "120", "-y", "36", classroom)
        tmux.wait_screen("classroom", "Room 12", "you: Mr. T")
        # the para, over SSH, takes K.B. out: both boards show it
        out = over_ssh(ssh_as, PARA, ["move", "K.B.", "--to", "nurse"], room)
        assert out.returncode == 0, out.stderr
        tmux.wait_screen("teacher", "K.B.", "Nurse")
        tmux.wait_screen("classroom", "K.B.", "Nurse")
        # the privacy key on the classroom board hides every initial; the same key brings them back
        tmux("send-keys", "-t", "classroom", "z")
        hidden = tmux.wait_screen("classroom", "Press z to show the board")
        assert "K.B." not in hidden
        tmux("send-keys", "-t", "classroom", "z")
        tmux.wait_screen("classroom", "K.B.")
        # the teacher's personal login cannot switch to someone else on the board either
        tmux("send-keys", "-t", "teacher", "i")
        tmux.wait_screen("teacher", "Ms. R's own")
    finally:
        tmux.close()
        _kill(_paratui_pids(room))
