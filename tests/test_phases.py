"""Phases (issue 20): `paratui phase` starts one on a goal; each session knows its phase; the trend
is over the current phase only and says which; reports carry a phase column and their charts break
the data path at each phase change, where a condition line labelled with the phase is drawn."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from paratui.model import data_commands
from paratui.store.room import Room
from tests.helpers import run_cli

NOW = datetime(2026, 11, 23, 10, 15)  # a Monday


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def school_days(n: int, until: datetime = NOW) -> list[datetime]:
    days, d = [], until
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return days[::-1]


def log_correct(room: Room, clock: Clock, day: datetime, n: int, goal: str = "coins") -> None:
    """`n` of 10 trials correct and independent on `day`."""
    clock.now = day.replace(hour=9)
    for i in range(10):
        room.apply(data_commands.log(room.context("JT"), "K.B.", goal, "+" if i < n else "-",
                                     "I" if i < n else None), "JT")


def at(day: datetime) -> dict[str, str]:
    return {"PARATUI_NOW": day.replace(hour=8).isoformat(timespec="minutes")}


def slope_per_week(points: list[tuple[datetime, float]]) -> float:
    xs = [d.toordinal() for d, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return round(7 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs), 1)


def build_two_phases(room_dir: Path) -> tuple[list[datetime], list[int]]:
    """K.B.'s coins: 5 baseline sessions falling, then (paratui phase, by the teacher) 5 rising."""
    clock = Clock()
    room = Room(room_dir, clock)
    days = school_days(10)
    correct = [6, 5, 4, 3, 2, 3, 5, 6, 8, 9]
    for d, n in zip(days[:5], correct[:5]):
        log_correct(room, clock, d, n)
    out = run_cli("phase", "K.B.", "coins", "Token board", "--kind", "intervention", "--as", "MR",
                  data=room_dir, env=at(days[5]))
    assert out.returncode == 0, out.stderr
    assert "recorded: K.B. · coins: new intervention phase 'Token board'" in out.stdout
    for d, n in zip(days[5:], correct[5:]):
        log_correct(room, clock, d, n)
    return days, correct


def report(room_dir: Path, *args: str) -> str:
    if "html" in args:  # the built-in chart, whether or not matplotlib is installed here
        args = (*args, "--chart", "builtin")
    return run_cli("report", "K.B.", "--goal", "coins", *args, data=room_dir, check=True).stdout


def test_the_trend_is_over_the_current_phase_only_and_says_which(room_dir: Path) -> None:
    days, correct = build_two_phases(room_dir)
    [coins] = json.loads(report(room_dir, "--format", "json"))["goals"]
    want = slope_per_week([(d, 10.0 * n) for d, n in zip(days[5:], correct[5:])])
    overall = slope_per_week([(d, 10.0 * n) for d, n in zip(days, correct)])
    assert want != overall
    assert coins["trend_line"]["per_week"] == want and coins["trend_line"]["sessions"] == 5
    assert coins["trend_line"]["phase"] == "Token board" and coins["trend_line"]["phase_kind"] == "intervention"
    assert coins["trend_line"]["text"] == (f"rising, {want:+.1f} points/week "
                                           "(least squares over 5 sessions in intervention “Token board”)")
    assert [s["phase"] for s in coins["sessions"]] == ["baseline"] * 5 + ["Token board"] * 5
    assert [p["name"] for p in coins["phases"]] == ["baseline", "Token board"]
    assert coins["phase"] == {"name": "Token board", "kind": "intervention", "start": days[5].date().isoformat()}
    # a report that ends before the phase change: its current phase is baseline
    [before] = json.loads(report(room_dir, "--format", "json", "--to", days[4].date().isoformat()))["goals"]
    assert before["trend_line"]["phase"] == "baseline" and before["trend_line"]["sessions"] == 5
    assert before["trend"] == "falling"
    # --from after the phase change: the phase begun before the range still holds
    [late] = json.loads(report(room_dir, "--format", "json", "--from", days[7].date().isoformat()))["goals"]
    assert {s["phase"] for s in late["sessions"]} == {"Token board"} and late["trend_line"]["sessions"] == 3


