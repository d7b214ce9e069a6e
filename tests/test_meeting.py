"""The Friday meeting's agenda, prefilled from the week (paratui meeting)."""

from __future__ import annotations

from tests.helpers import run_cli


def test_the_agenda_has_the_weeks_kudos_feedback_student_updates_and_next_week(room_dir):
    def at(when: str) -> dict:
        return {"PARATUI_NOW": when}

    run_cli("note", "Thanks for covering lunch [b]!![/b]", "--to", "AL", "--kind", "kudos", "--as", "JT",
            data=room_dir, check=True, env=at("2026-11-17T12:00"))
    run_cli("note", "# Please tell me earlier about changes", "--to", "MR", "--kind", "feedback", "--as", "AL",
            data=room_dir, check=True, env=at("2026-11-18T15:00"))
    run_cli("note", "K.B. was proud of the coin game", "--about", "KB", "--to", "MR", "--as", "JT",
            data=room_dir, check=True, env=at("2026-11-19T10:00"))
    run_cli("log", "K.B.", "coins", "+", "--prompt", "I", "--as", "JT", data=room_dir, check=True,
            env=at("2026-11-19T10:05"))
    run_cli("abc", "R.N.", "--behavior", "elopement", "--antecedent", "1", "--consequence", "1", "--as", "DP",
            data=room_dir, check=True, env=at("2026-11-19T11:00"))
    run_cli("task", "add", "Send home the field trip form", "--for", "AL", "--due", "2026-11-24", "--as", "MR",
            data=room_dir, check=True, env=at("2026-11-20T09:00"))
    out = run_cli("meeting", "--week", "2026-11-20", data=room_dir, check=True, env=at("2026-11-20T15:00")).stdout
    assert out.startswith("# Friday meeting — week of Monday 16 November 2026")
    well = out.split("## 2.")[0]
    assert "Mr. T → Ms. L: Thanks for covering lunch \\[b\\]!!\\[/b\\]" in well  # shown literally
    assert "Ms. L → Ms. R: \\# Please tell me earlier" in well
    kb = out.split("### K.B.")[1].split("###")[0]
    assert "K.B. was proud of the coin game" in kb and "Counts coins to $1.00: 1 session this week" in kb
    assert "1 ABC record" in out.split("### R.N.")[1].split("###")[0]
    ahead = out.split("## 3.")[1]
    assert "task due Tue: Send home the field trip form (Ms. L)" in ahead
    assert "## Action items" in out
    bad = run_cli("meeting", "--week", "soon", data=room_dir)
    assert bad.returncode == 2 and "--week" in bad.stderr
