"""Every entry provably from its writer, at the shared classroom login too (issue 18): `paratui pin set`
also makes the person a PIN key (an ed25519 key pair, its private half sealed with the PIN in their
pins file); typing the right PIN at the shared login unseals it, in memory only, and each event then
carries a second signature, `pin_sig`. On read, a change beyond a para's rights written at the
shared login as someone whose role may do more is applied only with a valid `pin_sig` by one of that
person's PIN keys: a hand-written one is NOT APPLIED on the board, in reports and in history, with a
warning naming the file. Para-level changes there need no PIN. Real OS accounts where ownership
matters (they skip off root and fail under CI, as in tests/test_writer_bound.py).
"""

from __future__ import annotations

import csv
import io
import json
import os
import pwd
from pathlib import Path

from paratui.model import commands
from paratui.store import keys, pins
from paratui.store.journal import new_event
from paratui.store.room import Room
from tests.helpers import demo_copy, entries, make_app, settle
from tests.test_pins import PIN, _my_login, _run_with_stdin, absent, gated, pick_me, run_cli, type_pin
from tests.test_writer_bound import DAY, WHEN, Team, team  # noqa: F401  (the real-account fixture)

NEW_PIN = "48261937"


def _shared_file(t: Team, folder: str) -> Path:
    return t.room / "journal" / folder / f"ws--{_my_login()}.json"


def _hand_write(path: Path, docs: list[dict]) -> None:
    """As the shared login (this process's account): append `docs` by hand to its journal file."""
    made = [p for p in reversed(path.parents) if not p.exists()]
    for folder in made:  # made as paratui makes the journal's folders in a shared room
        folder.mkdir()
        os.chmod(folder, os.stat(folder.parent).st_mode & 0o7777)
    old = json.loads(path.read_text())["_default"] if path.exists() else {}
    for d in docs:
        old[str(len(old) + 1)] = d
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"_default": old}))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _doc(type_: str, staff: str, payload: dict) -> dict:
    return new_event(type_, staff, payload, WHEN, _my_login(), "ws").to_doc()


def _as_shared(t: Team, stdin: str, *args: str) -> tuple[int, str, str]:
    r = _run_with_stdin(t, _my_login(), stdin, *args)
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, r.stdout, r.stderr


def _json(t: Team, *args: str) -> object:
    code, out, err = _as_shared(t, "", *args)
    assert code == 0, err
    return json.loads(out)


def _report_rows(t: Team) -> int:
    code, out, err = _as_shared(t, "", "report", "S01", "--format", "csv")
    assert code == 0, err
    return len(list(csv.DictReader(io.StringIO(out))))


