"""The student screen (`s` + the student) and retracting an entry, from the screen and the CLI."""

from __future__ import annotations

import gc
import json
import weakref
from datetime import datetime
from pathlib import Path

from textual.widgets import OptionList, Static

from paratui.app import chart
from paratui.app.student_screen import RECENT, GoalCard, StudentScreen
from paratui.model import data_commands
from paratui.store.history import history_for
from paratui.store.room import Room
from tests.helpers import make_app, run_cli, settle, wait_for

NOW = datetime(2026, 11, 23, 10, 15)


def log_on(room_dir: Path, when: datetime, actor: str, make) -> str:
    """Write one entry as `actor` with the classroom clock at `when`; its event id."""
    room = Room(room_dir, clock=lambda: when)
    change = make(room.context(actor))
    return room.apply(change, actor).id


def seed(room_dir: Path) -> None:
    """R.N. (S05): aac trials on three days, the last two at 80 %+ independent; ABC records."""
    for day, results in ((18, "+-+--"), (19, "++++-"), (20, "+++++")):
        for r in results:
            log_on(room_dir, datetime(2026, 11, day, 9, 30), "DP",
                   lambda ctx, r=r: data_commands.log(ctx, "R.N.", "aac", r, "I" if r == "+" else None))
    for a, c, h in (("1", "2", 9), ("1", "2", 10), ("2", "1", 14)):
        log_on(room_dir, datetime(2026, 11, 19, h, 5), "DP",
               lambda ctx, a=a, c=c: data_commands.abc(ctx, "R.N.", "elopement", a, c))
    for r, p in (("+", "I"), ("+", "V"), ("-", None)):
        log_on(room_dir, NOW.replace(minute=5), "DP", lambda ctx, r=r, p=p: data_commands.log(ctx, "R.N.", "aac", r, p))


def screen_text(screen) -> str:
    parts = [str(w.content) for w in screen.query(Static)] + [c.text.plain for c in screen.query(GoalCard)]
    for listing in screen.query(OptionList):
        parts += [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
    parts.append(screen.plan_markdown)
    return "\n".join(parts)


async def open_student(pilot, key: str) -> StudentScreen:
    await pilot.press("s", key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StudentScreen)
    history = history_for(pilot.app.room.root)
    def drawn_with_history() -> bool:
        return (history.events is not None and screen._seen is not None
                and screen._seen[1] == history.version
                and "loading" not in screen_text(screen))

    assert await wait_for(pilot, drawn_with_history)
    await settle(pilot)
    return screen


async def test_one_key_and_the_student_open_goals_mastery_abc_and_plan(room_dir):
    seed(room_dir)
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_student(pilot, "5")  # student 5 is R.N.
        seen = screen_text(screen)
        assert "R.N." in seen and "S05" in seen
        assert "Today: 3 trials, 67% correct, 33% independent, prompts V:1 I:1" in seen
        # sessions 19 and 20 met 80 % independent, today's (33 %) did not: the run is 0 now
        assert "0 of 3 sessions at or above 80% independent" in seen
        assert "Most common antecedent: Task demand (2)" in seen
        assert "Most common consequence: Break given (2)" in seen
        assert "morning (2), afternoon (1)" in seen
        assert "aggression" in seen and "break card" in seen  # binder/behavior-plans.md, R.N.'s section
        assert "O.W." not in screen.plan_markdown  # only their section
        cards = {c.goal_id: c for c in screen.query(GoalCard)}
        assert cards["aac"].chart is not None and cards["aac"].chart.levels == (40.0, 80.0, 100.0, 100 / 3)
        assert cards["coat"].chart is None  # no sessions: no chart
        assert "100.0┤" in str(cards["aac"].render().renderables[1])  # type: ignore[attr-defined]  # plotext axis
        assert "Rowan" not in seen  # full names are off in the demo room
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, StudentScreen)


async def test_mastery_run_counts_consecutive_sessions_at_200x50(room_dir):
    for day, results in ((18, "+-+--"), (19, "++++-"), (20, "+++++")):
        for r in results:
            log_on(room_dir, datetime(2026, 11, day, 9, 30), "DP",
                   lambda ctx, r=r: data_commands.log(ctx, "R.N.", "aac", r, "I" if r == "+" else None))
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = await open_student(pilot, "5")
        assert screen.has_class("-wide")
        assert "2 of 3 sessions at or above 80% independent" in screen_text(screen)
        assert "Today: no data yet" in screen_text(screen)


async def test_full_name_only_when_the_room_allows_it(room_dir):
    toml = room_dir / "classroom.toml"
    toml.write_text(toml.read_text().replace("full_names = false", "full_names = true"))
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_student(pilot, "5")
        title = str(screen.query_one("#student-title", Static).content)
        assert "Rowan Nettlefield" in title and "R.N." in title
        await pilot.press("escape")
        await settle(pilot)
        board_text = "\n".join(str(w.content) for w in app.screen.query(Static))
        assert "Rowan" not in board_text  # never on the wall board


