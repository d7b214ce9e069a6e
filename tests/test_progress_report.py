"""The IEP progress report (issue 20): `paratui report STUDENT --period NAME`, built from weeks of
data in real processes (PARATUI_NOW): one page per goal with the teacher's statement and comment
(`paratui progress`, a para's refused), the chart with its aim line, every session of the period
and none outside it, the days marked absent, hostile text kept text, and a print layout with no
blank first page. The periods themselves are checked like every field of classroom.toml."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from paratui.store.room import Room
from tests.helpers import entries, run_cli
from tests.test_phases import Clock, at, log_correct

HOSTILE = '<script>alert("x")</script> & <b>bold</b> [red]no[/red] \x1b[31m'
# K.B.'s coins (the demo: trials, 80% independent, aim line to 2027-01-29): baseline in Q1 (October),
# then the teacher's "Token board" from Q2's first day, 2026-11-02
BASELINE = [(date(2026, 10, d), n) for d, n in ((26, 2), (27, 3), (28, 2), (29, 3), (30, 3))]
Q2_DAYS = [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 12, 13, 16, 17, 18, 19, 20)]  # 11-11: absent
Q2_CORRECT = [3, 3, 4, 4, 4, 5, 5, 5, 4, 3, 3, 3, 3, 3]  # the last sessions below the rising aim line


def _day(d: date, hour: int = 8) -> datetime:
    return datetime(d.year, d.month, d.day, hour)


def build_weeks(room_dir: Path) -> None:
    """Five weeks of K.B.'s coins: Q1's baseline, a phase begun on Q2's first day (by the teacher,
    in its own process at that day's time), Q2's sessions, a day marked absent, and the teacher's
    statements for Q1 and Q2."""
    clock = Clock()
    room = Room(room_dir, clock)
    for d, n in BASELINE:
        log_correct(room, clock, _day(d), n)
    run_cli("phase", "K.B.", "coins", "Token board", "--as", "MR", data=room_dir, env=at(_day(Q2_DAYS[0])),
            check=True)
    for d, n in zip(Q2_DAYS, Q2_CORRECT):
        log_correct(room, clock, _day(d), n)
    run_cli("change", "student-absent", "K.B.", "--as", "MR", data=room_dir, env=at(_day(date(2026, 11, 11))),
            check=True)
    # marked absent by mistake on 11-05, and taken back: not a day absent
    run_cli("change", "student-absent", "K.B.", "--as", "MR", data=room_dir, env=at(_day(date(2026, 11, 5), 7)),
            check=True)
    run_cli("undo", "--as", "MR", data=room_dir, env=at(_day(date(2026, 11, 5), 7)), check=True)
    # sent home on 11-19 (moved to the room's away place): a day marked absent too
    run_cli("move", "K.B.", "--to", "absent", "--as", "MR", data=room_dir, env=at(_day(date(2026, 11, 19), 13)),
            check=True)
    run_cli("log", "K.B.", "greet", "2", "--as", "MR", data=room_dir, env=at(_day(date(2026, 11, 20), 9)),
            check=True)
    run_cli("progress", "K.B.", "coins", "--period", "Q1", "--status", "not introduced", "--as", "MR",
            data=room_dir, env=at(_day(date(2026, 10, 30), 15)), check=True)
    run_cli("progress", "K.B.", "coins", "--period", "Q2", "--status", "insufficient progress", "--as", "MR",
            data=room_dir, env=at(_day(date(2026, 11, 20), 14)), check=True)
    # a second statement for Q2 replaces the first: the newest stands
    out = run_cli("progress", "K.B.", "coins", "--period", "q2", "--status", "Sufficient Progress",
                  "--comment", HOSTILE, "--as", "MR", data=room_dir, env=at(_day(date(2026, 11, 20), 15)))
    assert out.returncode == 0, out.stderr
    assert "recorded: K.B. · coins, Q2: sufficient progress" in out.stdout


NOW = {"PARATUI_NOW": "2026-11-23T10:15"}


def report(room_dir: Path, period: str, fmt: str, *more: str) -> str:
    return run_cli("report", "K.B.", "--period", period, "--format", fmt, *more, data=room_dir, env=NOW,
                   check=True).stdout


class _Pages(HTMLParser):
    """The body's top-level elements, and each goal page's section with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.top: list[tuple[str, dict[str, str | None]]] = []  # the body's children
        self.pages: list[dict] = []
        self.in_body = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
            return
        if not self.in_body or tag in ("br", "circle", "line", "rect", "meta", "polyline"):
            if self.in_body and self.depth == 0:
                self.top.append((tag, dict(attrs)))
            return
        if self.depth == 0:
            self.top.append((tag, dict(attrs)))
            if tag == "section":
                self.pages.append({"class": dict(attrs).get("class", ""), "text": [], "html": []})
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "body":
            self.in_body = False
        elif self.in_body and tag not in ("br", "circle", "line", "rect", "meta", "polyline"):
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.in_body and self.depth == 0 and data.strip():
            self.top.append(("#text", {"text": data}))
        if self.pages and self.depth > 0:
            self.pages[-1]["text"].append(data)