def test_a_teachers_change_hand_written_at_the_shared_login_needs_the_teachers_pin_key(team):  # noqa: F811
    shared = _my_login()
    assert f'shared_logins = ["{shared}"]' in (team.room / "classroom.toml").read_text()
    r = _run_with_stdin(team, team.teacher, f"{PIN}\n{PIN}\n", "pin", "set", "--pin-stdin")
    assert r.returncode == 0, r.stderr
    record = json.loads((team.room / "pins" / "MR.json").read_text())
    assert set(record["pin_key"]) == {"public", "salt", "nonce", "sealed"} and PIN not in json.dumps(record)
    mr_key = keys.key_id(bytes.fromhex(record["pin_key"]["public"]))
    r = _run_with_stdin(team, team.teacher, "", "log", "S01", "read")  # the teacher's own entry
    assert r.returncode == 0, r.stderr
    history = _json(team, "history", "--format", "json")
    entry = next(h for h in history if h["type"] != "retract" and h["staff"] == "MR")

    # (1) by hand, in the shared login's own file: the teacher marking JT out, retracting the teacher's entry
    forged_absent = _doc("absent", "MR", {"staff": "JT", "sub": None, "until": None})
    forged_retract = _doc("retract", "MR", {"target": entry["id"]})  # made at MR's own login: needs the PIN
    r = _run_with_stdin(team, team.para, "", "log", "S01", "read")  # the para's entry
    assert r.returncode == 0, r.stderr
    history = _json(team, "history", "--format", "json")
    para_entry = next(h for h in history if h["type"] != "retract" and h["staff"] == "AL")
    counted = _report_rows(team)
    assert counted >= 2
    forged_para_retract = _doc("retract", "MR", {"target": para_entry["id"]})  # anyone's: the teacher's right
    # (3) a para-level change by MR there, without a PIN: applied
    para_note = _doc("note", "MR", {"text": "to the team", "to": ["JT"], "kind": "handoff", "urgent": False})
    _hand_write(_shared_file(team, DAY), [forged_absent, para_note])
    _hand_write(_shared_file(team, f"log/{DAY[:7]}/{DAY[8:]}"), [forged_retract, forged_para_retract])
    assert _shared_file(team, DAY).stat().st_uid == os.geteuid()

    state = _json(team, "board", "--json")
    staff = {s["id"]: s for s in state["staff"]}  # type: ignore[index]
    assert staff["JT"]["source"] != "absent"
    warnings = "\n".join(state["warnings"])  # type: ignore[index]
    label = f"journal/{DAY}/ws--{shared}.json"
    assert (f"{label}: written at the shared login as MR without MR's PIN: a teacher's change: absent event "
            f"{forged_absent['id'][:6]}") in warnings, warnings
    assert "mode" not in warnings, warnings
    assert f"without MR's PIN: a teacher's change: retract event {forged_retract['id'][:6]}" in warnings
    assert f"without MR's PIN: a teacher's change: retract event {forged_para_retract['id'][:6]}" in warnings
    assert "to the team" not in warnings and f"note event {para_note['id'][:6]}" not in warnings
    rows = {h["id"]: h for h in _json(team, "history", "--format", "json")}  # type: ignore[union-attr]
    assert rows[forged_absent["id"]]["not_applied"] == "written at the shared login as MR without MR's PIN: a " \
        "teacher's change"
    assert rows[forged_retract["id"]]["not_applied"].startswith("written at the shared login as MR")
    assert rows[forged_para_retract["id"]]["not_applied"].startswith("written at the shared login as MR")
    assert rows[entry["id"]]["retracted_by"] is None and rows[para_entry["id"]]["retracted_by"] is None
    assert _report_rows(team) == counted  # the forged retracts undid nothing in the report
    assert rows[para_note["id"]]["not_applied"] is None
    code, plain, _ = _as_shared(team, "", "history")
    assert code == 0 and "NOT APPLIED: written at the shared login as MR without MR's PIN" in plain
    # the teacher's own board says the same
    r = _run_with_stdin(team, team.teacher, "", "board", "--json")
    assert f"{label}: written at the shared login as MR" in r.stdout
    # (3) a para-level change by MR at the shared login through the CLI, no PIN: applied
    code, _, err = _as_shared(team, "", "move", "S02", "--to", "nurse", "--as", "MR")
    assert code == 0, err

    # retracting MR's entry (made at MR's own login) at the shared login as MR: the PIN first, at the keyboard too
    code, _, err = _as_shared(team, "", "retract", entry["id"], "--as", "MR")
    assert code == 3 and "made at their own login needs their PIN here" in err, err
    code, _, err = _as_shared(team, f"{PIN}\n", "retract", entry["id"], "--as", "MR", "--pin-stdin")
    assert code == 0, err
    rows = {h["id"]: h for h in _json(team, "history", "--format", "json")}  # type: ignore[union-attr]
    assert rows[entry["id"]]["retracted_by"] is not None and _report_rows(team) == counted - 1

    # (2) the same teacher-only change through the CLI with the right PIN: applied, signed with MR's PIN key
    code, _, err = _as_shared(team, f"{PIN}\n", "absent", "DP", "--as", "MR", "--pin-stdin")
    assert code == 0, err
    files = (team.room / "journal" / DAY).glob("*.json")
    docs = [d for p in files for d in json.loads(p.read_text())["_default"].values()]
    signed = next(d for d in docs if d["type"] == "absent" and d["payload"]["staff"] == "DP")
    assert signed["login"] == shared and "sig" in signed
    assert keys.check_pin(signed) == mr_key
    state = _json(team, "board", "--json")
    staff = {s["id"]: s for s in state["staff"]}  # type: ignore[index]
    assert staff["DP"]["source"] == "absent" and staff["JT"]["source"] != "absent"
    assert f"event {signed['id'][:6]}" not in "\n".join(state["warnings"])  # type: ignore[index]

    # (4) that pin_sig copied onto a forged event: it covers the content, so it does not match
    copied = {**_doc("absent", "MR", {"staff": "JT", "sub": None, "until": None}), "pin_sig": signed["pin_sig"]}
    _hand_write(_shared_file(team, DAY), [copied])
    state = _json(team, "board", "--json")
    assert {s["id"]: s for s in state["staff"]}["JT"]["source"] != "absent"  # type: ignore[index]
    warnings = "\n".join(state["warnings"])  # type: ignore[index]
    assert (f"{label}: written at the shared login as MR with a PIN signature that does not match what it says "
            f"(changed, or copied from another entry): a teacher's change: absent event {copied['id'][:6]}") in warnings

    # a new PIN makes a new key; what the old one signed stays applied
    r = _run_with_stdin(team, team.teacher, f"{NEW_PIN}\n{NEW_PIN}\n", "pin", "set", "--pin-stdin")
    assert r.returncode == 0, r.stderr
    record = json.loads((team.room / "pins" / "MR.json").read_text())
    assert record["pin_key"]["public"] != json.loads(json.dumps(record))["old_keys"][0]
    assert keys.key_id(bytes.fromhex(record["old_keys"][0])) == mr_key
    state = _json(team, "board", "--json")
    assert {s["id"]: s for s in state["staff"]}["DP"]["source"] == "absent"  # type: ignore[index]
    code, _, err = _as_shared(team, f"{NEW_PIN}\n", "absent", "AL", "--as", "MR", "--pin-stdin")
    assert code == 0, err
    state = _json(team, "board", "--json")
    assert {s["id"]: s for s in state["staff"]}["AL"]["source"] == "absent"  # type: ignore[index]


