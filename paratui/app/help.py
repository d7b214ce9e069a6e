"""The help page, made from the same list of actions as the key bindings (so it cannot drift)."""

from __future__ import annotations

from paratui.app.actions import ACTIONS, BoardAction


def help_markdown(actions: tuple[BoardAction, ...] = ACTIONS) -> str:
    rows = "\n".join(f"| `{a.key_label}` | {a.title} | {a.help} |" for a in actions)
    return f"""# paratui — keys

| key | action | what it does |
| --- | --- | --- |
{rows}
| `ctrl+p` | Command palette | Every action by name; also themes |
| `tab` | Next pane | Move between the panes; ↑ ↓ PgUp PgDn scroll the one with the focus |

In a picker every choice has its own key: **m 1 b** announces "taking student 1 to the bathroom".
Escape closes a picker or page. Every change is saved the moment you make it; `u` undoes your own last.

**On the board:** students are shown by initials only. *Out of room* lists students a move took out
and for how long; below it, dimmed and not timed, who today's assign sent out with an adult (since
when) and who the schedule places elsewhere now (a gen-ed class, lunch). The alarm colour (red): out
longer than expected (OVER), a student with no adult (UNCOVERED), an overdue task. A running timer's
m:ss has a colour of its own: it is not an alarm. On a small screen the binder tab is left out: `p`
opens it. The bottom bar shows the keys that fit; `?` lists them all.
"""