def test_a_periods_report_has_a_page_per_goal_with_statement_chart_and_every_session(room_dir: Path) -> None:
    build_weeks(room_dir)
    page = report(room_dir, "Q2", "html", "--chart", "builtin")
    parsed = _Pages()
    parsed.feed(page)
    assert [p["class"] for p in parsed.pages] == ["goal-page first", "goal-page next", "goal-page next"]
    coins = "".join(parsed.pages[0]["text"])
    assert "IEP progress report: K.B." in coins and "period Q2, 2026-11-02 to 2027-01-22" in coins
    assert "Progress: sufficient progress" in coins and "Ms. R, 2026-11-20" in coins
    # the chart: the period's sessions, the condition line and the aim line from the Q1 baseline's mean
    section = page[page.index('id="goal-coins"'):page.index('id="goal-wash"')]
    assert len(re.findall(r'<line class="aim-line"', section)) == 1
    assert "Aim line" in coins and "from 26% on 2026-11-02 to 80% by 2027-01-29" in coins
    assert "measured 26% (mean of 5 baseline sessions)" in coins
    # every session of the period listed, none before it
    rows = re.findall(r"<tr><td>(\d{4}-\d{2}-\d{2})</td>", section)
    assert rows == [d.isoformat() for d in Q2_DAYS]
    assert "14 sessions this period; 2 days marked absent (2026-11-11, 2026-11-19)" in coins
    assert "IOA" in coins and "not checked this period" in coins
    assert "consider a change: 3 consecutive sessions below the aim line" in coins
    assert "Criterion met" in coins and "not met yet" in coins
    # the trend per week, over the current phase
    assert re.search(r"Trend(falling|flat|rising), [+-]\d+\.\d points/week \(least squares over 14 sessions in "
                     r"intervention “Token board”\)", coins)
    # the other goals: their own pages, no statement yet, their own sessions
    greet = "".join(parsed.pages[2]["text"])
    assert "Progress: no progress statement yet" in greet and "1 session this period" in greet
    assert "Progress: no progress statement yet" in "".join(parsed.pages[1]["text"])


def test_the_period_boundaries_and_each_periods_own_statement(room_dir: Path) -> None:
    build_weeks(room_dir)
    q1 = json.loads(report(room_dir, "Q1", "json"))
    [coins] = [g for g in q1["goals"] if g["id"] == "coins"]
    assert [s["date"] for s in coins["sessions"]] == [d.isoformat() for d, _ in BASELINE]
    assert coins["statement"]["status"] == "not introduced" and coins["statement"]["comment"] is None
    assert q1["absences"] == [] and q1["period"] == {"name": "Q1", "start": "2026-08-31", "end": "2026-10-30"}
    q2 = json.loads(report(room_dir, "Q2", "json"))
    [coins2] = [g for g in q2["goals"] if g["id"] == "coins"]
    assert coins2["sessions"][0]["date"] == "2026-11-02" and len(coins2["sessions"]) == len(Q2_DAYS)
    assert coins2["earlier_sessions"] == len(BASELINE)
    assert coins2["statement"]["status"] == "sufficient progress" and q2["absences"] == ["2026-11-11", "2026-11-19"]
    md = report(room_dir, "Q2", "md")
    assert "## coins: Counts coins to $1.00" in md.replace("\\$", "$")
    assert "**Progress: sufficient progress** (Ms. R, 2026-11-20)" in md
    assert "| 2026-10-30 |" not in md and "| 2026-11-20 |" in md
    # the period's CSV: its entries only
    csv = report(room_dir, "Q2", "csv")
    days = {line.split(",")[0] for line in csv.splitlines()[1:]}
    assert min(days) == "2026-11-02" and max(days) == "2026-11-20"
    # an unknown period names the room's; --period with --from is refused
    out = run_cli("report", "K.B.", "--period", "Q9", data=room_dir, env=NOW)
    assert out.returncode == 2 and "the room's periods: Q1, Q2, Q3, Q4" in out.stderr
    out = run_cli("report", "K.B.", "--period", "Q2", "--from", "2026-11-01", data=room_dir, env=NOW)
    assert out.returncode == 2 and "--period" in out.stderr


