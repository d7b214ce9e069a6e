"""issue 21: free text that shows nothing is refused where it is written, and text longer than a
writer may type is cut where every reader gets it (paratui.model.events.event_from_doc, through
paratui.model.text), with a mark, never drawn whole."""

from __future__ import annotations

import json

import pytest

from paratui.app.panes import TasksPane
from paratui.model import commands
from paratui.model.text import CUT_MARK, NOTE_LIMIT, TEXT_LIMIT, visible
from paratui.store.room import Room
from tests.helpers import NOW, make_app, run_cli, settle, text

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, non-joiner, joiner, word joiner, BOM
INVISIBLE = [ZERO_WIDTH, "\u200b \u200b", "\u00ad\u034f", "\u202e\u2066", "\u3164\u3164", "\U000e0041\U000e0042",
             "\u2800"]


@pytest.mark.parametrize("blank", INVISIBLE)
def test_invisible_only_is_not_visible(blank):
    assert not visible(blank)


@pytest.mark.parametrize("shown", ["x", "café", "\u200bx\u200b", "👍", "e\u0301", "R.N."])
def test_visible_text_is(shown):
    assert visible(shown)


def journal_docs(room_dir):
    return [doc for path in (room_dir / "journal").rglob("*.json")
            for doc in json.loads(path.read_text(encoding="utf-8"))["_default"].values()]


def test_a_task_or_note_of_only_zero_width_characters_is_refused_by_the_command_line(room_dir):
    for argv in (("task", "add", ZERO_WIDTH), ("note", ZERO_WIDTH + " \u200b"),
                 ("change", "student-absent", "O.W.", "--note", ZERO_WIDTH),
                 ("abc", "R.N.", "--behavior", "1", "--note", ZERO_WIDTH)):
        out = run_cli(*argv, "--as", "MR", data=room_dir)
        assert out.returncode == 2 and "only invisible characters" in out.stderr, argv
    assert journal_docs(room_dir) == []
    run_cli("task", "add", "\u200bCopies", "--as", "MR", data=room_dir, check=True)  # something shows: fine


def test_the_command_layer_refuses_it_for_the_board_too(room_dir):
    ctx = Room(room_dir).context("MR")
    with pytest.raises(commands.Refused, match="only invisible characters") as e:
        commands.task_add(ctx, ZERO_WIDTH)
    assert e.value.field == "text"


def write_by_hand(room_dir, docs: dict[str, dict]) -> None:
    """Events another writer (or a text editor) put in the journal, past the command layer."""
    day = room_dir / "journal" / "tasks" / NOW[:7]
    day.mkdir(parents=True, exist_ok=True)
    (day / "ws--other.json").write_text(json.dumps({"_default": docs}), encoding="utf-8")


def task_doc(n: int, text: str) -> dict:
    return {"id": f"{n:032x}", "type": "task.add", "time": f"{NOW}:00", "written": n, "staff": "MR",
            "login": "other", "host": "ws", "payload": {"text": text, "for": None, "due": None}}


MEGA = "copies " * (1024 * 1024 // 7)  # a 1 MB task


def test_a_1mb_task_in_the_journal_is_read_cut_with_a_mark(room_dir):
    note = {"id": "e" * 32, "type": "note", "time": f"{NOW}:00", "written": 9, "staff": "MR", "login": "other",
            "host": "ws", "payload": {"text": "n" * 5000, "to": ["JT"], "kind": "handoff", "urgent": False}}
    write_by_hand(room_dir, {"1": task_doc(1, MEGA), "2": note})
    data = json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)
    [task] = [t for t in data["tasks"] if t["text"].startswith("copies")]
    assert task["text"] == MEGA[:TEXT_LIMIT] + CUT_MARK
    [shown] = [n for n in data["notes"] if n["id"] == "e" * 32]
    assert shown["text"] == "n" * NOTE_LIMIT + CUT_MARK
    plain = run_cli("board", "--plain", data=room_dir, check=True).stdout
    assert max(len(line) for line in plain.splitlines()) < 2 * NOTE_LIMIT and CUT_MARK in plain
    listed = run_cli("task", "list", data=room_dir, check=True).stdout
    assert max(len(line) for line in listed.splitlines()) < TEXT_LIMIT + 100
    assert len((room_dir / "journal" / "tasks" / NOW[:7] / "ws--other.json").read_bytes()) > 1024 * 1024  # kept


async def test_the_board_draws_the_1mb_task_cut(room_dir):
    write_by_hand(room_dir, {"1": task_doc(1, MEGA)})
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tasks = text(app, TasksPane)
        assert CUT_MARK in tasks and len(tasks) < TEXT_LIMIT + 200