def test_a_pin_signature_by_a_key_not_the_persons_is_refused(tmp_path):
    """A forger who makes a key of their own and signs with it: not one of MR's PIN keys."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    room = gated(demo_copy(tmp_path / "room"))
    pins.write_pin(room, "MR", PIN, WHEN)
    mine = Ed25519PrivateKey.generate()
    doc = keys.pin_sign(_doc("absent", "MR", {"staff": "JT", "sub": None, "until": None}), mine)
    _hand_write(room / "journal" / DAY / f"ws--{_my_login()}.json", [doc])
    r = run_cli("board", "--json", data=room, check=True)
    state = json.loads(r.stdout)
    assert {s["id"]: s for s in state["staff"]}["JT"]["source"] != "absent"
    assert any(f"absent event {doc['id'][:6]}" in w and "not one of MR's" in w for w in state["warnings"])


async def test_the_board_with_the_right_pin_signs_the_teachers_change_and_it_is_applied(tmp_path):
    room = gated(demo_copy(tmp_path / "room"))
    pins.write_pin(room, "MR", PIN, WHEN)
    forged = _doc("absent", "MR", {"staff": "DP", "sub": None, "until": None})  # no PIN key: not applied
    _hand_write(room / "journal" / DAY / f"ws--{_my_login()}.json", [forged])
    app = make_app(room)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick_me(pilot, app)
        await type_pin(pilot, app, PIN)
        assert app.me_id == "MR" and "MR" not in app.room.capped
        assert await absent(app) is None
        await settle(pilot)
        assert await app.submit(lambda ctx: commands.move(ctx, "E.M.", "bathroom")) is None
        await settle(pilot)
    assert sorted(e.payload["staff"] for e in entries(room, "absent")) == ["DP", "JT"]  # both in the journal
    applied = [e for e in Room(room).snapshot().screened().events if e.type == "absent"]
    assert [e.payload["staff"] for e in applied] == ["JT"]  # the forged one is not applied
    r = run_cli("board", "--json", data=room, check=True)
    state = json.loads(r.stdout)
    staff = {s["id"]: s for s in state["staff"]}
    assert staff["JT"]["source"] == "absent" and staff["DP"]["source"] != "absent"
    assert any(f"absent event {forged['id'][:6]}" in w and "without MR's PIN" in w for w in state["warnings"])
    docs = [d for p in (room / "journal").rglob("*.json") for d in json.loads(p.read_text())["_default"].values()]
    board_absent = next(d for d in docs if d["type"] == "absent" and d["payload"]["staff"] == "JT")
    assert keys.check_pin(board_absent) not in (None, keys.BAD)
    assert PIN not in json.dumps(docs)


def test_across_machines_only_a_pin_key_the_teacher_enrolled_in_keys_json_counts(team):  # noqa: F811
    """Where a pins file's owner proves nothing (a folder one account writes, a synced one), the PIN key
    must be enrolled in the teacher-signed keys.json (`STAFF@pin`, done by the teacher's `pin set`): a
    pins file rewritten with a key of someone else's making signs nothing as the teacher."""
    shared = _my_login()
    conf = team.base / f"conf-{team.teacher}"  # the teacher's config folder (their signing key)
    conf.mkdir(mode=0o700)
    os.chown(conf, pwd.getpwnam(team.teacher).pw_uid, -1)
    os.chmod(team.room, 0o3775)  # the teacher may add keys.json to the data folder
    code, out, err = _as_shared(team, "", "keys", "show")
    assert code == 0, err
    public = next(line.split(": ")[1] for line in out.splitlines() if "public key:" in line)
    r = _run_with_stdin(team, team.teacher, "", "keys", "enrol", f"@{shared}", public)
    assert r.returncode == 0, r.stderr
    r = _run_with_stdin(team, team.teacher, f"{PIN}\n{PIN}\n", "pin", "set", "--pin-stdin")
    assert r.returncode == 0 and "as MR@pin" in r.stdout, r.stdout + r.stderr
    enrolled = json.loads((team.room / "keys.json").read_text())
    assert any(v["staff"] == "MR@pin" for v in enrolled["keys"].values())
    os.chmod(team.room / "journal", 0o755)  # one account's folder now: owners vouch for nothing
    os.chmod(team.room / "pins", 0o755)

    code, _, err = _as_shared(team, f"{PIN}\n", "absent", "DP", "--as", "MR", "--pin-stdin")
    assert code == 0, err
    # the pins file replaced by one with a PIN (and so a key) of the writer's own making
    pins.write_pin(team.room, "MR", NEW_PIN, WHEN)
    code, _, err = _as_shared(team, f"{NEW_PIN}\n", "absent", "JT", "--as", "MR", "--pin-stdin")
    assert code == 0, err  # the keyboard takes the PIN the file holds ...
    state = _json(team, "board", "--json")
    staff = {s["id"]: s for s in state["staff"]}  # type: ignore[index]
    assert staff["DP"]["source"] == "absent"  # the enrolled PIN key's change stands
    assert staff["JT"]["source"] != "absent"  # ... but its key is not one keys.json enrols for MR
    assert any("written at the shared login as MR signed with PIN key" in w and "not one of MR's" in w
               for w in state["warnings"]), state["warnings"]  # type: ignore[index]
