"""The command line, run as a separate process exactly as a script or a person at an SSH prompt would."""

from __future__ import annotations

import json

from tests.helpers import run_cli


def board_json(room_dir, **env):
    out = run_cli("board", "--json", data=room_dir, env=env, check=True)
    return json.loads(out.stdout)


def student(data, sid):
    return next(s for s in data["students"] if s["id"] == sid)


def journal_files(room_dir):
    return sorted(p for p in (room_dir / "journal").rglob("*.json"))


def test_board_json_has_the_documented_schema(room_dir):
    data = board_json(room_dir)
    assert data["room"] == "Room 12" and data["now"] == "2026-11-23T10:15" and data["weekday"] == "monday"
    assert data["block"]["activity"]
    for s in data["staff"]:
        assert {"id", "name", "role", "with", "location", "activity", "since", "until"} <= set(s)
    for s in data["students"]:
        assert {"id", "initials", "location", "out", "minutes_out", "with", "covered"} <= set(s)
    assert data["binder"]["tab"] == "monday" and data["binder"]["title"]
    assert data["warnings"] == []


def test_move_then_back_by_initials_any_case(room_dir):
    out = run_cli("move", "e.m.", "--to", "BATH", "--as", "mr. t", data=room_dir, check=True)
    assert "recorded: Mr. T took E.M. to Bathroom" in out.stdout
    s = student(board_json(room_dir, PARATUI_NOW="2026-11-23T10:27"), "S01")
    assert s["location"] == "bathroom" and s["out"] and s["minutes_out"] == 12 and s["with"] == ["JT"]
    assert s["over"] is True
    run_cli("back", "EM", "--as", "JT", data=room_dir, check=True)
    assert student(board_json(room_dir), "S01")["out"] is False or \
        student(board_json(room_dir), "S01")["location"] != "bathroom"


def test_the_acting_person_comes_from_the_os_login_not_from_settings_anyone_can_set(room_dir):
    """USER, LOGNAME and PARATUI_LOGIN name no one: this process's OS login is the shared demo login
    here, so a change needs --as, whatever the environment claims."""
    import getpass

    spoof = {"PARATUI_LOGIN": "mrivera", "USER": "mrivera", "LOGNAME": "mrivera"}
    out = run_cli("absent", "JT", "--sub", "SUB", data=room_dir, env=spoof)
    assert out.returncode == 2 and "shared classroom login" in out.stderr and "--as" in out.stderr
    assert journal_files(room_dir) == []
    run_cli("move", "S02", "--to", "nurse", "--as", "AL", data=room_dir, env=spoof, check=True)
    [path] = journal_files(room_dir)
    doc = json.loads(path.read_text())["_default"]["1"]
    assert doc["staff"] == "AL" and doc["login"] == identity_login() == getpass.getuser() != "mrivera"
    assert path.name == "testhost--mrivera.json"  # PARATUI_LOGIN only names the writer's file


def identity_login() -> str:
    from paratui.store import identity

    return identity.login()


def test_unknown_login_without_as_is_refused_and_writes_nothing(room_dir):
    out = run_cli("move", "S02", "--to", "nurse", data=room_dir)
    assert out.returncode == 2 and "--as" in out.stderr
    assert journal_files(room_dir) == []


def test_unknown_or_ambiguous_names_exit_2_list_candidates_and_write_nothing(room_dir):
    out = run_cli("move", "XX", "--to", "nurse", "--as", "JT", data=room_dir)
    assert out.returncode == 2 and "S01 (E.M.)" in out.stderr and "S08" in out.stderr
    out = run_cli("move", "S01", "--to", "gened", "--as", "JT", data=room_dir)
    assert out.returncode == 2 and "more than one" in out.stderr and "gened-3" in out.stderr
    out = run_cli("move", "S01", "--to", "nurse", "--as", "Nobody", data=room_dir)
    assert out.returncode == 2 and "MR (Ms. R)" in out.stderr
    assert journal_files(room_dir) == []


