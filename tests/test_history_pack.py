"""The student screen's history keeps a year of entries packed per student (paratui.store.history):
what it hands back must be exactly what was read — odd text, numbers that compare equal to
booleans, entries of other students, retracts — and a file that breaks later keeps its entries."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from paratui.model.events import Event
from paratui.store.history import HistoryCache
from paratui.store.journal_reader import JournalReader


def _write(path: Path, events: list[Event]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"_default": {str(i): e.to_doc() for i, e in enumerate(events, 1)}}))


def _ev(n: int, type_: str, payload: dict, day: int = 20) -> Event:
    return Event(f"{n:032x}", type_, datetime(2026, 11, day, 9, n % 60, n % 7), 1_790_000_000_000_000_000 + n,
                 "JT", "jthomas", "ws", payload)


def test_entries_come_back_as_read_per_student_with_their_retracts(room_dir):
    log = room_dir / "journal" / "log" / "2026-11"
    odd = "\ud800 lone half · ␛ \x1b[31m red · 名前 · " + "x" * 60  # long, unpaired surrogate, escape
    day1 = [
        _ev(1, "data", {"student": "S05", "goal": "aac", "value": "+", "prompt": "I"}),
        _ev(2, "data", {"student": "S05", "goal": "aac", "value": "+", "prompt": "I"}),  # same payload
        _ev(3, "data", {"student": "S05", "goal": "steps", "count": 1}),
        _ev(4, "data", {"student": "S05", "goal": "steps", "count": 1.0}),  # equal to 1, not the same
        _ev(5, "abc", {"student": "S05", "behavior": "elope", "antecedent": odd, "consequence": None}),
        _ev(6, "data", {"student": "S01", "goal": "cvc", "value": "-", "prompt": None}),
        _ev(7, "timer.start", {"student": "S05", "goal": "ontask"}),
    ]
    day2 = [
        _ev(8, "timer.stop", {"student": "S05", "goal": "ontask", "start": f"{7:032x}", "seconds": 95}, day=21),
        _ev(9, "retract", {"target": f"{1:032x}"}, day=21),  # S05's, a day later
        _ev(10, "retract", {"target": f"{6:032x}"}, day=21),  # S01's
    ]
    _write(log / "20" / "ws--jthomas.json", day1)
    _write(log / "21" / "ws--jthomas.json", day2)

    history = HistoryCache(room_dir)
    history.load_now()
    got = history.student_events("S05")
    assert got is not None
    want = [e for e in day1 + day2 if e.payload.get("student") == "S05"] + [day2[1]]
    assert sorted(e.to_doc()["id"] for e in got) == sorted(e.id for e in want)
    by_id = {e.id: e for e in got}
    for e in want:  # every field, every value and its type, as written
        doc, back = e.to_doc(), by_id[e.id].to_doc()
        assert back == doc
        assert [type(v) for v in back["payload"].values()] == [type(v) for v in doc["payload"].values()]
        assert by_id[e.id].time == e.time and by_id[e.id].written == e.written
    assert by_id[f"{5:032x}"].payload["antecedent"] == odd
    # not kept: each ask unpacks afresh (a screen folds them and lets them go); the same events until
    # the history changes, which `version` tells
    version = history.version
    assert version is not None
    again = history.student_events("S05")
    assert again is not got and again == got
    history.load_now()  # nothing changed
    assert history.version == version
    s01 = history.student_events("S01")
    assert s01 is not None and {e.id for e in s01} == {f"{6:032x}", f"{10:032x}"}
    assert history.student_events("S99") == []

    # the same events as the board's own reader finds in those files
    plain, _problems, _ = JournalReader(room_dir / "journal", room_dir).read(history.reader.day_dirs())
    assert {e.id for e in plain if e.payload.get("student") == "S05"} <= set(by_id)


def test_a_file_that_breaks_keeps_its_entries_and_a_new_one_is_seen(room_dir):
    log = room_dir / "journal" / "log" / "2026-11"
    first = log / "20" / "ws--jthomas.json"
    _write(first, [_ev(1, "data", {"student": "S05", "goal": "aac", "value": "+", "prompt": "I"})])
    history = HistoryCache(room_dir)
    history.load_now()
    assert [e.id for e in history.student_events("S05") or []] == [f"{1:032x}"]

    first.write_text('{"_default": {"1": ')  # cut off by a sync tool mid-write
    _write(log / "21" / "ws--mlopez.json", [_ev(2, "data", {"student": "S05", "goal": "aac", "value": "-",
                                                                "prompt": None}, day=21)])
    version = history.version
    history.load_now()
    assert history.version != version
    assert sorted(e.id for e in history.student_events("S05") or []) == [f"{1:032x}", f"{2:032x}"]

    first.unlink()  # deleted: its entries go
    history.load_now()
    assert [e.id for e in history.student_events("S05") or []] == [f"{2:032x}"]
