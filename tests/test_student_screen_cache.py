"""The student screen opened again with nothing changed shows the view folded last time (issue 20's
bench: ≤ 200 ms), and anything that changes what it shows (an entry, a retract, another student, the
history read again, another day) folds it afresh: the same screen either way."""

from __future__ import annotations

from paratui.app import student_screen
from paratui.app.student_screen import LastView
from paratui.model import data_commands
from tests.helpers import make_app, settle
from tests.test_student_screen import NOW, log_on, open_student, screen_text, seed


async def test_a_reopened_screen_reuses_its_view_until_something_it_shows_changes(room_dir, monkeypatch):
    seed(room_dir)
    folds: list[str] = []
    build = student_screen.build_view

    def counted(classroom, student, raw, today):
        folds.append(student.id)
        return build(classroom, student, raw, today)

    monkeypatch.setattr(student_screen, "build_view", counted)
    LastView.forget()
    app = make_app(room_dir, clock=lambda: NOW, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = await open_student(pilot, "5")
        shown, view, n = screen_text(first), first.view, len(folds)
        await pilot.press("escape")
        await settle(pilot)
        again = await open_student(pilot, "5")
        assert again.view is view and len(folds) == n  # nothing changed: not folded again
        assert screen_text(again) == shown
        await pilot.press("escape")
        await settle(pilot)
        log_on(room_dir, NOW, "DP", lambda ctx: data_commands.log(ctx, "R.N.", "aac", "+", "I"))
        await pilot.pause(1.0)  # the board reads the folder again
        await settle(pilot)
        fresh = await open_student(pilot, "5")
        assert fresh.view is not view and len(folds) > n
        assert "4 trials" in screen_text(fresh) and "3 trials" in shown  # today's new trial is shown
        await pilot.press("escape")
        await settle(pilot)
        other = await open_student(pilot, "1")
        assert other.view is not None and other.view.student.id == "S01"
