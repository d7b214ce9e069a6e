"""The figures a behaviour analyst signs (issue 20), each against a computation done here from the
numbers put in: trend as a least-squares slope per week, task analysis over the chain, zeros and
gaps, % independent, % of intervals, duration per day, undo by who wrote last, charts' ticks."""

from __future__ import annotations

import json
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


def _school_days(n: int) -> list[datetime]:
    """The last `n` weekdays up to NOW, oldest first."""
    days, d = [], NOW
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return days[::-1]


def _report(room_dir: Path, *args: str) -> dict:
    return json.loads(run_cli("report", "K.B.", "--format", "json", *args, data=room_dir, check=True).stdout)


def _least_squares_per_week(points: list[tuple[datetime, float]]) -> float:
    xs = [d.toordinal() for d, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return 7 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def test_trend_is_a_least_squares_slope_per_week(room_dir: Path) -> None:
    """Rising overall, with the last 3 sessions below the 3 before: the old mean-of-3 rule said
    "falling"."""
    clock = Clock()
    room = Room(room_dir, clock)
    correct = [2, 3, 4, 5, 9, 9, 9, 7, 7, 7]  # of 10 independent trials a day
    days = _school_days(len(correct))
    for d, n in zip(days, correct):
        clock.now = d
        for i in range(10):
            room.apply(data_commands.log(room.context("JT"), "K.B.", "coins", "+" if i < n else "-",
                                         "I" if i < n else None), "JT")
    [coins] = _report(room_dir, "--goal", "coins")["goals"]
    want = round(_least_squares_per_week([(d, 10.0 * n) for d, n in zip(days, correct)]), 1)
    assert coins["trend"] == "rising" and coins["trend_line"]["per_week"] == want
    assert coins["trend_line"]["text"] == f"rising, {want:+.1f} points/week (least squares over 10 sessions)"
    md = run_cli("report", "K.B.", "--goal", "coins", data=room_dir, check=True).stdout
    assert f"- Trend: rising, {want:+.1f} points/week (least squares over 10 sessions)" in md
    [few] = _report(room_dir, "--goal", "coins", "--from", days[-2].date().isoformat())["goals"]
    assert few["trend"] == "" and few["trend_line"]["text"] == "too few sessions for a trend"
