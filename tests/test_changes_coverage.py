"""Today's changes, services, the teacher-absence procedure, coverage ahead and `paratui check`:
through the real CLI (separate processes, real files) and the model."""

from __future__ import annotations

import json
from datetime import datetime

from paratui.model import change_commands as cc
from paratui.model.commands import NotAllowed, Refused
from paratui.store.room import Room
from tests.helpers import run_cli

TUESDAY = {"PARATUI_NOW": "2026-11-24T10:20"}


def board(room_dir, env=None) -> dict:
    return json.loads(run_cli("board", "--json", data=room_dir, env=env, check=True).stdout)


def ahead(state: dict, kind: str) -> list[dict]:
    return [a for a in state["ahead"] if a["kind"] == kind]


def test_a_drill_replaces_a_block_for_everyone(room_dir):
    r = run_cli("change", "drill", "--from", "10:30", "--to", "10:50", "--note", "exit B", "--as", "MR",
                data=room_dir, check=True)
    assert "Fire drill 10:30-10:50 for everyone (exit B)" in r.stdout
    state = board(room_dir)
    assert [c["kind"] for c in state["changes"]] == ["drill"]
    day = {d["start"]: d for d in state["day"]}
    assert day["10:30"]["activity"] == "Fire drill: exit B" and day["10:30"]["end"] == "10:50"
    assert day["10:15"]["end"] == "10:30" and day["10:50"]["activity"] == "Math groups"
    assert day["10:15"]["changed"] and day["10:50"]["changed"] and not day["09:00"]["changed"]
    assert state["block"]["changed"] is True
    # at 10:35 the drill is the block: the adults keep their students there
    during = board(room_dir, {"PARATUI_NOW": "2026-11-23T10:35"})
    assert during["block"]["activity"] == "Fire drill: exit B"
    jt = next(s for s in during["staff"] if s["id"] == "JT")
    assert set(jt["with"]) == {"S02", "S04", "S05", "S08"}


def test_change_refusals_exit_2_with_choices_and_write_nothing(room_dir):
    cases = [
        (["change", "drill", "--from", "10:50", "--to", "10:30"], "not after"),
        (["change", "drill", "--from", "16:00", "--to", "16:30"], "outside today's blocks"),
        (["change", "block", "10:20", "--activity", "x"], "10:15 Math groups"),
        (["change", "block", "10:15"], "nothing to change"),
        (["change", "student-out", "K.B.", "--for", "juggling", "--to", "11:00"], "speech"),
        (["change", "lend", "JT", "--to", "Room 8", "--until", "09:00"], "already over"),
        (["change", "student-absent", "ZZ"], "S01 (E.M.)"),
    ]
    for args, said in cases:
        r = run_cli(*args, "--as", "MR", data=room_dir)
        assert r.returncode == 2, (args, r.stderr)
        assert said in r.stderr, (args, r.stderr)
    assert board(room_dir)["changes"] == []
    assert not any(room_dir.joinpath("journal").rglob("*.json"))


def test_permission_actions_and_undo(room_dir):
    room = Room(room_dir, clock=lambda: datetime(2026, 11, 23, 10, 15))
    seen = []

    def permit(action, ctx, payload):
        seen.append(action)
        return "paras may not lend" if action == "change.lend" else None

    ctx = room.context("JT")
    ctx.permit = permit
    cc.drill(ctx, "10:30", "10:40")
    cc.student_absent(ctx, "K.B.")
    try:
        cc.lend(ctx, "AL", "Room 8", "11:00")
        raise AssertionError("lend should be refused")
    except NotAllowed as e:
        assert e.exit_code == 3
    assert seen == ["change.room", "change.student", "change.lend"]
    para = run_cli("change", "student-absent", "K.B.", "--as", "JT", data=room_dir)
    assert para.returncode == 3 and "rule `change`" in para.stderr  # the room's roles: the teacher's call
    run_cli("change", "student-absent", "K.B.", "--as", "MR", data=room_dir, check=True)
    assert next(s for s in board(room_dir)["students"] if s["id"] == "S02")["location"] == "absent"
    again = run_cli("change", "student-absent", "K.B.", "--as", "MR", data=room_dir)
    assert again.returncode == 2 and "already absent" in again.stderr
    run_cli("undo", "--as", "MR", data=room_dir, check=True)
    state = board(room_dir)
    assert state["changes"] == [] and next(s for s in state["students"] if s["id"] == "S02")["location"] == "room"


