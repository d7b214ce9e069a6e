"""Later changes from the setup screens (issue 22): a student added mid-year, a goal retired (kept in
reports, no longer due nor offered for logging), every save from a setup screen in the audit trail,
two saves of the same file at once (two real processes: the second sees the first), the menu on
screen (`paratui setup`) and `S` on the board (the teacher only)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from paratui.app import later_setup
from paratui.app.later_setup import LaterApp
from paratui.model.datalog import data_due
from paratui.model.later_setup import SetupRefused, add_student, new_student, retire_goal
from paratui.store.check import check_folder
from paratui.store.room import Room
from paratui.store.student_file import ChangedOnDisk, read_room_file, read_student_file, save_new_student
from tests.helpers import DAY, NOW, NOW_DT, run_cli, wait_for
from tests.test_goal_setup import kept_in_order
from tests.test_setup_app import fields

ROOT = Path(__file__).resolve().parents[1]


def classroom_of(room_dir: Path) -> Any:
    return Room(room_dir, clock=lambda: NOW_DT).snapshot().classroom


# -- the model -------------------------------------------------------------------------------------

def test_a_student_added_keeps_every_line_and_tells_initials_apart(room_dir: Path) -> None:
    classroom = classroom_of(room_dir)
    before = (room_dir / "classroom.toml").read_text(encoding="utf-8")
    pupil = new_student(classroom, "S09", "", "Evan Moss", "DP")
    assert pupil.initials == "E.Mo." and pupil.note is not None and "E.M. is already" in pupil.note
    text, student_file, parsed = add_student(before, pupil)
    assert kept_in_order(before, text)  # every comment and line as it was
    assert parsed.student_by_id()["S09"].initials == "E.Mo." and parsed.student_by_id()["S09"].one_to_one == "DP"
    students = tomllib.loads(text)["students"]
    assert students[-1] == {"id": "S09", "initials": "E.Mo.", "name": "Evan Moss", "one_to_one": "DP"}
    assert tomllib.loads(student_file) == {"student": "S09"}
    # the new table sits right after the last student's, before the groups' comments
    assert text.index('id = "S09"') < text.index("# ─── Groups")


@pytest.mark.parametrize("sid, initials, para, said", [
    ("S01", "Z.Z.", "", "id: S01 is already E.M.'s"),
    ("s02", "Z.Z.", "", "id: s02 is already K.B.'s"),
    ("9x", "Z.Z.", "", "id: a short code"),
    ("S09", "", "", "initials: type them"),
    ("S09", "Z.Z.", "Nobody", "one-to-one: not someone on the staff list"),
])
def test_a_student_that_cannot_be_added_says_which_field(room_dir: Path, sid: str, initials: str, para: str,
                                                        said: str) -> None:
    with pytest.raises(SetupRefused) as e:
        new_student(classroom_of(room_dir), sid, initials, "", para)
    assert e.value.message.startswith(said)


def test_an_id_whose_file_is_already_there_is_refused(room_dir: Path) -> None:
    with pytest.raises(SetupRefused, match="students/S09.toml is already there"):
        new_student(classroom_of(room_dir), "S09", "Z.Z.", "", "", frozenset({"S09"}))


def test_a_retired_goal_is_kept_marked_and_no_longer_due_nor_logged(room_dir: Path) -> None:
    from paratui.model import data_commands
    from paratui.model.commands import Refused
    from paratui.model.report import build, to_markdown

    classroom = classroom_of(room_dir)
    path = room_dir / "students" / "S01.toml"
    before = path.read_text(encoding="utf-8")
    due = {d.goal for d in data_due(classroom, [], DAY, True) if d.student == "S01"}
    assert "help" in due
    text, plan, goal = retire_goal(before, "help", DAY, classroom, "S01")
    assert kept_in_order(before, text) and goal.retired == DAY
    assert [g.id for g in plan.goals] == ["read", "help", "callout"]  # still there, with its data
    assert [g.id for g in plan.current(DAY)] == ["read", "callout"]
    assert [g.id for g in plan.current(date(2026, 11, 22))] == ["read", "help", "callout"]  # not before
    path.write_text(text, encoding="utf-8")
    assert check_folder(room_dir)[0] == []
    room = Room(room_dir, clock=lambda: NOW_DT)
    snap = room.snapshot()
    assert "help" not in {d.goal for d in data_due(snap.classroom, [], DAY, True) if d.student == "S01"}
    with pytest.raises(Refused, match="help was retired on 2026-11-23"):
        data_commands.log(room.context("JT"), "E.M.", "help", "+")
    report = build(snap.classroom, snap.classroom.student_by_id()["S01"], [], NOW_DT)
    assert next(g for g in report["goals"] if g["id"] == "help")["retired"] == "2026-11-23"
    assert "help: Asks for help with the help card instead of calling out (retired 2026-11-23)" in \
        to_markdown(report, "test")
    with pytest.raises(SetupRefused, match="already retired"):
        retire_goal(text, "help", DAY, classroom, "S01")


# -- the store: check-and-write under the file's lock ---------------------------------------------

def test_a_student_is_not_added_over_a_changed_classroom_toml(room_dir: Path) -> None:
    classroom = classroom_of(room_dir)
    read = read_room_file(room_dir, "classroom.toml")
    text, student_file, _ = add_student(read.text, new_student(classroom, "S09", "Z.Z.", "", ""))
    toml = room_dir / "classroom.toml"
    toml.write_text(read.text + "# someone else's edit\n", encoding="utf-8")
    with pytest.raises(ChangedOnDisk, match="classroom.toml changed on disk since it was opened"):
        save_new_student(room_dir, read, text, "S09", student_file, "student S09 added")
    assert toml.read_text(encoding="utf-8").endswith("# someone else's edit\n")
    assert not (room_dir / "students" / "S09.toml").exists()  # nothing half-written


HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from paratui.store.student_file import file_lock
    path = Path(sys.argv[1])
    with file_lock(path):
        print("locked", flush=True)
        sys.stdin.readline()
        path.write_text(path.read_text(encoding="utf-8") + "# the first save\\n", encoding="utf-8")
""")
SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from paratui.store.student_file import ChangedOnDisk, read_student_file, save_student_file
    root = Path(sys.argv[1])
    read = read_student_file(root, "S01")
    print("read", flush=True)
    sys.stdin.readline()
    try:
        save_student_file(root, read, read.text + "# the second save\\n", what="test")
    except ChangedOnDisk as e:
        print("refused:", e, flush=True)
        raise SystemExit(4)
    print("saved", flush=True)
