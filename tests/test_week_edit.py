"""The week from a screen, first part (issue 22): paratui.model.week_edit splits, merges and copies a
day's blocks in schedule.toml's text (tomlkit: comments kept) and says live what the edited week
implies, with the board's coverage model."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from paratui.model import week_edit as w
from paratui.model.classroom import parse_classroom
from paratui.model.room_setup import RoomAnswers, SchoolDay, room_files
from paratui.model.roster import RosterStaff, RosterStudent
from paratui.store.room import Room


def demo(room_dir: Path) -> tuple[str, object]:
    return (room_dir / "schedule.toml").read_text(encoding="utf-8"), Room(room_dir).snapshot().classroom


def test_split_then_merge_gives_the_file_back_with_every_comment(room_dir: Path) -> None:
    text, classroom = demo(room_dir)
    split = w.split_block(text, "monday", 0)
    assert [r[0] for r in w.day_rows(split, "monday")[:3]] == ["08:00-08:15", "08:15-08:30", "08:30-09:00"]
    assert w.day_rows(split, "monday")[1][3] == "MR=all, JT=all, AL=all"  # the second half keeps the adults
    assert w.week_warnings(split, classroom, "monday") == []
    assert w.merge_blocks(split, "monday", 0) == text  # every comment and line as it was


def test_copy_a_day_and_refusals(room_dir: Path) -> None:
    text, classroom = demo(room_dir)
    copied = w.copy_day(text, "monday", ("tuesday", "wednesday"))
    data, before = tomllib.loads(copied), tomllib.loads(text)
    assert data["tuesday"] == data["wednesday"] == before["monday"] and data["friday"] == before["friday"]
    assert w.week_warnings(copied, classroom, "wednesday") == []
    last = len(before["monday"]) - 1
    with pytest.raises(w.WeekEditError, match="is the last one"):
        w.merge_blocks(text, "monday", last)
    with pytest.raises(w.WeekEditError, match="not inside the block"):
        w.split_block(text, "monday", 0, at=__import__("datetime").time(9, 0))
    with pytest.raises(w.WeekEditError, match="not a school day"):
        w.copy_day(text, "monday", ("sunday",))


def small_room() -> tuple[str, object]:
    staff = [RosterStaff("MR", "Maria Rivera", "Ms. R", "teacher", ("mrivera",)),
             RosterStaff("JT", "Jordan Thomas", "Mr. T", "para", ("jthomas",)),
             RosterStaff("DP", "Dana Patel", "Ms. P", "one-to-one", ("dpatel",))]
    pupils = [RosterStudent("S01", "E.M."), RosterStudent("S02", "K.B.", one_to_one="DP")]
    from datetime import time
    files = room_files(RoomAnswers("Room 12", "UTC", staff, pupils, day=SchoolDay(time(8), time(10), 60)))
    return files["schedule.toml"], parse_classroom(tomllib.loads(files["classroom.toml"]))


def test_live_warnings_say_what_the_edited_week_implies() -> None:
    text, classroom = small_room()
    assert w.week_warnings(text, classroom, "monday") == []
    bare = text.replace('[monday.with]\nMR = "all"\nJT = "all"\n', "", 1)  # nobody in monday's first period
    said = w.week_warnings(bare, classroom, "monday")
    assert any(x.startswith("08:00 uncovered") for x in said), said
    assert not any("K.B." in x and "uncovered" in x for x in said)  # K.B. is with their one-to-one para
    assert w.week_warnings(bare, classroom, "tuesday") == []
    broken = text.replace('time = "08:00-09:00"', 'time = "09:00-08:00"', 1)
    assert any("schedule.toml: monday[0]" in x for x in w.week_warnings(broken, classroom, "monday"))


# -- who is with whom and where, lunches, groups, services (the second part) ------------------------
def kept_in_order(before: str, after: str) -> bool:
    """Every line of `before` is in `after`, in the same order (lines only added or changed nearby)."""
    lines = iter(after.splitlines())
    return all(any(line == x for x in lines) for line in before.splitlines())


def test_an_adults_duty_written_as_the_file_writes_it_and_every_other_line_kept(room_dir: Path) -> None:
    text, classroom = demo(room_dir)
    with_group = w.set_duty(text, "monday", 0, "JT", w.DutySpec("readers_b"))
    assert 'JT = "readers_b"' in with_group and w.schedule_problems(with_group, classroom) == []
    chosen = w.set_duty(with_group, "monday", 0, "AL", w.DutySpec(("S06", "S07"), "carpet"))
    assert 'AL = {with = ["S06", "S07"], at = "carpet"}' in chosen
    lunch = w.set_duty(chosen, "monday", 0, "MR", w.DutySpec(None, w.break_place(classroom), w.LUNCH))
    assert 'MR = {at = "lounge", activity = "Lunch break"}' in lunch
    out = w.set_duty(lunch, "monday", 0, "MR", None)
    assert "MR" not in tomllib.loads(out)["monday"][0]["with"]
    assert w.schedule_problems(out, classroom) == []
    restored = w.set_duty(w.set_duty(w.set_duty(out, "monday", 0, "MR", w.DutySpec("all")), "monday", 0, "JT",
                                     w.DutySpec("all")), "monday", 0, "AL", w.DutySpec("all"))
    import difflib

    changed = [x for x in difflib.ndiff(text.splitlines(), restored.splitlines()) if x[:1] in "+-"]
    # every other line as it was: only the block's three adults, now written in another order
    assert {x[2:] for x in changed} == {'  MR = "all"', '  JT = "all"', '  AL = "all"'} and len(restored) == len(text)
    assert w.block_duties(lunch, "monday", 0)["MR"].on_break
    assert w.day_rows(lunch, "monday")[0][3] == "MR=lunch, JT=readers_b, AL=S06+S07@carpet"


def test_a_staggered_lunch_is_said_and_a_one_to_one_left_alone_is_warned() -> None:
    text, classroom = small_room()
    para_out = w.set_duty(text, "monday", 1, "DP", w.DutySpec(None, None, w.LUNCH))
    said = w.week_warnings(para_out, classroom, "monday")
    assert said == ["09:00 one-to-one: K.B.: 1:1 Ms. P is away: Lunch break (Period 2)"], said
    assert w.day_notes(para_out, classroom, "monday") == ["09:00 on a break: Ms. P (lunch break)"]
    covered = w.set_duty(para_out, "monday", 1, "JT", w.DutySpec(("S02",)))  # JT named with K.B. in DP's place
    assert w.week_warnings(covered, classroom, "monday") == []
    by_all = w.set_duty(para_out, "monday", 1, "JT", w.DutySpec("all"))  # "all" is not a cover for a 1:1
    assert any("one-to-one: K.B." in x for x in w.week_warnings(by_all, classroom, "monday"))


def test_gaps_overlaps_and_an_adult_in_two_places(room_dir: Path) -> None:
    text, classroom = demo(room_dir)
    gap = w.set_block(text, "monday", 0, "08:00-08:20", "Arrival, breakfast & unpack", "room")
    assert "08:20 gap: no block from 08:20 to 08:30" in w.day_notes(gap, classroom, "monday")
    overlap = w.set_block(text, "monday", 0, "08:00-08:40", "Arrival, breakfast & unpack", "room")
    assert any("overlap" in x for x in w.week_warnings(overlap, classroom, "monday"))
    assert w.schedule_problems(overlap, classroom)  # and it cannot be saved
    twice = w.set_service(text, classroom, None, w.ServiceRow("OT check-in", "JT", "S01", "mon", "08:00-08:15",
                                                              "ot"))
    assert any(x.startswith("08:00 two-places: Mr. T") for x in w.week_warnings(twice, classroom, "monday"))


def test_services_added_changed_and_deleted_keep_the_file(room_dir: Path) -> None:
    text, classroom = demo(room_dir)
    added = w.set_service(text, classroom, None, w.ServiceRow("OT: gross motor", "", "S03 O.W.", "mon wed",
                                                              "09:00-09:30", "ot"))
    assert kept_in_order(text, added) and w.schedule_problems(added, classroom) == []
    assert w.service_rows(added)[-1] == w.ServiceRow("OT: gross motor", "", "S03 S04", "mon wed", "09:00-09:30", "ot")
    changed = w.set_service(added, classroom, 0, w.ServiceRow("Speech: AAC session", "Ms. K", "S05", "all",
                                                              "10:30-11:00", "speech"))
    assert tomllib.loads(changed)["services"][0]["days"] == list(w.WEEKDAYS[:5])
    assert "# OT (the OT room has its own adult): S02 fine-motor, Friday" in changed
    pasted = w.set_service(text, classroom, None, w.ServiceRow("OT\x1b[2J\u202e now", "", "S01", "mon",
                                                               "09:00-09:30", "ot"))
    assert tomllib.loads(pasted)["services"][-1]["activity"] == "OT␛[2J now"  # data, never terminal control
    left = w.delete_service(w.delete_service(added, 2), 0)
    assert [x["activity"] for x in tomllib.loads(left)["services"]] == ["OT: fine motor"]
    for row, said in [(w.ServiceRow("", "", "S01", "mon", "09:00-09:30", "ot"), "activity:"),
                      (w.ServiceRow("OT", "Mx. Nobody", "S01", "mon", "09:00-09:30", "ot"), "provider:"),
                      (w.ServiceRow("OT", "", "Evander", "mon", "09:00-09:30", "ot"), "students: the 1st one"),
                      (w.ServiceRow("OT", "", "S01", "sat", "09:00-09:30", "ot"), "days:"),
                      (w.ServiceRow("OT", "", "S01", "mon", "09:30-09:00", "ot"), "time: the service ends"),
                      (w.ServiceRow("OT", "", "S01", "mon", "09:00-09:30", "mars"), "place: one of room")]:
        with pytest.raises(w.WeekEditError, match=said) as e:
            w.set_service(text, classroom, None, row)
        assert "Evander" not in str(e.value)  # what was typed for a student is never repeated


def test_groups_in_classroom_toml_keep_its_comments(room_dir: Path) -> None:
    room = (room_dir / "classroom.toml").read_text(encoding="utf-8")
    _, classroom = demo(room_dir)
    added = w.set_group(room, classroom, None, "pairs", "S01, K.B.")
    assert kept_in_order(room, added)
    assert added.index('pairs = ["S01", "S02"]') < added.index("# ─── Locations")  # under the last group
    renamed = w.set_group(added, classroom, "pairs", "buddies", "S01 S03")
    groups = tomllib.loads(renamed)["groups"]
    assert "pairs" not in groups and groups["buddies"] == ["S01", "S03"]
    assert list(groups).index("buddies") == list(groups).index("math_b") + 1  # where it was
    assert "pairs" not in tomllib.loads(w.delete_group(added, "pairs"))["groups"]
    with pytest.raises(w.WeekEditError, match="name: lowercase"):
        w.set_group(room, classroom, None, "Readers A", "S01")
    with pytest.raises(w.WeekEditError, match="already a group readers_a"):
        w.set_group(room, classroom, None, "readers_a", "S01")
    with pytest.raises(w.WeekEditError, match="students: the 2nd one"):
        w.set_group(room, classroom, None, "x", "S01 readers_b")  # a group is not a student here


def test_a_new_rooms_first_group_is_a_groups_table() -> None:
    staff = [RosterStaff("MR", "Maria Rivera", "Ms. R", "teacher", ("mrivera",))]
    files = room_files(RoomAnswers("Room 1", "UTC", staff, [RosterStudent("S01", "E.M.")]))
    classroom = parse_classroom(tomllib.loads(files["classroom.toml"]))
    made = w.set_group(files["classroom.toml"], classroom, None, "all_of_us", "E.M.")
    assert kept_in_order(files["classroom.toml"], made)
    assert parse_classroom(tomllib.loads(made)).groups == {"all_of_us": ("S01",)}