def test_assign_overrides_the_schedule_until_a_time(room_dir):
    run_cli("assign", "AL", "--with", "S03", "S04", "--at", "library", "--activity", "Library visit",
            "--until", "10:40", "--as", "MR", data=room_dir, check=True)
    data = board_json(room_dir)
    al = next(s for s in data["staff"] if s["id"] == "AL")
    assert (al["with"], al["location"], al["activity"], al["until"]) == (
        ["S03", "S04"], "library", "Library visit", "2026-11-23T10:40")
    assert student(data, "S03")["with"] == ["AL"]
    later = board_json(room_dir, PARATUI_NOW="2026-11-23T10:45")
    assert next(s for s in later["staff"] if s["id"] == "AL")["activity"] != "Library visit"


def test_tasks_add_done_and_overdue(room_dir):
    out = run_cli("task", "add", "Copies of the math page", "--for", "AL", "--due", "10:00", "--past", "--as", "MR",
                  data=room_dir, check=True)
    task_id = out.stdout.split("[")[1][:6]
    [task] = [t for t in board_json(room_dir)["tasks"] if t["text"] == "Copies of the math page"]
    assert task["overdue"] and task["for"] == "AL" and task["due"] == "2026-11-23T10:00"
    run_cli("task", "done", task_id[:4], "--as", "AL", data=room_dir, check=True)
    [task] = [t for t in board_json(room_dir)["tasks"] if t["text"] == "Copies of the math page"]
    assert task["done"] and not task["overdue"]
    assert run_cli("task", "done", "zzzz", "--as", "AL", data=room_dir).returncode == 2


def test_undo_retracts_only_my_own_last_event(room_dir):
    run_cli("move", "S01", "--to", "bathroom", "--as", "JT", data=room_dir, check=True)
    run_cli("move", "S02", "--to", "nurse", "--as", "AL", data=room_dir, check=True)
    out = run_cli("undo", "--as", "JT", data=room_dir, check=True)
    assert out.stdout.startswith("undone: Mr. T took E.M. to Bathroom")
    data = board_json(room_dir)
    assert student(data, "S01")["location"] != "bathroom" and student(data, "S02")["location"] == "nurse"
    assert "nothing to undo" in run_cli("undo", "--as", "JT", data=room_dir, check=True).stdout


def test_board_plain_is_readable_text(room_dir):
    run_cli("move", "S05", "--to", "sensory room", "--as", "DP", data=room_dir, check=True)
    text = run_cli("board", "--plain", data=room_dir, check=True).stdout
    assert text.startswith("Room 12 — Monday 2026-11-23 10:15")
    assert "OUT OF ROOM" in text and "R.N.: Sensory room, 0 of 15 min, with Ms. P" in text
    for full_name in ("Evander", "Moonbeam", "Rowan", "Nettlefield"):
        assert full_name not in text


def test_data_folder_from_environment_and_init(tmp_path):
    target = tmp_path / "new-room"
    out = run_cli("init", str(target), check=True)
    assert (target / "classroom.toml").exists() and (target / "binder" / "monday.md").exists()
    assert list((target / "journal").iterdir()) == []
    assert "(?d).*.lock" in (target / ".stignore").read_text()  # locks stay local under Syncthing
    assert run_cli("init", str(target)).returncode == 2  # never overwrites
    data = json.loads(run_cli("board", "--json", env={"PARATUI_DATA": str(target)}, check=True).stdout)
    assert data["room"] == "Room 12"
    assert "paratui --data" in out.stdout
    # a new room is not the demo: only the account that set it up is the shared login, not "*"
    import os
    import pwd
    import tomllib

    me = pwd.getpwuid(os.geteuid()).pw_name
    access = tomllib.loads((target / "classroom.toml").read_text())["access"]
    assert access["shared_logins"] == [me] and repr(me) in out.stdout


def test_broken_classroom_file_gives_a_clear_message(tmp_path):
    (tmp_path / "classroom.toml").write_text('room = "R"\n[[staff]\n')
    (tmp_path / "schedule.toml").write_text("")
    out = run_cli("board", "--plain", data=tmp_path)
    assert out.returncode == 2 and "classroom.toml:2:" in out.stderr


def test_themes_lists_builtins_and_reports_bad_files(room_dir):
    (room_dir / "themes").mkdir()
    (room_dir / "themes" / "broken.toml").write_text('dark = true\nprimary = "blue-ish"\n')
    out = run_cli("themes", data=room_dir, check=True)
    for name in ("paratui-dark", "paratui-light", "paratui-contrast"):
        assert name in out.stdout
    assert "broken.toml: field 'primary'" in out.stderr


