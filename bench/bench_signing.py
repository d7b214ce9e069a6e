"""What signing costs (issue 18, docs/trust.md): one write signed vs unsigned, and reading a day file
of signed vs unsigned events (every signature checked).

    python bench/bench_signing.py [--writes 200] [--events 600]

* write: `Room.record("move"/"back")` into a copy of the demo room, signed (this account's key, made
  once beforehand) and unsigned (`room.writer.signer = None`), interleaved so disk noise hits both
  alike; p50 of each and the ratio;
* read: a fresh `JournalReader` parsing one day file of `events` moves, signed (in a room with a
  keys.json: every signature checked) vs unsigned, p50 of 20.
Keys and caches live in a throw-away folder (XDG_CONFIG_HOME, XDG_CACHE_HOME).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--writes", type=int, default=200)
    p.add_argument("--events", type=int, default=600)
    a = p.parse_args()
    base = Path(tempfile.mkdtemp(prefix="paratui-bench-sign-"))
    os.environ["XDG_CONFIG_HOME"] = str(base / "config")
    os.environ["XDG_CACHE_HOME"] = str(base / "cache")
    try:
        from paratui.store import keys, paths
        from paratui.store.journal import new_event
        from paratui.store.journal_reader import JournalReader
        from paratui.store.room import Room

        room_dir = base / "room"
        shutil.copytree(paths.demo_data(), room_dir, ignore=shutil.ignore_patterns("journal"))
        (room_dir / "journal").mkdir()
        when = datetime(2026, 11, 23, 10, 15)
        signed, plain = Room(room_dir, clock=lambda: when), Room(room_dir, clock=lambda: when)
        plain.writer.signer = None
        signed.writer.signer.key()  # the key made before timing
        samples: dict[str, list[float]] = {"signed": [], "unsigned": []}
        for i in range(a.writes):
            for name, room in (("signed", signed), ("unsigned", plain)) if i % 2 else (("unsigned", plain),
                                                                                      ("signed", signed)):
                kind, payload = ("move", {"student": "S01", "to": "bathroom", "with": ["JT"]}) if i % 4 < 2 \
                    else ("back", {"student": "S01"})
                t = time.perf_counter()
                room.record(kind, "JT", payload)
                samples[name].append(time.perf_counter() - t)
        w_s, w_u = statistics.median(samples["signed"]), statistics.median(samples["unsigned"])
        print(f"write p50: signed {w_s * 1000:.2f} ms, unsigned {w_u * 1000:.2f} ms, ratio {w_s / w_u:.2f}")
        signer = keys.Signer(room_dir)
        for name, sign in (("signed", True), ("unsigned", False)):
            day = base / f"read-{name}" / "journal" / "2026-11-23"
            day.mkdir(parents=True)
            docs = {}
            for n in range(a.events):
                doc = new_event("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]}, when,
                                "jthomas", "ws").to_doc()
                docs[str(n + 1)] = signer.sign(doc) if sign else doc
            (day / "ws--jthomas.json").write_text(json.dumps({"_default": docs}))
            if sign:  # signatures are checked once the room enrols keys
                (day.parent.parent / keys.KEYS_FILE).write_text('{"keys": {}, "revoked": {}}')
            times = []
            for _ in range(20):
                keys._PUBLIC.clear()
                reader = JournalReader(day.parent)
                t = time.perf_counter()
                reader.read([day])
                times.append(time.perf_counter() - t)
            samples[f"read-{name}"] = times
        r_s, r_u = statistics.median(samples["read-signed"]), statistics.median(samples["read-unsigned"])
        print(f"read of a day file of {a.events} events p50: signed {r_s * 1000:.1f} ms, unsigned "
              f"{r_u * 1000:.1f} ms, ratio {r_s / r_u:.2f} ({(r_s - r_u) / a.events * 1e6:.0f} µs per signature)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
