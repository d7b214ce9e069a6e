"""Generate a realistic school year of journal events in a data folder.

    python bench/make_year.py DIR [--days 180] [--now 2026-11-23T10:15] [--seed 12]

Copies the demo room (classroom.toml, schedule.toml, binder/) into DIR, then writes `days` school
days (weekdays outside the summer and winter breaks, going backwards so the last one is the school
day before NOW's date: 180 days are about a school year, 540 three) of every event type the app has:
move, back, assign, absent, task.add, task.done, retract (now and then of a task done weeks before,
which re-opens it), and the quick-logging data for every goal in students/*.toml (data, abc,
timer.start/stop: trials with prompt levels that fade over the year, task-analysis runs, tallies,
timed episodes, interval observations, ABC records from the pick lists; `data=False` leaves them out).
Files use exactly the
layout JournalWriter writes (journal/YYYY-MM-DD/<host>--<login>.json for day events,
journal/tasks/YYYY-MM/<host>--<login>.json for task events and their retracts,
journal/log/YYYY-MM/DD/<host>--<login>.json for quick-logging entries and theirs; `legacy_log=True`
puts those in the day folders, as journals written before the log stream have them), as TinyDB documents
{"_default": {"1": doc, ...}}, each built in memory and written once (no per-event fsync).

Importable: `make_year(dir, days=180, now=None, seed=12) -> int` (the number of events).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from paratui.model.classroom import parse_classroom
from paratui.model.events import DATA_TYPES, TASK_TYPES, Event
from paratui.store import paths
from paratui.store.identity import safe_name
from paratui.store.journal import TASKS_DIR, log_dir

DEFAULT_NOW = "2026-11-23T10:15"
HOSTS = ("room12-ws", "teacher-laptop")

TASK_TEXTS = [
    "20 copies of the math page", "File the week's data sheets", "Call home about the field trip form",
    "Laminate the new visual schedule", "Restock the sensory corner", "Update the token boards",
    "Grade the spelling check", "Print the social story for assembly", "Prep the kitchen for snack",
    "Charge the iPads", "Email OT about the new seat cushion", "Sort the take-home folders",
    "Make the Friday newsletter", "Take down the bulletin board", "Order more velcro dots",
]
ACTIVITIES = ["Library visit", "Assembly", "Covering lunch duty", "Small-group math", "Walk to gym",
              "Read aloud", "Sub covering", "Community walk", "Fire drill", "Social skills group"]


def is_school_day(d: date) -> bool:
    """A weekday outside the summer break (July and August) and the winter break (Dec 24 – Jan 1)."""
    winter_break = (d.month, d.day) >= (12, 24) or (d.month, d.day) == (1, 1)
    return d.weekday() < 5 and d.month not in (7, 8) and not winter_break


def school_days(now: datetime, days: int) -> list[date]:
    """`days` school days, oldest first, the last one the school day before `now`'s date."""
    out: list[date] = []
    d = now.date() - timedelta(days=1)
    while len(out) < days:
        if is_school_day(d):
            out.append(d)
        d -= timedelta(days=1)
    return out[::-1]


def copy_demo(target: Path) -> None:
    source = paths.demo_data()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("classroom.toml", "schedule.toml"):
        shutil.copy2(source / name, target / name)
    shutil.copytree(source / "binder", target / "binder", dirs_exist_ok=True)
    if (source / "students").is_dir():
        shutil.copytree(source / "students", target / "students", dirs_exist_ok=True)
    (target / "journal").mkdir(exist_ok=True)


