"""Goals from templates (issue 22): `paratui.model.goal_template` adds a goal of each kind to a
hand-commented demo file and keeps every line it did not touch; the file is checked by the goal
parser before anything is written; a file changed on disk meanwhile is never overwritten; and
`paratui setup goal` does it on screen (kind, form, preview, save)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from paratui.app import goal_setup
from paratui.app.goal_setup import GoalApp
from paratui.model.goal_template import GoalForm, GoalProblem, add_goal, mastery_table
from paratui.store.check import check_folder
from paratui.store.room import Room
from paratui.store.student_file import ChangedOnDisk, read_student_file, save_student_file
from tests.helpers import NOW_DT, wait_for
from tests.test_setup_app import fields, keys


def kept_in_order(before: str, after: str) -> bool:
    """Every line of `before` is in `after`, in the same order (only lines added)."""
    lines = iter(after.splitlines())
    return all(any(line == x for x in lines) for line in before.splitlines())


ONE_OF_EACH = [
    GoalForm("tally", "", "Raises a hand to speak", mastery="at_least 8 over 3", collect_by=("JT",)),
    GoalForm("trials", "coins2", "Counts coins to $1", baseline="20%", mastery="80% I over 3", collect_by=("Mr. T",)),
    GoalForm("duration", "", "Stays with the group", mastery="at_least 600"),
    GoalForm("latency", "", "Starts work after the instruction", mastery="at_most 30 over 4"),
    GoalForm("task_analysis", "", "Washes hands", steps=("Water on", "Soap", "Rub 20 s", "Rinse", "Dry")),
    GoalForm("interval", "", "On task in centers", interval_seconds="15", interval_type="whole"),
    GoalForm("mts", "", "In seat at the bell", interval_seconds="60", mastery="90% over 2"),
    GoalForm("abc", "", "Throwing materials", definition="Throws an object more than 1 m", function="escape",
             mastery="at_most 2 over 5"),
]


def test_one_goal_of_each_kind_keeps_every_comment_and_line(room_dir: Path) -> None:
    classroom = Room(room_dir).snapshot().classroom
    before = (room_dir / "students" / "S01.toml").read_text(encoding="utf-8")
    text = before
    for form in ONE_OF_EACH:
        text, plan = add_goal(text, form, classroom, "S01")
        assert plan.goals[-1].kind == form.kind
    assert kept_in_order(before, text)  # every line the teacher wrote, comments included, as it was
    data = tomllib.loads(text)
    added = {g["id"]: g for g in data["goals"][-8:]}
    assert added["coins2"]["mastery"] == {"percent": 80, "level": "I", "sessions": 3}
    assert added["coins2"]["collect_by"] == ["JT"]  # a short name, written as the staff id
    assert added["washes-hands"]["steps"][-1] == "Dry"
    assert added["on-task"]["interval_type"] == "whole" and added["on-task"]["interval_seconds"] == 15
    assert added["throwing-materials"]["behavior"] == "throwing-materials"
    assert data["behaviors"][-1]["definition"] == "Throws an object more than 1 m"
    (room_dir / "students" / "S01.toml").write_text(text, encoding="utf-8")
    assert check_folder(room_dir)[0] == []


@pytest.mark.parametrize("form, said", [
    (GoalForm("task_analysis", "", "Washes hands", steps=("Water on",)), "steps: a task analysis needs its steps"),
    (GoalForm("abc", "", "Throwing", function="escape"), "definition: what the behaviour looks like"),
    (GoalForm("abc", "", "Throwing", definition="Throws", function="boredom"), "function: one of escape"),
    (GoalForm("tally", "", "Hands up", mastery="80% I"), "mastery: a tally goal is met by a count"),
    (GoalForm("trials", "read", "Reads"), "id: read is already one of this student's goals"),
    (GoalForm("trials", "", "Reads", collect_by=("Nobody",)), "collected by: 'Nobody' is not a staff id"),
    (GoalForm("trials", "", "Reads", mastery="80% Q"), "mastery: the level is one of the room's prompt codes"),
    (GoalForm("interval", "", "On task", interval_seconds="0"), "interval: whole seconds"),
    (GoalForm("trials", "", ""), "title: 1 to 120 characters"),
])
def test_a_form_that_cannot_make_a_goal_names_the_field(room_dir: Path, form: GoalForm, said: str) -> None:
    classroom = Room(room_dir).snapshot().classroom
    text = (room_dir / "students" / "S01.toml").read_text(encoding="utf-8")
    with pytest.raises(GoalProblem) as e:
        add_goal(text, form, classroom, "S01")
    assert any(said in p for p in e.value.problems), e.value.problems


def test_mastery_words() -> None:
    prompts = ("FP", "PP", "M", "G", "V", "I")
    assert mastery_table("trials", "", prompts) == ({"percent": 80, "level": "I", "sessions": 3}, None)
    assert mastery_table("abc", "≤ 2 over 5 days", prompts) == ({"at_most": 2, "sessions": 5}, None)
    assert mastery_table("duration", "at_least 90.5", prompts) == ({"at_least": 90.5, "sessions": 3}, None)
    assert mastery_table("trials", "lots", prompts)[1]


def test_a_file_changed_on_disk_since_it_was_read_is_not_overwritten(room_dir: Path) -> None:
    read = read_student_file(room_dir, "S01")
    path = room_dir / "students" / "S01.toml"
    path.write_text(read.text + "\n# a note the teacher just saved\n", encoding="utf-8")
    with pytest.raises(ChangedOnDisk, match="changed on disk since it was opened"):
        save_student_file(room_dir, read, read.text + "\n# mine\n")
    assert path.read_text(encoding="utf-8").endswith("# a note the teacher just saved\n")
    fresh = read_student_file(room_dir, "S01")
    save_student_file(room_dir, fresh, fresh.text + "# mine\n")
    assert path.read_text(encoding="utf-8").endswith("# mine\n")


def make(room_dir: Path, sid: str = "S01") -> GoalApp:
    classroom = Room(room_dir).snapshot().classroom
    student = classroom.student_by_id()[sid]
    return GoalApp(room_dir, classroom, student, read_student_file(room_dir, sid), NOW_DT.date())


def said(app: GoalApp) -> str:
    return str(app.screen.query_one("#setup-error", Static).render())


TASK = ["5", "enter", *fields("Washes hands", "", "self-care", "1 of 5 steps", "", "DP", "before lunch"),
        *keys("Water on; Soap; Rub; Rinse; Dry"), "enter"]


async def test_a_goal_on_screen_previewed_then_saved(room_dir: Path) -> None:
    app = make(room_dir)
    before = (room_dir / "students" / "S01.toml").read_text(encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*TASK)
        assert await wait_for(pilot, lambda: isinstance(app.screen, goal_setup.PreviewQuestion)), said(app)
        shown = str(app.screen.query_one("#setup-listing", Static).render())
        assert "washes-hands  Washes hands  (task_analysis, self-care)" in shown
        assert "Today: no data yet" in shown and "Baseline: 1 of 5 steps" in shown
        assert 'steps = ["Water on", "Soap", "Rub", "Rinse", "Dry"]' in shown
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: not app.is_running)
    assert app.return_value == "washes-hands"
    after = (room_dir / "students" / "S01.toml").read_text(encoding="utf-8")
    assert kept_in_order(before, after) and check_folder(room_dir)[0] == []
    goal = tomllib.loads(after)["goals"][-1]
    assert goal["collect_by"] == ["DP"] and goal["mastery"] == {"percent": 80, "level": "I", "sessions": 3}


async def test_the_form_says_what_is_wrong_and_esc_keeps_it(room_dir: Path) -> None:
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("8", "enter", *fields("Throwing", "", "", "", "", "", "", "Throws things", "boredom"))
        assert "function: one of escape" in said(app)
        await pilot.press("escape", "up", "enter")  # back to the kinds: keep what was typed
        assert await wait_for(pilot, lambda: isinstance(app.screen, goal_setup.GoalFormQuestion))
        assert app.screen.kind == "mts"  # type: ignore[attr-defined]
        assert app.screen.value("title") == "Throwing"  # type: ignore[attr-defined]


async def test_a_file_changed_while_the_screen_was_open_is_said_and_kept(room_dir: Path) -> None:
    app = make(room_dir)
    path = room_dir / "students" / "S01.toml"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*TASK)
        assert await wait_for(pilot, lambda: isinstance(app.screen, goal_setup.PreviewQuestion)), said(app)
        path.write_text(path.read_text(encoding="utf-8") + "# someone else's edit\n", encoding="utf-8")
        await pilot.press("enter")
        assert "changed on disk since it was opened" in said(app)
        assert app.is_running
    assert path.read_text(encoding="utf-8").endswith("# someone else's edit\n")
    assert "washes-hands" not in path.read_text(encoding="utf-8")


GOAL_SCREENS = {"kind": ["down"], "form": ["5", "enter", *fields("Washes hands")], "preview": TASK}


@pytest.mark.parametrize("name", list(GOAL_SCREENS))
def test_goal_screen_snapshot(room_dir: Path, snap_compare: Any, name: str) -> None:
    async def reach(pilot: Pilot[Any]) -> None:
        await pilot.press(*GOAL_SCREENS[name])
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(make(room_dir), terminal_size=(80, 24), run_before=reach)


def test_setup_goal_is_the_teachers_from_a_terminal(room_dir: Path) -> None:
    from paratui.store import identity
    from tests.helpers import run_cli

    anyone = run_cli("setup", "goal", "E.M.", data=room_dir)  # the demo's shared login, nobody named
    assert anyone.returncode == 3 and "only the teacher" in anyone.stderr
    toml = room_dir / "classroom.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('logins = ["mrivera"]', f'logins = ["{identity.login()}"]')
                    .replace('shared_logins = ["*"]', "shared_logins = []"), encoding="utf-8")
    script = run_cli("setup", "goal", "E.M.", data=room_dir)  # the teacher, but no terminal here
    assert script.returncode == 2 and "run it in a terminal" in script.stderr
    assert run_cli("setup", "goal", "Z.Z.", data=room_dir).returncode == 2
