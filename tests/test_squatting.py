"""A colleague who tries to stop someone else's writes (issue 18): holding their lock file, making
every name their journal file could take, or making tomorrow's day folder (next month's task folder)
0755 before anyone else. Each with two real OS accounts in one group sharing a room made as
`paratui init` makes it: the victim's write still lands (lock, names) or fails with a message naming
the folder, its owner, its mode and the fix (folder), and the victim's board warns in every case.

Needs root to create the accounts (useradd, runuser); skips with the reason otherwise, fails under CI.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import paratui
from paratui.store.sharing import setup_shared
from tests.helpers import demo_copy, env_for
from tests.test_trust_journal import _interpreter_for


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-account squatting tests: {reason}")
    pytest.skip(reason)


class Team:
    """Two throwaway accounts (`mallory` squats, `victim` writes) in one group, and a shared room."""

    def __init__(self, base: Path, mallory: str, victim: str, group: str):
        self.base, self.mallory, self.victim, self.group = base, mallory, victim, group
        self.room = demo_copy(base / "room")
        os.chmod(self.room, 0o775)
        setup_shared(self.room, group=group)
        self.journal = self.room / "journal"
        self.exe: list[str] = []

    def argv(self, user: str, *args: str, now: str = "2026-11-23T10:15", **env: str) -> list[str]:
        """`python ARGS` as `user`, with this checkout importable, as host ws at `now`."""
        repo = str(Path(paratui.__file__).resolve().parents[1])
        site = next((p for p in sys.path if p.endswith("site-packages") and Path(p, "tinydb").is_dir()), "")
        settings = {"PYTHONPATH": f"{repo}:{site}", "PYTHONDONTWRITEBYTECODE": "1", "PARATUI_LOGIN": user,
                    "PARATUI_HOST": "ws", "PARATUI_NOW": now, "PARATUI_LOCK_WAIT": "1",
                    "HOME": str(self.base / f"home-{user}"), "XDG_CACHE_HOME": str(self.base / f"cache-{user}"),
                    **env}
        return ["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in settings.items()), *self.exe, *args]

    def run(self, user: str, *args: str, **kw: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.argv(user, *args, **kw), capture_output=True, text=True,
                              env=env_for("ws", user), timeout=60)

    def paratui(self, user: str, *args: str, **kw: str) -> subprocess.CompletedProcess:
        return self.run(user, "-m", "paratui", *args, "--data", str(self.room), **kw)

    def board(self, user: str, **kw: str) -> dict:
        r = self.paratui(user, "board", "--json", **kw)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def as_mallory(self, code: str) -> None:
        """Run `code` (Python) as mallory, in the journal folder, under umask 022."""
        r = self.run(self.mallory, "-c", f"import os; os.umask(0o022); os.chdir({str(self.journal)!r})\n{code}")
        assert r.returncode == 0, r.stderr


@pytest.fixture
def team() -> Iterator[Team]:
    if os.geteuid() != 0:
        _skip_or_fail("needs root to create two OS accounts (useradd, runuser)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "runuser"):
        if shutil.which(tool) is None:
            _skip_or_fail(f"{tool} is not installed")
    tag = uuid.uuid4().hex[:6]
    mallory, victim, group = f"ptm{tag}", f"ptv{tag}", f"ptg{tag}"
    base = Path(tempfile.mkdtemp(prefix="paratui-squat-"))  # under /tmp: pytest's tmp is private to root
    os.chmod(base, 0o755)
    made: list[str] = []
    try:
        if subprocess.run(["groupadd", group], capture_output=True).returncode != 0:
            _skip_or_fail("groupadd failed")
        for user in (mallory, victim):
            home = base / f"home-{user}"
            r = subprocess.run(["useradd", "-m", "-d", str(home), "-N", "-g", group, "-s", "/bin/sh", user],
                               capture_output=True, text=True)
            if r.returncode != 0:
                _skip_or_fail(f"useradd failed: {r.stderr.strip()}")
            made.append(user)
        t = Team(base, mallory, victim, group)
        exe = _interpreter_for(victim, env_for("ws", victim))
        if exe is None:
            _skip_or_fail(f"no Python that account {victim} can run with this checkout importable")
        t.exe = exe or []
        yield t
    finally:
        for user in made:
            subprocess.run(["userdel", user], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _warnings(state: dict) -> list[str]:
    return list(state.get("warnings") or [])


def _moves(state: dict) -> str:
    return json.dumps(state)


HOLD = """
import fcntl, os, sys, time
os.makedirs("2026-11-23", exist_ok=True)
os.chmod("2026-11-23", 0o3775)
for n in ["", ".1", ".2", ".3", ".4", ".5", ".6", ".7"]:
    fd = os.open(f"2026-11-23/.ws--{victim}.json.lock{n}", os.O_RDWR | os.O_CREAT, 0o644)
    os.write(fd, b"pid 1 on ws (paratui move) #dead")  # a stamp the victim must never repeat
    fcntl.flock(fd, fcntl.LOCK_EX)