def test_a_paras_progress_statement_is_refused_and_nothing_is_written(room_dir: Path) -> None:
    out = run_cli("progress", "K.B.", "coins", "--period", "Q2", "--status", "mastered", "--as", "JT",
                  data=room_dir, env=NOW)
    assert out.returncode == 3 and "a para may not" in out.stderr and "rule `progress`" in out.stderr
    assert entries(room_dir, "progress") == []
    bad = run_cli("progress", "K.B.", "coins", "--period", "Q2", "--status", "great", "--as", "MR",
                  data=room_dir, env=NOW)
    assert bad.returncode == 2 and "status: not on the scale; one of: mastered; sufficient progress" in bad.stderr
    ok = run_cli("progress", "K.B.", "coins", "--period", "Q2", "--status", "mastered", "--as", "MR",
                 data=room_dir, env=NOW)
    assert ok.returncode == 0, ok.stderr
    [e] = entries(room_dir, "progress")
    assert e.staff == "MR" and e.payload == {"student": "S02", "goal": "coins", "period": "Q2",
                                                   "status": "mastered"}
    # a later statement replaces it; undone, the earlier one stands again
    run_cli("progress", "K.B.", "coins", "--period", "Q2", "--status", "insufficient progress", "--as", "MR",
            data=room_dir, env=NOW, check=True)

    def said() -> str:
        goals = json.loads(report(room_dir, "Q2", "json"))["goals"]
        return next(g["statement"]["status"] for g in goals if g["id"] == "coins")

    assert said() == "insufficient progress"
    run_cli("undo", "--as", "MR", data=room_dir, env=NOW, check=True)
    assert said() == "mastered"


def test_hostile_text_in_a_comment_stays_text(room_dir: Path) -> None:
    build_weeks(room_dir)
    page = report(room_dir, "Q2", "html", "--chart", "builtin")
    assert "<script>" not in page and "<b>bold</b>" not in page and "\x1b" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; [red]no[/red]" in page
    md = report(room_dir, "Q2", "md")
    assert "> \\<script\\>alert(\"x\")\\</script\\> & \\<b\\>bold\\</b\\>" in md and "\x1b" not in md


def test_the_print_layout_has_no_blank_first_page(room_dir: Path) -> None:
    """Structure: the heading is inside the first goal page, nothing comes before it in the body, and
    only the pages after it break before themselves."""
    build_weeks(room_dir)
    page = report(room_dir, "Q2", "html", "--chart", "builtin")
    parsed = _Pages()
    parsed.feed(page)
    assert parsed.top[0][0] == "section" and all(tag == "section" for tag, _ in parsed.top)
    assert "IEP progress report" in "".join(parsed.pages[0]["text"])
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    css = style.group(1)
    assert "@page{" in css
    rules = dict(re.findall(r"([^{}]+)\{([^{}]*)\}", css.replace("@media print{", "")))
    breaking = {sel for sel, body in rules.items() if "break-before" in body}
    assert breaking == {".goal-page.next"} and "page" in rules[".goal-page.next"]
    assert not any("break-after" in body for body in rules.values())


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.skipif(shutil.which("wkhtmltopdf") is None and not os.environ.get("CI"),
                    reason="wkhtmltopdf is not installed (apt-get install wkhtmltopdf); with CI set this fails instead")
def test_a_real_pdf_has_one_page_per_goal(room_dir: Path, tmp_path: Path) -> None:
    build_weeks(room_dir)

    def pages(*more: str) -> int:
        html_file = tmp_path / "kb.html"
        run_cli("report", "K.B.", "--period", "Q2", "--format", "html", "--chart", "builtin", "--output",
                str(html_file), *more, data=room_dir, env=NOW, check=True)
        pdf = tmp_path / "kb.pdf"
        done = subprocess.run(["wkhtmltopdf", "--quiet", "--disable-javascript", "--page-size", "Letter",
                               str(html_file), str(pdf)], capture_output=True, text=True, timeout=120)
        assert pdf.is_file() and pdf.stat().st_size > 0, done.stderr
        return _pdf_pages(pdf.read_bytes())

    assert pages("--goal", "greet") == 1  # one goal, one session: one page, no blank page before it
    # coins, wash, greet: each on a page of its own (coins's 14 sessions may run onto a second)
    assert 3 <= pages() <= 4


def test_names_are_initials_unless_full_names_are_on(room_dir: Path) -> None:
    toml = room_dir / "classroom.toml"
    toml.write_text(toml.read_text().replace('initials = "K.B."', 'initials = "K.B."\nname = "Kestrel Bramble"'))
    page = report(room_dir, "Q2", "html", "--chart", "builtin")
    assert "Kestrel" not in page and "IEP progress report: K.B." in page
    out = run_cli("report", "K.B.", "--period", "Q2", "--names", data=room_dir, env=NOW)
    assert out.returncode == 2 and "full names are off" in out.stderr
    toml.write_text(toml.read_text().replace("full_names = false", "full_names = true"))
    assert "IEP progress report: Kestrel Bramble" in report(room_dir, "Q2", "md", "--names")


