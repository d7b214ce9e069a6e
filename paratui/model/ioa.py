"""Inter-observer agreement (IOA): a second adult records the same session (`paratui log --ioa`),
and the two records are compared (Cooper, Heron & Heward, *Applied Behavior Analysis*). Pure:
entries in, agreement out. IOA observations never count in the goal's own data
(paratui.model.datalog leaves them out where every figure reads its entries).

The measures, each in percent:
  total count: the smaller count ÷ the larger × 100 (both 0: 100%);
  exact count-per-interval (tallies): the session cut into fixed bins (the goal's
    `interval_seconds`, else 1 minute) from the first entry of either record to the last; bins
    where both recorded exactly the same count ÷ all bins × 100. A tally entered as one count of
    more than 1 (a day's tally, no time per count) cannot be binned: total count stands instead;
  trial-by-trial (trials; task analysis, step by step): trials scored the same (the n-th trial
    against the n-th: the same + or - at the same prompt level) ÷ trials × 100, over the longer
    record (a trial only one observer has is a disagreement);
  interval-by-interval (interval, mts): intervals scored the same (n-th against n-th) ÷ intervals
    × 100; an interval either observer left `missed` is left out (and counted);
  total duration (duration): the shorter total time of the session ÷ the longer × 100 (both 0:
    100%), the mean duration-per-occurrence beside it in the check's note;
  mean duration-per-occurrence (latency): each occurrence's shorter ÷ longer × 100, averaged over
    the longer record's occurrences (one only one observer timed: 0%).

Pairing: an IOA observation is one IOA observer's entries of one goal on one day (in one session:
the payload's `session` when the entries have one; else a sitting, entries no more than
SITTING_GAP apart). It pairs with the primary observer's record of that session: the non-IOA
entries of the same student and goal by a **different** adult, with the same `session` id when
both have one, else on the same day whose time (first to last entry, each widened by SLACK)
overlaps the IOA observation's (the most overlap, then the nearest start). One with no partner is
listed as not paired and checks nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

from paratui.model.datalog import Entry, GoalSummary, entries, is_ioa
from paratui.model.events import Event, live_events
from paratui.model.goals import TIMED, Goal, StudentPlan

SITTING_GAP = timedelta(minutes=30)  # one adult's entries of a goal further apart: two sittings
SLACK = timedelta(minutes=15)  # two records' times overlap when they do, each widened by this
BIN = timedelta(minutes=1)  # exact count-per-interval's bins (a goal's interval_seconds, if it has one)
STANDARD_SHARE = 20.0  # the field's standard: at least 20% of sessions checked ...
STANDARD_MEAN = 80.0  # ... at a mean agreement of at least 80%

TOTAL, EXACT = "total count", "exact count-per-interval"
TRIAL, INTERVAL, DURATION = "trial-by-trial", "interval-by-interval", "mean duration-per-occurrence"
TOTAL_DURATION = "total duration"


def measure_of(kind: str) -> str | None:
    """The measure that fits a goal kind (None: an ABC goal, not checked by IOA)."""
    return {"tally": EXACT, "trials": TRIAL, "task_analysis": TRIAL, "interval": INTERVAL,
            "mts": INTERVAL, "duration": TOTAL_DURATION}.get(kind, DURATION if kind in TIMED else None)


@dataclass(frozen=True)
class Record:
    """One observer's record of one session of a goal."""

    day: date
    staff: str | None
    session: str | None  # the entries' `session` id, when they have one
    items: tuple[Entry, ...]

    @property
    def start(self) -> datetime:
        return self.items[0].time

    @property
    def end(self) -> datetime:
        return self.items[-1].time


@dataclass(frozen=True)
class Check:
    """One IOA observation and the primary record it pairs with: the agreement by `measure`."""

    ioa: Record
    primary: Record
    measure: str  # the one used (a tally with no time per count: total count)
    agreement: float  # percent
    agreed: int  # trials, intervals or bins scored the same (total count: 0)
    compared: int  # of these (total count: 0)
    total_count: float | None = None  # tallies: total count IOA beside it
    left_out: int = 0  # intervals left out: `missed` by either observer
    note: str = ""

    @property
    def day(self) -> date:
        return self.primary.day


