"""The help page, made from the same list of actions as the key bindings (so it cannot drift)."""

from __future__ import annotations


def help_markdown(actions: list[tuple[str, str, str, str]]) -> str:
    rows = "\n".join(
        f"| `{'?' if key == 'question_mark' else key}` | {title} | {text} |" for _, key, title, text in actions)
    return f"""# paratui — keys

| key | action | what it does |
| --- | --- | --- |
{rows}
| `ctrl+p` | Command palette | Every action by name; also themes |

In a picker every choice has its own key: **m 1 b** announces "taking student 1 to the bathroom".
Escape closes a picker or page. Every change is saved the moment you make it; `u` undoes your own last.

**On the board:** students are shown by initials only. Yellow: out of the room.
Red: out longer than expected, an overdue task, or a student with no adult.
"""
