"""Team routines through the real CLI: tasks that end duplicate work (claim, done, reopen, "mine",
recurring tasks from recurring.toml) and notes that get read (urgent until every addressee has
acknowledged). Every refusal: exit 2, the choices named, nothing written (events counted on disk)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from paratui.model import commands
from paratui.model.commands import NotAllowed
from paratui.model.recurring import instance_id
from paratui.store import paths
from paratui.store.room import Room
from tests.helpers import run_cli
from tests.test_commands import board_json, events_on_disk, refused

MONDAY, TUESDAY, FRIDAY, SATURDAY = "2026-11-23", "2026-11-24", "2026-11-27", "2026-11-28"


@pytest.fixture
def room_dir(room_dir: Path) -> Path:
    """The demo room as shipped: with its recurring.toml (conftest's copy leaves it out)."""
    shutil.copy2(paths.demo_data() / "recurring.toml", room_dir / "recurring.toml")
    return room_dir


def short(out: subprocess.CompletedProcess) -> str:
    """The id a write prints: `recorded: …  [3f9a1c] by Ms. R at 10:15`."""
    m = re.search(r"\[([0-9a-f]{6})\] by ", out.stdout)
    assert m, out.stdout
    return m.group(1)


def task(room_dir: Path, text: str, **env: str) -> dict:
    [row] = [t for t in board_json(room_dir, **env)["tasks"] if t["text"] == text]
    return row


def note_of(room_dir: Path, note_id: str, **env: str) -> dict | None:
    return next((n for n in board_json(room_dir, **env)["notes"] if n["id"].startswith(note_id)), None)


# -- tasks ------------------------------------------------------------------------------------------

def test_task_lifecycle_claim_done_reopen_and_mine(room_dir):
    out = run_cli("task", "add", "Copies of the math page", "--about", "K.B.", "--due", "10:00", "--past", "--as", "MR",
                  data=room_dir, check=True)
    assert "for anyone about K.B.: Copies of the math page" in out.stdout
    tid = short(out)
    row = task(room_dir, "Copies of the math page")
    assert row["for"] is None and row["about"] == "S02" and row["overdue"]
    assert row["claimed_by"] is None and row["done_by"] is None and row["done_at"] is None

    out = run_cli("task", "claim", tid, "--as", "JT", data=room_dir, check=True)
    assert "Mr. T has it: Copies of the math page" in out.stdout
    row = task(room_dir, "Copies of the math page")
    assert row["claimed_by"] == "JT" and row["claimed_at"] == f"{MONDAY}T10:15" and not row["done"]

    # "mine": for me or claimed by me
    mine = run_cli("task", "list", "--mine", "--as", "JT", data=room_dir, check=True).stdout
    assert "Copies of the math page" in mine and "Mr. T has it" in mine
    assert "Copies of the math page" not in run_cli("task", "list", "--mine", "--as", "AL", data=room_dir,
                                                    check=True).stdout

    out = run_cli("task", "done", tid, "--as", "AL", data=room_dir, env={"PARATUI_NOW": f"{MONDAY}T10:40"},
                  check=True)
    assert "task done: Copies of the math page" in out.stdout
    row = task(room_dir, "Copies of the math page", PARATUI_NOW=f"{MONDAY}T10:45")
    assert row["done"] and not row["overdue"]
    assert row["done_by"] == "AL" and row["done_at"] == f"{MONDAY}T10:40" and row["claimed_by"] == "JT"

    later = {"PARATUI_NOW": f"{MONDAY}T10:50"}
    out = run_cli("task", "reopen", tid, "--as", "MR", data=room_dir, env=later, check=True)
    assert "task reopened: Copies of the math page" in out.stdout
    row = task(room_dir, "Copies of the math page", **later)
    assert not row["done"] and row["overdue"] and row["claimed_by"] is None and row["done_by"] is None
    # up for grabs again: someone else may claim it now
    run_cli("task", "claim", tid, "--as", "AL", data=room_dir, env=later, check=True)
    assert task(room_dir, "Copies of the math page", **later)["claimed_by"] == "AL"
    # the old two-step still works
    run_cli("task", "done", tid[:4], "--as", "AL", data=room_dir, env=later, check=True)
    assert task(room_dir, "Copies of the math page", **later)["done_by"] == "AL"


def test_task_refusals_name_the_choices_and_write_nothing(room_dir):
    tid = short(run_cli("task", "add", "Laminate cards", "--for", "AL", "--as", "MR", data=room_dir, check=True))
    other = short(run_cli("task", "add", "Restock the bin", "--as", "MR", data=room_dir, check=True))
    assert "text: cannot be empty" in refused(room_dir, "task", "add", "  ", "--as", "MR")
    said = refused(room_dir, "task", "add", "Call home", "--about", "Nobody", "--as", "MR")
    assert "'Nobody' matches no student: S01 (E.M.)" in said
    run_cli("task", "claim", tid, "--as", "JT", data=room_dir, check=True)
    # claimed by someone else: says who, since when, and which open tasks are free
    said = refused(room_dir, "task", "claim", tid, "--as", "AL")
    assert "already claimed by Mr. T (since 10:15)" in said and other in said and "Restock the bin" in said
    assert "you already have it" in refused(room_dir, "task", "claim", tid, "--as", "JT")
    run_cli("task", "done", tid, "--as", "JT", data=room_dir, check=True)
    said = refused(room_dir, "task", "claim", tid, "--as", "AL")
    assert "already done (by Mr. T at 10:15)" in said and f"paratui task reopen {tid}" in said
    assert "already done" in refused(room_dir, "task", "done", tid, "--as", "AL")
    said = refused(room_dir, "task", "reopen", other, "--as", "MR")
    assert "is not done: nothing to reopen (done today:" in said and tid in said
    said = refused(room_dir, "task", "claim", "zzzz", "--as", "AL")
    assert "matches no task" in said and other in said


def test_two_paras_claiming_at_once_get_one_owner_on_every_board(room_dir):
    """Two separate processes (two logins: two journal files) claim the same tasks at the same moment.
    Whatever the race gives (both write, or one sees the other's claim first and is refused), every
    board shows exactly one owner: the earliest claim in journal order, and a refused or late claimer
    is told who has it: at once when the other claim was on disk as it checked (nearly always); when
    the two writes crossed (each checked before the other's file landed: neither can know), by the
    next board or `task list` it reads."""
    ids = [short(run_cli("task", "add", f"Copies {n}", "--as", "MR", data=room_dir, check=True)) for n in range(3)]
    both_wrote = crossed = 0
    for tid in ids:
        procs = [subprocess.Popen([sys.executable, "-m", "paratui", "task", "claim", tid, "--as", who,
                                   "--data", str(room_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env={**os.environ, "PARATUI_LOGIN": login})
                 for who, login in (("JT", "jthomas"), ("AL", "alopez"))]
        results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        claims = [e for e in _events(room_dir) if e["type"] == "task.claim" and e["payload"]["task"].startswith(tid)]
        assert 1 <= len(claims) <= 2
        first = min(claims, key=lambda e: (e["time"], e["written"], e["id"]))
        owner = first["staff"]
        [row] = [t for t in board_json(room_dir)["tasks"] if t["id"].startswith(tid)]
        assert row["claimed_by"] == owner
        loser = "AL" if owner == "JT" else "JT"
        loser_short = {"JT": "Mr. T", "AL": "Ms. L"}[owner]
        (code, _, err) = results[0 if loser == "JT" else 1]
        if len(claims) == 2:
            both_wrote += 1
            assert code == 0
            told = f"{loser_short} claimed it first" in err  # told at once
            crossed += not told
        else:
            assert code == 2 and f"already claimed by {loser_short}" in err
        # and a third board, later, agrees
        assert f"{loser_short} has it" in run_cli("task", "list", data=room_dir, check=True).stdout
    print(f"both processes wrote a claim in {both_wrote} of {len(ids)} races ({crossed} crossed)")


def _events(room_dir: Path) -> list[dict]:
    import json

    out = []
    for path in (room_dir / "journal").rglob("*.json"):
        if not path.name.startswith("."):
            out += json.loads(path.read_text() or "{}").get("_default", {}).values()
    return out


# -- recurring tasks --------------------------------------------------------------------------------

def _recurring(room_dir: Path, when: str) -> dict[str, dict]:
    return {t["recurring"]: t for t in board_json(room_dir, PARATUI_NOW=when)["tasks"] if t["recurring"]}


def test_recurring_tasks_appear_on_their_days_by_themselves(room_dir):
    before = events_on_disk(room_dir)
    monday = _recurring(room_dir, f"{MONDAY}T10:15")
    assert set(monday) == {"attendance", "rn-schedule", "math-copies", "data-binder", "sanitize"}
    assert monday["attendance"]["for"] == "AL" and monday["attendance"]["due"] == f"{MONDAY}T08:40"
    assert monday["attendance"]["overdue"] and not monday["sanitize"]["overdue"]
    assert monday["rn-schedule"]["about"] == "S05" and monday["math-copies"]["for"] is None
    assert set(_recurring(room_dir, f"{TUESDAY}T10:15")) == {"attendance", "rn-schedule", "speech-walk",
                                                             "data-binder", "sanitize"}
    assert {"home-folders", "meeting-agenda"} <= set(_recurring(room_dir, f"{FRIDAY}T10:15"))
    assert _recurring(room_dir, f"{SATURDAY}T10:15") == {}  # no blocks on Saturday: no "daily" task
    assert events_on_disk(room_dir) == before  # derived, never written

    # done on Monday: Monday's is done, Tuesday has its own, open
    tid = monday["attendance"]["id"]
    assert tid == instance_id("attendance", datetime(2026, 11, 23).date())
    out = run_cli("task", "done", tid[:6], "--as", "AL", data=room_dir, check=True)
    assert "task done: Attendance and lunch count to the office (recurring)" in out.stdout
    assert events_on_disk(room_dir) == before + 1
    assert _recurring(room_dir, f"{MONDAY}T10:20")["attendance"]["done_by"] == "AL"
    tuesday = _recurring(room_dir, f"{TUESDAY}T08:00")["attendance"]
    assert tuesday["id"] != tid and not tuesday["done"] and not tuesday["overdue"]
    run_cli("task", "claim", tuesday["id"][:6], "--as", "JT", data=room_dir, env={"PARATUI_NOW": f"{TUESDAY}T08:00"},
            check=True)
    assert _recurring(room_dir, f"{TUESDAY}T08:05")["attendance"]["claimed_by"] == "JT"
    assert "attendance" not in _recurring(room_dir, f"{SATURDAY}T08:05")


def test_recurring_file_is_strict_and_keeps_its_last_good_version(room_dir):
    path = room_dir / "recurring.toml"
    path.write_text('[[task]]\nid = "tables"\ntext = "Wipe tables"\nevery = "weekday"\nat = "14:50"\n\n'
                    '[[task]]\nid = "sunday-prep"\ntext = "Prep the week"\nevery = "sunday"\n')
    data = board_json(room_dir)
    assert [t["recurring"] for t in data["tasks"] if t["recurring"]] == ["tables"]
    assert any(w.startswith("recurring.toml:10: task[1].every: never fires: sunday has no blocks")
               for w in data["warnings"]), data["warnings"]
    listed = run_cli("task", "list", data=room_dir, check=True)
    assert "never fires" in listed.stderr
    # a bad day name, an unknown key, a staff id that is not one, a bad time: file:line:field each,
    # never the value typed where a name belongs; the last good rules stay on the board
    path.write_text('[[task]]\nid = "tables"\ntext = "Wipe tables"\nevery = "funday"\nat = "2:75"\n'
                    'for = "Jordan Thomas"\ncolour = "red"\n')
    warnings = board_json(room_dir)["warnings"]
    text = "\n".join(warnings)
    assert "recurring.toml:4: task[0].every: 'funday' is not one of day, weekday, monday" in text
    assert "recurring.toml:5: task[0].at: expected a time" in text
    assert "recurring.toml:6: task[0].for: not the id of a [[staff]]" in text
    assert "recurring.toml:7: task[0].colour: unknown key" in text
    assert "Jordan" not in text
    # a fresh process has no earlier version in memory: no recurring tasks, the problems shown
    assert [t for t in board_json(room_dir)["tasks"] if t["recurring"]] == []
    path.write_text("[[task]\n")
    assert any(w.startswith("recurring.toml:1:") for w in board_json(room_dir)["warnings"])


# -- notes ------------------------------------------------------------------------------------------

def test_urgent_note_stays_until_every_addressee_acknowledged(room_dir):
    out = run_cli("note", "R.N. had a rough bus ride: quiet start", "--to", "JT", "AL", "--about", "R.N.",
                  "--urgent", "--kind", "check-in", "--as", "MR", data=room_dir, check=True)
    assert "URGENT check-in note to Mr. T, Ms. L about R.N.: R.N. had a rough bus ride" in out.stdout
    nid = re.search(r"note id: ([0-9a-f]{32})", out.stdout).group(1)
    n = note_of(room_dir, nid)
    assert n == {"id": nid, "short_id": nid[:6], "text": "R.N. had a rough bus ride: quiet start",
                 "kind": "check-in", "from": "MR", "to": ["JT", "AL"], "everyone": False, "about": "S05",
                 "urgent": True, "acked_by": [], "waiting_for": ["JT", "AL"], "at": f"{MONDAY}T10:15"}
    # still on every board the next day: nobody has acknowledged it
    assert note_of(room_dir, nid, PARATUI_NOW=f"{TUESDAY}T08:00")["waiting_for"] == ["JT", "AL"]
    out = run_cli("ack", nid[:6], "--as", "JT", data=room_dir, env={"PARATUI_NOW": f"{TUESDAY}T08:05"}, check=True)
    assert "Mr. T read Ms. R's note: R.N. had a rough bus ride" in out.stdout
    plain = run_cli("board", "--plain", data=room_dir, env={"PARATUI_NOW": f"{TUESDAY}T09:00"}, check=True).stdout
    assert "URGENT check-in from Ms. R to Mr. T, Ms. L about R.N." in plain and "(waiting for Ms. L)" in plain
    n = note_of(room_dir, nid, PARATUI_NOW=f"{FRIDAY}T09:00")
    assert n["acked_by"] == [{"staff": "JT", "at": f"{TUESDAY}T08:05"}] and n["waiting_for"] == ["AL"]
    run_cli("ack", nid[:6], "--as", "AL", data=room_dir, env={"PARATUI_NOW": f"{FRIDAY}T09:10"}, check=True)
    n = note_of(room_dir, nid, PARATUI_NOW=f"{FRIDAY}T09:15")  # acknowledged today: today's board keeps it
    assert [a["staff"] for a in n["acked_by"]] == ["JT", "AL"] and n["waiting_for"] == []
    assert note_of(room_dir, nid, PARATUI_NOW=f"{SATURDAY}T09:00") is None  # read by all: gone


def test_notes_to_everyone_and_todays_feed(room_dir):
    out = run_cli("note", "Great job with the fire drill", "--kind", "Kudos", "--as", "JT", data=room_dir,
                  check=True)
    nid = re.search(r"note id: ([0-9a-f]{32})", out.stdout).group(1)
    n = note_of(room_dir, nid)
    # everyone but the writer; the sub only on a day they work
    assert n["everyone"] and n["to"] == ["MR", "AL", "DP", "SK"] and n["kind"] == "kudos" and not n["urgent"]
    assert "kudos note to everyone: Great job" in out.stdout
    assert note_of(room_dir, nid, PARATUI_NOW=f"{TUESDAY}T08:00") is None  # not urgent: today's feed only
    run_cli("absent", "AL", "--sub", "SUB", "--as", "MR", data=room_dir, check=True)
    out = run_cli("note", "Sub plans are in the blue folder", "--to", "everyone", "--as", "MR", data=room_dir,
                  check=True)
    n = note_of(room_dir, re.search(r"note id: ([0-9a-f]{32})", out.stdout).group(1))
    assert "SUB" in n["to"] and "MR" not in n["to"] and n["kind"] == "handoff"


def test_note_refusals_name_the_choices_and_write_nothing(room_dir):
    out = run_cli("note", "Check the bus list", "--to", "JT", "--urgent", "--as", "MR", data=room_dir, check=True)
    nid = short(out)
    assert "text: cannot be empty" in refused(room_dir, "note", "   ", "--to", "JT", "--as", "MR")
    said = refused(room_dir, "note", "hello", "--to", "JT", "Zed", "--as", "MR")
    assert "'Zed' matches no staff: MR (Ms. R), JT (Mr. T), AL (Ms. L)" in said
    said = refused(room_dir, "note", "hello", "--kind", "gossip", "--as", "MR")
    assert "kind: 'gossip' is not one of handoff, check-in, feedback, kudos" in said
    said = refused(room_dir, "ack", nid, "--as", "AL")
    assert f"note {nid} is to Mr. T, not to Ms. L; notes for you to acknowledge: none" in said
    run_cli("ack", nid, "--as", "JT", data=room_dir, check=True)
    said = refused(room_dir, "ack", nid, "--as", "JT")
    assert f"note {nid}: Mr. T already acknowledged it at 10:15" in said
    other = short(run_cli("note", "Copies are done", "--to", "JT", "--as", "AL", data=room_dir, check=True))
    said = refused(room_dir, "ack", "zzzz", "--as", "JT")
    assert "matches no note: notes for you to acknowledge:" in said and other in said


def test_every_new_command_asks_the_permission_hook(room_dir):
    room = Room(room_dir)
    ctx = room.context("MR")
    tid = room.apply(commands.task_add(ctx, "Copies"), "MR").id
    nid = room.apply(commands.note(ctx, "Bus is late", ["JT"]), "MR").id
    room.apply(commands.task_done(room.context("MR"), tid), "MR")
    asked: list[str] = []

    def permit(action, ctx, payload):
        asked.append(action)
        return "paras only" if action in ("task.claim", "task.reopen", "note", "ack") else None

    def ctx_for(actor):
        c = room.context(actor)
        c.permit = permit
        return c

    for call in (lambda: commands.task_reopen(ctx_for("MR"), tid),
                 lambda: commands.note(ctx_for("MR"), "hi", ["JT"]),
                 lambda: commands.ack(ctx_for("JT"), nid)):
        with pytest.raises(NotAllowed):
            call()
    add = room.apply(commands.task_add(room.context("MR"), "Laminate"), "MR")
    with pytest.raises(NotAllowed):
        commands.task_claim(ctx_for("JT"), add.id)
    assert asked == ["task.reopen", "note", "ack", "task.claim"]


def test_a_year_old_reader_keeps_what_counts_and_drops_the_rest(room_dir):
    """Older task months are summarised once (paratui.store.journal_reader): a claimed and done task
    and a note everyone read drop out; a task done then reopened, and an urgent note nobody
    acknowledged, stay on the board months later."""
    def at(when: str) -> Room:
        return Room(room_dir, clock=lambda: datetime.fromisoformat(when))

    sept = at("2026-09-14T09:00")
    closed = sept.record("task.add", "MR", {"text": "Old copies", "for": None, "due": None})
    sept.record("task.claim", "JT", {"task": closed.id})
    sept.record("task.done", "JT", {"task": closed.id})
    back = sept.record("task.add", "MR", {"text": "Reopened filing", "for": None, "due": None})
    sept.record("task.done", "JT", {"task": back.id})
    at("2026-09-15T09:00").record("task.reopen", "MR", {"task": back.id})
    read = sept.record("note", "MR", {"text": "Read by all", "to": ["JT"], "kind": "handoff", "urgent": True})
    at("2026-09-14T10:00").record("ack", "JT", {"note": read.id})
    waiting = sept.record("note", "MR", {"text": "Still waiting", "to": ["JT", "AL"], "kind": "handoff",
                                         "urgent": True})
    at("2026-09-14T10:00").record("ack", "JT", {"note": waiting.id})
    room = at(f"{MONDAY}T10:15")
    snap = room.snapshot()
    kept = {e.id for e in snap.events}
    assert closed.id not in kept and read.id not in kept
    state = room.board(snap)
    assert [t.text for t in state.tasks if t.text == "Reopened filing" and not t.done] == ["Reopened filing"]
    [n] = [n for n in state.notes if n.id == waiting.id]
    assert n.pending == ("AL",) and n.acked_by == ("JT",)
    # acknowledged now: off the board from tomorrow
    run_cli("ack", waiting.id[:6], "--as", "AL", data=room_dir, check=True)
    assert note_of(room_dir, waiting.id, PARATUI_NOW=f"{TUESDAY}T09:00") is None
