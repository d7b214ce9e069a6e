"""What a sign-over costs on read (issue 18, docs/trust.md): screening `events` unsigned events
(`paratui.model.access.screen`, fresh event objects each round, as a first read) in a room with
enrolled keys, before the sign-over (the time rule: no hash) and after it (each event's content hash
checked against the manifest), median of `rounds`, and the ratio.

    python bench/bench_sign_over.py [--events 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    from paratui.model import access
    from paratui.model.events import Event, Origin
    from paratui.store.folder import DataFolder
    from paratui.store.keys import Enrolment, Manifests, key_ring

    snap = DataFolder(REPO / "data").load(datetime(2026, 11, 23).date())

    def events() -> list[Event]:
        t0, o = datetime(2026, 9, 1, 8), Origin("journal/x.json", "", None)
        return [Event(f"{i:032x}", "data", t0 + timedelta(minutes=i), i, "JT", "jthomas", "old",
                      {"student": "S03", "goal": "sight", "value": "+", "prompt": "I"}, o) for i in range(a.events)]

    enrolment = Enrolment({"k" * 16: {"public": "0" * 64, "staff": "MR", "enrolled": "2026-11-23T08:00"}})
    before = dataclasses.replace(snap.classroom, keys=key_ring(enrolment))
    signed = Manifests({e.id: access.content_hash(e) for e in events()}, {}, True)
    after = dataclasses.replace(snap.classroom, keys=key_ring(enrolment, signed))
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(a.rounds):
        for name, room in (("before", before), ("after", after)):
            batch = events()
            t = time.perf_counter()
            screened = access.screen(batch, room, snap.schedule)
            times[name].append(time.perf_counter() - t)
            assert not screened.refused
    b, s = statistics.median(times["before"]), statistics.median(times["after"])
    print(f"screen {a.events} unsigned events, first read: before the sign-over {b * 1e3:.0f} ms, signed over "
          f"{s * 1e3:.0f} ms, ratio {s / b:.2f} ({(s - b) / a.events * 1e6:.1f} µs per event)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
