"""IOA from the board (issue 20): `*` on the logging sheet makes the sheet's next entries a second
adult's inter-observer agreement record, the same `data` events `paratui log --ioa` writes, through
the same command; they are checked against the primary observer's and never counted in the goal's data."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from paratui.app.logging_sheet import IOA_BANNER, LogSheet
from tests.helpers import entries, make_app, run_cli, wait_for
from tests.test_logging_keys import goal_key
from tests.test_sessions import NOW, Clock, _trial_run, ok


def _report(room_dir: Path, student: str, goal: str) -> dict[str, Any]:
    env = {"PARATUI_NOW": NOW.replace(hour=15).isoformat(timespec="minutes")}
    out = run_cli("report", student, "--goal", goal, "--format", "json", data=room_dir, env=env, check=True)
    return dict(json.loads(out.stdout))


def _sheet_text(app: Any) -> str:
    sheet = app.screen
    assert isinstance(sheet, LogSheet)
    return "\n".join(str(sheet.query_one(f"#{w}").content) for w in ("sheet-title", "sheet-ioa", "sheet-body",
                                                                         "sheet-hint")
                     if sheet.query_one(f"#{w}").display)


async def _ioa_run(app: Any, pilot: Any, clock: Clock, goal: str, keys: list[str]) -> list[str]:
    """`l 2` (K.B.), `*`, the goal's key, the keys a minute apart, Esc: what the sheet said on the way."""
    said = []
    await pilot.press("l", "2")
    assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
    said.append(_sheet_text(app))
    await pilot.press("asterisk")
    assert await wait_for(pilot, lambda: app.screen.ioa)
    said.append(_sheet_text(app))
    await pilot.press(goal_key(app, goal))
    assert await wait_for(pilot, lambda: app.screen.stage == "run")
    for key in keys:
        clock.now += timedelta(minutes=1)
        n = len(app.screen.run)
        await pilot.press(key)
        assert await wait_for(pilot, lambda n=n: len(app.screen.run) == n + 1 and not app.typeahead.keys)
    said.append(_sheet_text(app))
    clock.now += timedelta(minutes=1)
    await pilot.press("escape")
    assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
    await app.workers.wait_for_complete()
    return said