@dataclass(frozen=True)
class GoalIOA:
    goal: Goal
    measure: str
    sessions: int  # the goal's sessions in the range
    checks: tuple[Check, ...]
    unpaired: tuple[tuple[Record, str], ...]  # an IOA observation with no primary record, and why

    @property
    def checked(self) -> int:
        """Sessions with at least one IOA check (two observers on one session count it once)."""
        return len({c.day for c in self.checks})

    @property
    def share(self) -> float | None:
        return 100.0 * self.checked / self.sessions if self.sessions else None

    @property
    def mean(self) -> float | None:
        return sum(c.agreement for c in self.checks) / len(self.checks) if self.checks else None

    @property
    def low(self) -> float | None:
        return min((c.agreement for c in self.checks), default=None)

    @property
    def high(self) -> float | None:
        return max((c.agreement for c in self.checks), default=None)

    @property
    def meets_standard(self) -> bool | None:
        """At least STANDARD_SHARE of sessions checked at a mean of at least STANDARD_MEAN (None:
        no sessions)."""
        if not self.sessions:
            return None
        mean = self.mean
        return (self.share or 0.0) >= STANDARD_SHARE and mean is not None and mean >= STANDARD_MEAN

    @property
    def flag(self) -> str:
        """"IOA below the field's standard: 2 of 14 sessions checked (14%)", or ""."""
        if self.meets_standard is not False:
            return ""
        why = []
        if (self.share or 0.0) < STANDARD_SHARE:
            why.append(f"{self.checked} of {self.sessions} sessions checked ({self.share or 0.0:.0f}%)")
        mean = self.mean
        if mean is not None and mean < STANDARD_MEAN:
            why.append(f"mean agreement {mean:.0f}% (under {STANDARD_MEAN:.0f}%)")
        return "IOA below the field's standard: " + "; ".join(why)


# -- the measures ---------------------------------------------------------------------------------

def total_count(a: float, b: float) -> float:
    """Total count IOA: the smaller ÷ the larger × 100; 100 when both are 0."""
    if a == b:
        return 100.0
    return 100.0 * min(a, b) / max(a, b)


def exact_count_per_interval(a: Iterable[tuple[datetime, float]], b: Iterable[tuple[datetime, float]],
                             width: timedelta = BIN) -> tuple[int, int]:
    """(bins with exactly the same count, all bins): fixed bins of `width` from the first time of
    either record (to the bin's start: whole minutes for 1-minute bins) to the last."""
    xs, ys = list(a), list(b)
    if not xs and not ys:
        return 0, 0
    first = min(t for t, _ in xs + ys)
    origin = first - timedelta(seconds=first.second, microseconds=first.microsecond) if width >= BIN else first
    last = max(t for t, _ in xs + ys)
    bins = int((last - origin) / width) + 1
    ca: defaultdict[int, float] = defaultdict(float)
    cb: defaultdict[int, float] = defaultdict(float)
    for counter, items in ((ca, xs), (cb, ys)):
        for t, n in items:
            counter[int((t - origin) / width)] += n
    return sum(ca[i] == cb[i] for i in range(bins)), bins


def by_position(a: list[object], b: list[object]) -> tuple[int, int]:
    """(the n-th against the n-th scored the same, the longer record's length)."""
    return sum(x == y for x, y in zip(a, b)), max(len(a), len(b))


def intervals(a: list[str | None], b: list[str | None]) -> tuple[int, int, int]:
    """Interval-by-interval: (scored the same, intervals compared, left out as missed by either)."""
    n = max(len(a), len(b))
    pairs = [(a[i] if i < len(a) else None, b[i] if i < len(b) else None) for i in range(n)]
    out = sum(1 for x, y in pairs if "missed" in (x, y))
    return sum(1 for x, y in pairs if x == y and x in ("+", "-")), n - out, out


def duration_per_occurrence(a: list[float], b: list[float]) -> float:
    """Each occurrence's shorter ÷ longer × 100 (both 0: 100), averaged over the longer record."""
    n = max(len(a), len(b))
    if not n:
        return 100.0
    return sum(total_count(x, y) for x, y in zip(a, b)) / n


def _count(x: Entry) -> float:
    return x.count if x.count is not None else 1.0


def _trial(x: Entry, independent: str) -> tuple[str | None, str | None]:
    """A trial as scored: its value and prompt level (a bare + is independent)."""
    return x.value, (x.prompt or (independent if x.value == "+" else None))


def compare(goal: Goal, ioa: Record, primary: Record, independent: str = "I") -> Check:
    """The agreement of an IOA record with the primary's, by the measure that fits the goal."""
    a, b = list(primary.items), list(ioa.items)
    if goal.kind == "tally":
        tc = total_count(sum(map(_count, a)), sum(map(_count, b)))
        if any(_count(x) > 1 for x in a + b):
            return Check(ioa, primary, TOTAL, tc, 0, 0, tc,
                         note="a count of more than 1 in one entry (no time per count): total count")
        width = timedelta(seconds=goal.interval_seconds) if goal.interval_seconds else BIN
        same, bins = exact_count_per_interval([(x.time, _count(x)) for x in a], [(x.time, _count(x)) for x in b],
                                              width)
        return Check(ioa, primary, EXACT, 100.0 * same / bins if bins else 100.0, same, bins, tc)
    if goal.kind == "trials":
        sa = [_trial(x, independent) for x in a if x.value in ("+", "-")]
        sb = [_trial(x, independent) for x in b if x.value in ("+", "-")]
        same, n = by_position(list(sa), list(sb))
        return Check(ioa, primary, TRIAL, 100.0 * same / n if n else 100.0, same, n)
    if goal.kind == "task_analysis":
        def steps(xs: list[Entry]) -> dict[tuple[int | None, int], tuple[str | None, str | None]]:
            seen: Counter[int | None] = Counter()
            out = {}
            for x in xs:
                seen[x.step] += 1
                out[(x.step, seen[x.step])] = (x.value, x.prompt if x.value != "-" else None)
            return out
        pa, pb = steps(a), steps(b)
        keys = set(pa) | set(pb)
        same = sum(1 for k in keys if k in pa and k in pb and pa[k] == pb[k])
        return Check(ioa, primary, TRIAL, 100.0 * same / len(keys) if keys else 100.0, same, len(keys),
                     note="step by step")
    if goal.kind in ("interval", "mts"):
        same, n, out = intervals([x.value for x in a], [x.value for x in b])
        return Check(ioa, primary, INTERVAL, 100.0 * same / n if n else 100.0, same, n, left_out=out,
                     note=f"{out} missed left out" if out else "")
    da = [x.seconds for x in a if x.seconds is not None]
    db = [x.seconds for x in b if x.seconds is not None]
    if goal.kind == "duration":
        per = duration_per_occurrence(da, db)
        return Check(ioa, primary, TOTAL_DURATION, total_count(sum(da), sum(db)), 0, 0,
                     note=f"primary {sum(da):g} s, IOA {sum(db):g} s; mean duration-per-occurrence {per:.0f}%")
    return Check(ioa, primary, DURATION, duration_per_occurrence(da, db), 0, max(len(da), len(db)))