def test_coverage_ahead_after_an_adult_absence(room_dir):
    assert board(room_dir)["ahead"] == []  # the demo's base week has no problem ahead
    run_cli("absent", "AL", "--as", "MR", data=room_dir, check=True)
    state = board(room_dir)
    # 14:00 work stations: AL had readers_c (S05 with DP, S06): T.H. has no adult
    assert {"time": "2026-11-23T14:00", "kind": "uncovered", "who": "S06",
            "detail": "T.H.: no adult (Work stations (task boxes))"} in state["ahead"]
    assert all(a["time"] > state["now"] for a in state["ahead"])
    # a sub fixes it, and the board recomputes at once
    run_cli("absent", "AL", "--sub", "SUB", "--as", "MR", data=room_dir, check=True)
    assert ahead(board(room_dir), "uncovered") == []


def test_one_to_one_para_on_break_whose_cover_is_lent(room_dir):
    # 11:45 lunch: DP (R.N.'s one-to-one) is on break and JT is named with R.N. Lend JT until 12:30
    # and take everyone out of the (supervised) cafeteria: R.N. would have nobody.
    run_cli("change", "block", "11:45", "--at", "room", "--as", "MR", data=room_dir, check=True)
    run_cli("change", "lend", "JT", "--to", "Room 8", "--until", "12:30", "--as", "MR", data=room_dir, check=True)
    state = board(room_dir)
    one = ahead(state, "one-to-one")
    assert [(a["time"], a["who"]) for a in one] == [("2026-11-23T11:45", "S05")]
    assert "Ms. P is away: Lunch break" in one[0]["detail"]
    jt = next(s for s in state["staff"] if s["id"] == "JT")
    assert jt["source"] == "lent" and jt["activity"] == "Lent to Room 8" and jt["until"] == "2026-11-23T12:30"


def test_an_adult_in_two_places_at_once(room_dir):
    # JT subs for AL while still having his own groups: from the 11:00 block on he is in two places
    run_cli("absent", "AL", "--sub", "JT", "--as", "MR", data=room_dir, check=True)
    two = ahead(board(room_dir), "two-places")
    assert two and two[0]["who"] == "JT" and "for AL" in two[0]["detail"]


def test_min_adults_strictly_checked_and_flagged_ahead(room_dir):
    toml = room_dir / "classroom.toml"
    text = toml.read_text()
    toml.write_text(text.replace("min_adults = 2", "min_adults = 3"))
    flagged = ahead(board(room_dir), "min-adults")
    assert flagged and flagged[0]["who"] == "room" and "(minimum 3)" in flagged[0]["detail"]
    toml.write_text(text.replace("min_adults = 2", 'min_adults = "two"'))
    state = board(room_dir)
    assert any(w.startswith("classroom.toml:14: min_adults: expected a whole number") for w in state["warnings"])
    r = run_cli("check", data=room_dir)
    assert r.returncode == 1 and "classroom.toml:14: min_adults" in r.stdout


def test_services_pull_a_student_out_at_their_times(room_dir):
    # Tuesday 10:30-11:00: SK's AAC session with R.N. (schedule.toml [[services]]), inside math groups
    before = board(room_dir, TUESDAY)
    sk = next(s for s in before["staff"] if s["id"] == "SK")
    assert sk["next"] == {"start": "2026-11-24T10:30", "activity": "Speech: AAC session", "location": "speech"}
    during = board(room_dir, {"PARATUI_NOW": "2026-11-24T10:40"})
    rn = next(s for s in during["students"] if s["id"] == "S05")
    assert rn["location"] == "speech" and "SK" in rn["with"] and rn["minutes_out"] == 10
    assert all("S05" not in s["with"] for s in during["staff"] if s["id"] in ("JT", "AL"))
    assert during["block"]["activity"] == "Math groups"
    after = board(room_dir, {"PARATUI_NOW": "2026-11-24T11:00"})
    assert next(s for s in after["students"] if s["id"] == "S05")["location"] == "specials"
    # today's student-out works the same way
    run_cli("change", "student-out", "K.B.", "--for", "OT", "--from", "10:30", "--to", "10:45", "--as", "MR",
            data=room_dir, check=True)
    later = board(room_dir, {"PARATUI_NOW": "2026-11-23T10:35"})
    kb = next(s for s in later["students"] if s["id"] == "S02")
    assert kb["location"] == "ot" and kb["covered"]


def test_teacher_absence_names_the_procedure(room_dir):
    assert board(room_dir)["teacher_out"] is None
    run_cli("absent", "MR", "--sub", "SUB", "--as", "MR", data=room_dir, check=True)
    out = board(room_dir)["teacher_out"]
    assert out == {"staff": "MR", "sub": "SUB", "until": None,
                   "procedure": {"page": "procedures", "section": "Teacher absent"}}
    assert "TEACHER OUT: Ms. R; procedure: binder/procedures.md — Teacher absent" in run_cli(
        "board", "--plain", data=room_dir, check=True).stdout


