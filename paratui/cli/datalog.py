"""Quick data logging for IEP goals and behaviors: `log`, `abc`, `timer start|stop`, `session start|end`;
a goal's `phase`."""

from __future__ import annotations

import argparse

from paratui.cli.common import Commands, command, group
from paratui.cli.write import writes
from paratui.model.commands import Change, Context
from paratui.store.room import Room

SESSION_HELP = ("the observation session it belongs to (the id `session start` printed, or its first 6+ "
                "characters); default: your open session of this goal, else the day's implied one")
AT_HELP = ("a late entry (paper data): when the observation was made; the entry keeps when it was entered "
           "(not in the future, at most a year back)")


def add_log(sub: Commands) -> None:
    lg = command(sub, "log", "record one observation for a student's IEP goal (students/ID.toml)",
                 "paratui log K.B. coins + --prompt V --as JT", writes(_log))
    lg.add_argument("student", help="student id or initials")
    lg.add_argument("goal", help="the goal's id in students/ID.toml")
    lg.add_argument("value", nargs="?", help="+ or - (trials, interval, mts; `missed`), a count (tally; default 1; "
                    "0: observed, none), seconds (duration, latency: 90, 1:30, 2m), a step's prompt level or - "
                    "(task analysis)")
    lg.add_argument("--prompt", metavar="CODE", help="prompt level (the room's codes, e.g. FP PP M G V I)")
    lg.add_argument("--step", metavar="N", help="task analysis: the step's number or name (default: the next)")
    lg.add_argument("--note", metavar="TEXT", help="a short note")
    lg.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help=AT_HELP)
    lg.add_argument("--ioa", action="store_true",
                    help="an inter-observer agreement observation: a second adult's record of the same session, "
                    "compared with the primary observer's in the report; never counted in the goal's data")
    lg.add_argument("--session", metavar="ID", help=SESSION_HELP)


def _log(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.log(ctx, args.student, args.goal, args.value, args.prompt, args.note, args.step, args.at,
                             args.session, args.ioa)


def add_abc(sub: Commands) -> None:
    ac = command(sub, "abc", "record an ABC (antecedent, behavior, consequence) for a student",
                 "paratui abc R.N. --behavior elopement --antecedent 'Task demand' --consequence 2 --as DP",
                 writes(_abc))
    ac.add_argument("student", help="student id or initials")
    ac.add_argument("--behavior", required=True, metavar="B",
                    help="one of the student's behaviors (id, name or number)")
    ac.add_argument("--antecedent", metavar="A", help="from the behavior's pick list (text or number), or other text")
    ac.add_argument("--consequence", metavar="C", help="from the pick list (text or number), or other text")
    ac.add_argument("--setting", metavar="S", help="from the pick list (text or number), or other text")
    ac.add_argument("--note", metavar="TEXT", help="a short note (intensity, duration…)")
    ac.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help=AT_HELP)


def _abc(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.abc(ctx, args.student, args.behavior, args.antecedent, args.consequence, args.setting,
                             args.note, args.at)


def add_timer(sub: Commands) -> None:
    tm = group(sub, "timer", "start or stop a duration / latency timer", "start or stop a duration / latency "
               "timer (the board's `t` stops one)", (
                   ("paratui timer start R.N. tantrum --as DP", "the tantrum starts"),
                   ("paratui timer stop R.N. tantrum --as DP", "it is over: its duration is recorded"),
                   ("paratui timer stop R.N. tantrum --end 14:20 --as DP", "left running: it really stopped at 14:20")))
    tmsub = tm.add_subparsers(metavar="ACTION", required=True)
    ts = command(tmsub, "start", "start the timer for a student's duration or latency goal",
                 "paratui timer start R.N. tantrum --as DP", writes(_timer_start))
    ts.add_argument("student", help="student id or initials")
    ts.add_argument("goal", help="a duration or latency goal's id")
    ts.add_argument("--session", metavar="ID", help=SESSION_HELP)
    tp = command(tmsub, "stop", "stop the timer for a student's duration or latency goal (one left running since "
                 "an earlier day: with --end, when it really stopped)",
                 "paratui timer stop R.N. tantrum --end 14:20 --as DP", writes(_timer_stop))
    tp.add_argument("student", help="student id or initials")
    tp.add_argument("goal", help="a duration or latency goal's id")
    tp.add_argument("--end", metavar="'[YYYY-MM-DD] HH:MM'",
                    help="a corrected end: when the timer should have stopped (HH:MM: on the day it started)")


def _timer_start(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.timer_start(ctx, args.student, args.goal, args.session)


def _timer_stop(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.timer_stop(ctx, args.student, args.goal, args.end)


def add_session(sub: Commands) -> None:
    se = group(sub, "session", "start or end an observation session of a student's goal",
               "start or end an observation session (a start, an end, an observer and a "
               "setting: reports give its minutes observed and, for a tally, its rate)", (
                   ("paratui session start I.F. hands --setting 'Math block' --as JT", "prints the session's id"),
                   ("paratui session end I.F. hands --as JT", "")))
    sesub = se.add_subparsers(metavar="ACTION", required=True)
    ss = command(sesub, "start", "begin an observation session; prints its id",
                 "paratui session start I.F. hands --setting 'Math block' --as JT", writes(_session_start))
    ss.add_argument("student", help="student id or initials")
    ss.add_argument("goal", help="the goal's id in students/ID.toml")
    ss.add_argument("--setting", metavar="S", help="where, or in which activity, the student is observed")
    ss.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="a session typed in later: when it began")
    sd = command(sesub, "end", "end your open observation session of a goal",
                 "paratui session end I.F. hands --as JT", writes(_session_end))
    sd.add_argument("student", help="student id or initials")
    sd.add_argument("goal", help="the goal's id in students/ID.toml")
    sd.add_argument("--session", metavar="ID", help="end this one (another adult's, say)")
    sd.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="a session typed in later: when it ended")


def _session_start(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.session_start(ctx, args.student, args.goal, args.setting, args.at)


def _session_end(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.session_end(ctx, args.student, args.goal, args.session, args.at)


def add_phase(sub: Commands) -> None:
    ph = command(sub, "phase", "start a new phase on a student's goal (a condition line on its charts; the "
                 "trend is over the current phase); the teacher's change",
                 "paratui phase K.B. coins 'Token board' --kind intervention --as MR", writes(_phase))
    ph.add_argument("student", help="student id or initials")
    ph.add_argument("goal", help="the goal's id in students/ID.toml")
    ph.add_argument("name", help="the phase's name, as the chart labels its condition line")
    ph.add_argument("--kind", default="intervention", metavar="K",
                    help="baseline, intervention (default), maintenance or generalisation")


def _phase(room: Room, ctx: Context, args: argparse.Namespace) -> Change:
    from paratui.model import data_commands  # not at import: `paratui report` never needs it

    return data_commands.phase(ctx, args.student, args.goal, args.name, args.kind)