@pytest.mark.parametrize(("edit", "field", "message"), [
    ('end = 2027-01-22', "periods[1].end", "is before start"),
    ('name = "Q3"', "periods[2].name", "also the name of periods[1]"),
    ('start = 2027-03-29', "periods[3].start", "expected a date, YYYY-MM-DD"),
    ('end = 2026-10-30', "periods[1].start", "overlaps periods[0]"),
])
def test_a_bad_period_is_named_by_file_line_and_field(room_dir: Path, edit: str, field: str, message: str) -> None:
    toml = room_dir / "classroom.toml"
    text = toml.read_text()
    bad = {"end = 2027-01-22": "end = 2026-10-01", 'name = "Q3"': 'name = "Q2"',
           "start = 2027-03-29": 'start = "soon"', "end = 2026-10-30": "end = 2026-11-05"}[edit]
    toml.write_text(text.replace(edit, bad, 1))
    out = run_cli("check", data=room_dir)
    assert out.returncode != 0
    lines = toml.read_text().splitlines()
    key = field.rsplit(".", 1)[1]
    n = int(field[field.index("[") + 1:field.index("]")])
    header = [i for i, t in enumerate(lines, 1) if t.startswith("[[periods]]")][n]
    line = next(i for i, t in enumerate(lines, 1) if i > header and t.startswith(f"{key} ="))
    assert f"classroom.toml:{line}: {field}: {message}" in out.stdout + out.stderr


async def test_data_due_marks_a_goal_to_consider_a_change_with_the_rule(room_dir: Path) -> None:
    """The same rules as the report, from the same fold: K.B.'s coins (due for Mr. T today) is flagged
    with the two rules the report names; a goal no rule fires for is not."""
    from paratui.app.panes import DataDuePane
    from tests.helpers import make_app, text, wait_for

    build_weeks(room_dir)
    [coins] = [g for g in json.loads(report(room_dir, "Q2", "json"))["goals"] if g["id"] == "coins"]
    assert coins["decision_rules"] == ["3 consecutive sessions below the aim line",
                                       "flat or falling trend over 6+ sessions in the current phase"]
    app = make_app(room_dir, clock=lambda: datetime(2026, 11, 23, 10, 15), as_staff="JT")
    async with app.run_test(size=(160, 50)) as pilot:
        assert await wait_for(pilot, lambda: "⚑" in text(app, DataDuePane), seconds=20)
        due = text(app, DataDuePane)
        [line] = [x for x in due.splitlines() if "coins" in x and "K.B." in x]
        assert "K.B.  coins ⚑ 3 below aim, flat/falling 6+ · daily in math groups" in line
        assert all("⚑" not in x for x in due.splitlines() if "coins" not in x)
        assert "⚑ 1 consider a change" in str(app.query_one("#due-scroll").border_subtitle)  # its frame's


def test_the_periods_ioa_is_the_share_checked_and_the_mean_agreement(room_dir: Path) -> None:
    build_weeks(room_dir)
    # before any IOA: said plainly
    assert "IOA: not checked this period" in report(room_dir, "Q2", "md")
    # AL checks JT's session of 2026-11-16 (3 of 10 independent): AL scores the same 10 trials but
    # the last, which AL saw correct: 9 of 10 scored the same
    for i in range(10):
        value = "+" if i < 3 or i == 9 else "-"
        run_cli("log", "K.B.", "coins", value, *(["--prompt", "I"] if value == "+" else []), "--ioa",
                "--as", "AL", data=room_dir, env={"PARATUI_NOW": "2026-11-16T09:00"}, check=True)
    md = report(room_dir, "Q2", "md")
    q2_sessions = len(Q2_DAYS)
    assert f"1 of {q2_sessions} sessions checked (7%), trial-by-trial: mean 90% agreement (range 90%)" in md
    assert "below the field's standard (at least 20% of sessions at a mean of at least 80%)" in md
    data = json.loads(report(room_dir, "Q2", "json"))
    coins = next(g for g in data["goals"] if g["id"] == "coins")
    assert coins["ioa"].startswith(f"1 of {q2_sessions} sessions checked")
    # the IOA observation never counts in the goal's data: the session still reads 3 of 10
    assert [s["level"] for s in coins["sessions"] if s["date"] == "2026-11-16"] == [30.0]
    # Q1 has no IOA: its page says so
    assert "IOA: not checked this period" in report(room_dir, "Q1", "md")
