"""The shared classroom login (issue 18): anyone at the workstation can pick the teacher with `i`, so
picking a person whose role may do more than a para's asks for that person's PIN. Without the right
one (none typed, a wrong one, none set, or locked after 3 wrong) the shared login acts with a para's
rights: on the board and on the command line alike (`--as MR`, the PIN from a terminal or
`--pin-stdin`). The PIN is kept only as a scrypt hash in `pins/STAFF.json`, which counts only when
its person's own login or a teacher's owns it (real OS accounts below: they skip off root and fail
under CI), and the PIN itself is written nowhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import Input

from paratui.model import commands
from paratui.store import pins
from paratui.store.room import Room
from tests.helpers import demo_copy, entries, make_app, settle, wait_for
from tests.test_writer_bound import Team, team  # noqa: F401  (the real-account fixture)

PIN = "73918264"  # 8 digits: never in a hex salt or hash by chance
WRONG = "11112222"


def run_cli(*args: str, data: Path, input_: str = "", env: dict[str, str] | None = None,
            check: bool = False) -> subprocess.CompletedProcess[str]:
    """`paratui ARGS --data DATA` in its own process, `input_` on its stdin (not a terminal)."""
    r = subprocess.run([sys.executable, "-m", "paratui", *args, "--data", str(data)], input=input_,
                       capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60)
    assert "Traceback" not in r.stderr, r.stderr
    if check:
        assert r.returncode == 0, r.stderr
    return r


def gated(root: Path) -> Path:
    """The demo room with the PIN asked at the shared login (the demo itself turns it off)."""
    toml = root / "classroom.toml"
    text = toml.read_text()
    assert "\npins = false\n" in text
    toml.write_text(text.replace("\npins = false\n", "\npins = true\n"))
    return root


@pytest.fixture
def room(tmp_path: Path) -> Path:
    root = gated(demo_copy(tmp_path / "room"))
    pins.write_pin(root, "MR", PIN, datetime(2026, 11, 20, 8, 0))
    return root


def status(app) -> str:
    return str(app.query_one("#status").render())


async def pick_me(pilot, app, key: str = "1") -> None:
    """`i`, then the person with `key` (Ms. R, the teacher, is 1)."""
    await pilot.press("i")
    assert await wait_for(pilot, lambda: type(app.screen).__name__ == "PickerScreen")
    await pilot.press(key)


async def type_pin(pilot, app, pin: str) -> None:
    assert await wait_for(pilot, lambda: type(app.screen).__name__ == "FormScreen")
    field = app.screen.query_one("#field-pin", Input)
    assert field.password  # masked on screen
    await pilot.press(*pin)
    await pilot.pause()
    assert pin not in "\n".join(str(w.render()) for w in app.screen.query("*"))
    await pilot.press("enter")
    assert await wait_for(pilot, lambda: app.screen is app.board)
    await settle(pilot)


def toasts(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def absent(app) -> tuple[str | None, str] | None:
    """A teacher-only change: mark Mr. T out today."""
    return await app.submit(lambda ctx: commands.absent(ctx, "JT"))


async def test_picking_the_teacher_asks_the_pin_wrong_is_a_paras_rights_right_is_the_teachers(room):
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.acting.mode == "shared" and app.me_id is None
        await pick_me(pilot, app)
        await type_pin(pilot, app, WRONG)
        assert app.me_id == "MR" and "MR" in app.room.capped
        assert "wrong PIN (2 tries left)" in toasts(app)
        assert "Ms. R (para rights)" in status(app)
        refused = await absent(app)
        assert refused and "para's rights at the shared login" in refused[1]
        assert "may not mark an adult out" in refused[1]
        assert await app.submit(lambda ctx: commands.move(ctx, "E.M.", "bathroom")) is None  # what a para may
        await settle(pilot)
        assert not entries(room, "absent") and [e.staff for e in entries(room, "move")] == ["MR"]

        await pick_me(pilot, app)
        await type_pin(pilot, app, PIN)
        assert app.me_id == "MR" and "MR" not in app.room.capped
        assert "you: Ms. R" in status(app) and "para rights" not in status(app)
        assert await absent(app) is None
        await settle(pilot)
        assert [e.staff for e in entries(room, "absent")] == ["MR"]


async def test_i_the_teacher_and_the_pin_typed_in_one_burst_go_to_the_pin_field(room):
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i", "1", *PIN, "enter")  # before any picker or field is on screen
        assert await wait_for(pilot, lambda: app.me_id == "MR" and app.screen is app.board)
        await settle(pilot)
        assert "MR" not in app.room.capped and "PIN right" in toasts(app)
        assert await absent(app) is None


async def test_escape_at_the_pin_leaves_who_is_acting_as_it_was(room):
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick_me(pilot, app, "2")  # Mr. T, a para: no PIN asked
        await settle(pilot)
        assert app.me_id == "JT"
        await pick_me(pilot, app)
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "FormScreen")
        await pilot.press(*"12", "escape")
        assert await wait_for(pilot, lambda: app.screen is app.board)
        assert app.me_id == "JT"


async def test_a_teacher_with_no_pin_set_acts_with_a_paras_rights_and_is_told(room):
    pins.clear_pin(room, "MR")
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick_me(pilot, app)
        assert await wait_for(pilot, lambda: app.me_id == "MR")
        assert type(app.screen).__name__ != "FormScreen"
        assert "no PIN set for Ms. R: acting with a para's rights; set one with `paratui pin set`" in toasts(app)
        refused = await absent(app)
        assert refused and "para's rights" in refused[1]


async def test_three_wrong_pins_lock_it_even_the_right_one_until_the_lock_ends(room, monkeypatch):
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pick_me(pilot, app)
            await type_pin(pilot, app, WRONG)
        assert "locked for 30 s" in toasts(app)
        monkeypatch.setenv("PARATUI_NOW", "2026-11-23T10:15:20")  # 20 s later: still locked
        await pick_me(pilot, app)
        await type_pin(pilot, app, PIN)  # the right PIN, the 4th try
        assert "MR" in app.room.capped and "locked for 10 s more" in toasts(app)
        assert (await absent(app)) is not None
        monkeypatch.setenv("PARATUI_NOW", "2026-11-23T10:15:31")  # the lock is over
        await pick_me(pilot, app)
        await type_pin(pilot, app, PIN)
        assert "MR" not in app.room.capped
        assert await absent(app) is None
        await settle(pilot)
    # a further wrong run doubles: 3 wrong → 30 s, the 4th → 60 s
    assert [pins.lock_seconds(n) for n in (1, 2, 3, 4, 5, 20)] == [0, 0, 30, 60, 120, pins.MAX_LOCK_S]


async def test_the_boards_count_holds_when_the_state_file_is_removed(room):
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pick_me(pilot, app)
            await type_pin(pilot, app, WRONG)
        state = app.pin_gate.state_path
        assert state is not None and state.is_file() and not str(state).startswith(str(room))
        state.unlink()
        await pick_me(pilot, app)
        await type_pin(pilot, app, PIN)
        assert "MR" in app.room.capped and "locked" in toasts(app)


async def test_started_with_as_the_teacher_at_the_shared_login_it_is_a_paras_rights_until_the_pin(room):
    app = make_app(room, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.me_id == "MR" and "Ms. R (para rights)" in status(app)
        assert (await absent(app)) is not None


def test_the_command_line_at_the_shared_login_needs_the_pin_for_the_teachers_rights(room):
    cli = ("absent", "JT", "--as", "MR", "--pin-stdin")
    r = run_cli(*cli, data=room, input_=f"{WRONG}\n")
    assert r.returncode == 3 and "wrong PIN (2 tries left)" in r.stderr and "para's rights" in r.stderr
    r = run_cli("absent", "JT", "--as", "MR", data=room, input_="")  # no PIN, not a terminal
    assert r.returncode == 3 and "no PIN typed for Ms. R" in r.stderr
    r = run_cli("move", "E.M.", "--to", "bathroom", "--as", "MR", data=room, input_="")  # what a para may
    assert r.returncode == 0 and "para's rights" in r.stderr
    r = run_cli(*cli, data=room, input_=f"{PIN}\n")
    assert r.returncode == 0, r.stderr
    assert [e.staff for e in entries(room, "absent")] == ["MR"]
    for _ in range(3):
        run_cli(*cli, data=room, input_=f"{WRONG}\n")
    r = run_cli("absent", "AL", "--as", "MR", "--pin-stdin", data=room, input_=f"{PIN}\n")
    assert r.returncode == 3 and "locked for 30 s more" in r.stderr
    r = run_cli("absent", "AL", "--as", "MR", "--pin-stdin", data=room, input_=f"{PIN}\n",
                env={"PARATUI_NOW": "2026-11-23T10:16"})
    assert r.returncode == 0, r.stderr
    assert sorted(e.payload["staff"] for e in entries(room, "absent")) == ["AL", "JT"]
    r = run_cli("absent", "DP", "--as", "JT", data=room, input_="")  # a para at the shared login: no PIN asked
    assert r.returncode == 3 and "PIN" not in r.stderr.split("may not")[0]


def test_a_demo_room_with_pins_off_asks_nothing(tmp_path):
    root = demo_copy(tmp_path / "demo")
    r = run_cli("absent", "JT", "--as", "MR", data=root, input_="")
    assert r.returncode == 0, r.stderr


def test_pin_set_needs_your_own_login_checks_the_pin_and_writes_only_its_hash(room, tmp_path):
    r = run_cli("pin", "set", "MR", "--pin-stdin", data=room, input_=f"{PIN}\n{PIN}\n")
    assert r.returncode == 3 and "own login" in r.stderr  # the shared login sets nobody's
    me = _my_login()
    toml = room / "classroom.toml"
    toml.write_text(toml.read_text().replace('logins = ["mrivera"]', f'logins = ["mrivera", "{me}"]', 1))
    for bad in ("987", "9876543210987", "98ab"):
        r = run_cli("pin", "set", "--pin-stdin", data=room, input_=f"{bad}\n{bad}\n")
        assert r.returncode == 2 and "4 to 12 digits" in r.stderr and bad not in r.stderr
    r = run_cli("pin", "set", "--pin-stdin", data=room, input_=f"{PIN}\n{WRONG}\n")
    assert r.returncode == 2 and "differ" in r.stderr
    new = "55512345"
    r = run_cli("pin", "set", "--pin-stdin", data=room, input_=f"{new}\n{new}\n")
    assert r.returncode == 0, r.stderr
    data = json.loads((room / "pins" / "MR.json").read_text())
    assert data["staff"] == "MR" and data["scrypt"]["n"] == 2**14 and len(bytes.fromhex(data["scrypt"]["salt"])) == 16
    assert (room / "pins" / "MR.json").stat().st_mode & 0o777 == 0o644
    r = run_cli("pin", "set", "AL", "--pin-stdin", data=room, input_=f"{new}\n{new}\n")  # the teacher: anyone's
    assert r.returncode == 0 and (room / "pins" / "AL.json").is_file()
    al_key = json.loads((room / "pins" / "AL.json").read_text())["pin_key"]["public"]
    r = run_cli("pin", "clear", "AL", data=room)
    assert r.returncode == 0, r.stderr
    cleared = json.loads((room / "pins" / "AL.json").read_text())  # no PIN; its key kept for what it signed
    assert "scrypt" not in cleared and "pin_key" not in cleared and cleared["old_keys"] == [al_key]
    r = run_cli("pin", "clear", "AL", data=room)
    assert r.returncode == 0 and "has no PIN set" not in r.stdout  # (the file stays: cleared again)
    toml.write_text(toml.read_text().replace(f'logins = ["mrivera", "{me}"]', 'logins = ["mrivera"]', 1))
    r = run_cli("absent", "JT", "--as", "MR", "--pin-stdin", data=room, input_=f"{PIN}\n")
    assert r.returncode == 3  # the old PIN no longer
    r = run_cli("absent", "JT", "--as", "MR", "--pin-stdin", data=room, input_=f"{new}\n")
    assert r.returncode == 0, r.stderr


async def test_the_pin_is_nowhere_in_the_data_folder_the_journal_or_the_caches(room, tmp_path):
    for pin in (WRONG, PIN):
        run_cli("absent", "JT", "--as", "MR", "--pin-stdin", data=room, input_=f"{pin}\n")
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for pin in (WRONG, PIN):
            await pick_me(pilot, app)
            await type_pin(pilot, app, pin)
        assert await app.submit(lambda ctx: commands.absent(ctx, "AL")) is None
        await settle(pilot)
        shown = toasts(app) + status(app)
    run_cli("history", "--format", "json", data=room, check=True)
    assert len(entries(room, "absent")) == 2
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "MR.json" for p in files) and any(p.name == "attempts.json" for p in files)
    for p in files:
        raw = p.read_bytes()
        for pin in (PIN, WRONG):
            assert pin.encode() not in raw, p
            assert pin.encode("utf-16-le") not in raw, p
    assert PIN not in shown and WRONG not in shown


def test_a_pins_file_other_accounts_may_change_is_ignored_with_a_warning(room):
    path = room / "pins" / "MR.json"
    os.chmod(path, 0o664)
    r = run_cli("absent", "JT", "--as", "MR", "--pin-stdin", data=room, input_=f"{PIN}\n")
    assert r.returncode == 3 and "pins/MR.json: other accounts may change it" in r.stderr
    os.chmod(path, 0o644)
    broken = room / "pins" / "AL.json"
    broken.write_text(json.dumps({"staff": "MR", "scrypt": {}}))  # a copy named for someone else
    record, problem = pins.read_pin(room, "AL", Room(room).snapshot().classroom)
    assert record is None and problem and "pins/AL.json" in problem


def test_paratui_check_names_each_pins_file_that_would_be_ignored(room):
    r = run_cli("check", data=room)
    assert r.returncode == 0 and "pins/" in r.stdout
    os.chmod(room / "pins" / "MR.json", 0o666)
    (room / "pins" / "NOBODY.json").write_text("{}")
    r = run_cli("check", data=room)
    assert r.returncode == 1
    assert "pins/MR.json: other accounts may change it (mode 666): ignored" in r.stdout
    assert "pins/NOBODY.json: not anyone on the staff list: ignored" in r.stdout


def _my_login() -> str:
    from paratui.store import identity

    return identity.login()


# -- real OS accounts: who may own a pins file ----------------------------------------------------------
def _run_with_stdin(team: Team, user: str, stdin: str, *args: str) -> subprocess.CompletedProcess:  # noqa: F811
    """As `user`, `paratui ARGS --data ROOM`, with `stdin`."""
    import paratui

    repo = str(Path(paratui.__file__).resolve().parents[1])
    site = next((p for p in sys.path if p.endswith("site-packages") and Path(p, "tinydb").is_dir()), "")
    settings = {"PYTHONPATH": f"{repo}:{site}", "PYTHONDONTWRITEBYTECODE": "1", "PARATUI_HOST": "ws",
                "PARATUI_NOW": "2026-11-23T10:15", "HOME": str(team.base / f"home-{user}"),
                "XDG_CACHE_HOME": str(team.base / f"cache-{user}"), "XDG_CONFIG_HOME": str(team.base / f"conf-{user}")}
    argv = ["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in settings.items()), *team.exe,
            "-m", "paratui", *args, "--data", str(team.room)]
    return subprocess.run(argv, capture_output=True, text=True, input=stdin, timeout=90)


def test_a_pins_file_counts_only_from_its_persons_login_or_a_teachers(team):  # noqa: F811
    shared = _my_login()  # `paratui init` made the account that ran it the shared login
    assert f'shared_logins = ["{shared}"]' in (team.room / "classroom.toml").read_text()
    assert "\npins = true" in (team.room / "classroom.toml").read_text()  # a new room asks
    as_mr = ("absent", "JT", "--as", "MR", "--pin-stdin")
    r = _run_with_stdin(team, shared, f"{PIN}\n", *as_mr)
    assert r.returncode == 3 and "no PIN set for Ms. R" in r.stderr

    r = _run_with_stdin(team, team.para, f"{PIN}\n{PIN}\n", "pin", "set", "MR", "--pin-stdin")
    assert r.returncode == 3 and "only the teacher" in r.stderr
    r = _run_with_stdin(team, team.teacher, f"{PIN}\n{PIN}\n", "pin", "set", "--pin-stdin")
    assert r.returncode == 0, r.stderr
    folder = team.room / "pins"
    assert folder.stat().st_mode & 0o7777 == 0o3775  # like the journal: each adds their own, none replaces another's
    r = _run_with_stdin(team, shared, f"{PIN}\n", *as_mr)
    assert r.returncode == 0, r.stderr

    # the para cannot replace the teacher's file (the sticky folder) ...
    fake = json.dumps(pins.make_record("MR", WRONG, datetime(2026, 11, 23)))
    code = (f"import os\np = {str(folder / 'MR.json')!r}\nopen(p + '.x', 'w').write({fake!r})\n"
            "os.chmod(p + '.x', 0o644)\ntry:\n    os.replace(p + '.x', p)\nexcept PermissionError:\n"
            "    print('refused')\n")
    r = team.run(team.para, "-c", code)
    assert r.returncode == 0 and "refused" in r.stdout, r.stderr
    # ... and once it is gone, a file of theirs in its place is ignored, with a warning naming it
    r = _run_with_stdin(team, team.teacher, "", "pin", "clear", "MR")  # (it keeps the PIN key's public half)
    assert r.returncode == 0, r.stderr
    r = team.run(team.teacher, "-c", f"import os\nos.unlink({str(folder / 'MR.json')!r})")  # removed by hand
    assert r.returncode == 0, r.stderr
    r = team.run(team.para, "-c", code)
    assert r.returncode == 0 and (folder / "MR.json").stat().st_uid != 0
    r = _run_with_stdin(team, shared, f"{WRONG}\n", "absent", "AL", "--as", "MR", "--pin-stdin")
    assert r.returncode == 3
    assert f"pins/MR.json: written by account {team.para}, not MR's own login or a teacher's: ignored" in r.stderr
    # the para's own PIN, from their own login, is theirs (a para is not asked for it at the shared login)
    r = _run_with_stdin(team, team.para, f"{PIN}\n{PIN}\n", "pin", "set", "--pin-stdin")
    assert r.returncode == 0, r.stderr
    record, problem = pins.read_pin(team.room, "AL", Room(team.room).snapshot().classroom)
    assert record is not None and problem is None and record.matches(PIN)


# -- a real terminal: the PIN asked, never echoed -----------------------------------------------------
@pytest.fixture
def tmux():
    import shutil

    from tests.terminal import Tmux

    if not shutil.which("tmux"):
        if os.environ.get("CI"):
            pytest.fail("CI must run the terminal tests of the PIN: tmux is missing")
        pytest.skip("needs tmux (apt-get install tmux)")
    server = Tmux()
    yield server
    server.close()


def test_in_a_terminal_the_command_line_asks_the_pin_without_echoing_it(room, tmux):
    from tests.terminal import remote

    command = remote(["absent", "JT", "--as", "MR"], room) + "; echo EXIT=$?; sleep 60"
    tmux("new-session", "-d", "-s", "C", "-x", "120", "-y", "20", command)
    tmux.wait_screen("C", "Ms. R's PIN")
    tmux("send-keys", "-t", "C", "-l", PIN)
    tmux("send-keys", "-t", "C", "Enter")
    shown = tmux.wait_screen("C", "EXIT=")
    assert "EXIT=0" in shown and "recorded: Mr. T is out today" in shown and PIN not in shown
    assert [e.staff for e in entries(room, "absent")] == ["MR"]


def test_in_a_terminal_the_board_takes_the_pin_masked(room, tmux):
    from tests.terminal import remote

    command = remote([], room, TEXTUAL_ANIMATIONS="none")
    tmux("new-session", "-d", "-s", "B", "-x", "120", "-y", "40", command)
    tmux.wait_screen("B", "Room 12", "Adults")
    tmux("send-keys", "-t", "B", "-l", "i")
    tmux.wait_screen("B", "Who are you?")
    tmux("send-keys", "-t", "B", "-l", "1")
    tmux.wait_screen("B", "Ms. R's PIN")
    tmux("send-keys", "-t", "B", "-l", PIN)
    shown = tmux.wait_screen("B", "•" * len(PIN))
    assert PIN not in shown
    tmux("send-keys", "-t", "B", "Enter")
    shown = tmux.wait_screen("B", "you: Ms. R")
    assert "para rights" not in shown and PIN not in shown


def test_in_a_terminal_no_pin_is_asked_of_someone_who_has_none(room, tmux):
    from tests.terminal import remote

    pins.clear_pin(room, "MR")
    command = remote(["absent", "JT", "--as", "MR"], room) + "; echo EXIT=$?; sleep 60"
    tmux("new-session", "-d", "-s", "N", "-x", "160", "-y", "20", command)
    shown = tmux.wait_screen("N", "EXIT=")
    assert "EXIT=3" in shown and "no PIN set for Ms. R" in shown and "Ms. R's PIN" not in shown
