"""A year of notes, acknowledgements and task claims: does a write and the board's refresh stay flat?

    python bench/bench_notes.py [--quick]

Two copies of the same generated school year (`make_year.py`, 180 days, cached in bench/out/): one as
generated, one with a year of team routines added to the month files (journal/tasks/YYYY-MM/): about
10 notes a school day (2 of them urgent, each acknowledged by its addressees within the day, a few
left waiting all year) and a claim for most tasks. Both end on the same school day, written into at
14:00 as host room12-ws / login jthomas. Per folder (medians over alternating rounds):

* write + refresh: `Room.record("note")` then `Room.snapshot()` + `Room.board()` (what every open board
  does next), and the same for a move;
* fold: `Room.board()` on its own (the notes and tasks folds included).

Target: the folder with a year of notes ≤ 1.5 × the one without, for each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from _common import OUT, Row, fresh_copy, median, ms, print_table, pristine_year, save

FLAT = 1.5
STAFF = ("MR", "JT", "AL", "DP", "SK")
LOGINS = {"MR": "mrivera", "JT": "jthomas", "AL": "alopez", "DP": "dpatel", "SK": "skowalski"}
KINDS = ("handoff", "check-in", "feedback", "kudos")


def add_routines(root: Path, seed: int = 7) -> int:
    """A year of notes, acks and claims into `root`'s month files, and of today's changes into its day
    folders; returns the number of events."""
    rng = random.Random(seed)
    journal = root / "journal"
    days = sorted(p.name for p in journal.iterdir() if p.name[:2] == "20")
    files: dict[Path, list[dict]] = {}
    count = 0
    written = 1_700_000_000_000_000_000

    def emit(type_: str, staff: str, payload: dict, when: datetime) -> str:
        nonlocal count, written
        written += 1
        eid = uuid.UUID(int=rng.getrandbits(128), version=4).hex
        path = journal / "tasks" / f"{when:%Y-%m}" / f"room12-ws--{LOGINS[staff]}-notes.json"
        files.setdefault(path, []).append({"id": eid, "type": type_, "time": when.isoformat(timespec="seconds"),
                                           "written": written, "staff": staff, "login": LOGINS[staff],
                                           "host": "room12-ws", "payload": payload})
        count += 1
        return eid

    adds: list[tuple[str, datetime]] = []
    for path in (journal / "tasks").rglob("*.json"):
        for doc in json.loads(path.read_text()).get("_default", {}).values():
            if doc.get("type") == "task.add":
                adds.append((doc["id"], datetime.fromisoformat(doc["time"]).replace(tzinfo=None)))
    for tid, when in adds:
        if rng.random() < 0.8:
            emit("task.claim", rng.choice(STAFF), {"task": tid}, when + timedelta(minutes=rng.randint(1, 30)))
    for i, day in enumerate(days):
        base = datetime.fromisoformat(f"{day}T07:30")
        for n in range(rng.randint(8, 12)):
            when = base + timedelta(minutes=rng.randint(0, 420))
            sender = rng.choice(STAFF)
            others = [s for s in STAFF if s != sender]
            to = others if rng.random() < 0.3 else rng.sample(others, rng.randint(1, 2))
            urgent = n < 2
            nid = emit("note", sender, {"text": f"note {i}-{n}: bus, lunch, a student's morning", "to": to,
                                        "everyone": len(to) == len(others), "about": None,
                                        "kind": rng.choice(KINDS), "urgent": urgent}, when)
            waiting = urgent and rng.random() < 0.002  # a handful never read
            for who in to:
                if urgent and not waiting or (not urgent and rng.random() < 0.5):
                    emit("ack", who, {"note": nid}, when + timedelta(minutes=rng.randint(1, 60)))
    # Today's changes to the base week, every school day (the day folders, the teacher's writer):
    # a service pulling a student out, now and then a drill or an assembly, a para lent to another
    # room, a student absent; and a busy today (NOW's date) so coverage ahead has work at every reload.
    def change(day: str, staff: str, payload: dict, hh_mm: str) -> None:
        nonlocal count, written
        written += 1
        when = datetime.fromisoformat(f"{day}T{hh_mm}")
        path = journal / day / f"room12-ws--{LOGINS[staff]}-changes.json"
        files.setdefault(path, []).append({
            "id": uuid.UUID(int=rng.getrandbits(128), version=4).hex, "type": "day.change",
            "time": when.isoformat(timespec="seconds"), "written": written, "staff": staff,
            "login": LOGINS[staff], "host": "room12-ws", "payload": {"kind": payload.pop("kind"), **payload}})
        count += 1

    today = os.environ.get("PARATUI_NOW", "2026-11-23T10:15")[:10]  # the benches' classroom clock
    for day in [*days, today]:
        busy = day == today
        def t(hh_mm: str, day: str = day) -> str:
            return f"{day}T{hh_mm}"

        if busy or rng.random() < 0.5:
            change(day, "MR", {"kind": "student-out", "student": rng.choice(["S03", "S06"]), "service": "speech",
                               "start": t("09:00"), "end": t("09:30"), "at": "speech", "with": ["SK"]}, "07:40")
        if busy or rng.random() < 0.1:
            change(day, "MR", {"kind": "drill", "start": t("13:30"), "end": t("13:45"), "at": "playground"}, "07:45")
        if busy or rng.random() < 0.1:
            change(day, "MR", {"kind": "lend", "staff": "DP", "room": "Room 14", "end": t("11:30")}, "07:50")
        if busy or rng.random() < 0.05:
            change(day, "MR", {"kind": "student-absent", "student": "S07"}, "07:55")
    for path, docs in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"_default": {str(i): d for i, d in enumerate(docs, 1)}}))
    return count


def measure(roots: dict[str, Path], clock: str, n: int) -> dict[str, dict[str, list[float]]]:
    from paratui.store.room import Room

    os.environ.update(PARATUI_NOW=clock, PARATUI_HOST="room12-ws", PARATUI_LOGIN="jthomas")
    rooms = {k: Room(r) for k, r in roots.items()}
    out: dict[str, dict[str, list[float]]] = {k: {"note": [], "move": [], "fold": []} for k in roots}
    for room in rooms.values():
        room.board(room.snapshot())
    for i in range(n):
        for k, room in rooms.items():
            t0 = time.perf_counter()
            room.record("note", "JT", {"text": f"bench {i}", "to": ["AL"], "kind": "handoff", "urgent": False})
            room.board(room.snapshot())
            t1 = time.perf_counter()
            if i % 2 == 0:
                room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
            else:
                room.record("back", "JT", {"student": "S01"})
            snap = room.snapshot()
            room.board(snap)
            t2 = time.perf_counter()
            room.board(snap)
            t3 = time.perf_counter()
            out[k]["note"].append(t1 - t0)
            out[k]["move"].append(t2 - t1)
            out[k]["fold"].append(t3 - t2)
    return out


def run(quick: bool = False, workdir: Path = OUT) -> list[Row]:
    n = 30 if quick else 100
    source, count = pristine_year(180, workdir)
    plain = fresh_copy(source, "notes-without", workdir)
    busy = fresh_copy(source, "notes-year", workdir)
    added = add_routines(busy)
    days = sorted(p.name for p in (plain / "journal").iterdir() if p.name[:2] == "20")
    clock = f"{days[-1]}T14:00"
    os.sync()
    res = measure({"without": plain, "with": busy}, clock, n)
    print(f"a year: {count} events; with routines: +{added} (notes, acks, claims)")
    rows = []
    for key, what in (("note", "a note written + the board's refresh"), ("move", "a move + the board's refresh"),
                      ("fold", "the board's fold (Room.board)")):
        a, b = median(res["with"][key]), median(res["without"][key])
        rows.append(Row(what, ms(a), ms(b), a / b, f"≤ {FLAT}× without notes", a / b <= FLAT))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = run(args.quick)
    print_table(rows)
    save("notes", rows)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