open("ready", "w").close()
time.sleep(60)
"""


def test_a_lock_held_by_a_colleague_does_not_stop_the_write(team):
    code = f"import os; os.umask(0o022); os.chdir({str(team.journal)!r}); victim = {team.victim!r}\n{HOLD}"
    holder = subprocess.Popen(team.argv(team.mallory, "-c", code), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        for _ in range(600):
            if (team.journal / "ready").exists() or holder.poll() is not None:
                break
            time.sleep(0.05)
        assert (team.journal / "ready").exists(), holder.stderr.read() if holder.stderr else ""
        (team.journal / "ready").unlink()
        r = team.paratui(team.victim, "move", "S01", "--to", "bathroom", "--as", "JT")
        assert r.returncode == 0, r.stderr
        assert "locked by" not in r.stderr
        own = team.journal / "2026-11-23" / f"ws--{team.victim}.json"
        assert own.is_file() and "bathroom" in own.read_text()
        # all eight names beside the file are mallory's: the victim's lock is its own, in its home
        private = team.base / f"home-{team.victim}" / ".cache" / "paratui" / "locks"
        assert [p.suffix for p in private.iterdir()] == [".lock"]
        warnings = _warnings(team.board(team.victim))
        lock = f"journal/2026-11-23/.ws--{team.victim}.json.lock: a lock file named for this writer but made by " \
               f"{team.mallory}"
        assert any(w.startswith(lock) for w in warnings), warnings
        assert "#dead" not in json.dumps(warnings)
    finally:
        holder.kill()
        holder.wait(timeout=30)


SQUAT = """
os.makedirs("2026-11-23", exist_ok=True)
os.chmod("2026-11-23", 0o3775)
for n in [""] + [f".{i}" for i in range(1, 51)]:
    with open(f"2026-11-23/ws--{victim}{n}.json", "w") as f:
        f.write('{"_default": {}}')
"""


def test_every_name_of_the_writers_file_taken_by_a_colleague_the_write_lands_in_one_of_its_own(team):
    team.as_mallory(f"victim = {team.victim!r}\n{SQUAT}")
    day = team.journal / "2026-11-23"
    for args in (("move", "S01", "--to", "bathroom", "--as", "JT"), ("move", "S02", "--to", "nurse", "--as", "JT")):
        r = team.paratui(team.victim, *args)
        assert r.returncode == 0, r.stderr
    [own] = [p for p in day.iterdir() if p.name.startswith(f"ws--{team.victim}.x")]
    assert own.stat().st_uid == pwd.getpwnam(team.victim).pw_uid
    text = own.read_text()
    assert "bathroom" in text and "nurse" in text  # both writes in the same file of its own
    state = team.board(team.victim)
    assert "bathroom" in _moves(state) and "nurse" in _moves(state)
    squatted = f"journal/2026-11-23/ws--{team.victim}.json: a journal file named for this writer but made by " \
               f"{team.mallory}"
    assert any(w.startswith(squatted) for w in _warnings(state)), _warnings(state)


@pytest.mark.parametrize("folder, now, args", [
    ("2026-11-24", "2026-11-24T09:00", ("move", "S01", "--to", "bathroom", "--as", "JT")),
    ("tasks/2026-12", "2026-12-01T09:00", ("task", "add", "copies", "--as", "JT")),
])
def test_a_folder_made_ahead_with_the_wrong_mode_is_named_with_its_owner_and_the_fix(team, folder, now, args):
    assert team.paratui(team.victim, *args).returncode == 0  # today's write: the stream's folders exist
    team.as_mallory(f"os.mkdir({folder!r}); os.chmod({folder!r}, 0o755)")
    label = f"journal/{folder}"
    fix = f"Ask {team.mallory} to run `chmod 3775 {label}`"
    # today's board already warns: tomorrow (next month) nobody else could write there
    warnings = _warnings(team.board(team.victim))
    found = [w for w in warnings if w.startswith(f"{label}: made by {team.mallory} with mode 0755")]
    assert found and fix in found[0], warnings
    checked = team.paratui(team.victim, "check")  # `paratui check` names it too
    assert checked.returncode == 1 and fix in checked.stdout + checked.stderr, checked.stdout
    # the day comes: the write fails, saying why and what to do (never "No such file or directory")
    r = team.paratui(team.victim, *args, now=now)
    assert r.returncode == 1
    assert "NOT recorded" in r.stderr and label in r.stderr and team.mallory in r.stderr, r.stderr
    assert "0755" in r.stderr and fix in r.stderr, r.stderr
    assert "No such file" not in r.stderr and "Traceback" not in r.stderr
    # once mallory fixes it, the write lands
    team.as_mallory(f"os.chmod({folder!r}, 0o3775)")
    r = team.paratui(team.victim, *args, now=now)
    assert r.returncode == 0, r.stderr


# -- planted last-good copies ----------------------------------------------------------------------
def _break(path: Path) -> None:
    path.write_text(path.read_text().replace('room = "Room 12"', 'room = "Room 12"\nroom_colour = "red"'))


def test_a_last_good_copy_planted_by_a_colleague_or_dated_ahead_is_ignored_with_a_warning(team):
    copies = team.journal / ".last-good"
    r = team.paratui(team.victim, "board", "--json")  # a member, neither the file's owner nor a teacher
    assert r.returncode == 0, r.stderr
    assert not copies.exists() or not any(team.victim in p.name for p in copies.iterdir())  # it keeps none
    # the room's owner (root here: it made the room) keeps the real copies
    good = subprocess.run([sys.executable, "-m", "paratui", "board", "--json", "--data", str(team.room)],
                          capture_output=True, text=True, env=env_for("ws", "teacher"), timeout=60)
    assert good.returncode == 0, good.stderr
    real = copies / "classroom.toml.ws--teacher"
    assert real.is_file()
    planted = (team.room / "classroom.toml").read_text().replace('room = "Room 12"', 'room = "Planted"')
    ahead = "import time; t = time.time() + 86400"
    team.as_mallory(f"open('.last-good/classroom.toml.ws--x', 'w').write({planted!r}); {ahead}; "
                    "os.utime('.last-good/classroom.toml.ws--x', (t, t))")
    team.as_mallory(f"open('.last-good/classroom.toml.ws--y', 'w').write({planted!r})")
    # the owner's own copy, but dated a day ahead, is not used either
    future = copies / "classroom.toml.ws--owner"
    future.write_text(planted)
    os.utime(future, (time.time() + 86400,) * 2)
    _break(team.room / "classroom.toml")
    state = team.board(team.victim)  # a new process while the live file has a typo
    assert state["room"] == "Room 12", state["room"]  # the real last good copy, never a planted one
    warnings = _warnings(state)
    for name in ("ws--x", "ws--y"):
        want = f"journal/.last-good/classroom.toml.{name}: ignored: made by {team.mallory}, who may not change " \
               "classroom.toml"
        assert want in warnings, warnings
    assert any(w.startswith("journal/.last-good/classroom.toml.ws--owner: ignored: dated in the future (")
               for w in warnings), warnings
    assert any(w.startswith("classroom.toml:") and "last good version from" in w for w in warnings), warnings
    # only planted copies left: the folder is refused rather than run on one
    real.unlink()
    r = team.paratui(team.victim, "board", "--json")
    assert r.returncode == 2 and "Planted" not in r.stdout, r.stdout


# -- a read-only login writes nothing --------------------------------------------------------------
def _tree(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under `root`: (mtime, size, inode)."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for n in dirs + files:
            st = os.lstat(os.path.join(folder, n))
            out[os.path.relpath(os.path.join(folder, n), root)] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return out


OPEN_BOARD = """
import asyncio
from pathlib import Path
from tests.helpers import make_app, settle