""")


def test_two_processes_saving_the_same_file_the_second_sees_the_first(room_dir: Path) -> None:
    """The first process holds the file's lock while it saves; the second, which read the file
    before, waits for the lock, then sees the first's save and writes nothing. (Without the lock,
    the second's check passes before the first writes, and the first's save is lost.)"""
    path = room_dir / "students" / "S01.toml"
    env_cwd = {"cwd": str(ROOT), "text": True, "stdin": subprocess.PIPE, "stdout": subprocess.PIPE}
    saver = subprocess.Popen([sys.executable, "-c", SAVER, str(room_dir)], **env_cwd)  # type: ignore[call-overload]
    assert saver.stdout.readline().strip() == "read"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], **env_cwd)  # type: ignore[call-overload]
    try:
        assert holder.stdout.readline().strip() == "locked"
        saver.stdin.write("go\n")
        saver.stdin.flush()
        try:
            saver.wait(timeout=1.0)  # without the lock it saves now; with it, it waits for the holder
        except subprocess.TimeoutExpired:
            pass
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
        out, _ = saver.communicate(timeout=30)
    finally:
        for p in (saver, holder):
            if p.poll() is None:
                p.kill()
    assert saver.returncode == 4 and "students/S01.toml changed on disk" in out, out
    text = path.read_text(encoding="utf-8")
    assert text.endswith("# the first save\n") and "# the second save" not in text


# -- the audit trail --------------------------------------------------------------------------------

def test_a_setup_save_is_an_event_paratui_history_shows(room_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from paratui.cli.setup import _audited
    from paratui.store.student_file import save_student_file

    monkeypatch.setenv("PARATUI_NOW", NOW)
    room = Room(room_dir, clock=lambda: NOW_DT)
    read = read_student_file(room_dir, "S01")
    text, _, _ = retire_goal(read.text, "help", DAY, room.snapshot().classroom, "S01")
    with _audited(room, "MR") as audit:
        saved = save_student_file(room_dir, read, text, what="goal help retired")
    assert audit.problems == [] and audit.saved == ["students/S01.toml"]
    event = next(e for e in room.snapshot().screened().events if e.type == "setup.save")
    assert event.staff == "MR" and event.payload == {"file": "students/S01.toml", "what": "goal help retired",
                                                     "before": read.digest, "after": saved.after}
    shown = run_cli("history", "--date", DAY.isoformat(), data=room_dir, env={"PARATUI_NOW": NOW}, check=True).stdout
    assert "saved students/S01.toml from a setup screen: goal help retired (sha256" in shown
    # a new student: two files, two events, the new file's with no "before"
    read = read_room_file(room_dir, "classroom.toml")
    text, student_file, _ = add_student(read.text, new_student(room.snapshot().classroom, "S09", "Z.Z.", "", ""))
    with _audited(room, "MR") as audit:
        save_new_student(room_dir, read, text, "S09", student_file, "student S09 (Z.Z.) added")
    assert audit.problems == [] and audit.saved == ["students/S09.toml", "classroom.toml"]
    screened = room.snapshot().screened()
    saves = [e.payload for e in screened.events if e.type == "setup.save"]
    assert [p["file"] for p in saves] == ["students/S01.toml", "students/S09.toml", "classroom.toml"]
    assert saves[1]["before"] is None and saves[2]["before"] == read.digest
    assert not [w for w in room.snapshot().warnings if "setup.save" in w]  # every one is good
    # outside a setup screen's `_audited`, a save is not an event (as a hand edit is not)
    read = read_student_file(room_dir, "S02")
    save_student_file(room_dir, read, read.text + "# by hand\n")
    assert sum(e.type == "setup.save" for e in room.snapshot().screened().events) == 3


# -- on screen ---------------------------------------------------------------------------------------

def make(room_dir: Path, theme: str | None = None) -> LaterApp:
    from paratui.store import paths

    return LaterApp(room_dir, classroom_of(room_dir), DAY, theme_name=theme, theme_folders=[paths.builtin_themes()])


def said(app: LaterApp) -> str:
    return str(app.screen.query_one("#setup-error", Static).render())


ADD = ["1", "enter", *fields("S09", "", "Evan Moss", "DP")]


async def test_a_student_added_on_screen(room_dir: Path) -> None:
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*ADD)
        assert "this one is E.Mo. on the board: Enter again to add S09 (E.Mo.)" in said(app)
        assert not (room_dir / "students" / "S09.toml").exists()  # said first, saved on the second Enter
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, later_setup.MenuScreen)), said(app)
        assert "student S09 (E.Mo.) added" in said(app)
        await pilot.press("4", "enter", *fields("E.Mo."))  # the new student is there for the next screen
        assert await wait_for(pilot, lambda: isinstance(app.screen, later_setup.RetireQuestion)), said(app)
        assert "E.Mo. has no goal to retire (students/S09.toml)" in said(app)
    assert (room_dir / "students" / "S09.toml").exists()
    assert tomllib.loads((room_dir / "classroom.toml").read_text(encoding="utf-8"))["students"][-1]["id"] == "S09"
    assert check_folder(room_dir)[0] == []


async def test_an_id_already_used_is_said_on_screen(room_dir: Path) -> None:
    app = make(room_dir)
    before = (room_dir / "classroom.toml").read_text(encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", *fields("S03", "Z.Z.", "", ""))
        assert "id: S03 is already L.S.'s" in said(app)
    assert (room_dir / "classroom.toml").read_text(encoding="utf-8") == before


async def test_a_goal_retired_on_screen_and_a_file_changed_meanwhile(room_dir: Path) -> None:
    path = room_dir / "students" / "S01.toml"
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4", "enter", *fields("E.M."))
        assert await wait_for(pilot, lambda: isinstance(app.screen, later_setup.RetireQuestion))
        await pilot.press("down", "enter")
        assert "Retire help" in said(app)
        path.write_text(path.read_text(encoding="utf-8") + "# someone else's edit\n", encoding="utf-8")
        await pilot.press("enter")
        assert "students/S01.toml changed on disk since it was opened" in said(app)
    assert "retired" not in path.read_text(encoding="utf-8").split("# E.M.", 1)[1].split("\n[[", 3)[2]
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4", "enter", *fields("E.M."), "down", "enter", "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, later_setup.MenuScreen)), said(app)
        assert "goal help of E.M. retired on 2026-11-23" in said(app)
    assert tomllib.loads(path.read_text(encoding="utf-8"))["goals"][1]["retired"] == DAY


async def test_the_week_and_a_goal_are_handed_to_their_own_screens(room_dir: Path) -> None:
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "enter")
        assert await wait_for(pilot, lambda: not app.is_running)
    assert app.return_value == ("week", None)
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "enter", *fields("K.B."))
        assert await wait_for(pilot, lambda: not app.is_running)
    assert app.return_value == ("goal", "S02")


SCREENS = {"menu": ["down"], "student": ["1", "enter", "S", "0", "9"], "retire": ["4", "enter", *fields("E.M.")]}


@pytest.mark.parametrize("name", list(SCREENS))
def test_later_setup_snapshot(room_dir: Path, snap_compare: Any, name: str) -> None:
    async def reach(pilot: Pilot[Any]) -> None:
        await pilot.press(*SCREENS[name])
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(make(room_dir), terminal_size=(80, 24), run_before=reach)


@pytest.mark.parametrize("theme", ["paratui-dark", "paratui-light", "paratui-contrast"])
async def test_every_screen_fits_80x24_in_each_theme(room_dir: Path, theme: str) -> None:
    for name, presses in SCREENS.items():
        app = make(room_dir, theme)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*presses)
            await pilot.pause()
            assert app.theme == theme
            for widget in app.screen.query("Static, Input, Label"):
                region = widget.region
                assert region.right <= 80 and region.bottom <= 24, (name, widget)
            keys = app.screen.query_one("#setup-keys", Static)
            assert keys.region.height >= 1 and keys.region.y == 23, name


# -- `paratui setup` and `S` on the board -----------------------------------------------------------

def test_paratui_setup_is_the_teachers_from_a_terminal(room_dir: Path) -> None:
    anyone = run_cli("setup", data=room_dir)  # the demo's shared login, nobody named
    assert anyone.returncode == 3 and "only the teacher" in anyone.stderr


async def test_the_setup_key_is_the_teachers(room_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from paratui.app import setup_key
    from paratui.store import identity
    from tests.helpers import make_app

    ran: list[list[str]] = []
    monkeypatch.setattr(setup_key, "open_setup", lambda app, root, staff, theme: ran.append([str(root), staff]))
    assert setup_key.refusal(None, None) is not None
    para = classroom_of(room_dir).staff_by_id()["JT"]
    assert "only the teacher does: Mr. T is a para" in (setup_key.refusal(para, "personal") or "")
    toml = room_dir / "classroom.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('logins = ["mrivera"]', f'logins = ["{identity.login()}"]')
                    .replace('shared_logins = ["*"]', "shared_logins = []"), encoding="utf-8")
    app = make_app(room_dir, clock=lambda: NOW_DT)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_for(pilot, lambda: app.state is not None and app.me_id == "MR")
        await pilot.press("S")
        assert await wait_for(pilot, lambda: bool(ran))
    assert ran == [[str(room_dir), "MR"]]
    teacher = classroom_of(room_dir).staff_by_id()["MR"]
    assert "from their own login" in (setup_key.refusal(teacher, "shared") or "")
    assert setup_key.command(room_dir, "MR", None)[2:5] == ["paratui", "setup", "--data"]
    # the command the key runs is one `paratui` understands (a theme is a top-level option)
    said = subprocess.run(setup_key.command(room_dir, "MR", "paratui-light"), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=ROOT)
    assert said.returncode == 2 and "run it in a terminal" in said.stderr, said.stderr


async def test_the_setup_key_tells_a_para_why_not(room_dir: Path) -> None:
    from tests.helpers import make_app

    app = make_app(room_dir, clock=lambda: NOW_DT, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("S")
        assert await wait_for(pilot, lambda: any("only the teacher does: Mr. T is a para" in str(n.message)
                                                 for n in app._notifications))


async def test_a_retired_goal_is_not_on_the_logging_sheet(room_dir: Path) -> None:
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import make_app

    path = room_dir / "students" / "S02.toml"
    text, _, _ = retire_goal(path.read_text(encoding="utf-8"), "coins", DAY, classroom_of(room_dir), "S02")
    path.write_text(text, encoding="utf-8")
    app = make_app(room_dir, clock=lambda: NOW_DT, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")  # K.B.'s sheet
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        offered = [i.goal.id for i in app.screen.items if i.goal is not None]  # type: ignore[attr-defined]
    assert offered and "coins" not in offered
