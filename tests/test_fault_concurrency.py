"""Many writers at once: every acknowledged event is in the journal exactly once afterwards.

- Store API path: 8 processes x 500 events each (= 4000), started together. Two pairs share a
  host+login (so they share one file and go through the flock path), the other four have their own
  PARATUI_HOST (own files). Each writer mixes day events and tasks, so both the day folder and the
  month's task folder are written concurrently.
- CLI path: every CLI call is a whole Python start (~0.2 s), so a smaller batch: 4 processes x 25
  `python -m paratui` calls each (= 100), two of them sharing a host+login.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests import fault_helpers as fh
from tests.helpers import demo_copy, env_for


@pytest.fixture
def fault_room(tmp_path) -> Path:
    return demo_copy(tmp_path / "room")


def test_eight_store_writers_times_500_events(fault_room, tmp_path):
    journal = fault_room / "journal"
    go = tmp_path / "go"
    identities = [("ws1", "jthomas"), ("ws1", "jthomas"),  # same file: flock
                  ("ws2", "alopez"), ("ws2", "alopez"),  # same file: flock
                  ("ws3", "mrivera"), ("ws4", "mrivera"), ("ws5", "dpatel"), ("ws6", "skowalski")]
    procs = [fh.spawn_writer(journal, 500, go, host, login) for host, login in identities]
    try:
        for p in procs:
            fh.wait_ready(p)
        go.touch()
        outs = [p.communicate(timeout=240) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    acked = [i for out, _ in outs for i in fh.acked_ids(out)]
    assert len(acked) == 8 * 500 and len(set(acked)) == 8 * 500

    events, problems = fh.read_everything(journal)
    assert problems == []
    counts = Counter(e.id for e in events)
    assert set(counts) == set(acked), "events lost or invented"
    assert max(counts.values()) == 1, "an event is in the journal twice"
    fh.assert_all_parse(journal)
    # one file per writer and stream: no `.1.json` overflow siblings, no stray files
    names = {p.relative_to(journal).as_posix() for p in fh.journal_files(journal)}
    writers = {f"{h}--{l}.json" for h, l in identities}
    assert names == {f"2026-11-23/{w}" for w in writers} | {f"tasks/2026-11/{w}" for w in writers}


def test_four_cli_processes_times_25_calls(fault_room, tmp_path):
    # Each process is a shell loop of 25 `python -m paratui` calls; the four loops run at once.
    # (assign, not move: a repeated move to the same place is refused, and the loops race.)
    script = (
        'for i in $(seq 1 25); do '
        '  if [ $((i % 2)) -eq 0 ]; then '
        '"$PY" -m paratui assign JT --with S0$(( (i % 8) + 1 )) --until 14:00 --as JT --data "$D"; '
        '  else "$PY" -m paratui task add "copies $PARATUI_HOST $i" --as AL --data "$D"; fi '
        '  || exit 1; '
        'done'
    )
    identities = [("cli1", "jthomas"), ("cli1", "jthomas"), ("cli2", "alopez"), ("cli3", "mrivera")]
    procs = [subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env_for(h, l, PY=sys.executable, D=str(fault_room)))
             for h, l in identities]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (_out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    # the CLI prints the first 6 hex digits of each id it recorded
    acked = [line.rsplit("[", 1)[1][:6] for out, _ in outs for line in out.splitlines()
             if line.startswith("recorded:")]
    assert len(acked) == 100

    events, problems = fh.read_everything(fault_room / "journal")
    assert problems == []
    assert len(events) == 100 and len({e.id for e in events}) == 100
    assert sorted(e.id[:6] for e in events) == sorted(acked)
    # PARATUI_HOST names each writer's file (the recorded host is the machine's own name)
    assert Counter(p.name.split("--")[0] for p in fh.journal_files(fault_room / "journal")
                   for _ in json.loads(p.read_text())["_default"]) == {"cli1": 50, "cli2": 25, "cli3": 25}
    fh.assert_all_parse(fault_room / "journal")