async def test_a_second_adults_ioa_run_from_the_sheet_is_checked_and_never_counted(room_dir: Path) -> None:
    """Mr. T's run of 5 trials of K.B.'s coins at 10:15 on his board (+ + - + -, 60%); Ms. L, on
    hers, `*` then the same goal's key and her own record of the same trials, the 4th scored - (+ + -
    - -): her 5 entries are IOA observations (payload `ioa: true`, no session of her own), the
    sheet says "IOA OBSERVER" in words the whole time; the report's goal data is Mr. T's session
    alone (60%, 5 entries), and its IOA is one trial-by-trial check, 4 of 5 = 80%, 1 of 1 session."""
    clock = Clock()
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _trial_run(app, pilot, clock, "2", "coins", ["plus", "plus", "minus", "plus", "minus"])
    clock.now = NOW
    app = make_app(room_dir, clock, as_staff="AL", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        before, on, in_run = await _ioa_run(app, pilot, clock, "coins", ["plus", "plus", "minus", "minus", "minus"])
    assert "IOA OBSERVER" not in before and "u undo · * IOA · Esc" in before
    for text in (on, in_run):
        assert IOA_BANNER in text and "Log for K.B. (2) · IOA observer" in text
    assert "* IOA off" in on

    mine = [e for e in entries(room_dir, "data") if e.staff == "AL"]
    assert [(e.payload["value"], e.payload.get("ioa")) for e in mine] == [(v, True) for v in "++---"]
    assert [e.staff for e in entries(room_dir, "session.start")] == ["JT"]  # an IOA run is no session
    assert len({e.payload["session"] for e in mine}) == 1  # one record: the run's own id
    g = _report(room_dir, "K.B.", "coins")
    [goal] = g["goals"]
    [s] = goal["sessions"]
    assert (s["observer"], s["entries"], s["level"]) == ("JT", 5, 60.0)
    [check_goal] = [x for x in g["ioa"]["goals"] if x["goal"] == "coins"]
    [c] = check_goal["checks"]
    assert (c["measure"], c["agreed"], c["compared"], c["agreement"]) == ("trial-by-trial", 4, 5, 80.0)
    assert (c["primary"], c["ioa_observer"]) == ("Mr. T", "Ms. L")
    assert (check_goal["sessions"], check_goal["checked"], check_goal["share"]) == (1, 1, 100.0)


async def test_an_ioa_run_goes_to_the_session_the_primary_has_open(room_dir: Path) -> None:
    """Mr. T's declared session of K.B.'s coins is open (`paratui session start`); Ms. L's IOA run
    on the board carries its id (paired with it exactly), and Mr. T's session keeps only his own
    trials; a tally in IOA mode (`*`, greet's key) is an IOA entry and adds nothing to greet."""
    clock = Clock()
    sid = ok(room_dir, NOW, "session", "start", "K.B.", "coins", "--as", "JT").split()[-1]
    for i, v in enumerate("+-+"):
        ok(room_dir, NOW + timedelta(minutes=i + 1), "log", "K.B.", "coins", v, "--as", "JT")
    app = make_app(room_dir, clock, as_staff="AL", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ioa_run(app, pilot, clock, "coins", ["plus", "plus", "plus"])
        await pilot.press("l", "2")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press("asterisk", goal_key(app, "greet"))
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
        await app.workers.wait_for_complete()
    ok(room_dir, NOW + timedelta(minutes=10), "session", "end", "K.B.", "coins", "--as", "JT")
    theirs = [e for e in entries(room_dir, "data") if e.staff == "AL"]
    assert [(e.payload["goal"], e.payload.get("session"), e.payload.get("ioa")) for e in theirs] == [
        *[("coins", e.payload["session"], True) for e in theirs[:3]], ("greet", None, True)]
    assert {e.payload["session"] for e in theirs[:3]} == {next(e.id for e in entries(room_dir, "session.start"))}
    assert sid and theirs[0].payload["session"].startswith(sid[:6])
    g = _report(room_dir, "K.B.", "coins")
    [s] = g["goals"][0]["sessions"]
    assert (s["declared"], s["observer"], s["entries"], s["level"]) == (True, "JT", 3, 66.7)
    [c] = [x for x in g["ioa"]["goals"] if x["goal"] == "coins"][0]["checks"]
    assert (c["session"], c["agreed"], c["compared"]) == (theirs[0].payload["session"], 2, 3)
    assert _report(room_dir, "K.B.", "greet")["goals"][0]["sessions"] == []  # the IOA tally is no data


async def _sheet_key(app: Any, pilot: Any, student_key: str, goal: str, ioa: bool) -> str:
    """`l`, the student, `*` when `ioa`, the goal's key: what the sheet said before the goal's key
    (its goal list); the sheet closes after a timer's key."""
    await pilot.press("l", student_key)
    assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
    if ioa:
        await pilot.press("asterisk")
        assert await wait_for(pilot, lambda: app.screen.ioa)
    said = _sheet_text(app)
    await pilot.press(goal_key(app, goal))
    assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
    await app.workers.wait_for_complete()
    return said


async def test_an_ioa_timer_from_the_sheet_is_a_duration_ioa_observation(room_dir: Path) -> None:
    """R.N.'s tantrum (duration): Mr. T starts the timer at 10:15:00 on his board; Ms. L, on hers,
    `*` and tantrum's key at 10:15:05 (her IOA timer: nothing written, his still running), and again
    at 10:16:55 (110 s): one `data` event, `ioa: true`, 110 seconds, as `log --ioa 110` writes; Mr. T
    stops his at 10:17:00 (120 s). The goal's data is his 120 s alone; the report's IOA is total
    duration, 110 ÷ 120 = 91.7%, 1 of 1 session checked."""
    clock = Clock()
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _sheet_key(app, pilot, "5", "tantrum", ioa=False)
    assert len(entries(room_dir, "timer.start")) == 1
    app = make_app(room_dir, clock, as_staff="AL", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        clock.now = NOW + timedelta(seconds=5)
        before = await _sheet_key(app, pilot, "5", "tantrum", ioa=True)
        assert "IOA observer" in before and "running since 10:15" in before
        assert [e.type for e in entries(room_dir) if e.staff == "AL"] == []  # the IOA timer writes nothing yet
        await pilot.press("l", "5")  # without `*`: the key is refused while her IOA timer runs
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        assert "IOA timer since 10:15:05" in _sheet_text(app)
        await pilot.press(goal_key(app, "tantrum"))
        await pilot.pause()
        assert "your IOA timer of tantrum is running" in str(app.screen.query_one("#sheet-error").content)
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
        clock.now = NOW + timedelta(seconds=115)
        await _sheet_key(app, pilot, "5", "tantrum", ioa=True)
    mine = [e for e in entries(room_dir) if e.staff == "AL"]
    assert [(e.type, e.payload.get("seconds"), e.payload.get("ioa")) for e in mine] == [("data", 110.0, True)]
    assert entries(room_dir, "timer.stop") == []  # Mr. T's timer still runs
    clock.now = NOW + timedelta(seconds=120)
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _sheet_key(app, pilot, "5", "tantrum", ioa=False)
    [stop] = entries(room_dir, "timer.stop")
    assert stop.payload["seconds"] == 120.0
    g = _report(room_dir, "R.N.", "tantrum")
    [s] = g["goals"][0]["sessions"]
    assert (s["observer"], s["entries"]) == ("JT", 1)
    [check_goal] = [x for x in g["ioa"]["goals"] if x["goal"] == "tantrum"]
    [c] = check_goal["checks"]
    assert (c["measure"], c["agreement"], c["primary"], c["ioa_observer"]) == ("total duration", 91.7, "Mr. T", "Ms. L")
    assert (check_goal["sessions"], check_goal["checked"]) == (1, 1)


async def test_ioa_mode_refuses_what_has_no_ioa_on_the_sheet(room_dir: Path) -> None:
    """R.N.'s elopement ABC in IOA mode: said on the sheet, nothing written."""
    app = make_app(room_dir, as_staff="AL", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l", "5")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press("asterisk", goal_key(app, "elope"))
        await pilot.pause()
        assert "ABC record has no IOA" in str(app.screen.query_one("#sheet-error").content)
    assert entries(room_dir, "abc") == []