class _Year:
    def __init__(self, root: Path, rng: random.Random, classroom):
        self.root = root
        self.rng = rng
        self.c = classroom
        self.files: dict[Path, list[dict]] = defaultdict(list)
        self.count = 0
        self.clock_ns = 0
        self.logins = {s.id: (s.logins[0] if s.logins else s.id.lower()) for s in classroom.staff}
        self.by_staff: dict[str, list[tuple[Event, Path]]] = defaultdict(list)  # for retracts
        self.open_tasks: list[tuple[Event, date]] = []  # (task.add, planned done day)
        self.done_tasks: list[tuple[Event, Event]] = []  # (task.add, its task.done), for late undos
        self.data_rng = random.Random(rng.random())  # its own stream: the rest of the year is unchanged
        self._last_start = ""
        self.legacy_log = False  # True: quick-logging entries in the day folders, as before the log stream

    def host_for(self, staff: str, rng: random.Random | None = None) -> str:
        # The teacher writes from her laptop most of the time; everyone else from the room's workstation.
        rng = rng or self.rng
        if staff == "MR":
            return HOSTS[1] if rng.random() < 0.7 else HOSTS[0]
        return HOSTS[1] if rng.random() < 0.05 else HOSTS[0]

    def emit(self, type: str, staff: str, payload: dict, when: datetime, task_stream: bool = False,
             rng: random.Random | None = None, log_day: date | None = None) -> Event:
        rng = rng or self.rng
        host = self.host_for(staff, rng)
        login = self.logins[staff]
        # `written`: the writer's real clock, strictly increasing over the whole generation.
        self.clock_ns = max(self.clock_ns + 1, int(when.timestamp() * 1e9) + rng.randrange(10**9))
        ev = Event(uuid.UUID(int=rng.getrandbits(128), version=4).hex, type, when, self.clock_ns,
                   staff, login, host, payload)
        writer = f"{safe_name(host)}--{safe_name(login)}"
        if task_stream or type in TASK_TYPES:
            path = self.root / "journal" / TASKS_DIR / f"{when:%Y-%m}" / f"{writer}.json"
        elif (log_day or type in DATA_TYPES) and not self.legacy_log:
            path = log_dir(self.root / "journal", log_day or when.date()) / f"{writer}.json"
        else:
            path = self.root / "journal" / when.date().isoformat() / f"{writer}.json"
        self.files[path].append(ev.to_doc())
        self.by_staff[staff].append((ev, path))
        self.count += 1
        return ev

    def data_day(self, d: date, progress: float) -> None:
        """One school day of quick-logging data for every goal in the students' plans, made with its
        own random stream (the rest of the year stays as it was). `progress` 0 → 1 over the year:
        prompts fade and behaviors drop, with noise, as real data does."""
        rng, c = self.data_rng, self.c
        prompts = c.prompts
        weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[d.weekday()]
        base = datetime.combine(d, datetime.min.time())

        def when(lo: float = 9.0, hi: float = 14.5) -> datetime:
            return base + timedelta(seconds=int(rng.uniform(lo, hi) * 3600))

        def level(skill: float) -> str:
            # independent with probability `skill`, else a prompt nearer independence as skill grows
            if rng.random() < skill:
                return prompts[-1]
            i = min(len(prompts) - 2, max(0, int(rng.gauss(skill * (len(prompts) - 1), 1.2))))
            return prompts[i]

        for st in c.students:
            plan = c.plans.get(st.id)
            if plan is None:
                continue
            for g in plan.goals:
                if g.days and weekday not in g.days:
                    continue
                if g.kind != "abc" and rng.random() < 0.15:  # no data that day (absent, assembly…)
                    continue
                who = list(g.collect_by) or ["MR"]
                skill = min(0.95, max(0.02, 0.15 + 0.7 * progress + rng.gauss(0, 0.08)))
                t = when()
                items: list[tuple[str, dict, datetime]] = []
                key = {"student": st.id, "goal": g.id}
                if g.kind == "trials":
                    for _ in range(rng.randint(5, 12)):
                        p = level(skill)
                        ok = p == prompts[-1] or rng.random() < 0.85
                        items.append(("data", {**key, "value": "+" if ok else "-", **({"prompt": p} if ok else {})},
                                      t))
                        t += timedelta(seconds=rng.randint(20, 90))
                elif g.kind == "task_analysis":
                    for n in range(1, len(g.steps) + 1):
                        items.append(("data", {**key, "step": n, "value": "+", "prompt": level(skill)}, t))
                        t += timedelta(seconds=rng.randint(10, 60))
                elif g.kind == "tally":
                    per_day = (g.mastery.at_least or 0) if g.mastery else 0
                    if g.days:  # a weekly probe: one count
                        items.append(("data", {**key, "count": int(40 + 25 * progress + rng.gauss(0, 3))}, t))
                    else:
                        rate = (1 + 4 * progress) if per_day else max(0.3, 6 * (1 - progress))
                        for _ in range(max(0, int(rng.gauss(rate, 1)))):
                            items.append(("data", {**key, "count": 1}, when(8.5, 15)))
                elif g.kind in ("duration", "latency"):
                    up = bool(g.mastery and g.mastery.at_least)
                    mean = (240 + 800 * progress) if up else max(20.0, 480 * (1 - progress) + 30)
                    for _ in range(rng.randint(1, 2)):
                        secs = max(5.0, round(rng.gauss(mean, mean * 0.25)))
                        if g.kind == "duration" and rng.random() < 0.7:  # the timer, as people use it
                            start = when(8.5, 14)
                            items.append(("timer.start", dict(key), start))
                            items.append(("timer.stop", {**key, "start": "", "seconds": secs},
                                          start + timedelta(seconds=secs)))
                        else:
                            items.append(("data", {**key, "seconds": secs}, when()))
                elif g.kind in ("interval", "mts"):
                    n = 30 if g.kind == "interval" else 15
                    for _ in range(n):
                        r = rng.random()
                        value = "missed" if r < 0.03 else "+" if r < 0.03 + skill else "-"
                        items.append(("data", {**key, "value": value}, t))
                        t += timedelta(seconds=g.interval_seconds or 10)
                elif g.kind == "abc":
                    b = next((x for x in plan.behaviors if x.id == g.behavior), None)
                    if b is None:
                        continue
                    for _ in range(max(0, int(rng.gauss(4 * (1 - progress) + 0.3, 1)))):
                        def pick(xs: tuple[str, ...]) -> dict:
                            return {} if not xs else {"_": xs[min(len(xs) - 1, int(rng.expovariate(1.2)))]}
                        rec = {"student": st.id, "behavior": b.id}
                        for field_, xs in (("antecedent", b.antecedents), ("consequence", b.consequences),
                                           ("setting", b.settings)):
                            if (v := pick(xs)) and rng.random() < 0.95:
                                rec[field_] = v["_"]
                        hour = rng.choice((9.0, 9.5, 10.0, 10.3, 11.0, 13.5, 14.0))
                        items.append(("abc", rec, when(hour, hour + 0.5)))
                for type_, payload, at in items:
                    staff = rng.choice(who)
                    if type_ == "timer.stop":
                        payload["start"] = self._last_start
                    ev = self.emit(type_, staff, payload, at, rng=rng)
                    if type_ == "timer.start":
                        self._last_start = ev.id
                    elif rng.random() < 0.02:  # a wrong key, undone at once
                        self.emit("retract", staff, {"target": ev.id}, at + timedelta(seconds=5), rng=rng,
                                  log_day=at.date())

    def day(self, d: date, last_day: date) -> None:
        rng, c = self.rng, self.c
        start = datetime.combine(d, datetime.min.time()).replace(hour=8, minute=30)
        span = 6 * 3600 + 30 * 60  # 08:30–15:00
        staff_ids = [s.id for s in c.staff if s.role != "sub"]
        if rng.random() < 0.12:  # a sub in for someone today
            staff_ids.append("SUB")
        students = [s.id for s in c.students]
        in_room = [loc.id for loc in c.locations if loc.in_room and loc.id != c.home.id]
        out_locs = [loc for loc in c.locations if loc.kind == "out" and loc.id != "lounge"]
        absent = "absent" if any(loc.id == "absent" for loc in c.locations) else None

        timeline: list[tuple[datetime, str, str, dict, bool]] = []

        def at(seconds: float) -> datetime:
            return start + timedelta(seconds=int(min(max(seconds, 0), span - 1)))

        # Absences: a student marked absent first thing (one `move`, never back that day).
        away_today = {s for s in students if rng.random() < 0.04}
        for s in away_today:
            if absent:
                timeline.append((at(rng.uniform(0, 900)), "move", rng.choice(staff_ids),
                                 {"student": s, "to": absent, "with": []}, False))
        # Movements: each present student leaves and comes back many times a day (corners of the room,
        # bathroom, nurse, gen-ed, speech, walks…): move … back pairs that do not overlap.
        for s in students:
            if s in away_today:
                continue
            t = rng.uniform(0, 600)
            while True:
                t += rng.expovariate(1 / 50)  # back in the room for a minute or two, then off again
                if rng.random() < 0.6:  # corners of the room: carpet, sensory/calm corner, kitchen
                    loc_id, minutes, escorts = rng.choice(in_room), rng.uniform(1.5, 8), []
                else:
                    loc = rng.choice(out_locs)
                    expected = loc.expected_minutes or 15
                    minutes = rng.uniform(0.2, 1.0) * expected
                    escorts = [] if loc.supervised else [rng.choice(staff_ids)]
                    loc_id = loc.id
                back_t = t + minutes * 60
                if back_t >= span - 60:
                    break
                who = escorts[0] if escorts else rng.choice(staff_ids)
                timeline.append((at(t), "move", who, {"student": s, "to": loc_id, "with": escorts}, False))
                timeline.append((at(back_t), "back", rng.choice(staff_ids), {"student": s}, False))
                t = back_t
        # Today's changes: assignments (covering breaks, pull-outs, a sub's day).
        for _ in range(rng.randint(20, 40)):
            t = rng.uniform(0, span - 1800)
            staff = rng.choice(staff_ids)
            until = at(t + rng.choice((15, 20, 30, 45, 60)) * 60) if rng.random() < 0.7 else None
            timeline.append((at(t), "assign", rng.choice(staff_ids), {
                "staff": staff, "students": rng.sample(students, rng.randint(0, 3)),
                "at": rng.choice([None, None] + [loc.id for loc in out_locs[:6]] + in_room[:2]),
                "activity": rng.choice(ACTIVITIES),
                "until": until.isoformat(timespec="minutes") if until else None}, False))
        # An adult out about one day in ten, the sub covering (a one-to-one's sub follows the student).
        if rng.random() < 0.1:
            out = rng.choice([s for s in staff_ids if s != "SUB"])
            timeline.append((at(rng.uniform(-1800, 600)), "absent", "MR" if out != "MR" else "JT",
                             {"staff": out, "sub": "SUB" if rng.random() < 0.8 else None, "until": None}, False))
        # Tasks: a dozen new ones a day, most done within a few days.
        for _ in range(rng.randint(8, 16)):
            t = rng.uniform(0, span)
            due = None
            if rng.random() < 0.6:
                due = (at(t) + timedelta(hours=rng.choice((1, 2, 4, 24, 48)))).isoformat(timespec="minutes")
            timeline.append((at(t), "task.add", rng.choice(staff_ids), {
                "text": rng.choice(TASK_TEXTS), "for": rng.choice([None] + staff_ids), "due": due}, True))

        timeline.sort(key=lambda x: x[0])
        for when, type, staff, payload, task in timeline:
            ev = self.emit(type, staff, payload, when, task)
            if type == "task.add":
                if rng.random() < 0.002:  # a handful stay open all year
                    continue
                self.open_tasks.append((ev, d + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3, 4)))))
            # Mistakes: ~2% of entries are undone by their author a minute or so later.
            if rng.random() < 0.02 and type != "task.add":
                later = when + timedelta(seconds=rng.randint(10, 120))
                self.emit("retract", staff, {"target": ev.id}, later, type in TASK_TYPES)

        # Now and then a task done weeks ago turns out not to be (its done undone today, in this
        # month's task folder): it is open again and done the next school day.
        if len(self.done_tasks) > 400 and rng.random() < 0.1:
            add, done = self.done_tasks.pop(rng.randrange(len(self.done_tasks) - 300))
            self.emit("retract", done.staff, {"target": done.id}, at(rng.uniform(0, span - 3600)), True)
            self.open_tasks.append((add, d + timedelta(days=1)))
        # Finish the tasks due to be done today (or, on the last day, whatever is due by then).
        keep = []
        for ev, done_day in self.open_tasks:
            if done_day <= d or (d == last_day and done_day <= d + timedelta(days=1)):
                when = max(ev.time + timedelta(minutes=5), at(rng.uniform(span * 0.5, span - 60)))
                if when.date() != d:
                    when = at(span - 60)
                done = self.emit("task.done", rng.choice(staff_ids), {"task": ev.id}, when)
                if rng.random() < 0.02:  # "oops, not done yet" — undone; the task re-opens
                    self.emit("retract", done.staff, {"target": done.id}, when + timedelta(seconds=30), True)
                    keep.append((ev, d + timedelta(days=1)))
                else:
                    self.done_tasks.append((ev, done))
            else:
                keep.append((ev, done_day))
        self.open_tasks = keep

    def write(self) -> int:
        size = 0
        for path, docs in self.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            docs.sort(key=lambda doc: doc["written"])  # a writer appends in its own clock order
            data = {"_default": {str(i): doc for i, doc in enumerate(docs, 1)}}
            raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
            path.write_bytes(raw)
            size += len(raw)
        return size


