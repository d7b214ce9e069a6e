"""Property: merging any set of journal files, in any order, with duplicates, gives the same board.

Hypothesis generates a history of events (move / back / assign / absent / task.add / task.done / retract, with
ties in `time` and `written`), spreads it over several files (each event in one or more of them: a
writer's file, its Syncthing conflict copies, a Dropbox conflicted copy; day folders and the task
folder), writes the files in a random order with shuffled document ids, adds temp/backup files that
must be skipped, reads everything back with JournalReader, and compares `build_board` with the
board built from the plain event list.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paratui.model.board import build_board
from paratui.model.events import Event
from paratui.store.folder import DataFolder
from paratui.store.journal_reader import JournalReader
from tests.helpers import DAY, NOW_DT, demo_copy

STUDENTS = [f"S0{i}" for i in range(1, 9)]
STAFF = ["MR", "JT", "AL", "DP", "SK", "SUB"]
PLACES = ["room", "carpet", "bathroom", "nurse", "office", "gened-3", "speech", "sensory-room"]
FILE_NAMES = [
    "ws1--jthomas.json",
    "ws1--jthomas.sync-conflict-20261123-101500-ABCDEFG.json",
    "ws1--jthomas.sync-conflict-20261123-101502-HIJKLMN.json",
    "ws2--alopez.json",
    "ws2--alopez (conflicted copy 2026-11-23).json",
    "ws3--mrivera.1.json",
]
FOLDERS = ["2026-11-23", "2026-11-22", "tasks/2026-11", "tasks/2026-10"]
SKIPPED = [".syncthing.ws1--jthomas.json.tmp", "ws1--jthomas.json~", ".ws1--jthomas.json.swp",
           ".ws1--jthomas.json.k3j4.tmp", "4913", ".goutputstream-QW12ER"]


@pytest.fixture(scope="module")
def room_model(tmp_path_factory):
    root = demo_copy(tmp_path_factory.mktemp("merge") / "room")
    snap = DataFolder(root).load(DAY)
    return snap.classroom, snap.schedule


@st.composite
def histories(draw):
    n = draw(st.integers(0, 40))
    order = draw(st.permutations(range(max(n, 1))))  # ids do not follow creation order
    events: list[Event] = []
    tasks: list[str] = []
    for i in range(n):
        eid = f"{order[i]:08x}" + "ab" * 12
        kind = draw(st.sampled_from(["move", "move", "back", "assign", "absent", "task.add", "task.done",
                                     "retract"]))
        if kind == "retract" and not events:
            kind = "move"
        if kind == "task.done" and not tasks:
            kind = "task.add"
        if kind == "move":
            payload = {"student": draw(st.sampled_from(STUDENTS)), "to": draw(st.sampled_from(PLACES)),
                       "with": draw(st.lists(st.sampled_from(STAFF), max_size=2, unique=True))}
        elif kind == "back":
            payload = {"student": draw(st.sampled_from(STUDENTS))}
        elif kind == "assign":
            payload = {"staff": draw(st.sampled_from(STAFF)),
                       "students": draw(st.lists(st.sampled_from(STUDENTS), max_size=3, unique=True)),
                       "at": draw(st.none() | st.sampled_from(PLACES)),
                       "activity": draw(st.none() | st.sampled_from(["Library", "Walk", "Sensory break"])),
                       "until": draw(st.none() | st.sampled_from(["2026-11-23T10:30", "2026-11-23T11:30",
                                                                  "2026-11-23T09:00"]))}
        elif kind == "absent":
            payload = {"staff": draw(st.sampled_from(STAFF)), "sub": draw(st.none() | st.sampled_from(STAFF)),
                       "until": draw(st.none() | st.sampled_from(["2026-11-23T10:30", "2026-11-23T09:00"]))}
        elif kind == "task.add":
            payload = {"text": draw(st.sampled_from(["copies", "call home", "laminate"])),
                       "for": draw(st.none() | st.sampled_from(STAFF)),
                       "due": draw(st.none() | st.sampled_from(["2026-11-23T09:00", "2026-11-23T13:00"]))}
            tasks.append(eid)
        elif kind == "task.done":
            payload = {"task": draw(st.sampled_from(tasks))}
        else:
            payload = {"target": draw(st.sampled_from(events)).id}
        # few distinct times and `written` values, so ties are common; some on the day before
        when = NOW_DT - timedelta(minutes=draw(st.sampled_from([0, 0, 5, 30, 90, 24 * 60])))
        written = draw(st.sampled_from([0, 1, 2, 1795000000000000000]))
        events.append(Event(eid, kind, when, written, draw(st.sampled_from(STAFF)), "login", "host", payload))
    return events


@st.composite
def layouts(draw, events: list[Event]):
    n_files = draw(st.integers(1, len(FILE_NAMES)))
    files = [(draw(st.sampled_from(FOLDERS)), FILE_NAMES[i]) for i in range(n_files)]
    contents: list[list[Event]] = [[] for _ in files]
    for e in events:
        for i in draw(st.sets(st.integers(0, n_files - 1), min_size=1)):
            contents[i].append(e)
    for c in contents:
        c[:] = draw(st.permutations(c))
    write_order = draw(st.permutations(range(n_files)))
    return files, contents, write_order


def _doc_file(events: list[Event], first_id: int) -> str:
    return json.dumps({"_default": {str(first_id + i): e.to_doc() for i, e in enumerate(events)}})


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_merge_of_any_files_in_any_order_gives_the_same_board(room_model, data):
    classroom, schedule = room_model
    events = data.draw(histories(), label="events")
    ghosts = data.draw(histories(), label="events only in skipped files")
    ghosts = [Event("ff" + e.id[2:], e.type, e.time, e.written, e.staff, e.login, e.host, e.payload)
              for e in ghosts]
    files, contents, write_order = data.draw(layouts(events), label="files")
    start_ids = data.draw(st.lists(st.integers(1, 1000), min_size=len(files), max_size=len(files)))
    tmp = Path(tempfile.mkdtemp(prefix="paratui-merge-"))
    try:
        journal = tmp / "journal"
        for i in write_order:
            folder, name = files[i]
            (journal / folder).mkdir(parents=True, exist_ok=True)
            (journal / folder / name).write_text(_doc_file(contents[i], start_ids[i]))
        if ghosts:
            for name in SKIPPED:
                folder = data.draw(st.sampled_from(FOLDERS))
                (journal / folder).mkdir(parents=True, exist_ok=True)
                (journal / folder / name).write_text(_doc_file(ghosts, 1))
        reader = JournalReader(journal)
        read, problems, _ = reader.read(reader.all_dirs())
    finally:
        shutil.rmtree(tmp)
    assert problems == []
    assert {e.id for e in read} == {e.id for e in events}
    expected = build_board(classroom, schedule, events, NOW_DT)
    assert build_board(classroom, schedule, read, NOW_DT) == expected
    assert build_board(classroom, schedule, list(reversed(read)), NOW_DT) == expected
