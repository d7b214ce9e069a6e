"""Keys typed faster than the screens open (a para in the middle of chaos types `m` `2` `b` in one
burst): each key goes to the picker or form it was meant for, in order — none is lost, none runs a
board action of its own."""

from __future__ import annotations

import json

from textual import events

from paratui.app.form import FormScreen
from paratui.app.picker import PickerScreen
from tests.helpers import make_app, settle, wait_for


def _burst(app, keys: str) -> None:
    """The keys as a terminal delivers a burst: all queued before any of them is handled."""
    for ch in keys:
        app.post_message(events.Key(ch, ch))


def _moves(room_dir) -> list[dict]:
    out = []
    for f in (room_dir / "journal").rglob("*.json"):
        out += [d for d in json.loads(f.read_text())["_default"].values() if d["type"] == "move"]
    return out


async def test_a_burst_of_keys_moves_the_student_it_names(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _burst(app, "m2b")  # move · K.B. · bathroom
        await wait_for(pilot, lambda: bool(_moves(room_dir)))
        left_open = app.screen
        while isinstance(app.screen, (PickerScreen, FormScreen)):  # (so a failure cannot hang the test)
            await pilot.press("escape")
        assert [(m["payload"]["student"], m["payload"]["to"]) for m in _moves(room_dir)] == [("S02", "bathroom")]
        assert not isinstance(left_open, (PickerScreen, FormScreen))  # nothing left open


async def test_text_typed_ahead_lands_in_the_form(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _burst(app, "nCopies")  # a new task, its text typed before the form is up
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.pause(0.2)
        form = app.screen
        values = form.values() if isinstance(form, FormScreen) else None
        while isinstance(app.screen, (PickerScreen, FormScreen)):
            await pilot.press("escape")
        assert values is not None and values["text"] == "Copies"
