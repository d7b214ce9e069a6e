"""Goal files (students/SXX.toml) and the room's [data] settings: strict, file:line:field, last good."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest

from paratui.model.classroom import parse_classroom
from paratui.model.errors import ConfigError
from paratui.model.goals import KINDS, parse_student_plan
from paratui.store.folder import DataFolder

TODAY = date(2026, 11, 23)


def classroom_of(room_dir):
    return parse_classroom(tomllib.loads((room_dir / "classroom.toml").read_text()))


def test_demo_room_has_goals_for_every_student_and_every_kind(room_dir):
    snap = DataFolder(room_dir).load(TODAY)
    assert not snap.warnings
    plans = snap.classroom.plans
    assert set(plans) == {s.id for s in snap.classroom.students}
    kinds = {g.kind for p in plans.values() for g in p.goals}
    assert kinds == set(KINDS)
    areas = {g.area for p in plans.values() for g in p.goals}
    assert {"academic", "communication", "behavior", "self-care"} <= areas
    s05 = plans["S05"]
    assert s05.goal("AAC").mastery.percent == 80 and s05.goal("aac").collect_by == ("DP", "SK")
    assert s05.behavior("elopement").function == "escape"
    assert snap.classroom.prompts == ("FP", "PP", "M", "G", "V", "I") and not snap.classroom.full_names


def test_demo_files_carry_no_full_names(room_dir):
    classroom = classroom_of(room_dir)
    names = [s.name for s in classroom.students if s.name] + [s.name for s in classroom.staff if s.role != "sub"]
    for f in (room_dir / "students").glob("*.toml"):
        text = f.read_text()
        for name in names:
            for part in name.split():
                assert part not in text, (f.name, part)


def test_unknown_key_and_bad_values_are_named(room_dir):
    classroom = classroom_of(room_dir)
    data = {"goals": [
        {"id": "g", "title": "T", "kind": "trials", "colour": "red"},
        {"id": "h", "title": "T", "kind": "bogus"},
        {"id": "i", "title": "T", "kind": "task_analysis"},
        {"id": "j", "title": "T", "kind": "interval", "interval_seconds": 0},
        {"id": "k", "title": "T", "kind": "trials", "collect_by": ["Nobody Real"],
         "mastery": {"percent": 80, "level": "ZZ"}},
        {"id": "l", "title": "T", "kind": "abc", "behavior": "nope"},
    ], "behaviors": [{"id": "b", "name": "B", "definition": "D", "function": "boredom"}]}
    with pytest.raises(ConfigError) as e:
        parse_student_plan(data, "S01", classroom)
    fields = {p.field for p in e.value.problems}
    assert {"goals[0].colour", "goals[1].kind", "goals[2].steps", "goals[3].interval_seconds",
            "goals[3].interval_type", "goals[4].collect_by[0]", "goals[4].mastery.level", "goals[5].behavior",
            "behaviors[0].function"} <= fields
    assert "Nobody Real" not in str(e.value)


def test_prompt_codes_are_per_room(room_dir):
    text = (room_dir / "classroom.toml").read_text().replace(
        'prompts = ["FP", "PP", "M", "G", "V", "I"]', 'prompts = ["P", "Vis", "Ind"]')
    classroom = parse_classroom(tomllib.loads(text))
    assert classroom.prompts == ("P", "Vis", "Ind") and classroom.independent == "Ind"
    with pytest.raises(ConfigError) as e:
        parse_classroom(tomllib.loads(text.replace("full_names = false", "full_names = 1\ncolour = 2")))
    assert {p.field for p in e.value.problems} == {"data.full_names", "data.colour"}


def test_broken_goal_file_keeps_the_last_good_version_with_file_line_field(room_dir):
    folder = DataFolder(room_dir)
    good = folder.load(TODAY).classroom.plans["S02"]
    path = room_dir / "students" / "S02.toml"
    text = path.read_text()
    path.write_text(text.replace('kind = "task_analysis"', 'kind = "task-analysis"'))
    snap = folder.load(TODAY)
    assert snap.classroom.plans["S02"] is good
    line = text.splitlines().index('kind = "task_analysis"') + 1
    [warning] = [w for w in snap.warnings if "goals[1].kind" in w]
    assert warning.startswith(f"students/S02.toml:{line}: goals[1].kind: 'task-analysis' is not one of")
    assert warning.endswith("(showing the last good version)")
    path.write_text(text.replace("[[goals]]\nid = \"greet\"", "[[goals]\nid = \"greet\""))
    snap = folder.load(TODAY)
    assert snap.classroom.plans["S02"] is good and snap.warnings[0].startswith("students/S02.toml:")
    path.write_text(text)
    snap = folder.load(TODAY)
    assert not snap.warnings


def test_unchanged_folder_gives_the_same_snapshot(room_dir):
    folder = DataFolder(room_dir)
    assert folder.load(TODAY) is folder.load(TODAY)


def test_goal_file_for_a_student_not_in_the_room(room_dir):
    (room_dir / "students" / "S99.toml").write_text("[[goals]]\nid = \"g\"\ntitle = \"T\"\nkind = \"tally\"\n")
    snap = DataFolder(room_dir).load(TODAY)
    assert "S99" not in snap.classroom.plans
    assert snap.warnings and snap.warnings[0].startswith("students/S99.toml:")


def test_a_fifo_is_not_read(room_dir):
    import os
    os.mkfifo(room_dir / "students" / "S07.toml.x")
    os.rename(room_dir / "students" / "S07.toml.x", room_dir / "students" / "S09.toml")
    snap = DataFolder(room_dir).load(TODAY)  # returns: never blocks on the FIFO
    assert any(w.startswith("students/S09.toml") for w in snap.warnings)
