"""The one command layer: the CLI and the board's keys make the same changes, refuse the same
mistakes (exit 2, the form stays open) and write nothing when they refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from paratui.app.panes import TasksPane
from paratui.model import commands
from paratui.model.commands import Refused
from paratui.store.room import Room
from tests.helpers import make_app, run_cli, settle, text, wait_for


def events_on_disk(room_dir: Path) -> int:
    total = 0
    for path in (room_dir / "journal").rglob("*.json"):
        if not path.name.startswith("."):
            total += len(json.loads(path.read_text() or "{}").get("_default", {}))
    return total


def refused(room_dir: Path, *args: str, env: dict | None = None) -> str:
    """Run a command that must be refused: exit 2, a message, and nothing written."""
    before = events_on_disk(room_dir)
    out = run_cli(*args, data=room_dir, env=env)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stderr.startswith("paratui: ") and "Traceback" not in out.stderr
    assert events_on_disk(room_dir) == before
    return out.stderr


def board_json(room_dir: Path, **env: str) -> dict:
    return json.loads(run_cli("board", "--json", data=room_dir, env=env, check=True).stdout)


@pytest.mark.parametrize("args, says", [
    (("task", "add", "   ", "--as", "MR"), "text: cannot be empty"),
    (("task", "add", "", "--as", "MR"), "text: cannot be empty"),
    (("assign", "AL", "--with", "EM", "--until", "9:00", "--as", "MR"), "until: 09:00 is already over"),
    (("assign", "AL", "--with", "EM", "--until", "9:5", "--as", "MR"), "until: '9:5' is not a time"),
    (("absent", "AL", "--until", "08:30", "--as", "MR"), "until: 08:30 is already over"),
    (("absent", "AL", "--sub", "AL", "--as", "MR"), "cannot sub for themselves"),
    (("back", "K.B.", "--as", "MR"), "K.B. is not out"),
    (("task", "add", "Copies", "--due", "9999-01-01", "--as", "MR"), "years away"),
    (("move", "nobody", "--to", "bathroom", "--as", "MR"), "matches no student"),
])
def test_mistakes_are_refused_with_exit_2_and_nothing_written(room_dir, args, says):
    assert says in refused(room_dir, *args)


def test_a_move_to_where_the_student_already_is_is_refused(room_dir):
    run_cli("move", "K.B.", "--to", "bathroom", "--as", "JT", data=room_dir, check=True)
    assert "K.B. is already at Bathroom" in refused(room_dir, "move", "KB", "--to", "bath", "--as", "JT")


def test_a_task_done_twice_is_refused(room_dir):
    out = run_cli("task", "add", "Copies", "--as", "MR", data=room_dir, check=True)
    task = out.stdout.split("[")[1][:6]
    run_cli("task", "done", task, "--as", "AL", data=room_dir, check=True)
    assert "already done (by Ms. L at 10:15)" in refused(room_dir, "task", "done", task, "--as", "MR")


def test_back_for_a_student_placed_elsewhere_by_the_schedule_is_accepted(room_dir):
    # E.M. is in the 3rd grade room for math: "back" brings them to the classroom now
    out = run_cli("back", "E.M.", "--as", "JT", data=room_dir, check=True)
    assert "E.M. is back in the room" in out.stdout


@pytest.mark.parametrize("poll", ["0", "-1", "soon", "nan"])
def test_poll_must_be_a_positive_number(room_dir, poll):
    out = run_cli("--poll", poll, "board", data=room_dir)
    assert out.returncode == 2 and "--poll" in out.stderr and "Traceback" not in out.stderr


def test_a_malformed_clock_is_a_clear_message_not_a_traceback(room_dir):
    for bad in ("tomorrow", "2026-13-45T10:00", "10:15"):
        out = run_cli("board", "--plain", data=room_dir, env={"PARATUI_NOW": bad})
        assert out.returncode == 2 and "PARATUI_NOW" in out.stderr and "Traceback" not in out.stderr


def test_init_refuses_a_file_a_missing_parent_and_a_read_only_parent(tmp_path):
    (tmp_path / "afile").write_text("x")
    out = run_cli("init", str(tmp_path / "afile"))
    assert out.returncode == 2 and "is a file" in out.stderr and "Traceback" not in out.stderr
    out = run_cli("init", str(tmp_path / "no" / "such" / "room"))
    assert out.returncode == 2 and "does not exist" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "no").exists()
    from tests import fault_helpers as fh

    locked = tmp_path / "locked"
    locked.mkdir()
    with fh.read_only(locked) as ok:
        if not ok:
            pytest.skip("a read-only bind mount needs root and mount permission here")
        out = run_cli("init", str(locked / "room"))
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
        assert "Traceback" not in out.stderr


def test_assign_takes_group_names_and_all(room_dir):
    run_cli("assign", "SK", "--with", "readers_a", "--at", "library", "--until", "11:00", "--as", "MR",
            data=room_dir, check=True)
    sk = next(s for s in board_json(room_dir)["staff"] if s["id"] == "SK")
    assert sk["with"] == ["S01", "S02", "S07"] and sk["location"] == "library"
    run_cli("assign", "SUB", "--with", "all", "--until", "11:00", "--as", "MR", data=room_dir, check=True)
    sub = next(s for s in board_json(room_dir)["staff"] if s["id"] == "SUB")
    assert len(sub["with"]) == 8


def test_the_board_without_a_terminal_says_so_and_exits(room_dir):
    # `ssh host paratui` without -t: no TTY on stdin or stdout
    proc = subprocess.run([sys.executable, "-m", "paratui", "--data", str(room_dir)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "ssh -t" in proc.stderr and "board --plain" in proc.stderr
    assert proc.stdout == ""


def test_help_describes_options_exit_codes_and_the_clock():
    out = run_cli("--help", check=True).stdout
    assert "exit codes" in out and "PARATUI_NOW" in out and "example" in out
    move = run_cli("move", "--help", check=True).stdout
    assert "--to LOCATION" in move and "paratui move E.M. --to bathroom" in move and "exit codes" in move
    assert run_cli("--version", check=True).stdout.startswith("paratui ")


def test_wrongly_typed_payloads_are_skipped_with_a_warning_naming_file_event_and_field(room_dir):
    day = room_dir / "journal" / "2026-11-23"
    day.mkdir(parents=True)
    docs = {
        "1": {"id": "badstudent", "type": "move", "time": "2026-11-23T10:00:00", "staff": "JT",
              "payload": {"student": ["S01"], "to": "bathroom", "with": ["JT"]}},
        "2": {"id": "badtask", "type": "task.done", "time": "2026-11-23T10:00:00", "staff": "JT",
              "payload": {"task": {"x": 1}}},
        "3": {"id": "goodmove", "type": "move", "time": "2026-11-23T10:01:00", "staff": "JT",
              "payload": {"student": "S02", "to": "nurse", "with": ["JT"]}},
    }
    (day / "other--peer.json").write_text(json.dumps({"_default": docs}))
    data = board_json(room_dir)
    warnings = "\n".join(data["warnings"])
    assert "journal/2026-11-23/other--peer.json" in warnings
    assert "badstudent" in warnings and "'student'" in warnings
    assert "badtask" in warnings and "'task'" in warnings
    kb = next(s for s in data["students"] if s["id"] == "S02")
    assert kb["location"] == "nurse"  # the good event in the same file still counts


def test_a_writer_in_another_time_zone_is_shown_at_the_right_time(room_dir):
    if not Path("/usr/share/zoneinfo/America/Chicago").exists():
        pytest.skip("no tzdata on this machine")
    # 16:20 UTC is 10:20 in Chicago (CST, UTC-6)
    run_cli("move", "K.B.", "--to", "nurse", "--as", "JT", data=room_dir,
            env={"TZ": "UTC", "PARATUI_NOW": "2026-11-23T16:20"}, check=True)
    data = board_json(room_dir, TZ="America/Chicago", PARATUI_NOW="2026-11-23T10:25")
    kb = next(s for s in data["students"] if s["id"] == "S02")
    assert kb["location"] == "nurse" and kb["minutes_out"] == 5


# -- the same functions, without the CLI ------------------------------------------------------------

def _ctx(room_dir: Path, actor: str = "MR") -> commands.Context:
    return Room(room_dir, clock=lambda: datetime(2026, 11, 23, 10, 15)).context(actor)


def test_commands_read_back_in_plain_sentences(room_dir):
    ctx = _ctx(room_dir, "JT")
    ctx.permit = commands.allow_everything  # sentences only (roles: tests/test_access.py)
    assert commands.move(ctx, "K.B.", "bath").text == "Mr. T took K.B. to Bathroom"
    assert commands.move(ctx, "KB", "bath", []).text == "K.B. went to Bathroom alone"
    assert commands.move(ctx, "KB", "absent").payload["with"] == []  # an away place takes nobody
    assert commands.assign(ctx, "AL", "EM KB", "library", "Library visit", "10:30").text == \
        "Ms. L is with E.M., K.B. at Library (Library visit) until 10:30"
    with pytest.raises(Refused) as e:
        commands.assign(ctx, "AL", "EM", None, None, "25:00")
    assert e.value.field == "until"


def test_the_permission_hook_is_asked_for_every_change(room_dir):
    asked = []

    def permit(action, ctx, payload):
        asked.append(action)
        return "subs may not change the schedule" if action == "assign.other" else None

    room = Room(room_dir, clock=lambda: datetime(2026, 11, 23, 10, 15))
    ctx = room.context("SUB")
    ctx.permit = permit
    commands.move(ctx, "KB", "bath")
    commands.assign(ctx, "SUB", "EM")
    with pytest.raises(commands.NotAllowed, match="subs may not"):
        commands.assign(ctx, "AL", "EM")
    assert asked == ["move", "assign.self", "assign.other"]


# -- the board: a refusal keeps the form open with what was typed --------------------------------------

async def test_a_refused_form_stays_open_with_the_text_and_the_field_marked(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Call home [/]", "enter", *"AL", "enter", *"9:5", "enter")
        await pilot.pause()
        form = app.screen
        assert type(form).__name__ == "FormScreen"
        assert form.values() == {"text": "Call home [/]", "for": "AL", "due": "9:5"}
        assert form.query_one("#field-due").has_class("-invalid")
        assert "due: '9:5' is not a time" in str(form.query_one("#form-error").render())
        assert events_on_disk(room_dir) == 0
        due = form.query_one("#field-due")
        due.value = "13:00"
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ != "FormScreen"
        assert "Call home [/]" in text(app, TasksPane)  # shown literally; the toast did not crash
        assert events_on_disk(room_dir) == 1


async def test_a_field_is_marked_as_it_is_typed_and_enter_stays_on_it(room_dir):
    """Per-field checks: a time that is not a time is marked before the form is sent, Enter does
    not move past it, and an empty task is refused without losing the other fields."""
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")  # an empty task: Enter stays on it and says why
        await pilot.pause()
        form = app.screen
        assert app.focused is form.query_one("#field-text")
        assert "task: cannot be empty" in str(form.query_one("#form-error").render())
        await pilot.press(*"Copies", "enter", *"AL", "enter", *"25:00")
        await pilot.pause()
        due = form.query_one("#field-due")
        assert due.has_class("-invalid")
        assert "due: '25:00' is not a time" in str(form.query_one("#form-error").render())
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", *"13:00")
        await pilot.pause()
        assert not due.has_class("-invalid")
        await pilot.click("#field-text")  # back to the task field, as a person would
        await pilot.press("end", *["backspace"] * 6, "tab", "tab")  # empty the task again, back to "due"
        await pilot.press("enter")  # the last field: the form checks every field before sending
        await pilot.pause()
        assert type(app.screen).__name__ == "FormScreen"
        assert form.query_one("#field-text").has_class("-invalid")
        assert "task: cannot be empty" in str(form.query_one("#form-error").render())
        assert form.values() == {"text": "", "for": "AL", "due": "13:00"}
        assert events_on_disk(room_dir) == 0


async def test_the_board_keeps_responding_while_the_journal_lock_is_held(room_dir, monkeypatch):
    """A writer stopped holding the lock: the write fails after a bounded wait; keys still work."""
    monkeypatch.setenv("PARATUI_LOCK_WAIT", "4")
    from paratui.store import identity
    from paratui.store.journal import JournalWriter

    day = room_dir / "journal" / "2026-11-23"
    day.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(day / ('.' + identity.writer_name() + '.json.lock'))!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert JournalWriter  # the real writer, through the board's key
        app = make_app(room_dir, as_staff="JT")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("m", "2", "b")
            for _ in range(200):  # the pickers are done (however slow the machine): back on the board
                if app.screen is app.board:
                    break
                await pilot.pause(0.01)
            # keys typed while the write waits are kept, in order, and run once it has failed (the
            # event loop stays free: the lock wait is on a thread)
            await pilot.press("question_mark")
            assert await wait_for(pilot, lambda: app.screen.id == "help", seconds=20)
            await settle(pilot)
    finally:
        holder.kill()
        holder.wait()
    assert events_on_disk(room_dir) == 0


async def test_changed_on_the_top_bar_is_the_last_real_change_not_the_ticking_clock(room_dir, monkeypatch):
    """A student out makes minutes tick; that is not a change. A write is."""
    from paratui.app.status import StatusBar

    run_cli("move", "K.B.", "--to", "bathroom", "--as", "JT", data=room_dir, check=True)
    app = make_app(room_dir, as_staff="MR", watch=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        assert "changed 10:15:00" in text(app, StatusBar)
        monkeypatch.setenv("PARATUI_NOW", "2026-11-23T10:19")  # four minutes later, nothing written
        app.reload()
        await settle(pilot)
        status = text(app, StatusBar)
        assert "10:19" in status and "changed 10:15:00" in status
        run_cli("back", "K.B.", "--as", "JT", data=room_dir, env={"PARATUI_NOW": "2026-11-23T10:19"}, check=True)
        app.reload()
        await settle(pilot)
        assert "changed 10:19:00" in text(app, StatusBar)