# -- pairing --------------------------------------------------------------------------------------

def _records(items: list[Entry], session: Mapping[str, str]) -> list[Record]:
    """Entries of one goal grouped by day, adult and session id (or sitting: no more than
    SITTING_GAP between two entries)."""
    groups: dict[tuple[date, str | None, str | None], list[Entry]] = defaultdict(list)
    for x in items:
        groups[(x.time.date(), x.staff, session.get(x.id))].append(x)
    out = []
    for (day, staff, sid), xs in groups.items():
        if sid is not None:
            out.append(Record(day, staff, sid, tuple(xs)))
            continue
        run = [xs[0]]
        for x in xs[1:]:
            if x.time - run[-1].time > SITTING_GAP:
                out.append(Record(day, staff, None, tuple(run)))
                run = []
            run.append(x)
        out.append(Record(day, staff, None, tuple(run)))
    return sorted(out, key=lambda r: (r.start, r.staff or ""))


def _overlap(a: Record, b: Record) -> timedelta:
    """How long the two records' times overlap, each widened by SLACK (negative: apart)."""
    return min(a.end, b.end) + SLACK - (max(a.start, b.start) - SLACK)


def pair(ioa: Record, primaries: list[Record]) -> tuple[Record | None, str]:
    """The primary record an IOA observation checks, or None and why."""
    others = [p for p in primaries if p.day == ioa.day and p.staff != ioa.staff]
    if ioa.session is not None:
        same = [p for p in others if p.session == ioa.session]
        if same:
            return max(same, key=lambda p: len(p.items)), ""
    near = [p for p in others if _overlap(ioa, p) >= timedelta(0)]
    if near:
        return max(near, key=lambda p: (_overlap(ioa, p), -abs((p.start - ioa.start).total_seconds()))), ""
    if any(p.day == ioa.day and p.staff == ioa.staff for p in primaries) and not others:
        return None, "the same adult recorded the session: IOA needs a second observer"
    if not others:
        return None, "no primary record of the goal that day"
    return None, "no primary record at that time (another adult's that day is more than 15 min apart)"


def agreement(plan: StudentPlan, events: Iterable[Event], summaries: Iterable[GoalSummary],
              independent: str = "I", start: date | None = None, end: date | None = None) -> list[GoalIOA]:
    """Per goal summarised (not ABC goals), its IOA checks between `start` and `end`."""
    events = list(events)
    live = [e for e in live_events(e for e in events if e.type in ("data", "retract"))
            if e.type == "data" and e.payload.get("student") == plan.student]
    flagged = {e.id for e in live if is_ioa(e)}
    session = {e.id: str(e.payload["session"]) for e in live
               if isinstance(e.payload.get("session"), (str, int)) and not isinstance(e.payload.get("session"), bool)}
    every = [x for x in entries(events, plan, plan.student, with_ioa=True)  # no IOA at all: nothing to pair
             if (start is None or x.time.date() >= start) and (end is None or x.time.date() <= end)] if flagged else []
    out = []
    for s in summaries:
        g = s.goal
        measure = measure_of(g.kind)
        if measure is None:
            continue
        mine = [x for x in every if x.goal == g.id and x.kind == g.kind]
        primaries = _records([x for x in mine if x.id not in flagged], session)
        checks, unpaired = [], []
        for r in _records([x for x in mine if x.id in flagged], session):
            p, why = pair(r, primaries)
            if p is None:
                unpaired.append((r, why))
            else:
                checks.append(compare(g, r, p, independent))
        out.append(GoalIOA(g, measure, len(s.sessions), tuple(checks), tuple(unpaired)))
    return out


def ioa_ids(events: Iterable[Event]) -> set[str]:
    """The ids of the IOA observations among the events."""
    return {e.id for e in events if is_ioa(e)}
