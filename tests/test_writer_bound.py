"""Every entry provably from its writer, on one machine (issue 18): an event counts as its journal
file's owner's. A para who appends to their OWN journal file a document claiming to be the teacher
(`staff: "MR"`, the teacher's login) gets it applied nowhere: not on the board, not in reports, not
in history (shown as NOT APPLIED, its target never credited as retracted), and the board names the
file and the reason, never the payload.

The real-account tests use two throwaway OS accounts (a teacher, a para) in one group, sharing a
room made by `paratui init` with `logins` mapped. They need root (useradd, runuser): they skip with
the reason otherwise, and fail under CI.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

import paratui
from paratui.model import access
from paratui.model.classroom import Classroom
from paratui.model.events import Event, Origin
from paratui.store.folder import DataFolder
from paratui.store.journal import new_event
from paratui.store.journal_reader import JournalReader
from tests.helpers import NOW, demo_copy, env_for
from tests.test_trust_journal import _interpreter_for

WHEN = datetime.fromisoformat(NOW)
DAY = NOW[:10]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-account tests of who wrote what: {reason}")
    pytest.skip(reason)


@dataclass
class Team:
    base: Path
    room: Path
    teacher: str
    para: str
    exe: list[str]

    def run(self, user: str, *args: str) -> subprocess.CompletedProcess:
        repo = str(Path(paratui.__file__).resolve().parents[1])
        site = next((p for p in sys.path if p.endswith("site-packages") and Path(p, "tinydb").is_dir()), "")
        settings = {"PYTHONPATH": f"{repo}:{site}", "PYTHONDONTWRITEBYTECODE": "1", "PARATUI_LOGIN": user,
                    "PARATUI_HOST": "ws", "PARATUI_NOW": NOW, "PARATUI_LOCK_WAIT": "1",
                    "HOME": str(self.base / f"home-{user}"), "XDG_CACHE_HOME": str(self.base / f"cache-{user}")}
        argv = ["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in settings.items()), *self.exe, *args]
        return subprocess.run(argv, capture_output=True, text=True, env=env_for("ws", user), timeout=90)

    def ok(self, user: str, *args: str) -> str:
        r = self.run(user, "-m", "paratui", *args, "--data", str(self.room))
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr
        return r.stdout

    def board(self, user: str) -> dict:
        return json.loads(self.ok(user, "board", "--json"))

    def history(self, user: str, *more: str) -> list[dict]:
        return json.loads(self.ok(user, "history", "--format", "json", *more))

    def report_rows(self, user: str) -> list[dict]:
        return list(csv.DictReader(io.StringIO(self.ok(user, "report", "S01", "--format", "csv"))))

    def para_file(self, folder: str) -> Path:
        return self.room / "journal" / folder / f"ws--{self.para}.json"

    def forge(self, folder: str, docs: list[dict]) -> None:
        """As the para: append `docs` by hand to their own journal file in `folder`."""
        path = self.para_file(folder)
        code = (f"import json, os\np = {str(path)!r}\nos.makedirs(os.path.dirname(p), exist_ok=True)\n"
                "old = json.load(open(p))['_default'] if os.path.exists(p) else {}\n"
                f"for d in json.loads({json.dumps(docs)!r}):\n"
                "    old[str(len(old) + 1)] = d\n"
                "tmp = p + '.tmp'\nopen(tmp, 'w').write(json.dumps({'_default': old}))\nos.chmod(tmp, 0o644)\n"
                "os.rename(tmp, p)\n")
        r = self.run(self.para, "-c", code)
        assert r.returncode == 0, r.stderr


@pytest.fixture
def team() -> Iterator[Team]:
    if os.geteuid() != 0:
        _skip_or_fail("needs root to create two OS accounts (useradd, runuser)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "runuser"):
        if shutil.which(tool) is None:
            _skip_or_fail(f"{tool} is not installed")
    tag = uuid.uuid4().hex[:6]
    teacher, para, group = f"ptt{tag}", f"ptp{tag}", f"ptg{tag}"
    base = Path(tempfile.mkdtemp(prefix="paratui-bound-"))  # under /tmp: pytest's tmp is private to root
    os.chmod(base, 0o755)
    made: list[str] = []
    try:
        if subprocess.run(["groupadd", group], capture_output=True).returncode != 0:
            _skip_or_fail("groupadd failed")
        for user in (teacher, para):
            r = subprocess.run(["useradd", "-m", "-d", str(base / f"home-{user}"), "-N", "-g", group,
                                "-s", "/bin/sh", user], capture_output=True, text=True)
            if r.returncode != 0:
                _skip_or_fail(f"useradd failed: {r.stderr.strip()}")
            made.append(user)
        rooms = base / "rooms"
        rooms.mkdir()
        os.chown(rooms, -1, int(subprocess.check_output(["getent", "group", group], text=True).split(":")[2]))
        os.chmod(rooms, 0o2775)
        room = rooms / "room12"
        r = subprocess.run([sys.executable, "-m", "paratui", "init", str(room)], capture_output=True, text=True,
                           env=env_for("ws", "root"), timeout=90)
        assert r.returncode == 0, r.stderr
        toml = room / "classroom.toml"
        text = toml.read_text()
        text = text.replace('logins = ["mrivera"]', f'logins = ["{teacher}"]', 1)
        text = text.replace('logins = ["alopez"]', f'logins = ["{para}"]', 1)
        toml.write_text(text)
        exe = _interpreter_for(para, env_for("ws", para))
        if exe is None:
            _skip_or_fail(f"no Python that account {para} can run with this checkout importable")
        yield Team(base, room, teacher, para, exe or [])
    finally:
        for user in made:
            subprocess.run(["userdel", user], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _doc(type_: str, staff: str | None, payload: dict, login: str) -> dict:
    return new_event(type_, staff, payload, WHEN, login, "ws").to_doc()


def _teacher_entry(team: Team) -> dict:
    team.ok(team.teacher, "log", "S01", "read")
    return next(r for r in team.history(team.teacher) if r["type"] != "retract" and r["staff"] == "MR")


def test_a_para_claiming_to_be_the_teacher_in_their_own_file_is_applied_nowhere(team):
    entry = _teacher_entry(team)
    counted = len(team.report_rows(team.teacher))
    assert counted >= 1
    team.ok(team.para, "move", "S02", "--to", "nurse")  # the para's own entry, as themselves
    assert team.board(team.teacher)["warnings"] == []  # two accounts write, each as themselves
    absent = _doc("absent", "MR", {"staff": "JT", "sub": None, "until": None}, team.teacher)
    retract = _doc("retract", "MR", {"target": entry["id"]}, team.teacher)
    no_one = _doc("absent", None, {"staff": "DP", "sub": None, "until": None}, team.para)
    note = _doc("note", "MR", {"text": "PAYLOAD-NEVER-SHOWN", "to": ["JT"], "kind": "handoff", "urgent": True},
                team.teacher)
    team.forge(DAY, [absent, no_one, note])
    team.forge(f"log/{DAY[:7]}/{DAY[8:]}", [retract])
    assert team.para_file(DAY).stat().st_uid != 0

    state = team.board(team.teacher)
    staff = {s["id"]: s for s in state["staff"]}
    assert staff["JT"]["source"] != "absent" and staff["DP"]["source"] != "absent"
    assert "nurse" in json.dumps(state)  # the para's own entry stands
    warnings = state["warnings"]
    text = "\n".join(warnings)
    assert "PAYLOAD-NEVER-SHOWN" not in json.dumps(state)
    label = f"journal/{DAY}/ws--{team.para}.json"
    want = f"{label}: written by account {team.para}, claims to be MR: absent event {absent['id'][:6]}"
    assert any(w.startswith(want) and w.endswith("not applied") for w in warnings), text
    assert f"{label}: written by account {team.para}, claims to be no one: absent event {no_one['id'][:6]}" in text
    assert f"claims to be MR: note event {note['id'][:6]}" in text
    assert f"claims to be MR: retract event {retract['id'][:6]}" in text

    # the report still counts the teacher's entry: the forged retract undid nothing
    assert len(team.report_rows(team.teacher)) == counted
    for rows in (team.history(team.teacher), team.history(team.teacher, "--date", DAY)):
        shown = {r["id"]: r for r in rows}
        assert shown[retract["id"]]["not_applied"] == f"written by account {team.para}, claims to be MR"
        assert shown[absent["id"]]["not_applied"].startswith(f"written by account {team.para}")
        assert shown[entry["id"]]["retracted_by"] is None
    plain = team.ok(team.teacher, "history")
    assert "NOT APPLIED: written by account" in plain and "retracted by" not in plain
    # the para's own board says the same (every reader screens alike)
    assert want in "\n".join(team.board(team.para)["warnings"])


def test_a_copy_of_the_teachers_entry_in_the_paras_file_takes_nothing_from_it(team):
    entry = _teacher_entry(team)
    [genuine] = [p for p in (team.room / "journal").rglob(f"ws--{team.teacher}.json")]
    doc = next(d for d in json.loads(genuine.read_text())["_default"].values() if d["id"] == entry["id"])
    folder = genuine.parent.relative_to(team.room / "journal").as_posix()
    team.forge(folder, [doc])  # the same document, in a file the para owns
    assert not any("not applied" in w for w in team.board(team.teacher)["warnings"])
    assert next(r for r in team.history(team.teacher) if r["id"] == entry["id"])["not_applied"] is None
    # a different version of the same id, claiming to be written first, does not win over the real one
    forged = {**doc, "written": 1, "payload": {**doc["payload"], "note": "changed"}}
    team.forge(folder, [forged])
    warnings = team.board(team.teacher)["warnings"]
    assert any("with different content; keeping the first-written version" in w and
               f"ws--{team.teacher}.json)" in w for w in warnings), warnings
    assert next(r for r in team.history(team.teacher) if r["id"] == entry["id"])["not_applied"] is None


# -- without accounts: the rule itself, and the folders where ownership proves nothing ------------------
def _classroom(tmp_path: Path, shared: str = '["room12"]') -> Classroom:
    room = demo_copy(tmp_path / "room")
    toml = room / "classroom.toml"
    text = toml.read_text().replace('shared_logins = ["*"]', f"shared_logins = {shared}")
    toml.write_text(text.replace('logins = ["skowalski"]', "logins = []"))  # SK has no login of their own
    return DataFolder(room).load(WHEN.date()).classroom


def _from(owner: str, staff: str | None, login: str, type_: str = "absent") -> Event:
    e = new_event(type_, staff, {"staff": "JT", "sub": None, "until": None}, WHEN, login, "ws")
    e.origin = Origin("journal/2026-11-23/ws--x.json", owner)
    return e


@pytest.mark.parametrize("owner, staff, login, refused", [
    ("mrivera", "MR", "mrivera", None),  # the teacher's own file
    ("alopez", "MR", "mrivera", "written by account alopez, claims to be MR"),
    ("alopez", "MR", "alopez", "written by account alopez, claims to be MR"),
    ("alopez", "AL", "mrivera", "written by account alopez, claims login mrivera"),
    ("alopez", None, "alopez", "written by account alopez, claims to be no one"),
    ("room12", "MR", "room12", None),  # the shared workstation: whoever picked themselves
    ("room12", "MR", "mrivera", "written by account room12, claims login mrivera"),
    ("room12", None, "room12", "written by account room12 (shared), claims to be no one"),
    ("stranger", "MR", "mrivera", "written by account stranger (not in classroom.toml), claims to be MR"),
    ("stranger", "MR", "stranger", "written by account stranger (not in classroom.toml), claims to be MR"),
    ("stranger", "SK", "stranger", None),  # a person with no login of their own: not told apart
    ("stranger", "SK", "", "written by account stranger (not in classroom.toml), claims to be SK"),
])
def test_who_a_file_owner_may_write_as(tmp_path, owner, staff, login, refused):
    c = _classroom(tmp_path)
    assert access.bound_refusal(_from(owner, staff, login), c) == refused


def test_with_every_other_login_shared_an_account_writes_only_under_its_own_login(tmp_path):
    c = _classroom(tmp_path, '["*"]')
    assert access.bound_refusal(_from("kiosk", "AL", "kiosk"), c) is None
    assert access.bound_refusal(_from("kiosk", "AL", "alopez"), c) == "written by account kiosk, claims login alopez"
    assert access.bound_refusal(_from("alopez", "MR", "alopez"), c) == "written by account alopez, claims to be MR"


def test_files_a_sync_tool_owns_are_not_bound_by_their_owner(tmp_path):
    room = demo_copy(tmp_path / "room")
    toml = room / "classroom.toml"
    toml.write_text(toml.read_text().replace('shared_logins = ["*"]',
                                             'shared_logins = ["room12"]\nsync_logins = ["syncthing", "alopez"]'))
    folder = DataFolder(room)
    c = folder.load(WHEN.date()).classroom
    assert c.access.sync_logins == ("syncthing",)  # a person's own account is never the sync tool's
    assert any("access.sync_logins" in w for w in folder.load(WHEN.date()).warnings)
    assert access.bound_refusal(_from("syncthing", "MR", "mrivera"), c) is None
    assert access.bound_refusal(_from("alopez", "MR", "mrivera"), c) == "written by account alopez, claims to be MR"
    assert access.acting(c, "syncthing", "MR").read_only


def test_a_forged_event_is_screened_out_once_for_every_reader(tmp_path):
    c = _classroom(tmp_path)
    good = _from("mrivera", "MR", "mrivera")
    bad = _from("alopez", "MR", "mrivera")
    s = access.screen([good, bad], c, None)
    assert s.events == [good] and set(s.refused) == {bad.id}
    [said] = s.said
    assert said.startswith("journal/2026-11-23/ws--x.json: written by account alopez, claims to be MR: absent event ")
    # a copy of a genuine event in the wrong file takes nothing from it
    copy = _from("alopez", "MR", "mrivera")
    copy.id = good.id
    assert access.screen([good, copy], c, None).refused == {}


def test_in_a_folder_only_one_account_writes_ownership_proves_nothing(tmp_path):
    room = demo_copy(tmp_path / "room")
    journal = room / "journal"
    os.chmod(journal, 0o755)
    e = new_event("absent", "MR", {"staff": "JT", "sub": None, "until": None}, WHEN, "mrivera", "ws")
    day = journal / DAY
    day.mkdir()
    (day / "ws--alopez.json").write_text(json.dumps({"_default": {"1": e.to_doc()}}))
    reader = JournalReader(journal)
    [read] = reader.read([day])[0]
    assert read.origin is None  # a single-owner folder (one person's, the demo room, a sync tool's)
    os.chmod(journal, 0o3775)  # shared by several accounts, as `paratui init` sets it up
    [read] = reader.read([day])[0]
    assert read.origin == Origin(f"journal/{DAY}/ws--alopez.json", _login(os.getuid()))


def _login(uid: int) -> str:
    import pwd

    return pwd.getpwuid(uid).pw_name


def test_the_summary_of_old_task_months_keeps_each_events_file_and_owner(tmp_path):
    from tests.helpers import run_cli

    room = demo_copy(tmp_path / "room")
    os.chmod(room / "journal", 0o3775)  # shared: owners vouch
    old = room / "journal" / "tasks" / "2026-08"
    old.mkdir(parents=True)
    forged = new_event("task.add", "MR", {"text": "copies", "for": None, "due": None},
                       datetime(2026, 8, 20, 9, 0), "mrivera", "ws")  # in a file root owns
    (old / "ws--x.json").write_text(json.dumps({"_default": {"1": forged.to_doc()}}))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PARATUI_NOW": NOW}
    for _ in range(2):  # the second read comes from this account's summary of the closed months
        r = run_cli("board", "--json", data=room, env=env)
        assert r.returncode == 0, r.stderr
        warnings = "\n".join(json.loads(r.stdout)["warnings"])
        assert f"journal/tasks/2026-08/ws--x.json: written by account {_login(os.getuid())}" in warnings
    assert any((tmp_path / "cache").rglob("settled.*"))


def test_the_student_screens_packed_year_keeps_each_entrys_origin():
    from paratui.store.history import _pack, _unpack

    e = new_event("data", "MR", {"student": "S01", "goal": "read", "value": "+"}, WHEN, "mrivera", "ws")
    e.origin = Origin("journal/log/2026-11/23/ws--alopez.json", "alopez", "0123456789abcdef")
    plain = new_event("data", "JT", {"student": "S01", "goal": "read", "value": "-"}, WHEN, "jthomas", "ws")
    [blob] = _pack([e, plain]).values()
    back = _unpack(blob, {}, {})
    assert [x.origin for x in back] == [e.origin, None]