def make_year(root: str | Path, days: int = 180, now: datetime | str | None = None, seed: int = 12,
              *, quiet: bool = True, data: bool = True, legacy_log: bool = False) -> int:
    """Write a data folder with `days` school days of events into `root`; returns the event count.

    Refuses to write into a folder that already has a journal with events (so a year is never doubled).
    """
    root = Path(root)
    if now is None:
        now = os.environ.get("PARATUI_NOW") or DEFAULT_NOW
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    journal = root / "journal"
    if journal.is_dir() and any(journal.rglob("*.json")):
        raise SystemExit(f"{journal} already holds events; use an empty folder")
    copy_demo(root)
    import tomllib

    classroom = parse_classroom(tomllib.loads((root / "classroom.toml").read_text(encoding="utf-8")))
    if data:
        from paratui.store.folder import DataFolder

        classroom = DataFolder(root).load(now.date()).classroom  # with students/*.toml's goals
    year = _Year(root, random.Random(seed), classroom)
    year.legacy_log = legacy_log
    day_list = school_days(now, days)
    for i, d in enumerate(day_list):
        year.day(d, day_list[-1])
        if data:
            year.data_day(d, i / max(1, len(day_list) - 1))
    size = year.write()
    if not quiet:
        print(f"{root}: {year.count} events in {len(year.files)} files, {size / 2**20:.1f} MiB, "
              f"{len(day_list)} school days {day_list[0]} … {day_list[-1]}, "
              f"{len(year.open_tasks)} tasks still open")
    return year.count


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir")
    p.add_argument("--days", type=int, default=180)
    p.add_argument("--now", default=os.environ.get("PARATUI_NOW") or DEFAULT_NOW,
                   help="the classroom clock (default $PARATUI_NOW or %(default)s)")
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--no-data", action="store_true", help="leave out the quick-logging data (goals, ABC, timers)")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    make_year(a.dir, a.days, a.now, a.seed, quiet=False, data=not a.no_data)
    print(f"generated in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