def test_absent_staff_and_a_sub(room_dir):
    out = run_cli("absent", "JT", "--sub", "SUB", "--as", "MR", data=room_dir, check=True)
    assert "Mr. T is out today; Sub covers" in out.stdout
    data = board_json(room_dir)
    jt, sub = (next(s for s in data["staff"] if s["id"] == i) for i in ("JT", "SUB"))
    assert jt["source"] == "absent" and jt["with"] == []
    assert sub["source"] == "cover" and sub["with"] == ["S02", "S04", "S05", "S08"]
    assert run_cli("absent", "JT", "--sub", "JT", "--as", "MR", data=room_dir).returncode == 2


# -- issue 21: the command line tells the truth too -----------------------------------------------

def test_a_name_that_is_no_one_is_refused_by_the_commands_that_only_read_too(room_dir):
    for argv in (("board", "--plain"), ("board", "--json"), ("task", "list"), ("history",)):
        out = run_cli(*argv, "--as", "ZZ", data=room_dir)
        assert out.returncode == 2, argv
        assert "'ZZ' matches no staff" in out.stderr and "JT (Mr. T)" in out.stderr and out.stdout == "", argv
    assert run_cli("board", "--plain", "--as", "mr. t", data=room_dir, check=True).stdout


def test_a_task_due_at_a_time_already_past_is_refused_in_a_script(room_dir):
    out = run_cli("task", "add", "Copies", "--due", "09:00", "--as", "MR", data=room_dir)  # at 10:15
    assert out.returncode == 2
    assert "09:00 is already past (it is 10:15 now)" in out.stderr and "--past" in out.stderr
    out = run_cli("task", "add", "Copies", "--due", "2026-11-20T13:00", "--as", "MR", data=room_dir)
    assert out.returncode == 2 and "Fri 2026-11-20 13:00 is already past" in out.stderr
    assert journal_files(room_dir) == []
    run_cli("task", "add", "Copies", "--due", "10:30", "--as", "MR", data=room_dir, check=True)  # ahead: fine
    run_cli("task", "add", "Call home", "--due", "09:00", "--past", "--as", "MR", data=room_dir, check=True)
    tasks = {t["text"]: t for t in board_json(room_dir)["tasks"]}
    assert not tasks["Copies"]["overdue"] and tasks["Call home"]["overdue"]


def _task_add_in_a_terminal(room_dir, answer: str):
    """`paratui task add … --due 09:00` with its stdin and stderr on a terminal (a pty), answering."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    main, side = pty.openpty()
    argv = [sys.executable, "-m", "paratui", "task", "add", "Copies", "--due", "09:00", "--as", "MR",
            "--data", str(room_dir)]
    proc = subprocess.Popen(argv, stdin=side, stderr=side, stdout=subprocess.PIPE, text=True)
    os.close(side)
    said = b""
    deadline = time.monotonic() + 60
    while b"[y/N]" not in said and time.monotonic() < deadline:
        if select.select([main], [], [], 1)[0]:
            said += os.read(main, 1024)
    os.write(main, answer.encode() + b"\n")
    out, _ = proc.communicate(timeout=60)
    os.close(main)
    return proc.returncode, said.decode(), out


def test_a_task_due_at_a_time_already_past_is_asked_about_in_a_terminal(room_dir):
    code, said, out = _task_add_in_a_terminal(room_dir, "n")
    assert "09:00 is already past" in said and "Add it anyway, overdue at once? [y/N]" in said
    assert code == 2 and journal_files(room_dir) == []
    code, said, out = _task_add_in_a_terminal(room_dir, "y")
    assert code == 0 and "recorded:" in out
    assert [t["overdue"] for t in board_json(room_dir)["tasks"] if t["text"] == "Copies"] == [True]


def test_every_command_group_and_check_say_their_examples_and_exit_codes():
    for group in ("task", "timer", "change", "session"):
        out = run_cli(group, "--help", check=True).stdout
        assert "examples:\n  paratui " + group in out and "exit codes:\n  0  done" in out, group
        assert "  2  not understood or refused" in out, group
    out = run_cli("check", "--help", check=True).stdout
    assert "as above" not in out and "$PARATUI_DATA" in out
    assert "exit codes:\n  0  no problems\n  1  problems found" in out
