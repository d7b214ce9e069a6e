"""The Friday meeting's notes: F on the board, action items → tasks (once), the CLI, the check."""

from __future__ import annotations

import io
import json
import os
import re
import stat
from datetime import date

import pytest
from rich.console import Console
from textual.widgets import Static, TextArea

from paratui.app.meeting_screen import MeetingScreen
from paratui.app.panes import TasksPane
from paratui.model import action_items as ai
from paratui.store import meetings
from paratui.store.room import Room
from tests.helpers import make_app, run_cli, settle, text

NOTES = "binder/meetings/2026-11-27.md"  # PARATUI_NOW is Monday 2026-11-23: this week's Friday


def board_tasks(room_dir) -> list[dict]:
    return [t for t in json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)["tasks"]]


def said(app) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


async def open_meeting(pilot) -> TextArea:
    await settle(pilot)
    await pilot.press("F")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MeetingScreen)
    area = pilot.app.screen.query_one("#meeting-notes", TextArea)
    assert not area.read_only
    return area


async def type_items(pilot, area: TextArea, *lines: str) -> None:
    row = area.text.splitlines().index("- [ ] ")  # the template's empty action item
    area.cursor_location = (row, len("- [ ] "))
    for i, line in enumerate(lines):
        if i:
            await pilot.press("enter", *"- [ ] ")
        await pilot.press(*line)
    await pilot.pause()


@pytest.fixture(autouse=True)
def no_drafts():
    MeetingScreen.drafts.clear()
    yield
    MeetingScreen.drafts.clear()


# -- the model ----------------------------------------------------------------------------------

def test_action_items_are_parsed_with_staff_due_marker_and_checkbox():
    md = ("# Notes\n- [ ] Copies of the math page @JT friday\n- [x] Order tokens @MR\n"
          "* [ ] Call home @Ms.L tomorrow 14:30 (task 3f9a1c)\n- [ ] Laminate schedules\n- [ ] \n"
          "```\n- [ ] not an item @ZZ\n```\n- plain bullet @AL\n")
    items = ai.parse_items(md)
    assert [(i.line, i.text, i.staff, i.due, i.task, i.checked) for i in items] == [
        (2, "Copies of the math page", "JT", "friday", None, False),
        (3, "Order tokens", "MR", None, None, True),
        (4, "Call home", "Ms.L", "tomorrow 14:30", "3f9a1c", False),
        (5, "Laminate schedules", None, None, None, False)]
    assert [i.line for i in items if i.pending] == [2, 5]


def test_due_words_become_times_the_task_command_takes():
    monday = date(2026, 11, 23)
    assert ai.due_text("friday", monday) == "2026-11-27"
    assert ai.due_text("Mon", monday) == "2026-11-30"  # the next Monday, not today
    assert ai.due_text("tomorrow 14:30", monday) == "2026-11-24T14:30"
    assert ai.due_text("today", monday) == "2026-11-23"
    assert ai.due_text("9:05", monday) == "9:05"
    assert ai.due_text("2026-12-01", monday) == "2026-12-01"
    assert ai.due_text(None, monday) is None
    for bad in ("blursday", "2026-13-45", "friday next", "14:30 15:00", "fr"):
        with pytest.raises(ValueError):
            ai.due_text(bad, monday)


def test_task_ids_are_written_after_their_lines_and_nothing_else_changes():
    md = "a\r\n- [ ] one @JT\r\n- [ ] two  \r\nend"
    assert ai.with_task_ids(md, [(2, "abcdef0123"), (3, "0123456789")]) == \
        "a\r\n- [ ] one @JT (task abcdef)\r\n- [ ] two (task 012345)\r\nend"


# -- the board: F, ctrl+s -----------------------------------------------------------------------