def test_check_clean_demo_and_broken_files(room_dir):
    clean = run_cli("check", data=room_dir)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no problems" in clean.stdout
    sched = room_dir / "schedule.toml"
    sched.write_text(sched.read_text().replace('JT = "readers_b"', 'JT = "readers_z"', 1))
    (room_dir / "students" / "S99.toml").write_text("[[goals]]\n")
    (room_dir / "binder" / "friday.md").unlink()
    r = run_cli("check", data=room_dir)
    assert r.returncode == 1
    line = next(i for i, x in enumerate(sched.read_text().splitlines(), 1) if 'readers_z' in x)
    assert f"schedule.toml:{line}: monday[2].with.JT: not a student id" in r.stdout
    assert "students/S99.toml: the file name is not a student id" in r.stdout
    assert "binder/friday.md: missing" in r.stdout
    assert "problems in" in r.stderr
    sched.write_text("[[monday]\n")
    r = run_cli("check", data=room_dir)
    assert r.returncode == 1 and "schedule.toml:1:" in r.stdout


def test_a_password_page_is_flagged_by_check_and_on_the_board(room_dir):
    page = room_dir / "binder" / "accounts.md"
    page.write_text("# Logins\n\nUsernames and passwords for the reading site\n\n| user | password |\n")
    r = run_cli("check", data=room_dir)
    assert r.returncode == 1
    assert "binder/accounts.md:3: looks like a stored password or account list" in r.stdout
    state = board(room_dir)
    assert any(w.startswith("binder/accounts.md:3: looks like a stored password") for w in state["warnings"])
    room = Room(room_dir)
    assert "Usernames" not in room.snapshot().binder["accounts"]  # never shown
    toml = room_dir / "schedule.toml"
    toml.write_text(toml.read_text() + '\n# wifi pwd: hunter2\n')
    assert any(w.startswith("schedule.toml:") and "password" in w for w in board(room_dir)["warnings"])


def test_model_refuses_a_block_change_that_is_already_over(room_dir):
    room = Room(room_dir, clock=lambda: datetime(2026, 11, 23, 10, 15))
    ctx = room.context("MR")
    try:
        cc.block(ctx, "09:00", end="09:20")
        raise AssertionError("should be refused")
    except Refused as e:
        assert "already over" in e.message and e.field == "end"
    change = cc.block(ctx, "13:15", start="13:30", activity="Cooking (late start)")
    assert change.type == "day.change" and change.payload["block"] == "13:15"
    assert change.text == "block 13:15 changed: now starts 13:30, Cooking (late start)"
    room.apply(change, "MR")
    day = {d.start.strftime("%H:%M"): d for d in room.board().day}
    # a late start: read-aloud runs on until 13:30 (no gap in the day), both marked changed
    assert f"{day['12:45'].end:%H:%M}" == "13:30" and day["12:45"].changes and day["13:30"].changes
    assert "13:15" not in day


def test_hostile_changes_and_services_are_warnings_not_crashes(room_dir):
    room = Room(room_dir, clock=lambda: datetime(2026, 11, 23, 10, 15))
    room.record("day.change", "MR", {"kind": "lend", "room": "Room 8"})  # no staff, no end
    room.record("day.change", "MR", {"kind": "teleport", "start": "2026-11-23T11:00"})
    room.record("day.change", "MR", {"kind": "block", "block": "10:20", "activity": "x"})
    state = json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)
    said = [w for w in state["warnings"] if w.startswith("change ")]
    assert len(said) == 3 and "needs staff, end" in said[0] and "no block starts at 10:20" in said[2]
    assert all(s["source"] != "lent" for s in state["staff"])
    sched = room_dir / "schedule.toml"
    sched.write_text(sched.read_text().replace('days = ["friday"]', 'days = ["fryday"]'))
    r = run_cli("check", data=room_dir)
    line = next(i for i, x in enumerate(sched.read_text().splitlines(), 1) if "fryday" in x)
    assert r.returncode == 1 and f"schedule.toml:{line}: services[1].days: expected a list of weekdays" in r.stdout
    assert any(w.startswith(f"schedule.toml:{line}: services[1].days") for w in board(room_dir)["warnings"])


async def test_the_board_puts_the_teacher_absence_procedure_in_front_of_everyone(room_dir):
    from tests.helpers import make_app, wait_for

    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.query_one("#binder")
        assert pane.border_title == "Binder: Monday"
        run_cli("absent", "MR", "--sub", "SUB", "--as", "MR", data=room_dir, check=True)  # another process
        assert await wait_for(pilot, lambda: pane.border_title == "Teacher out: procedure")
        shown = app.screen._binder_text
        assert shown.startswith("## Teacher absent") and "## Para absent" not in shown
        run_cli("undo", "--as", "MR", data=room_dir, check=True)
        assert await wait_for(pilot, lambda: pane.border_title == "Binder: Monday")
