"""Who is acting and what each role may do (paratui.model.access), as pure rules: the same rule
answers the board, the CLI and the journal reader."""

from __future__ import annotations

import tomllib
from datetime import datetime

import pytest

from paratui.model import access, commands
from paratui.model.classroom import parse_classroom
from paratui.model.events import Event
from paratui.model.history import history_rows, render
from paratui.model.schedule import parse_schedule
from paratui.store import paths

NOW = datetime(2026, 11, 23, 10, 15)


def room(extra: str = "", logins: dict[str, list[str]] | None = None):
    raw = tomllib.loads((paths.demo_data() / "classroom.toml").read_text())
    raw.pop("access", None)  # the demo's ("*"): each test says its own
    raw.update(tomllib.loads(extra))
    for s in raw["staff"]:
        if logins and s["id"] in logins:
            s["logins"] = logins[s["id"]]
    classroom = parse_classroom(raw)
    schedule = parse_schedule(tomllib.loads((paths.demo_data() / "schedule.toml").read_text()), classroom)
    return classroom, schedule


def ctx(classroom, schedule, actor, events=()):
    return commands.Context(classroom, schedule, list(events), NOW, actor, permit=access.permit)


def test_a_personal_login_is_its_person_and_may_not_act_as_anyone_else():
    c, _ = room()
    assert access.acting(c, "alopez", None) == access.Acting("AL", "personal")
    spoof = access.acting(c, "alopez", "MR")
    assert spoof.staff == "AL" and "may not act as Ms. R" in spoof.refusal
    assert access.acting(c, "alopez", "AL").refusal is None


def test_an_unknown_login_reads_only_and_a_shared_login_picks():
    c, _ = room('[access]\nshared_logins = ["room12"]\n')
    unknown = access.acting(c, "visitor", "MR")
    assert unknown.read_only and unknown.staff is None and "read-only" in unknown.refusal
    shared = access.acting(c, "room12", "JT")
    assert (shared.staff, shared.mode, shared.refusal) == ("JT", "shared", None)
    assert access.acting(c, "room12", None) == access.Acting(None, "shared")


def test_config_mistakes_are_warnings_read_with_less_permission():
    c, _ = room('[access]\nshared_logins = ["alopez", "room12"]\nidle_minutes = "soon"\n'
                '[access.roles]\npara = ["move", "fly"]\nwizard = ["move"]\n',
                logins={"JT": ["shared1"], "DP": ["shared1"]})
    said = "\n".join(str(w) for w in c.warnings)
    assert "access.roles.para: unknown action 'fly'" in said
    assert "access.roles.wizard: unknown role" in said
    assert "access.idle_minutes" in said and "access.shared_logins" in said
    assert "staff[1].logins" in said  # a login listed for two people
    assert c.access.rules["para"] == frozenset({"move"})  # the typo grants nothing
    assert access.acting(c, "alopez", "MR").refusal  # still AL's own, not a shared login
    assert access.acting(c, "shared1", None).read_only  # listed twice: nobody


def test_roles_from_the_seeds_table():
    c, s = room()
    para, teacher, speech, sub = (ctx(c, s, who) for who in ("AL", "MR", "SK", "SUB"))
    commands.move(para, "EM", "bathroom")  # a para may move a student
    commands.assign(para, "AL", "EM")  # and assign themselves
    with pytest.raises(commands.NotAllowed, match="para may not put another adult"):
        commands.assign(para, "JT", "EM")
    with pytest.raises(commands.NotAllowed, match="may not mark an adult out"):
        commands.absent(para, "JT", "SUB")
    commands.absent(teacher, "JT", "SUB")
    commands.assign(teacher, "JT", "EM")
    mine = sorted(access.own_students("SK", c, s))
    assert mine  # speech pulls S02, S03, S06, S08 in the base week
    commands.move(speech, mine[0], "bathroom")
    other = next(st.id for st in c.students if st.id not in mine)
    with pytest.raises(commands.NotAllowed, match="only for their own students"):
        commands.move(speech, other, "bathroom")
    with pytest.raises(commands.NotAllowed, match="sub may not add a task"):
        commands.task_add(sub, "copies", None, None)


def _event(eid, type_, staff, payload, minute=0):
    return Event(eid, type_, NOW.replace(minute=minute), 0, staff, "login", "host", payload)


def test_an_event_its_writer_was_not_allowed_is_reported_and_not_applied():
    c, s = room()
    ok = _event("e1", "move", "AL", {"student": "S01", "to": "bathroom"})
    bad = _event("e2", "absent", "AL", {"staff": "JT", "sub": "SUB"}, 1)
    undo_other = _event("e3", "retract", "JT", {"target": "e1"}, 2)
    teacher_undo = _event("e4", "retract", "MR", {"target": "e1"}, 3)
    kept, refused = access.screen_events([ok, bad, undo_other, teacher_undo], c, s)
    assert [e.id for e in kept] == ["e1", "e4"]
    assert len(refused) == 2 and "absent event e2 by AL" in refused[0]
    assert "retract only their own" in refused[1]


def test_history_shows_who_from_where_and_retractions_without_deleting():
    c, _ = room()
    events = [_event("a1", "move", "AL", {"student": "S01", "to": "bathroom", "with": ["AL"]}),
              _event("a2", "back", "JT", {"student": "S02"}, 5),
              _event("a3", "retract", "MR", {"target": "a1"}, 9)]
    rows = history_rows(events, c, student="S01")
    assert [r.id for r in rows] == ["a1", "a3"]
    assert rows[0].retracted_by == "Ms. R at 2026-11-23 10:09"
    text = render(rows, "text", c)
    assert "login@host" in text and "retracted by Ms. R" in text
    csv = render(history_rows(events, c, staff="JT"), "csv", c)
    assert csv.count("\r\n") == 2 and ",back," in csv


def test_history_from_the_cli_by_day_and_by_student_with_the_choices_on_a_mistake(room_dir):
    from tests.helpers import run_cli

    run_cli("move", "K.B.", "--to", "bathroom", "--as", "JT", data=room_dir, check=True,
            env={"PARATUI_NOW": "2026-11-20T09:00"})
    run_cli("move", "E.M.", "--to", "office", "--as", "AL", data=room_dir, check=True)
    run_cli("undo", "--as", "AL", data=room_dir, check=True)
    day = run_cli("history", "--date", "2026-11-23", data=room_dir, check=True).stdout
    assert "K.B." not in day and "Ms. L took E.M. to Office" in day and "retracted by Ms. L" in day
    week = run_cli("history", "--from", "2026-11-16", "--to", "2026-11-23", "--student", "KB", "--format", "json",
                   data=room_dir, check=True).stdout
    assert [r["text"] for r in __import__("json").loads(week)] == ["Mr. T took K.B. to Bathroom"]
    bad = run_cli("history", "--student", "Nobody", data=room_dir)
    assert bad.returncode == 2 and "E.M." in bad.stderr  # the choices
    bad = run_cli("history", "--date", "2026-02-30", data=room_dir)
    assert bad.returncode == 2 and "--date" in bad.stderr