async def test_retract_from_the_screen_changes_the_board_and_the_report(room_dir):
    eid = log_on(room_dir, NOW, "JT", lambda ctx: data_commands.log(ctx, "K.B.", "coins", "+", "I"))
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not any(d.student == "S02" and d.goal == "coins" for d in app.state.data_due)
        screen = await open_student(pilot, "2")  # K.B.
        assert "Today: 1 trials" in screen_text(screen)
        await pilot.press("r")  # nothing chosen yet: the list takes the focus, the newest entry chosen
        await pilot.press("r", "y")  # retract it? yes
        await settle(pilot)
        assert await wait_for(pilot, lambda: any(d.student == "S02" and d.goal == "coins"
                                                 for d in app.state.data_due))
        assert await wait_for(pilot, lambda: "RETRACTED by Mr. T" in screen_text(screen))
        assert "Today: no data yet" in screen_text(screen).split("wash")[0]
    retracts = [e for e in Room(room_dir).snapshot().events if e.type == "retract"]
    assert [e.payload["target"] for e in retracts] == [eid] and retracts[0].staff == "JT"
    report = json.loads(run_cli("report", "K.B.", "--format", "json", data=room_dir, check=True).stdout)
    coins = next(g for g in report["goals"] if g["id"] == "coins")
    assert coins["entries"] == 0 and coins["sessions"] == []


def _journal(room_dir: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted((room_dir / "journal").rglob("*.json"))}


def test_cli_retract_and_its_refusals(room_dir):
    old = log_on(room_dir, datetime(2026, 11, 10, 9, 0), "JT",
                 lambda ctx: data_commands.log(ctx, "K.B.", "coins", "+", "I"))
    before = _journal(room_dir)
    for bad, says in (("zzzzzz", "matches no event"), ("ab", "too short")):
        r = run_cli("retract", bad, "--as", "MR", data=room_dir)
        assert r.returncode == 2 and says in r.stderr
        assert _journal(room_dir) == before  # nothing written
    done = run_cli("retract", old[:6], "--as", "MR", data=room_dir)  # an entry two weeks old
    assert done.returncode == 0 and "retracted: K.B. · coins: + at I" in done.stdout
    after = _journal(room_dir)
    again = run_cli("retract", old[:6], "--as", "MR", data=room_dir)
    assert again.returncode == 2 and "already retracted (by Ms. R" in again.stderr
    assert _journal(room_dir) == after
    report = json.loads(run_cli("report", "K.B.", "--format", "json", data=room_dir, check=True).stdout)
    assert next(g for g in report["goals"] if g["id"] == "coins")["entries"] == 0


async def test_odd_text_in_an_entry_is_shown_as_written(room_dir):
    odd = "[@click=app.quit]x[/] \x1b]0;pwned\x07"
    log_on(room_dir, NOW, "DP", lambda ctx: data_commands.abc(ctx, "R.N.", "elopement", odd, "2", note=odd))
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_student(pilot, "5")
        seen = screen_text(screen)
        assert "[@click=app.quit]x[/]" in seen  # literally, never run as markup
        assert "\x1b" not in seen and "\x07" not in seen
        assert app.is_running


def test_retract_asks_the_permission_hook_as_retract(room_dir):
    from paratui.model import commands

    eid = log_on(room_dir, NOW, "JT", lambda ctx: data_commands.log(ctx, "K.B.", "coins", "+", "I"))
    asked: list[tuple[str, dict]] = []

    def permit(action, ctx, payload):
        asked.append((action, payload))
        return "paras may not retract others' entries" if ctx.actor != "MR" else None

    snap = Room(room_dir).snapshot()
    for actor in ("AL", "MR"):
        ctx = commands.Context(snap.classroom, snap.schedule, snap.events, NOW, actor, permit)
        if actor == "AL":
            try:
                commands.retract(ctx, eid[:6])
            except commands.NotAllowed as e:
                assert e.exit_code == 3 and "may not" in e.message
            else:
                raise AssertionError("the hook's refusal was ignored")
        else:
            change = commands.retract(ctx, eid)
            assert change.type == "retract" and change.payload == {"target": eid}
    assert [a for a, _ in asked] == ["retract", "retract"]


async def test_the_screen_keeps_a_few_events_and_closing_lets_the_charts_go(room_dir):
    """A year of one student is thousands of events: the view folds them and keeps only what it
    lists; the charts drawn are forgotten once the screen is closed (issue 9: the board's peak)."""
    for day in range(2, 21):
        for r in "+-+":
            log_on(room_dir, datetime(2026, 11, day, 9, 30), "DP",
                   lambda ctx, r=r: data_commands.log(ctx, "R.N.", "aac", r, "I"))
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_student(pilot, "5")
        assert "19 sessions" in screen_text(screen)
        view = screen.view
        assert view is not None and len(view.entries) == RECENT
        assert len(view.events) <= 2 * RECENT  # the listed entries (and their retracts), not the year's 57
        assert all(not s.entries for s in view.goals)
        assert chart.draw.cache_info().currsize > 0
        await pilot.press("escape")
        await settle(pilot)
        assert await wait_for(pilot, lambda: chart.draw.cache_info().currsize == 0)
        assert chart._figure is None


async def test_a_closed_screens_widgets_and_their_drawn_lines_are_let_go(room_dir):
    """Textual 8.2 keeps each widget's style cache (its rendered lines: the charts) in an
    lru_cache of 1024 keyed by it: closing the screen clears that, so each screen opened does not
    stay in memory."""
    seed(room_dir)
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_student(pilot, "5")
        caches = [weakref.ref(w._styles_cache) for w in screen.query("*")]
        assert len(caches) > 10
        del screen
        await pilot.press("escape")
        await settle(pilot)

        def gone() -> bool:
            gc.collect()
            return all(c() is None for c in caches)

        assert await wait_for(pilot, gone)