async def test_f_opens_the_meeting_at_80x24_and_two_action_items_become_tasks_once(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_meeting(pilot)
        console = Console(width=78, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#meeting-agenda-text", Static).content)
        agenda = console.export_text()
        assert "Friday meeting — week of Monday 23 November 2026" in agenda and "Student updates" in agenda
        assert app.screen.query_one("#meeting-agenda").size.height >= 5 and area.size.height >= 8  # 80×24
        assert "## 1. What went well" in area.text and "## Action items" in area.text  # the template
        await type_items(pilot, area, "Copies of the [b]math[/b] page @JT friday", "Call home @al tomorrow 14:30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved; 2 action items → tasks" in said(app)
        assert isinstance(app.screen, MeetingScreen)
        shown = area.text
        ids = re.findall(r"\(task ([0-9a-f]{6})\)", shown)
        assert len(ids) == 2
        await pilot.press("ctrl+s")  # saving again: no new task
        await settle(pilot)
        assert "Saved; 0 action items → tasks" in said(app)
        await pilot.press("escape")  # saved: closes at once
        await settle(pilot)
        assert not isinstance(app.screen, MeetingScreen)
        tasks_pane = text(app, TasksPane)
        assert "Copies of the [b]math[/b] page" in tasks_pane and "Call home" in tasks_pane
    path = room_dir / NOTES
    written = path.read_text()
    assert written == shown and stat.S_IMODE(os.stat(path).st_mode) == 0o644
    tasks = board_tasks(room_dir)
    assert len(tasks) == 2
    by_text = {t["text"]: t for t in tasks}
    copies, call = by_text["Copies of the [b]math[/b] page"], by_text["Call home"]
    assert (copies["for"], copies["due"][:10]) == ("JT", "2026-11-27")
    assert (call["for"], call["due"]) == ("AL", "2026-11-24T14:30")
    assert sorted(t["id"][:6] for t in tasks) == sorted(ids)
    # a third save from the CLI finds nothing new either
    out = run_cli("meeting-items", "--as", "MR", data=room_dir, check=True).stdout
    assert "0 action items → tasks" in out and len(board_tasks(room_dir)) == 2


async def test_an_unknown_staff_refuses_the_whole_save_and_keeps_the_text(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_meeting(pilot)
        await type_items(pilot, area, "Copies @JT friday", "Call home @ZZ tomorrow", "Laminate @AL blursday")
        typed = area.text
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = said(app)
        assert "Not saved" in message and "@ZZ is not an adult" in message and "@AL (Ms. L)" in message
        assert re.search(r"2026-11-27\.md:\d+: @ZZ", message) and "'blursday' is not" in message
        assert isinstance(app.screen, MeetingScreen) and area.text == typed
    assert not (room_dir / NOTES).exists()
    assert board_tasks(room_dir) == []


async def test_a_save_after_another_board_saved_is_refused_not_lost(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_meeting(pilot)
        # meanwhile, Ms. L's board saves this week's notes first
        theirs = meetings.save_notes(Room(room_dir), date(2026, 11, 27), "# Ms. L's notes\n- [ ] Call home @AL\n",
                                     None, "AL")
        assert len(theirs.made) == 1
        await type_items(pilot, area, "Copies @JT friday")
        typed = area.text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "changed by someone else since you opened it" in said(app)
        assert area.text == typed and isinstance(app.screen, MeetingScreen)
        assert (room_dir / NOTES).read_text() == theirs.text  # theirs kept, whole
        await pilot.press("escape", "escape")  # closed; reopened: theirs, with mine quoted below
        await pilot.pause()
        area = await open_meeting(pilot)
        assert area.text.startswith(theirs.text.rstrip()) and "> - [ ] Copies @JT friday" in area.text
        await pilot.press("ctrl+s")  # nothing quoted becomes a task
        await settle(pilot)
        assert "Saved; 0 action items → tasks" in said(app)
    assert "> - [ ] Copies @JT friday" in (room_dir / NOTES).read_text()
    assert [t["text"] for t in board_tasks(room_dir)] == ["Call home"]


async def test_escape_with_unsaved_notes_warns_then_keeps_the_draft_for_next_time(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_meeting(pilot)
        await type_items(pilot, area, "Copies @JT friday")
        typed = area.text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and "Not saved yet" in said(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MeetingScreen)
        area = await open_meeting(pilot)
        assert area.text == typed and "unsaved notes are back" in said(app)
    assert not (room_dir / NOTES).exists()


async def test_a_fifo_where_the_notes_belong_is_not_opened_and_never_hangs(room_dir):
    (room_dir / "binder" / "meetings").mkdir()
    os.mkfifo(room_dir / NOTES)
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        area = app.screen.query_one("#meeting-notes", TextArea)
        assert area.read_only and "not a regular file" in said(app)
        await pilot.press("ctrl+s")  # nothing to save over it
        await settle(pilot)
        assert "Saved" not in said(app)
    assert stat.S_ISFIFO(os.lstat(room_dir / NOTES).st_mode)


async def test_on_the_shared_account_ctrl_s_asks_who_is_saving_first(room_dir):
    app = make_app(room_dir)  # the shared classroom account, nobody chosen yet
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_meeting(pilot)
        await type_items(pilot, area, "Copies @JT friday")
        await pilot.press("ctrl+s")
        for _ in range(20):
            await pilot.pause()
        assert "Who is saving?" in said(app) and not (room_dir / NOTES).exists()
        await pilot.press("3")  # the picker: Ms. L
        for _ in range(20):
            await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and app.me_id == "AL"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved; 1 action item → task" in said(app)
    [task] = board_tasks(room_dir)
    assert task["for"] == "JT"


def test_a_journal_failure_part_way_keeps_the_ids_of_the_tasks_already_made(room_dir, monkeypatch):
    room = Room(room_dir)
    real = Room.apply_all
    calls = []

    def failing(self, changes, actor):  # the tasks are written in batches: 1, then 2, 4…
        calls.append(changes)
        if len(calls) == 2:
            raise meetings.JournalWriteError("disk full")
        return real(self, changes, actor)

    monkeypatch.setattr(Room, "apply_all", failing)
    notes = "- [ ] One @JT\n- [ ] Two @AL\n- [ ] Three\n"
    with pytest.raises(meetings.Partial) as e:
        meetings.save_notes(room, date(2026, 11, 27), notes, None, "MR")
    assert "1 of 3 action items became tasks" in e.value.message
    on_disk = (room_dir / NOTES).read_text()
    assert on_disk == e.value.saved.text and len(re.findall(r"\(task [0-9a-f]{6}\)", on_disk)) == 1
    monkeypatch.setattr(Room, "apply_all", real)
    again = meetings.save_notes(room, date(2026, 11, 27), on_disk, e.value.saved.stamp, "MR")
    assert [i.text for i, _ in again.made] == ["Two", "Three"] and len(board_tasks(room_dir)) == 3


# -- the CLI ------------------------------------------------------------------------------------

def test_meeting_items_from_the_cli_all_or_nothing(room_dir):
    path = room_dir / NOTES
    path.parent.mkdir(parents=True)
    path.write_text("# Notes\n- [ ] Copies @JT friday\n- [ ] Call home @QQ\n- [x] Done already @ZZ\n")
    before = path.read_text()
    bad = run_cli("meeting-items", "--as", "MR", data=room_dir)
    assert bad.returncode == 2
    assert f"{NOTES}:3: @QQ is not an adult of the room; choose one of @MR (Ms. R), @JT (Mr. T)" in bad.stderr
    assert "Done already" not in bad.stderr  # a checked item is never checked (nor made a task)
    assert path.read_text() == before and board_tasks(room_dir) == []
    path.write_text(before.replace("@QQ", "@anyone"))
    ok = run_cli("meeting-items", "2026-11-25", "--as", "MR", data=room_dir, check=True)  # any day of the week
    assert "2 action items → tasks" in ok.stdout
    assert len(re.findall(r"\(task [0-9a-f]{6}\)", path.read_text())) == 2
    assert "- [x] Done already @ZZ\n" in path.read_text()
    again = run_cli("meeting-items", "2026-11-27", "--as", "MR", data=room_dir, check=True)
    assert "0 action items → tasks" in again.stdout and len(board_tasks(room_dir)) == 2
    none = run_cli("meeting-items", "2026-12-04", "--as", "MR", data=room_dir)
    assert none.returncode == 2 and "no such file" in none.stderr


# -- paratui check --------------------------------------------------------------------------------

def test_check_finds_a_bad_meeting_file_and_a_recurring_rule_that_never_fires(room_dir):
    assert run_cli("check", data=room_dir).returncode == 0
    (room_dir / "binder" / "meetings").mkdir()
    (room_dir / NOTES).write_text("# Notes\n\n- [ ] Copies @ZZ friday\n- [ ] Call @AL someday\n"
                                  "- [ ] Fine @JT mon 10:00\n- [x] Old @QQ\n")
    (room_dir / "recurring.toml").write_text('[[task]]\nid = "plants"\ntext = "Water the plants"\n'
                                             'every = "sunday"\n')
    result = run_cli("check", data=room_dir)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert f"{NOTES}:3: @ZZ is not an adult of the room" in out
    assert f"{NOTES}:4: due 'someday' is not" in out
    assert f"{NOTES}:5" not in out and f"{NOTES}:6" not in out
    assert "recurring.toml:4: task[0].every: never fires" in out


def test_a_long_meeting_is_written_in_a_few_journal_writes_not_one_per_item(room_dir, monkeypatch):
    """Issue 18: 3,000 action items took 157 s, each task rewriting the growing journal file and the
    notes: the items are written in batches (1, 2, 4… up to meetings.BATCH), each task once, in order."""
    from paratui.store.journal import JournalWriter

    writes: list[int] = []
    real = JournalWriter.append_all

    def counted(self, events, task_stream=False):
        writes.append(len(events))
        return real(self, events, task_stream)

    monkeypatch.setattr(JournalWriter, "append_all", counted)
    monkeypatch.setattr(JournalWriter, "append", lambda *a, **k: pytest.fail("one write per item"))
    n = 600
    notes = "".join(f"- [ ] Item {i} @{('JT', 'AL', 'anyone')[i % 3]} friday\n" for i in range(n))
    saved = meetings.save_notes(Room(room_dir), date(2026, 11, 27), notes, None, "MR")
    assert writes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 89] and sum(writes) == n
    assert [i.text for i, _ in saved.made] == [f"Item {i}" for i in range(n)]
    tasks = board_tasks(room_dir)
    assert len(tasks) == n and len(set(re.findall(r"\(task ([0-9a-f]{6})\)", saved.text))) == n
    again = meetings.save_notes(Room(room_dir), date(2026, 11, 27), saved.text, saved.stamp, "MR")
    assert again.made == [] and len(board_tasks(room_dir)) == n