def test_the_report_has_a_phase_column_in_every_format(room_dir: Path) -> None:
    days, _ = build_two_phases(room_dir)
    rows = list(csv.DictReader(io.StringIO(report(room_dir, "--format", "csv"))))
    by_day = {r["date"]: (r["phase"], r["phase_kind"]) for r in rows}
    assert by_day[days[4].date().isoformat()] == ("baseline", "baseline")
    assert by_day[days[5].date().isoformat()] == ("Token board", "intervention")
    md = report(room_dir)
    assert "| Date | Entries | Level | % correct | Prompts | Phase |" in md
    assert f"| {days[5].date().isoformat()} | 10 | 30% | 30% | I:3 | Token board (intervention) |" in md
    assert "---------- Token board ----------" in md  # the text chart's condition line
    assert "<th>Phase</th>" in report(room_dir, "--format", "html")


def test_the_chart_breaks_its_data_path_at_the_phase_change(room_dir: Path) -> None:
    days, _ = build_two_phases(room_dir)
    page = report(room_dir, "--format", "html")
    paths = re.findall(r'<polyline class="data-path" points="([^"]+)"', page)
    assert [len(p.split()) for p in paths] == [5, 5]  # one path per phase, none across the change
    [line] = re.findall(r'<line class="condition-line" x1="([\d.]+)" x2="([\d.]+)"', page)
    last_baseline = float(paths[0].split()[-1].split(",")[0])
    first_intervention = float(paths[1].split()[0].split(",")[0])
    assert line[0] == line[1] and last_baseline < float(line[0]) < first_intervention
    assert '<text class="condition-label"' in page and ">Token board</text>" in page


def test_no_phase_event_is_one_baseline_path(room_dir: Path) -> None:
    clock = Clock()
    room = Room(room_dir, clock)
    for d, n in zip(school_days(3), (2, 3, 4)):
        log_correct(room, clock, d, n)
    page = report(room_dir, "--format", "html")
    assert page.count('class="data-path"') == 1 and "condition-line" not in page


def test_phase_is_the_teachers_and_checks_what_it_is_given(room_dir: Path) -> None:
    para = run_cli("phase", "K.B.", "coins", "Token board", "--as", "JT", data=room_dir)
    assert para.returncode == 3 and "phase" in para.stderr
    bad = run_cli("phase", "K.B.", "coins", "Token board", "--kind", "treatment", "--as", "MR", data=room_dir)
    assert bad.returncode == 2 and "baseline, intervention, maintenance, generalisation" in bad.stderr
    goal = run_cli("phase", "K.B.", "nope", "Token board", "--as", "MR", data=room_dir)
    assert goal.returncode == 2 and "coins" in goal.stderr
    empty = run_cli("phase", "K.B.", "coins", " ", "--as", "MR", data=room_dir)
    assert empty.returncode == 2 and "name" in empty.stderr
    ok = run_cli("phase", "K.B.", "coins", "Fading", "--kind", "generalization", "--as", "MR", data=room_dir)
    assert ok.returncode == 0 and "generalisation phase 'Fading'" in ok.stdout
    helped = run_cli("phase", "--help")
    assert helped.returncode == 0 and "paratui phase K.B. coins" in helped.stdout
    undo = run_cli("undo", "--as", "MR", data=room_dir)
    assert undo.returncode == 0 and "undone" in undo.stdout
    [coins] = json.loads(report(room_dir, "--format", "json"))["goals"]
    assert [p["name"] for p in coins["phases"]] == ["baseline"]


async def test_the_student_screen_chart_breaks_at_the_phase_change(room_dir: Path) -> None:
    """K.B.'s coins on the student screen: the trend over the intervention only, the chart's data
    path in two runs and a condition line labelled with the phase."""
    from paratui.app.student_screen import GoalCard
    from tests.helpers import make_app
    from tests.test_student_screen import open_student, screen_text

    days, correct = build_two_phases(room_dir)
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_student(pilot, "2")  # student 2 is K.B.
        want = slope_per_week([(d, 10.0 * n) for d, n in zip(days[5:], correct[5:])])
        assert f"{want:+.1f} points/week (least squares over 5 sessions in intervention “Token board”)" \
            in screen_text(screen)
        card = next(c for c in screen.query(GoalCard) if c.goal_id == "coins")
        assert card.chart is not None and card.chart.phases == ((5, "Token board"),)
        drawn = str(card.render().renderables[1])  # type: ignore[attr-defined]
        assert "│Token board" in drawn  # the condition line, labelled


