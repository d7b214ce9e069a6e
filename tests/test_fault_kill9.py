"""kill -9 at random moments during writes, 100 times.

Each round starts 4 writer processes (two share a host+login and so a file and its lock, two have
their own host) that append events in a loop through the store API and print each id only after
`append` returned. After a random 5-60 ms of writing, each victim gets SIGKILL. 25 rounds x 4
victims = 100 kills, into the same data folder so the files keep growing (a kill then often lands
mid-rewrite). Afterwards: no acknowledged event is lost, nothing is duplicated, every journal file
still parses, and the next write (store API and CLI) works.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests import fault_helpers as fh
from tests.helpers import demo_copy

ROUNDS, VICTIMS = 25, 4
IDENTITIES = [("k1", "jthomas"), ("k1", "jthomas"), ("k2", "alopez"), ("k3", "mrivera")]


@pytest.fixture
def fault_room(tmp_path) -> Path:
    return demo_copy(tmp_path / "room")


def test_kill_minus_9_one_hundred_times(fault_room, tmp_path):
    rng = random.Random(20261123)
    journal = fault_room / "journal"
    acked: list[str] = []
    kills = 0
    for r in range(ROUNDS):
        go = tmp_path / f"go{r}"
        procs = [fh.spawn_writer(journal, 0, go, h, l) for h, l in IDENTITIES]
        try:
            for p in procs:
                fh.wait_ready(p)
            go.touch()
            start = time.monotonic()
            for p, delay in sorted(zip(procs, (rng.uniform(0.005, 0.060) for _ in procs)), key=lambda x: x[1]):
                rest = start + delay - time.monotonic()
                if rest > 0:
                    time.sleep(rest)
                os.kill(p.pid, signal.SIGKILL)
                kills += 1
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        for p in procs:
            out, _ = p.communicate(timeout=30)
            assert p.returncode == -signal.SIGKILL
            acked.extend(fh.acked_ids(out))
        # after every round: every file parses and nothing acknowledged is missing
        events, problems = fh.read_everything(journal)
        assert problems == [], f"round {r}: {problems}"
        ids = Counter(e.id for e in events)
        assert not set(acked) - set(ids), f"round {r}: acknowledged events lost"
        assert max(ids.values(), default=1) == 1
    assert kills == ROUNDS * VICTIMS == 100
    assert len(acked) > 0
    fh.assert_all_parse(journal)

    # the next write works, through the store API (same writers) and the CLI
    go = tmp_path / "go-final"
    go.touch()
    for h, l in IDENTITIES[1:]:
        p = fh.spawn_writer(journal, 3, go, h, l)
        out, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
        acked.extend(fh.acked_ids(out))
    r = fh.cli(fault_room, "move", "S02", "--to", "nurse", "--as", "JT", host="k1", login="jthomas")
    assert r.returncode == 0, r.stderr
    events, problems = fh.read_everything(journal)
    assert problems == []
    ids = Counter(e.id for e in events)
    assert set(acked) <= set(ids) and max(ids.values()) == 1
    assert any(e.type == "move" and e.payload["student"] == "S02" for e in events)
    # writers only ever wrote their own files: no overflow siblings were needed
    assert not [p for p in fh.journal_files(journal) if p.stem.endswith((".1", ".2"))]
