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
