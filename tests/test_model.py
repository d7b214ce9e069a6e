"""The pure heart: classroom + schedule + events + clock → who is with whom, where, until when."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from paratui.model.board import build_board
from paratui.model.classroom import parse_classroom
from paratui.model.errors import ConfigError
from paratui.model.events import Event, event_from_doc, last_undoable, live_events
from paratui.model.export import board_to_dict, board_to_text
from paratui.model.resolve import NotFound, find_location, find_staff, find_student
from paratui.model.schedule import parse_schedule

CLASSROOM = {
    "room": "Room 7",
    "staff": [
        {"id": "T", "name": "Tess Teacher", "short": "Ms. T", "role": "teacher", "logins": ["tess"]},
        {"id": "P", "name": "Pat Para", "short": "Mr. P", "role": "para"},
        {"id": "O", "name": "Oli One", "short": "Ms. O", "role": "one-to-one"},
        {"id": "X", "name": "Sam Sub", "short": "Sub", "role": "sub"},
    ],
    "students": [
        {"id": "S1", "initials": "A.A.", "name": "Secret Fullname"},
        {"id": "S2", "initials": "B.B."},
        {"id": "S3", "initials": "C.C.", "one_to_one": "O"},
    ],
    "groups": {"pair": ["S1", "B.B."]},
    "locations": [
        {"id": "room", "label": "Room 7", "kind": "room"},
        {"id": "corner", "label": "Calm corner", "kind": "room"},
        {"id": "bathroom", "label": "Bathroom", "kind": "out", "expected_minutes": 10},
        {"id": "nurse", "label": "Nurse", "kind": "out", "expected_minutes": 20, "supervised": True},
        {"id": "lounge", "label": "Lounge", "kind": "out"},
        {"id": "home", "label": "Absent", "kind": "away"},
    ],
}
SCHEDULE = {
    "monday": [
        {"time": "09:00-10:00", "activity": "Reading", "at": "room",
         "with": {"T": "pair", "P": ["S3"]}},
        {"time": "10:00-11:00", "activity": "Math", "at": "room",
         "with": {"T": "all", "O": {"at": "lounge", "activity": "Break"}}},
        {"time": "11:00-12:00", "activity": "Lunch", "at": "room", "with": {}},
    ],
}
MON = datetime(2026, 11, 23)  # a Monday


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return MON.replace(hour=int(h), minute=int(m))


_n = 0


def ev(type: str, when: str, by: str = "P", **payload) -> Event:
    global _n
    _n += 1
    return Event(f"e{_n:04d}", type, at(when), _n, by, "login", "host", payload)


@pytest.fixture
def room():
    c = parse_classroom(CLASSROOM)
    return c, parse_schedule(SCHEDULE, c)


def board(room, events, now):
    c, s = room
    return build_board(c, s, events, at(now))


def student(state, sid):
    return next(s for s in state.students if s.id == sid)


def staff(state, sid):
    return next(s for s in state.staff if s.id == sid)


def test_schedule_says_who_is_with_whom(room):
    state = board(room, [], "09:30")
    assert staff(state, "T").with_ == ("S1", "S2")
    assert staff(state, "T").until == at("10:00")
    assert staff(state, "T").next.activity == "Math"
    assert student(state, "S3").with_ == ("P", "O")  # the 1:1 follows their student
    assert all(s.covered for s in state.students)
    assert state.block.activity == "Reading"


def test_taking_a_student_to_the_bathroom(room):
    events = [ev("move", "09:20", student="S1", to="bathroom", **{"with": ["T"]})]
    state = board(room, events, "09:35")
    s1 = student(state, "S1")
    assert (s1.location, s1.out, s1.with_, s1.minutes_out, s1.over) == ("bathroom", True, ("T",), 15, True)
    t = staff(state, "T")
    assert (t.location, t.with_, t.source, t.since) == ("bathroom", ("S1",), "move", at("09:20"))
    # the teacher left B.B. behind: nobody else is with them
    s2 = student(state, "S2")
    assert not s2.covered and s2.why_uncovered == "no adult"
    assert [s.id for s in state.out_of_room] == ["S1"]


def test_back_returns_the_student_and_the_adult(room):
    events = [ev("move", "09:20", student="S1", to="bathroom", **{"with": ["T"]}),
              ev("back", "09:26", student="S1")]
    state = board(room, events, "09:30")
    assert student(state, "S1").location == "room" and not student(state, "S1").out
    assert staff(state, "T").with_ == ("S1", "S2")
    assert all(s.covered for s in state.students)


def test_alone_to_a_supervised_place_is_covered_but_alone_to_the_bathroom_is_not(room):
    events = [ev("move", "09:10", student="S1", to="nurse", **{"with": []}),
              ev("move", "09:10", student="S2", to="bathroom", **{"with": []})]
    state = board(room, events, "09:15")
    assert student(state, "S1").covered
    assert not student(state, "S2").covered


def test_solo_move_within_the_room_keeps_the_adults(room):
    events = [ev("move", "09:10", student="S1", to="corner", **{"with": []})]
    state = board(room, events, "09:15")
    s1 = student(state, "S1")
    assert s1.location == "corner" and not s1.out and s1.with_ == ("T",) and s1.covered


def test_one_to_one_student_is_uncovered_while_their_para_is_on_break(room):
    state = board(room, [], "10:15")
    s3 = student(state, "S3")
    assert not s3.covered and "O" in s3.why_uncovered and "Break" in s3.why_uncovered
    # the teacher has "all", but a 1:1 student needs their para or an explicit cover:
    cover = [ev("assign", "10:05", by="T", **{"staff": "P", "students": ["S3"], "at": None,
                                                 "activity": "Covering C.C.", "until": None})]
    state = board(room, cover, "10:15")
    assert student(state, "S3").covered and "P" in student(state, "S3").with_


def test_assign_override_moves_students_and_ends_with_its_block_or_until(room):
    lib = ev("assign", "09:05", by="T", **{"staff": "P", "students": ["S1"], "at": "nurse",
                                               "activity": "Hearing check", "until": None})
    state = board(room, [lib], "09:30")
    p = staff(state, "P")
    assert (p.with_, p.location, p.activity, p.source, p.until) == (("S1",), "nurse", "Hearing check",
                                                                    "assign", at("10:00"))
    assert staff(state, "T").with_ == ("S2",)
    assert student(state, "S3").with_ == ("O",)  # P's scheduled student, still with their 1:1
    # after the block the override is over
    assert staff(board(room, [lib], "10:30"), "P").source != "assign"
    until = ev("assign", "09:05", by="T", **{"staff": "P", "students": [], "at": "lounge",
                                                 "activity": "Break", "until": at("10:30").isoformat()})
    assert staff(board(room, [until], "10:20"), "P").activity == "Break"
    assert staff(board(room, [until], "10:31"), "P").activity != "Break"


def test_an_absent_adult_and_their_sub(room):
    out_t = ev("absent", "07:50", by="T", staff="T", sub="X", until=at("10:00").isoformat())
    state = board(room, [out_t], "09:30")
    assert staff(state, "T").source == "absent" and staff(state, "T").with_ == ()
    x = staff(state, "X")
    assert (x.with_, x.source, x.activity) == (("S1", "S2"), "cover", "Reading (for Ms. T)")
    assert all(s.covered for s in state.students)
    assert staff(board(room, [out_t], "10:15"), "T").with_ == ("S1", "S2", "S3")  # back at 10:00


def test_a_one_to_one_para_out_today(room):
    no_sub = ev("absent", "07:50", by="T", staff="O", sub=None, until=None)
    s3 = student(board(room, [no_sub], "09:30"), "S3")
    assert not s3.covered and s3.with_ == ("P",) and "Out today, no sub" in s3.why_uncovered
    with_sub = ev("absent", "07:50", by="T", staff="O", sub="X", until=None)
    state = board(room, [with_sub], "09:30")
    assert student(state, "S3").covered and set(student(state, "S3").with_) == {"P", "X"}
    assert staff(state, "X").source == "one-to-one"


def test_retract_undoes_and_duplicates_count_once(room):
    move = ev("move", "09:20", student="S1", to="bathroom", **{"with": ["P"]})
    undo = ev("retract", "09:21", target=move.id)
    state = board(room, [move, move, undo], "09:30")
    assert not student(state, "S1").out
    assert live_events([move, move]) == [move]
    assert last_undoable([move, undo], "P") is None
    assert last_undoable([move], "P") == move


def test_events_of_other_days_do_not_count_and_a_clock_ahead_today_does(room):
    yesterday = Event("y", "move", at("09:20").replace(day=22), 1, "P", "", "",
                      {"student": "S1", "to": "bathroom", "with": []})
    tomorrow = Event("t", "move", at("09:20").replace(day=24), 1, "P", "", "",
                     {"student": "S2", "to": "bathroom", "with": []})
    state = board(room, [yesterday, tomorrow], "09:30")
    assert not any(s.out for s in state.students) and state.warnings == ()
    # 20 minutes ahead, today: another machine's clock runs fast; shown now, with a warning
    later = ev("move", "09:50", student="S2", to="bathroom", **{"with": []})
    state = board(room, [later], "09:30")
    assert student(state, "S2").out and student(state, "S2").minutes_out == 0
    assert state.warnings == ('clock on host "host" (login login) is about 20 min ahead of this board\'s',)
    # a writer whose clock runs a minute ahead still counts
    ahead = ev("move", "09:31", student="S2", to="bathroom", **{"with": []})
    s2 = student(board(room, [ahead], "09:30"), "S2")
    assert s2.out and s2.minutes_out == 0


def test_tasks_pending_overdue_and_done(room):
    copies = ev("task.add", "08:00", by="T", text="Copies", **{"for": "P", "due": at("09:00").isoformat()})
    call = ev("task.add", "08:00", by="T", text="Call home", **{"for": None, "due": None})
    filed = ev("task.add", "08:00", by="T", text="Filing", **{"for": "P", "due": None})
    done = ev("task.done", "09:10", by="P", task=filed.id)
    state = board(room, [copies, call, filed, done], "09:30")
    rows = {t.text: t for t in state.tasks}
    assert rows["Copies"].overdue and not rows["Copies"].done
    assert not rows["Call home"].overdue
    assert rows["Filing"].done and not rows["Filing"].overdue
    assert [t.text for t in state.pending_tasks] == ["Copies", "Call home"]
    # a task done on an earlier day leaves the board
    old_done = Event("d0", "task.done", at("09:10").replace(day=20), 0, "P", "", "", {"task": call.id})
    assert "Call home" not in {t.text for t in board(room, [call, old_done], "09:30").tasks}


def test_before_school_nobody_is_flagged(room):
    state = board(room, [], "07:30")
    assert state.block is None and all(s.covered for s in state.students)
    assert staff(state, "T").next.start == at("09:00")


def test_absent_student_is_not_uncovered(room):
    state = board(room, [ev("move", "08:00", student="S2", to="home", **{"with": []})], "09:30")
    s2 = student(state, "S2")
    assert s2.covered and not s2.out and s2.location == "home"


def test_json_keeps_full_names_out_and_has_the_documented_shape(room):
    c, s = room
    state = build_board(c, s, [ev("task.add", "08:00", text="Copies", **{"for": "P", "due": None})], at("09:30"),
                        {"monday": "Monday tab"}, ["x.toml:3: oops"])
    data = board_to_dict(state)
    assert set(data) >= {"room", "now", "weekday", "block", "staff", "students", "tasks", "binder", "warnings"}
    assert set(data["staff"][0]) >= {"id", "name", "role", "with", "location", "activity", "since", "until"}
    assert set(data["students"][0]) >= {"id", "initials", "location", "out", "minutes_out", "with", "covered"}
    assert set(data["tasks"][0]) >= {"id", "text", "for", "due", "done", "overdue"}
    assert data["binder"] == {"tab": "monday", "title": "Monday tab"}
    assert data["warnings"] == ["x.toml:3: oops"]
    assert "Secret" not in str(data) and "Secret" not in board_to_text(state)


def test_resolve_by_id_initials_label_any_case_and_ambiguity(room):
    c, _ = room
    assert find_student(c, "aa").id == "S1" and find_student(c, "a.a.").id == "S1"
    assert find_student(c, "s2").id == "S2"
    assert find_staff(c, "mr. p").id == "P" and find_staff(c, "tess").id == "T"
    assert find_location(c, "BATH").id == "bathroom"
    with pytest.raises(NotFound) as e:
        find_student(c, "Secret Fullname")  # full names are never a key
    assert not e.value.ambiguous
    with pytest.raises(NotFound) as e:
        find_staff(c, "ms")
    assert e.value.ambiguous and len(e.value.candidates) == 2


def test_classroom_errors_name_every_bad_field():
    bad = {**CLASSROOM, "staff": [{"id": "T", "name": "X", "role": "boss", "colour": "red"}], "extra": 1}
    with pytest.raises(ConfigError) as e:
        parse_classroom(bad)
    fields = {p.field for p in e.value.problems}
    assert {"staff[0].role", "staff[0].colour", "extra"} <= fields


def test_schedule_errors_name_the_block_and_field(room):
    c, _ = room
    bad = {"monday": [{"time": "09:00-10:00", "activity": "A", "at": "moon", "with": {"ZZ": "all", "T": "nobody"}},
                      {"time": "09:30-09:00", "activity": "B"}]}
    with pytest.raises(ConfigError) as e:
        parse_schedule(bad, c)
    fields = {p.field for p in e.value.problems}
    assert {"monday[0].at", "monday[0].with", "monday[0].with.T", "monday[1].time"} <= fields
    # an unknown reference is named by its place, never repeated (it could be a full name)
    shown = " ".join(str(p) for p in e.value.problems)
    assert not {"moon", "ZZ", "nobody"} & set(re.findall(r"\w+", shown))
    assert "monday[0].with.ZZ" in {p.hint for p in e.value.problems}  # still finds the line


def test_event_documents_are_checked():
    good = {"id": "a", "type": "back", "time": "2026-11-23T10:00", "payload": {"student": "S1"}}
    assert event_from_doc(good).payload == {"student": "S1"}
    for broken, word in [({**good, "time": "yesterday"}, "time"), ({**good, "payload": {}}, "student"),
                         ({**good, "id": None}, "id"), ("text", "object")]:
        with pytest.raises(ValueError, match=word):
            event_from_doc(broken)
