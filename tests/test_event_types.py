"""Every event type is declared once, whole (paratui.model.event_types), and the tables that used to
be kept by hand follow from the declarations: what the command layer writes, what access checks on
read, and docs/events.md."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from paratui.model import access, event_types
from paratui.model.classroom import parse_classroom
from paratui.model.event_types import BY_NAME, STREAMS, TYPES, EventType
from paratui.model.events import Event
from paratui.store import paths

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"id", "ids", "text", "time", "num", "id?", "ids?", "text?", "time?", "num?", "flag?"}
NOW = datetime(2026, 11, 23, 10, 15)


def test_a_declaration_has_every_part():
    names = [f.name for f in dataclasses.fields(EventType)]
    assert names[:9] == ["name", "doc", "payload", "stream", "action", "refers", "folded_by", "commands", "reads"]
    assert len({t.name for t in TYPES}) == len(TYPES) == len(BY_NAME)


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.name)
def test_each_type_is_declared_whole(kind: EventType):
    assert kind.name and kind.doc
    assert kind.payload and all(shape in KINDS and meaning for shape, meaning in kind.payload.values())
    assert kind.stream in STREAMS
    assert kind.action in access.ACTIONS  # a rule a role can be given, not a family
    if kind.other is not None:
        assert kind.other[0] in kind.payload and kind.other[1] in access.ACTIONS
    # what it refers to: explicitly None, or a required id in its payload
    assert kind.refers is None or kind.payload[kind.refers][0] == "id"
    importlib.import_module(kind.folded_by)
    assert kind.commands and all(c.replace(" ", "").replace("-", "").isalpha() for c in kind.commands)
    said = kind.reads({}, _Nobody())
    assert isinstance(said, str) and said


class _Nobody:
    """Words that know no names: a read-back must still say something."""

    by = "someone"
    day = NOW.date()

    def adult(self, *_: object) -> str:
        return "someone"

    kid = place = task = change = adult

    def place_kind(self, *_: object) -> None:
        return None

    event = said = step = behavior = place_kind


def _written_types() -> set[str]:
    """The event types paratui writes: the first argument of every `_change(ctx, TYPE…)`,
    `Change(TYPE…)` and `….record(TYPE…)` in the source (a name is looked up in its module)."""
    found: set[str] = set()
    for path in sorted((ROOT / "paratui").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            args = node.args[1:] if name == "_change" else node.args if name in ("Change", "record") else []
            if not args:
                continue
            arg = args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
            elif isinstance(arg, ast.Name):
                value = getattr(importlib.import_module(module), arg.id, None)
                if isinstance(value, str):
                    found.add(value)
    return found


def test_every_type_the_command_layer_writes_is_declared_and_every_declared_one_is_written():
    written = _written_types()
    assert {"move", "task.add", "data", "day.change", "retract"} <= written  # the scan sees them
    assert written == set(BY_NAME)


def test_the_derived_tables_follow_the_declarations():
    from paratui.model import events

    assert set(events.PAYLOADS) == set(events.EVENT_TYPES) == set(BY_NAME)
    assert set(events.TASK_TYPES) == {t.name for t in TYPES if t.stream == event_types.TASKS}
    assert set(events.DATA_TYPES) == {t.name for t in TYPES if t.stream == event_types.LOG}
    assert set(event_types.COMMANDS) >= {"move", "task add", "timer stop", "log", "undo"}


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.name)
def test_access_checks_every_declared_type_on_read(kind: EventType):
    """Leave a type out of the check and its writer's role is silently never checked: a para who
    may do nothing has every event refused, whatever its type."""
    raw = tomllib.loads((paths.demo_data() / "classroom.toml").read_text())
    raw["access"] = {"roles": {"para": []}}
    classroom = parse_classroom(raw)
    assert kind.name in access._CHECKED
    payload = {k: "S01" if k == "student" else "x" for k in kind.required}
    e = Event("e1", kind.name, NOW, 0, "JT", "jthomas", "room12", payload)
    refused = access.refused_events([e], classroom, None)
    assert "e1" in refused and "a para may not" in refused["e1"]


def test_docs_events_md_is_the_generated_table():
    """Regenerate with the command on the file's first line."""
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    assert text == event_types.markdown_table()
    assert text.splitlines()[0].startswith("<!-- generated: ")


def _literals(path: Path) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)}


ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text()
COMMAND_FILES = [ROOT / "paratui/model/commands.py", ROOT / "paratui/model/data_commands.py"]


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.name)
def test_a_type_lives_in_the_files_architecture_md_names(kind: EventType):
    """ARCHITECTURE.md's "Adding an event type": the declaration, its fold, its command and how
    people give it (a sub-command in paratui/cli/), and nothing more for any declared type."""
    from paratui.cli import build_parser

    fold = ROOT / (kind.folded_by.replace(".", "/") + ".py")
    assert f"`{fold.name}`" in ARCHITECTURE or f"`paratui/model/{fold.name}`" in ARCHITECTURE
    writers = [p for p in [*COMMAND_FILES, ROOT / "paratui/model/event_types.py"] if kind.name in _literals(p)]
    assert writers, f"{kind.name}: no command in {', '.join(p.name for p in COMMAND_FILES)} writes it"
    for command in kind.commands:
        parser = build_parser()
        for word in command.split():  # down the sub-commands: "task add" is `task`, then `add`
            [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            parser = sub.choices[word]
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parsers = [parser] if not subs else list(subs[0].choices.values())  # `change` has one per kind
        for p in parsers:
            module = p.get_default("run").__module__
            assert module.startswith("paratui.cli."), f"{command}: handled in {module}, not paratui/cli/"
