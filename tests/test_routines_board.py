"""Team routines from the board's keys: claiming a task (two boards at once), notes, today's changes."""

from __future__ import annotations

import json

from paratui.app.panes import TasksPane
from tests.helpers import make_app, run_cli, settle, text, wait_for


def board_json(room_dir) -> dict:
    return json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)


async def test_claim_a_task_with_c_and_a_second_board_sees_who_has_it(room_dir):
    run_cli("task", "add", "Copies of the [b]math[/b] page", "--as", "MR", data=room_dir, check=True)
    first = make_app(room_dir, as_staff="JT")
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c", "1")  # I've got it: the first open task
        await settle(pilot)
        assert "Mr. T has it" in text(first, TasksPane) and "[b]math[/b]" in text(first, TasksPane)
    [task] = [t for t in board_json(room_dir)["tasks"] if "math" in t["text"]]
    assert task["claimed_by"] == "JT"
    second = make_app(room_dir, as_staff="AL")
    async with second.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Mr. T has it" in text(second, TasksPane)
        await pilot.press("c", "1")  # Ms. L tries too: refused, and told who has it
        await settle(pilot)
        said = " ".join(str(n.message) for n in second._notifications)
        assert "Mr. T" in said and "Not recorded" in " ".join(str(n.title) for n in second._notifications)
        await pilot.press("Y")  # mine: nothing of Ms. L's
        await pilot.pause()
        assert "No tasks for you." in text(second, TasksPane)
    assert [t["claimed_by"] for t in board_json(room_dir)["tasks"] if "math" in t["text"]] == ["JT"]


async def test_a_note_from_the_board_and_a_change_refused_for_a_para(room_dir):
    app = make_app(room_dir, as_staff="AL")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("N")
        await pilot.pause()
        await pilot.press(*"Great job with K.B. today", "enter", *"JT", "enter", *"KB", "enter", *"kudos",
                          "enter", "enter")
        assert await wait_for(pilot, lambda: bool(board_json(room_dir)["notes"]))
        await pilot.press("G", "1")  # a fire drill: the teacher's call
        await pilot.pause()
        await pilot.press(*"13:30", "enter", *"13:50", "enter", "enter")
        assert await wait_for(pilot, lambda: "Not allowed" in str(getattr(app.screen, "title_text", "")))
    [note] = board_json(room_dir)["notes"]
    assert (note["kind"], note["to"], note["about"], note["from"]) == ("kudos", ["JT"], "S02", "AL")
    assert board_json(room_dir)["changes"] == []


async def test_the_teacher_records_a_drill_with_g_and_every_board_sees_the_change(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("G", "1")
        await pilot.pause()
        await pilot.press(*"13:30", "enter", *"13:50", "enter", *"Fire drill", "enter")
        assert await wait_for(pilot, lambda: bool(app.state and app.state.changes))
    [change] = board_json(room_dir)["changes"]
    assert change["kind"] == "drill" and change["start"].endswith("13:30")