def test_the_data_path_is_not_drawn_across_a_gap(room_dir: Path) -> None:
    """A school day with no session breaks the path (a weekend does not); no condition line there."""
    clock = Clock()
    room = Room(room_dir, clock)
    days = school_days(6)  # Mon 11-16 … Mon 11-23
    for d, n in zip([days[0], days[1], days[3], days[4], days[5]], (2, 3, 4, 5, 6)):  # Wednesday missed
        log_correct(room, clock, d, n)
    [coins] = json.loads(report(room_dir, "--format", "json"))["goals"]
    assert [s["after_gap"] for s in coins["sessions"]] == [False, False, True, False, False]  # Fri→Mon: none
    page = report(room_dir, "--format", "html")
    paths = re.findall(r'<polyline class="data-path" points="([^"]+)"', page)
    assert [len(p.split()) for p in paths] == [2, 3] and "condition-line" not in page
    from paratui.app.chart import ChartData, draw

    one = draw(ChartData(("a", "b", "c"), (10.0, 50.0, 90.0), "%"), 40, 9).plain
    broken = draw(ChartData(("a", "b", "c"), (10.0, 50.0, 90.0), "%", gaps=(2,)), 40, 9).plain
    assert one != broken  # the segment from b to c is not drawn


def test_a_phase_written_by_a_para_is_not_applied(room_dir: Path) -> None:
    """Read through the one screened stream: a phase event whose writer's role may not start one
    (written past the command layer) does not split the sessions."""
    from paratui.model.commands import Change

    clock = Clock()
    room = Room(room_dir, clock)
    days = school_days(4)
    for d in days[:2]:
        log_correct(room, clock, d, 3)
    clock.now = days[2].replace(hour=8)
    room.apply(Change("phase", {"student": "S02", "goal": "coins", "name": "Forged", "kind": "intervention"},
                      "forged"), "JT")
    assert any("Forged" in p.read_text() for p in (room_dir / "journal").rglob("*.json"))  # written
    for d in days[2:]:
        log_correct(room, clock, d, 5)
    [coins] = json.loads(report(room_dir, "--format", "json"))["goals"]
    assert {s["phase"] for s in coins["sessions"]} == {"baseline"} and coins["trend_line"]["sessions"] == 4


def test_the_meeting_agenda_names_a_phase_it_sees_begin(room_dir: Path) -> None:
    """The agenda reads three weeks: the phase begun in them is named; an implicit baseline (a phase
    begun earlier could be unseen) is not."""
    days, correct = build_two_phases(room_dir)
    agenda = run_cli("meeting", data=room_dir, check=True).stdout
    want = slope_per_week([(d, 10.0 * n) for d, n in zip(days[5:], correct[5:])])
    assert f"trend rising, {want:+.1f} points/week (least squares over 5 sessions in intervention “Token board”)" \
        in agenda
    run_cli("undo", "--as", "MR", data=room_dir, env=at(days[6]), check=True)  # the phase taken back
    assert "(least squares over 10 sessions)" in run_cli("meeting", data=room_dir, check=True).stdout


def test_the_student_screen_lists_a_phase_among_its_entries(room_dir: Path) -> None:
    """So the teacher can retract it there (`r`), like any entry."""
    from paratui.app.student_screen import build_view

    room = Room(room_dir, Clock())
    room.apply(data_commands.phase(room.context("MR"), "K.B.", "coins", "Token board"), "MR")
    snap = room.snapshot()
    student = snap.classroom.student_by_id()["S02"]
    view = build_view(snap.classroom, student, snap.screened().events, NOW.date())
    assert [e.type for e, _ in view.entries] == ["phase"]
    assert [g.phase.name for g in view.goals if g.goal.id == "coins"] == ["Token board"]


def test_a_phase_name_is_text_never_terminal_control(room_dir: Path) -> None:
    """What is typed is data: an ESC in a phase name is shown as ␛ in every line of the report."""
    clock = Clock()
    room = Room(room_dir, clock)
    days = school_days(2)
    run_cli("phase", "K.B.", "coins", "Tok\x1b[31men", "--as", "MR", data=room_dir, env=at(days[0]), check=True)
    log_correct(room, clock, days[1], 3)
    md = report(room_dir)
    assert "\x1b" not in md and "Tok␛[31men" in md
    assert "\x1b" not in report(room_dir, "--format", "html")
