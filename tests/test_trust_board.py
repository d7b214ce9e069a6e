"""Issue 7, section 5: the board is right.

Built on the demo room (data/classroom.toml, data/schedule.toml, Monday) with events made directly,
as any writer (this version, an older one, another machine) could have stored them.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta

import pytest

from paratui.model.board import build_board
from paratui.model.classroom import parse_classroom
from paratui.model.events import Event
from paratui.model.schedule import parse_schedule
from paratui.store import paths

MON = datetime(2026, 11, 23)  # a Monday


def at(hhmm: str, day: datetime = MON) -> datetime:
    h, m = hhmm.split(":")
    return day.replace(hour=int(h), minute=int(m))


_n = 0


def ev(type: str, when: str | datetime, by: str = "MR", host: str = "testhost", login: str = "tester",
       **payload) -> Event:
    global _n
    _n += 1
    t = at(when) if isinstance(when, str) else when
    return Event(f"{_n:06x}" + "e" * 26, type, t, _n, by, login, host, payload)


def move(when, student, to, with_=(), **kw) -> Event:
    return ev("move", when, student=student, to=to, **{"with": list(with_)}, **kw)


def assign(when, staff, students, at_=None, activity=None, until=None, **kw) -> Event:
    return ev("assign", when, staff=staff, students=list(students), at=at_, activity=activity, until=until, **kw)


def absent(when, staff, sub=None, until=None, **kw) -> Event:
    return ev("absent", when, staff=staff, sub=sub, until=until, **kw)


@pytest.fixture(scope="module")
def demo():
    root = paths.demo_data()
    c = parse_classroom(tomllib.loads((root / "classroom.toml").read_text(encoding="utf-8-sig")))
    s = parse_schedule(tomllib.loads((root / "schedule.toml").read_text(encoding="utf-8-sig")), c)
    return c, s


def board(demo, events, now: str | datetime = "10:15"):
    c, s = demo
    return build_board(c, s, events, at(now) if isinstance(now, str) else now)


def student(state, sid):
    return next(s for s in state.students if s.id == sid)


def staff(state, sid):
    return next(s for s in state.staff if s.id == sid)


# -- an `away` place (or a place in the room) takes no adult along --------------------------------

def test_marking_a_student_absent_takes_no_adult_and_frees_their_one_to_one(demo):
    # `move S05 --to absent --as MR`, as an older writer stored it (with the acting adult as escort)
    state = board(demo, [move("10:15", "S05", "absent", ["MR"])], "10:16")
    mr = staff(state, "MR")
    assert mr.source == "schedule" and mr.activity == "Math groups"
    assert mr.with_ == ("S03", "S06", "S07") and mr.location == "room"
    assert student(state, "S06").covered and student(state, "S07").covered
    rn = student(state, "S05")
    assert rn.location == "absent" and rn.covered and not rn.out and rn.with_ == ()
    assert all("S05" not in s.with_ for s in state.staff)
    dp = staff(state, "DP")  # the one-to-one is free, not "One-to-one — R.N. @ Absent"
    assert dp.with_ == () and dp.location != "absent" and dp.activity != "One-to-one"
    assert "away" in dp.activity
    assert state.uncovered == ()


def test_a_one_to_one_para_with_a_duty_of_their_own_keeps_it_while_their_student_is_away(demo):
    state = board(demo, [move("08:05", "S05", "absent", [])], "11:50")  # DP's lunch break
    dp = staff(state, "DP")
    assert dp.activity == "Lunch break" and dp.source == "schedule"
    assert staff(state, "JT").with_ == ()  # JT covers S05 at lunch: nobody to cover today


def test_moving_a_student_inside_the_room_does_not_take_the_adult(demo):
    # `move L.S. --to carpet --as JT`: L.S. is in Ms. R's math group, JT has math_b
    state = board(demo, [move("10:15", "S03", "carpet", ["JT"])], "10:16")
    jt = staff(state, "JT")
    assert jt.source == "schedule" and jt.with_ == ("S02", "S04", "S05", "S08") and jt.location == "room"
    ls = student(state, "S03")
    assert ls.location == "carpet" and not ls.out and ls.with_ == ("MR",) and ls.covered
    assert state.uncovered == ()


# -- the same thing recorded twice gives the same board -------------------------------------------

def test_an_absence_recorded_twice_is_the_same_as_once(demo):
    once = [absent("08:05", "AL", "SUB")]
    twice = once + [absent("08:05", "AL", "SUB")]
    state = board(demo, twice, "09:15")  # reading groups: AL has readers_c (R.N., T.H.)
    sub = staff(state, "SUB")
    assert sub.with_ == ("S05", "S06") and sub.source == "cover" and sub.location == "room"
    assert student(state, "S06").covered and "SUB" in student(state, "S06").with_
    assert state == board(demo, once, "09:15")


def test_an_assignment_recorded_twice_is_the_same_as_once(demo):
    once = [assign("10:15", "JT", ["S01", "S02"], "library", "Library")]
    twice = once + [assign("10:15", "JT", ["S01", "S02"], "library", "Library")]
    assert board(demo, twice, "10:20") == board(demo, once, "10:20")


def test_a_newer_absence_with_another_sub_replaces_the_older(demo):
    events = [absent("08:05", "AL", "SUB"), absent("08:10", "AL", "SK")]
    state = board(demo, events, "09:15")
    assert staff(state, "SK").with_ == ("S05", "S06")
    assert staff(state, "SUB").with_ == () and staff(state, "SUB").source != "cover"


# -- an absent adult has no "next"; their sub has theirs -----------------------------------------

def test_absent_adult_has_no_next_and_the_sub_takes_it_over(demo):
    state = board(demo, [absent("08:05", "AL", "SUB")], "10:20")
    assert staff(state, "AL").next is None
    nxt = staff(state, "SUB").next
    assert nxt is not None and nxt.start == at("11:00") and "Specials: art" in nxt.activity
    assert nxt.location == "specials"


def test_absent_until_a_time_keeps_the_next_block_after_it(demo):
    state = board(demo, [absent("08:05", "AL", "SUB", until=at("10:30").isoformat())], "10:20")
    assert staff(state, "AL").next.start == at("11:00")  # back by then
    assert staff(state, "SUB").next is None  # the cover ends before 11:00


# -- the newest instruction for an adult wins -----------------------------------------------------

def test_an_assignment_takes_students_from_their_scheduled_place(demo):
    state = board(demo, [assign("10:15", "JT", ["S01", "S02"], "library")], "10:20")
    em = student(state, "S01")
    assert em.location == "library" and em.with_ == ("JT",) and em.covered
    jt = staff(state, "JT")
    assert jt.with_ == ("S01", "S02") and jt.location == "library" and jt.source == "assign"


def test_an_assignment_after_an_escort_ends_the_escort(demo):
    # same minute (the CLI's clock), written one after the other
    events = [move("10:15", "S03", "nurse", ["JT"]), assign("10:15", "JT", ["S01", "S02"], "library")]
    state = board(demo, events, "10:15")
    jt = staff(state, "JT")
    assert jt.source == "assign" and jt.with_ == ("S01", "S02") and jt.location == "library"
    ls = student(state, "S03")  # left at the nurse, who looks after them
    assert ls.location == "nurse" and ls.out and ls.with_ == () and ls.covered


def test_a_student_left_alone_somewhere_unsupervised_is_uncovered_and_says_by_whom(demo):
    events = [move("10:15", "S03", "bathroom", ["JT"]), assign("10:16", "JT", ["S02"])]
    ls = student(board(demo, events, "10:17"), "S03")
    assert ls.out and ls.location == "bathroom" and not ls.covered
    assert ls.why_uncovered == "left at Bathroom by Mr. T"


def test_an_escort_after_an_assignment_wins(demo):
    events = [assign("10:15", "JT", ["S01", "S02"], "library"), move("10:15", "S03", "nurse", ["JT"])]
    jt = staff(board(demo, events, "10:16"), "JT")
    assert jt.source == "move" and jt.with_ == ("S03",) and jt.location == "nurse"


# -- back means back in the room now, until the next block says otherwise -------------------------

def test_back_brings_a_scheduled_student_into_the_room(demo):
    state = board(demo, [ev("back", "10:20", student="S01")], "10:25")
    em = student(state, "S01")
    assert em.location == "room" and not em.out and em.minutes_out is None
    later = student(board(demo, [ev("back", "10:05", student="S01")], "10:25"), "S01")
    assert later.location == "gened-3"  # back before the math block: the block says otherwise


def test_back_from_a_scheduled_sensory_break_until_the_block_ends(demo):
    state = board(demo, [ev("back", "10:05", student="S05")], "10:10")
    rn = student(state, "S05")
    assert rn.location == "room" and not rn.out and rn.with_ == ("DP",)
    assert staff(state, "DP").location == "room"


# -- outside school hours ------------------------------------------------------------------------

@pytest.mark.parametrize("now", [at("07:30"), at("16:00"), at("10:15", MON + timedelta(days=5))])
def test_outside_school_hours_the_board_says_so(demo, now):
    state = board(demo, [], now)
    assert state.in_session is False
    assert state.uncovered == ()
    assert all(s.with_ == () for s in state.students)


def test_school_hours_and_a_student_still_out_after_hours(demo):
    assert board(demo, [], "10:15").in_session is True
    state = board(demo, [move("14:55", "S02", "bathroom", [])], "15:05")
    assert state.in_session is True  # somebody is still out: that is still the school's business
    assert [s.id for s in state.uncovered] == ["S02"]


# -- clocks ---------------------------------------------------------------------------------------

def test_an_event_from_a_clock_minutes_ahead_shows_at_once_with_a_warning(demo):
    ahead = move("10:22", "S02", "bathroom", ["JT"], host="ws", login="jthomas")
    state = board(demo, [ahead], "10:15")
    kb = student(state, "S02")
    assert kb.out and kb.location == "bathroom" and kb.minutes_out == 0
    assert staff(state, "JT").source == "move"
    assert 'clock on host "ws" (login jthomas) is about 7 min ahead of this board\'s' in state.warnings


def test_one_warning_per_host_with_the_largest_lead(demo):
    events = [move("10:20", "S02", "bathroom", [], host="ws", login="jthomas"),
              move("10:27", "S04", "nurse", [], host="ws", login="jthomas"),
              move("10:16", "S06", "nurse", [], host="near", login="alopez")]  # within a normal skew
    state = board(demo, events, "10:15")
    clock_lines = [w for w in state.warnings if w.startswith("clock on host")]
    assert clock_lines == ['clock on host "ws" (login jthomas) is about 12 min ahead of this board\'s']


def test_a_clock_ahead_is_applied_as_now_for_ordering(demo):
    # ws's move stamped 10:22 really happened before this board's 10:15 back of the same student
    events = [ev("back", "10:15", student="S02"), move("10:22", "S02", "bathroom", [], host="ws")]
    assert student(board(demo, events, "10:15"), "S02").out


def test_events_of_a_later_day_still_do_not_count(demo):
    tomorrow = move(at("08:00") + timedelta(days=1), "S02", "bathroom", [])
    state = board(demo, [tomorrow], "10:15")
    assert not student(state, "S02").out
    assert not any(w.startswith("clock") for w in state.warnings)


def test_host_names_in_the_clock_warning_are_made_safe(demo):
    state = board(demo, [move("10:25", "S02", "nurse", [], host="ws\x1b]0;pwn\x07", login="j\nt")], "10:15")
    line = next(w for w in state.warnings if w.startswith("clock on host"))
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line


def test_a_student_out_at_midnight_stays_on_the_board(demo):
    sunday = MON - timedelta(days=1)
    events = [move(at("23:50", sunday), "S03", "nurse", ["JT"])]
    state = board(demo, events, at("00:05"))
    ls = student(state, "S03")
    assert ls.out and ls.location == "nurse" and ls.minutes_out == 15 and ls.since == at("23:50", sunday)
    assert staff(state, "JT").source == "move"
    assert state.in_session is True
    # back after midnight, or the first block of the new day, ends it
    assert not student(board(demo, events + [ev("back", "00:02", student="S03")], at("00:05")), "S03").out
    assert student(board(demo, events, "08:05"), "S03").location == "room"


def test_a_move_already_closed_yesterday_is_not_carried_over(demo):
    sunday = MON - timedelta(days=1)
    events = [move(at("23:40", sunday), "S03", "bathroom", []), ev("back", at("23:45", sunday), student="S03")]
    assert not student(board(demo, events, at("00:05")), "S03").out


# -- tasks dated years away -------------------------------------------------------------------------

@pytest.mark.parametrize("due", ["0001-01-01T08:00", "9999-12-31T15:00", "2040-01-01T15:00"])
def test_a_task_due_years_away_is_warned_by_short_id(demo, due):
    task = ev("task.add", "08:00", text="Call Evander's mum", **{"for": None, "due": due})
    state = board(demo, [task], "10:15")
    lines = [w for w in state.warnings if task.id[:6] in w]
    assert len(lines) == 1 and "due" in lines[0]
    assert "Evander" not in " ".join(state.warnings)


def test_a_task_due_soon_is_not_warned(demo):
    task = ev("task.add", "08:00", text="Copies", **{"for": None, "due": "2026-11-25T15:00"})
    assert board(demo, [task], "10:15").warnings == ()


def test_after_hours_the_plain_and_json_boards_say_so_and_raise_no_alarm(room_dir):
    import json as _json

    from tests.helpers import run_cli

    env = {"PARATUI_NOW": "2026-11-23T18:30"}
    data = _json.loads(run_cli("board", "--json", data=room_dir, env=env, check=True).stdout)
    assert data["in_session"] is False and not [s for s in data["students"] if not s["covered"]]
    text = run_cli("board", "--plain", data=room_dir, env=env, check=True).stdout
    assert "outside school hours" in text and "no adult" not in text


def test_a_student_marked_absent_reads_absent_not_no_adult(room_dir):
    from tests.helpers import run_cli

    run_cli("move", "S05", "--to", "absent", "--as", "MR", data=room_dir, check=True)
    text = run_cli("board", "--plain", data=room_dir, check=True).stdout
    line = next(x for x in text.splitlines() if x.startswith("  R.N. (S05)"))
    assert "absent" in line and "no adult" not in line
