"""Who is acting on the board, the read-only board, the privacy screen and idle blanking."""

from __future__ import annotations

import time

from paratui.app.privacy import PrivacyScreen
from tests.helpers import make_app, settle


def screen_text(app) -> str:
    """Everything drawn on the current screen, as plain text."""
    return "\n".join(str(w.render()) for w in app.screen.query("Static"))


def no_shared_login(room_dir):
    path = room_dir / "classroom.toml"
    path.write_text(path.read_text().replace('shared_logins = ["*"]', "shared_logins = []"))


async def test_an_unknown_login_gets_a_read_only_board_that_says_why(room_dir):
    no_shared_login(room_dir)
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.acting.read_only and app.me_id is None
        assert "read-only" in str(app.query_one("#status").render())
        refusal = await app.submit(lambda ctx: None)
        assert refusal and "read-only" in refusal[1]
        assert app.may_choose_me() and "read-only" in app.may_choose_me()


async def test_the_privacy_screen_hides_every_student_detail_until_asked(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        initials = [s.initials for s in app.state.students]
        assert any(i in screen_text(app) for i in initials)
        await pilot.press("z")  # the privacy key
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        shown = screen_text(app)
        assert "Room 12" in shown and not any(i in shown for i in initials)
        await pilot.press("z")
        await pilot.pause()
        assert not isinstance(app.screen, PrivacyScreen) and app.me_id == "JT"


async def test_the_shared_board_blanks_and_forgets_who_after_the_idle_time(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.acting.mode == "shared" and app.me_id == "JT"
        app.blank_if_idle(time.monotonic() + 60)  # a minute: not yet (demo idle_minutes = 10)
        assert app.me_id == "JT" and not app.private
        app.blank_if_idle(time.monotonic() + 601)
        await pilot.pause()
        assert app.me_id is None and isinstance(app.screen, PrivacyScreen)
        assert "quiet while" in screen_text(app)


async def test_the_history_screen_lists_who_did_what_with_retractions_by_day(room_dir):
    from paratui.app.history_screen import HistoryScreen
    from tests.helpers import run_cli

    run_cli("move", "K.B.", "--to", "bathroom", "--as", "JT", data=room_dir, check=True)
    run_cli("undo", "--as", "JT", data=room_dir, check=True)
    run_cli("move", "E.M.", "--to", "office", "--as", "AL", data=room_dir, env={"PARATUI_NOW": "2026-11-20T09:00"},
            check=True)
    run_cli("task", "add", "[b]copies[/b] \x1b[31m", "--as", "AL", data=room_dir, check=True)
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        shown = str(app.screen.query_one("#history-rows").render())
        assert "Mr. T took K.B. to Bathroom" in shown and "retracted by Mr. T" in shown
        assert "[b]copies[/b] ␛[31m" in shown  # data, never markup or terminal control
        assert "Monday 2026-11-23: 3 events" in str(app.screen.query_one("#history-title").render())
        await pilot.press("slash", *"KB")
        await pilot.pause()
        assert "2 events" in str(app.screen.query_one("#history-title").render())
        app.screen.query_one("#history-body").focus()
        await pilot.press("ctrl+u")  # (the filter field is no longer focused: nothing typed)
        app.screen.query_one("#history-filter").value = ""
        await pilot.press("left", "left", "left")  # back to Friday: that day is read, on its own
        for _ in range(100):
            if "Friday 2026-11-20: 1 event" in str(app.screen.query_one("#history-title").render()):
                break
            await pilot.pause(0.05)
        assert "Friday 2026-11-20: 1 event" in str(app.screen.query_one("#history-title").render())
        assert "Ms. L took E.M. to Office" in str(app.screen.query_one("#history-rows").render())


async def test_a_refused_change_says_why_and_offers_a_note_to_the_teacher(room_dir):
    import json

    app = make_app(room_dir, as_staff="JT")  # a para
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o", "3")  # mark Ms. L out: the teacher's call
        await pilot.pause()
        await pilot.press("0")  # no sub
        await pilot.pause()
        await pilot.press("enter")  # until: the rest of the day
        for _ in range(200):
            if "Not allowed" in str(getattr(app.screen, "title_text", "")):
                break
            await pilot.pause(0.02)
        assert "para may not mark an adult out" in app.screen.title_text
        await pilot.press("1")
        await pilot.pause()
        await pilot.press(*"Ms. L is out sick after lunch", "enter")
        for _ in range(200):
            if list((room_dir / "journal").rglob("*.json")):
                break
            await pilot.pause(0.02)
        assert type(app.screen).__name__ == "FormScreen"  # back on the refused form, its text kept
    docs = [d for p in (room_dir / "journal").rglob("*.json") for d in json.loads(p.read_text())["_default"].values()]
    assert [(d["type"], d["staff"], d["payload"]["to"]) for d in docs] == [("note", "JT", ["MR"])]
    assert docs[0]["payload"]["text"] == "Ms. L is out sick after lunch"


async def test_a_personal_login_cannot_switch_who_is_acting_on_the_board(room_dir, monkeypatch):
    from paratui.store import identity

    monkeypatch.setattr(identity, "login", lambda: "jthomas")  # the OS login (tested for real over SSH)
    app = make_app(room_dir, as_staff="MR")  # --as someone else: refused, the board acts as Mr. T
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.me_id == "JT" and "you: Mr. T" in str(app.query_one("#status").render())
        await pilot.press("i")
        await pilot.pause()
        assert app.screen is app.board  # no "who are you?" list
        assert app.me_id == "JT"


async def test_an_urgent_note_stays_on_the_board_until_acknowledged_with_k(room_dir):
    from tests.helpers import run_cli

    run_cli("note", "Fire drill at 13:30 [red]now[/red]", "--to", "JT", "AL", "--urgent", "--as", "MR",
            data=room_dir, check=True)
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        banner = app.query_one("#urgent")
        assert banner.display and "Fire drill at 13:30 [red]now[/red]" in str(banner.render())
        assert "k acknowledges" in str(banner.render())
        await pilot.press("k")
        await settle(pilot)
        assert banner.display and "waiting for Ms. L" in str(banner.render())  # still waiting for AL
        assert "Mr. T" not in str(banner.render()).split("waiting for")[1]
    run_cli("ack", app.state.notes[0].id[:6], "--as", "AL", data=room_dir, check=True)
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.query_one("#urgent").display


async def test_shift_v_shows_another_days_binder_tab(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.query_one("#binder").border_title == "Binder: Monday"
        await pilot.press("V")
        await pilot.pause()
        assert app.query_one("#binder").border_title == "Binder: Tuesday"