async def main():
    app = make_app(Path({root!r}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.acting is not None and app.acting.read_only
        await pilot.press("m", "1", "b")  # a key that would write: refused
        await settle(pilot)
        await pilot.press("escape", "escape", "w", "escape", "H", "escape")
        await settle(pilot)
    print("opened read-only")

asyncio.run(main())
"""


def test_a_read_only_login_writes_nothing_into_the_folder(team):
    classroom = team.room / "classroom.toml"
    # a journal with something in every stream, written by the room's owner
    for args in (("move", "S01", "--to", "bathroom", "--as", "JT"), ("task", "add", "copies", "--as", "JT"),
                 ("log", "K.B.", "coins", "+", "--prompt", "V", "--as", "JT")):
        r = subprocess.run([sys.executable, "-m", "paratui", *args, "--data", str(team.room)],
                           capture_output=True, text=True, env=env_for("ws", "teacher"), timeout=60)
        assert r.returncode == 0, r.stderr
    classroom.write_text(classroom.read_text().replace('shared_logins = ["*"]', "shared_logins = []"))
    # mallory owns the room's files (she may change them: her copies would count) but is no one's
    uid = pwd.getpwnam(team.mallory).pw_uid
    for f in [classroom, team.room / "schedule.toml", *(team.room / "students").iterdir()]:
        os.chown(f, uid, -1)
    before = _tree(team.room)
    # and there is no shared login: a read-only board
    r = team.paratui(team.mallory, "move", "S02", "--to", "nurse", "--as", "JT")
    assert r.returncode == 3 and "read-only" in r.stderr, r.stderr
    for args in (("board",), ("history",), ("check",), ("task", "list"), ("meeting",),
                 ("report", "K.B.", "--format", "csv")):
        team.paratui(team.mallory, *args)
    r = team.run(team.mallory, "-c", OPEN_BOARD.format(root=str(team.room)))  # the board itself, headless
    assert r.returncode == 0 and "opened read-only" in r.stdout, r.stderr
    _break(classroom)  # with a typo too: the last good copies are looked at, none written
    team.paratui(team.mallory, "board", "--json")
    after = _tree(team.room)
    assert after == {**before, "classroom.toml": after["classroom.toml"]}, set(after) ^ set(before)
