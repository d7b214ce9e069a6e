"""Signed journal entries across machines (issue 18, part 2; docs/trust.md): each writing account
signs every event with its own ed25519 key (kept in its config folder, 0600, never in the data
folder); the teacher enrols whose each key is (`paratui keys enrol`, keys.json). Once a room has a
keys.json, every signature read is checked: one that does not match, or a key not enrolled, revoked or
enrolled for someone else, is not applied, with a warning naming the file. An unsigned event from a
person whose key is enrolled, dated from the enrolment on, is not applied either; one from before, or
from a person without a key, is (marked unsigned). A revoked key's events dated before its revocation
stay applied."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import NOW, demo_copy, run_cli

pytest.importorskip("cryptography")


@pytest.fixture
def room(tmp_path: Path) -> Path:
    """A one-account room (the teacher is this account's login) and this account's key folder."""
    data = demo_copy(tmp_path / "room")
    toml = data / "classroom.toml"
    login = _login()
    toml.write_text(toml.read_text().replace('logins = ["mrivera"]', f'logins = ["{login}"]', 1))
    return data


def _login() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def _env(tmp_path: Path, who: str = "a") -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(tmp_path / f"config-{who}"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "PARATUI_NOW": NOW}


def _ok(*args: str, data: Path, env: dict[str, str]) -> str:
    r = run_cli(*args, data=data, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _warnings(data: Path, env: dict[str, str]) -> list[str]:
    return json.loads(_ok("board", "--json", data=data, env=env))["warnings"]


def _public(data: Path, env: dict[str, str]) -> str:
    out = _ok("keys", "show", data=data, env=env)
    return next(line.split(": ")[1] for line in out.splitlines() if "public key" in line)


def _docs(data: Path) -> list[tuple[Path, str, dict]]:
    return [(p, k, d) for p in (data / "journal").rglob("*.json")
            for k, d in json.loads(p.read_text())["_default"].items()]


def test_every_write_is_signed_with_a_private_key_kept_out_of_the_folder(room, tmp_path):
    env = _env(tmp_path)
    assert "enrolled keys: none (no keys.json: no signature is checked until the teacher enrols a key)" in \
        _ok("keys", "show", data=room, env=env)
    _ok("move", "S01", "--to", "bathroom", data=room, env=env)
    [(_, _, doc)] = _docs(room)
    assert set(doc["sig"]) == {"ed25519", "key"} and len(doc["sig"]["ed25519"]) == 128
    key = tmp_path / "config-a" / "paratui" / "keys" / "ed25519.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert not any(p.name.endswith(".key") for p in room.rglob("*"))
    assert _public(room, env) == doc["sig"]["key"]
    assert _warnings(room, env) == []  # no keys enrolled yet: signed and unsigned alike apply


def test_a_changed_signed_event_is_not_applied_once_the_room_enrols_keys(room, tmp_path):
    env = _env(tmp_path)
    _ok("move", "S01", "--to", "bathroom", data=room, env=env)
    [(path, k, doc)] = _docs(room)
    doc["payload"]["to"] = "nurse"  # a sync peer rewrites it
    path.write_text(json.dumps({"_default": {k: doc}}))
    assert _warnings(room, env) == []  # no keys.json: signatures are not checked (nor worth checking)
    _ok("keys", "enrol", "MR", _public(room, env), data=room, env=env)
    warnings = _warnings(room, env)
    label = path.relative_to(room).as_posix()
    assert any(w.startswith(f"{label}: its signature does not match what it says") for w in warnings), warnings
    assert "nurse" not in json.dumps(json.loads(_ok("board", "--json", data=room, env=env))["students"])


def test_enrolled_keys_decide_whose_a_signed_event_is(room, tmp_path):
    teacher, other = _env(tmp_path, "teacher"), _env(tmp_path, "other")
    _ok("keys", "enrol", "MR", _public(room, teacher), data=room, env=teacher)
    assert (room / "keys.json").is_file()
    _ok("move", "S01", "--to", "bathroom", data=room, env=teacher)
    assert _warnings(room, teacher) == []
    # the same account with another key (a copied config, another machine): not enrolled
    _ok("move", "S02", "--to", "nurse", data=room, env=other)
    [refused] = [w for w in _warnings(room, teacher) if "not applied" in w]
    assert "signed with key" in refused and "not enrolled" in refused
    history = _ok("history", data=room, env=teacher)
    assert "NOT APPLIED: signed with key" in history
    # enrolled for someone else: a key is its person's only
    _ok("keys", "enrol", "AL", _public(room, other), data=room, env=teacher)
    assert any("signed with AL's key, claims to be MR" in w for w in _warnings(room, teacher))
    # revoked: what it signed and was not applied then is not applied after (whatever its time)
    kid = next(line.split()[0] for line in _ok("keys", "show", data=room, env=teacher).splitlines()[2:]
               if " AL " in line)
    _ok("keys", "revoke", kid[:8], data=room, env=teacher)
    assert any(f"signed with key {kid[:8]}, revoked {NOW.replace('T', ' ')} (not among what it had signed then)" in w
               for w in _warnings(room, teacher))
    # unsigned (an older client) from someone without an enrolled key: still applied, marked unsigned
    doc = {"id": "f" * 32, "type": "back", "time": f"{NOW}:00", "written": 1, "staff": "JT", "login": "jthomas",
           "host": "old", "payload": {"student": "S03"}}
    day = room / "journal" / NOW[:10]
    (day / "old--jthomas.json").write_text(json.dumps({"_default": {"1": doc}}))
    assert not any("ffffff" in w for w in _warnings(room, teacher))
    shown = {r["id"]: r for r in json.loads(_ok("history", "--format", "json", data=room, env=teacher))}
    assert shown[doc["id"]]["unsigned"] is True and shown[doc["id"]]["not_applied"] is None
    assert not any(r["unsigned"] for eid, r in shown.items() if eid != doc["id"])
    assert "[ffffff jthomas@old unsigned]" in _ok("history", data=room, env=teacher)  # cached or not
    assert "[ffffff jthomas@old unsigned]" in _ok("history", data=room, env=teacher)


def _hand_written(room: Path, name: str, staff: str, login: str, when: str, eid: str) -> Path:
    """A journal file written by hand (or by an older client, or a forger): one unsigned event."""
    doc = {"id": eid * 32, "type": "back", "time": f"{when}:00", "written": 1, "staff": staff, "login": login,
           "host": "old", "payload": {"student": "S03"}}
    day = room / "journal" / when[:10]
    day.mkdir(parents=True, exist_ok=True)
    path = day / f"old--{name}.json"
    path.write_text(json.dumps({"_default": {"1": doc}}))
    return path


def test_leaving_the_signature_off_does_not_get_round_an_enrolled_key(room, tmp_path):
    """Issue 18: once a person's key is enrolled, an unsigned event claiming them, dated from the
    enrolment on, is not applied (the file and the reason named, never the payload); one dated before
    it still applies, marked unsigned; one from a person without a key stands as before."""
    teacher, para = _env(tmp_path, "teacher"), _env(tmp_path, "para")
    _ok("keys", "enrol", "MR", _public(room, teacher), data=room, env=teacher)
    _ok("keys", "enrol", "AL", _public(room, para), data=room, env=teacher)
    forged = _hand_written(room, "alopez", "AL", "alopez", NOW, "a")
    earlier = _hand_written(room, "alopez-old", "AL", "alopez", "2026-11-23T08:05", "b")
    keyless = _hand_written(room, "jthomas", "JT", "jthomas", NOW, "c")
    teacher_forged = _hand_written(room, "mr", "MR", "mrivera", "2026-11-23T10:20", "d")
    warnings = _warnings(room, teacher)
    said = {w.split(": ")[0]: w for w in warnings}
    label = forged.relative_to(room).as_posix()
    assert said[label] == (f"{label}: unsigned, from AL, who has an enrolled key (since {NOW.replace('T', ' ')}): "
                           "a signature left off is not taken on its word: back event aaaaaa at "
                           f"{NOW.replace('T', ' ')} not applied")
    assert teacher_forged.relative_to(room).as_posix() in said
    assert earlier.relative_to(room).as_posix() not in said and keyless.relative_to(room).as_posix() not in said
    assert "S03" not in "\n".join(warnings)  # the reason, never the payload
    shown = {r["id"][:1]: r for r in json.loads(_ok("history", "--format", "json", data=room, env=teacher))}
    assert shown["a"]["not_applied"].startswith("unsigned, from AL") and shown["d"]["not_applied"]
    assert shown["b"]["not_applied"] is None and shown["b"]["unsigned"] is True
    assert shown["c"]["not_applied"] is None and shown["c"]["unsigned"] is True


def test_a_revoked_key_keeps_what_it_signed_before_its_revocation(room, tmp_path):
    """Revoking a key (a lost laptop) keeps what it had signed then (listed, with a hash of each, in
    a manifest the teacher signs); anything else it signs is not applied, whatever time it claims."""
    at = {**_env(tmp_path, "teacher"), "PARATUI_NOW": "2026-11-23T09:00"}
    laptop = {**_env(tmp_path, "laptop"), "PARATUI_NOW": "2026-11-23T09:00"}
    _ok("keys", "enrol", "MR", _public(room, laptop), data=room, env=at)  # the teacher's second machine
    _ok("move", "S01", "--to", "bathroom", data=room, env=laptop)
    kid = _kid(room, at, _public(room, laptop))
    out = _ok("keys", "revoke", kid[:8], data=room, env={**at, "PARATUI_NOW": "2026-11-23T09:30"})
    assert "the 1 event(s) it had signed stay applied" in out, out
    manifest = json.loads((room / "keys" / f"revoked-{kid}.json").read_text())
    assert len(manifest["events"]) == 1 and manifest["sig"]["key"] == _public(room, at)
    _ok("move", "S02", "--to", "nurse", data=room, env={**laptop, "PARATUI_NOW": "2026-11-23T09:45"})
    # the thief backdates: a time before the revocation changes nothing
    _ok("move", "S03", "--to", "office", data=room, env={**laptop, "PARATUI_NOW": "2026-11-23T09:10"})
    later = {**at, "PARATUI_NOW": "2026-11-23T09:50"}
    rows = json.loads(_ok("history", "--format", "json", data=room, env=later))
    by_text = {r["text"].lower(): r for r in rows}
    before = [r for t, r in by_text.items() if "bathroom" in t]
    after = [r for t, r in by_text.items() if "nurse" in t or "office" in t]
    assert before and before[0]["not_applied"] is None, rows
    assert len(after) == 2 and all(r["not_applied"] == f"signed with key {kid[:8]}, revoked 2026-11-23 09:30 "
                                   "(not among what it had signed then)" for r in after), rows
    warnings = _warnings(room, later)
    revoked = "revoked 2026-11-23 09:30 (not among what it had signed then): move event"
    assert len([w for w in warnings if "not applied" in w]) == 2 == len([w for w in warnings if revoked in w]), warnings
    board = json.loads(_ok("board", "--json", data=room, env=later))
    where = {s["id"]: s.get("location") for s in board["students"]}
    assert where["S01"] == "bathroom" and where["S02"] != "nurse" and where["S03"] != "office", where


def _kid(room: Path, env: dict[str, str], public: str) -> str:
    from paratui.store.keys import key_id

    kid = key_id(bytes.fromhex(public))
    assert kid in _ok("keys", "show", data=room, env=env)
    return kid


def test_only_the_teacher_enrols(room, tmp_path):
    toml = room / "classroom.toml"
    toml.write_text(toml.read_text().replace(f'logins = ["{_login()}"]', 'logins = ["mrivera"]', 1))
    env = _env(tmp_path)
    r = run_cli("keys", "enrol", "MR", "00" * 32, "--as", "JT", data=room, env=env)
    assert r.returncode == 3 and "only the teacher" in r.stderr, r.stderr
    assert not (room / "keys.json").exists()


def test_in_a_shared_folder_keys_json_counts_only_when_a_teachers_login_owns_it(room, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give keys.json another owner (chown)")
    env = _env(tmp_path)
    os.chmod(room / "journal", 0o3775)  # several accounts write here: owners vouch
    _ok("keys", "enrol", "MR", _public(room, env), data=room, env=env)
    _ok("move", "S01", "--to", "bathroom", data=room, env=env)
    assert _warnings(room, env) == []  # the teacher's own keys.json: the key is MR's
    os.chown(room / "keys.json", 65534, -1)  # as if another account had written it
    import pwd

    who = pwd.getpwuid(65534).pw_name if 65534 in {p.pw_uid for p in pwd.getpwall()} else "uid65534"
    assert f"keys.json: written by account {who}, not a teacher's own login: ignored" in \
        "\n".join(_warnings(room, env))


def test_paratui_check_reads_keys_json(room, tmp_path):
    env = _env(tmp_path)
    (room / "keys.json").write_text("{broken")
    r = run_cli("check", data=room, env=env)
    assert r.returncode == 1 and "keys.json: not JSON" in r.stdout + r.stderr
    _ok("keys", "enrol", "MR", _public(room, env), data=room, env=env)
    data = json.loads((room / "keys.json").read_text())
    [kid] = data["keys"]
    data["keys"][kid]["staff"] = "ZZ"
    (room / "keys.json").write_text(json.dumps(data))
    r = run_cli("check", data=room, env=env)
    assert r.returncode == 1 and f"keys.json: key {kid} is enrolled for 'ZZ'" in r.stdout + r.stderr


def test_the_shared_logins_key_signs_for_whoever_picked_themselves_there():
    """The classroom workstation's account signs for everyone who picks themselves on its board: the
    teacher enrols its key for the login (`paratui keys enrol @room12 …`); an event it signs must name
    that login, and, once enrolled, an unsigned one naming it is refused like a person's."""
    from datetime import datetime

    from paratui.model import access
    from paratui.model.events import Event, Origin
    from paratui.store.keys import Enrolment, key_ring

    ring = key_ring(Enrolment({"k1": {"public": "0" * 64, "staff": "@room12", "enrolled": "2026-11-23T08:00"},
                               "k2": {"public": "1" * 64, "staff": "AL", "enrolled": "2026-11-23T09:00"}}))

    class Room:
        keys = ring

    def ev(staff: str, login: str, signer: str | None, at: str = NOW) -> Event:
        e = Event("e" * 32, "back", datetime.fromisoformat(at), 1, staff, login, "ws", {"student": "S01"})
        e.origin = Origin("journal/x.json", "", signer)
        return e

    assert access.signed_refusal(ev("AL", "room12", "k1"), Room) is None  # type: ignore[arg-type]
    assert access.signed_refusal(ev("MR", "room12", "k1"), Room) is None  # type: ignore[arg-type]
    assert "claims login alopez" in access.signed_refusal(ev("AL", "alopez", "k1"), Room)  # type: ignore
    assert access.signed_refusal(ev("AL", "alopez", "k2"), Room) is None  # type: ignore[arg-type]
    assert access.signed_refusal(ev("JT", "room12", None), Room).startswith(  # type: ignore
        "unsigned, from the shared login room12")
    assert access.signed_refusal(ev("JT", "room12", None, "2026-11-23T07:59"), Room) is None  # type: ignore
    assert access.signed_refusal(ev("AL", "alopez", None, "2026-11-23T08:59"), Room) is None  # type: ignore
    assert access.signed_refusal(ev("AL", "alopez", None, "2026-11-23T09:00"), Room).startswith(  # type: ignore
        "unsigned, from AL")


def test_keys_enrol_takes_a_shared_login(room, tmp_path):
    env = _env(tmp_path)
    out = _ok("keys", "enrol", "@room12", "ab" * 32, data=room, env=env)
    assert "for the shared login room12" in out
    enrolled = json.loads((room / "keys.json").read_text())["keys"]
    assert sorted(v["staff"] for v in enrolled.values()) == ["@room12", "MR"]  # the teacher's own key signs it
    r = run_cli("keys", "enrol", f"@{_login()}", "cd" * 32, data=room, env=env)  # the teacher's own login
    assert r.returncode == 3 and "not a shared login" in r.stderr, r.stderr
    assert run_cli("check", data=room, env=env).returncode == 0


def _strip_signatures(path: Path) -> None:
    """An older client's file: the same events, unsigned."""
    data = json.loads(path.read_text())
    for doc in data["_default"].values():
        doc.pop("sig", None)
    path.write_text(json.dumps(data))


def test_sign_over_makes_legacy_events_read_clean_and_then_the_room_takes_signed_entries_only(room, tmp_path):
    """Issue 18: unsigned journals keep working, marked unsigned with a warning, until the teacher signs
    them over once; then they read clean and any unsigned event not signed over is refused, whatever
    time it claims (no more backdating)."""
    teacher = _env(tmp_path, "teacher")
    old = {**_env(tmp_path, "old"), "PARATUI_NOW": "2026-11-23T08:00"}
    _ok("move", "S01", "--to", "bathroom", data=room, env=old)
    [(legacy, _, _)] = _docs(room)
    _strip_signatures(legacy)
    label = legacy.relative_to(room).as_posix()
    _ok("keys", "enrol", "JT", "ab" * 32, data=room, env=teacher)  # the teacher's own key is enrolled too
    assert sorted(v["staff"] for v in json.loads((room / "keys.json").read_text())["keys"].values()) == ["JT", "MR"]
    [note] = _warnings(room, teacher)
    assert note.startswith(f"{label}: 1 unsigned event applied on its writer's word") and "sign-over" in note
    rows = json.loads(_ok("history", "--format", "json", data=room, env=teacher))
    assert [r["unsigned"] for r in rows] == [True]
    out = _ok("keys", "sign-over", data=room, env=teacher)
    assert "signed over 1 unsigned event(s)" in out, out
    [name] = [p.name for p in (room / "keys").iterdir()]
    assert name.startswith("signed-over-2026-11-23T1015") and json.loads((room / "keys" / name).read_text())["sig"]
    assert _warnings(room, teacher) == []  # clean: not unsigned, no warning
    assert _warnings(room, {**teacher, "TZ": "America/Chicago"}) == []  # the hash is the same in any time zone
    rows = json.loads(_ok("history", "--format", "json", data=room, env=teacher))
    assert [r["unsigned"] for r in rows] == [False] and rows[0]["not_applied"] is None
    board = json.loads(_ok("board", "--json", data=room, env=teacher))
    assert {s["id"]: s.get("location") for s in board["students"]}["S01"] == "bathroom"
    # backdated, from someone with no key: refused now that the room takes signed entries only
    late = _hand_written(room, "jthomas", "DP", "dpatel", "2026-11-23T07:00", "e")
    # and the signed-over event changed afterwards: no longer the one signed over
    data = json.loads(legacy.read_text())
    [doc] = data["_default"].values()
    doc["payload"]["to"] = "nurse"
    legacy.write_text(json.dumps(data))
    said = {w.split(": ")[0]: w for w in _warnings(room, teacher)}
    late_label = late.relative_to(room).as_posix()
    assert said[late_label].startswith(f"{late_label}: unsigned, from DP, not signed over by the teacher (this "
                                       "room takes signed entries only): back event eeeeee at 2026-11-23 07:00 "
                                       "not applied"), said
    assert said[label].startswith(f"{label}: unsigned, from MR, changed since the teacher signed it over"), said
    rows = {r["id"]: r for r in json.loads(_ok("history", "--format", "json", data=room, env=teacher))}
    assert rows["e" * 32]["not_applied"].startswith("unsigned, from DP, not signed over")
    # a sign-over rewritten by someone else: not the one keys.json lists, named by `paratui check`
    manifest = room / "keys" / name
    manifest.write_text(manifest.read_text().replace('"events"', '"events" ', 1))
    r = run_cli("check", data=room, env=teacher)
    assert f"keys/{name}: not the manifest keys.json lists" in r.stdout + r.stderr, r.stdout + r.stderr
    board = json.loads(_ok("board", "--json", data=room, env=teacher))
    assert {s["id"]: s.get("location") for s in board["students"]}["S01"] != "nurse"


def test_access_signed_only_refuses_unsigned_events_whatever_their_time(room, tmp_path):
    teacher = _env(tmp_path, "teacher")
    _ok("keys", "enrol", "JT", "ab" * 32, data=room, env=teacher)
    early = _hand_written(room, "dpatel", "DP", "dpatel", "2026-11-23T07:00", "f")  # no key, before it
    r = run_cli("history", "--format", "json", data=room, env=teacher)
    assert json.loads(r.stdout)[0]["not_applied"] is None  # before: taken on its word, marked unsigned
    toml = room / "classroom.toml"
    text = toml.read_text()
    toml.write_text(text.replace("[access]", "[access]\nsigned_only = true", 1) if "[access]" in text
                    else text + "\n[access]\nsigned_only = true\n")
    assert run_cli("check", data=room, env=teacher).returncode == 0
    rows = json.loads(_ok("history", "--format", "json", data=room, env=teacher))
    assert rows[0]["not_applied"].startswith("unsigned, from DP, not signed over by the teacher"), rows
    assert any(w.startswith(early.relative_to(room).as_posix() + ": unsigned, from DP")
               for w in _warnings(room, teacher))


def test_each_machine_pins_the_teachers_key_and_ignores_a_rewritten_keys_json(room, tmp_path):
    """A sync peer (here: the same account with another key, as on a machine that receives the folder)
    rewrites keys.json enrolling its own key as the teacher's: the teacher's machine, which pinned the
    teacher's key the first time it accepted keys.json, ignores it (naming it) and keeps the copy it
    trusted, so the peer's events claiming the teacher stay refused."""
    teacher, peer = _env(tmp_path, "teacher"), _env(tmp_path, "peer")
    _ok("keys", "enrol", "JT", "ab" * 32, data=room, env=teacher)
    pins = list((tmp_path / "config-teacher" / "paratui" / "trust").iterdir())
    assert len(pins) == 1 and stat.S_IMODE(pins[0].stat().st_mode) == 0o600
    assert not any("trust" in p.parts for p in room.rglob("*"))  # never in the shared folder
    teacher_kid = json.loads(pins[0].read_text())["key"]
    assert f"this machine trusts keys.json signed with: {teacher_kid}" in _ok("keys", "show", data=room, env=teacher)
    _ok("keys", "enrol", "MR", _public(room, peer), data=room, env=peer)  # the peer's rewrite, signed by it
    _ok("move", "S02", "--to", "nurse", data=room, env=peer)
    warnings = _warnings(room, teacher)
    peer_kid = json.loads(_ok("board", "--json", data=room, env=peer)) and \
        __import__("paratui.store.keys", fromlist=["key_id"]).key_id(bytes.fromhex(_public(room, peer)))
    assert any(w.startswith(f"keys.json: signed with key {peer_kid[:8]}, not the teacher's: ignored, using the last "
                            f"trusted copy") and teacher_kid[:8] in w for w in warnings), warnings
    assert any(f"signed with key {peer_kid[:8]}, not enrolled" in w and "move event" in w for w in warnings), warnings
    # an unsigned keys.json (hand-written): ignored too
    data = json.loads((room / "keys.json").read_text())
    data.pop("sig")
    (room / "keys.json").write_text(json.dumps(data))
    assert any(w.startswith("keys.json: not signed: ignored, using the last trusted copy")
               for w in _warnings(room, teacher))
    # the peer also deletes keys.json: still the copy, still checked
    (room / "keys.json").unlink()
    warnings = _warnings(room, teacher)
    assert any(w.startswith("keys.json: missing: ignored, using the last trusted copy") for w in warnings), warnings
    assert any(f"signed with key {peer_kid[:8]}, not enrolled" in w for w in warnings), warnings
    # a machine that receives the folder by sync pins the teacher's key by hand
    other = _env(tmp_path, "other")
    _ok("keys", "trust", teacher_kid, data=room, env=other)
    assert any(w.startswith("keys.json: missing: ignored") for w in _warnings(room, other))


def _signed_room(room: Path, tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """MR's key enrolled; one signed move of hers, one of hers changed after it was signed, and an
    unsigned back by JT (no key: applied, marked unsigned). {event id's first letter: …} for each."""
    teacher = _env(tmp_path, "teacher")
    _ok("keys", "enrol", "MR", _public(room, teacher), data=room, env=teacher)
    _ok("move", "S01", "--to", "bathroom", data=room, env=teacher)
    _ok("move", "S02", "--to", "nurse", data=room, env=teacher)
    signed = [(p, k, d) for p, k, d in _docs(room) if "sig" in d]
    path, k, doc = next(x for x in signed if x[2]["payload"]["student"] == "S02")
    doc["payload"]["to"] = "office"  # changed after it was signed
    data = json.loads(path.read_text())
    data["_default"][k] = doc
    path.write_text(json.dumps(data))
    _hand_written(room, "jthomas", "JT", "jthomas", NOW, "c")
    ids = {"good": next(d["id"] for _, _, d in signed if d["payload"]["student"] == "S01"), "bad": doc["id"],
           "unsigned": "c" * 32}
    return teacher, ids


def test_the_history_csv_says_whether_each_entry_is_signed(room, tmp_path):
    """Issue 18: the history CSV ends with a `signed` column: yes (a signature checked and matching),
    unsigned (none, in a room that enrols keys), no (a signature that does not match; in a room that
    enrols no keys, every entry, as nothing is checked). The same from this machine's cache."""
    import csv

    plain = _env(tmp_path, "plain")
    _ok("move", "S03", "--to", "bathroom", data=room, env=plain)
    rows = list(csv.reader(_ok("history", "--format", "csv", data=room, env=plain).splitlines()))
    assert rows[0][-1] == "signed" and rows[0][-2] == "id"
    assert [r[-1] for r in rows[1:]] and all(r[-1] == "no" for r in rows[1:])  # no keys: nothing checked
    teacher, ids = _signed_room(room, tmp_path)
    for _ in range(2):  # made, then from the cache
        rows = list(csv.reader(_ok("history", "--format", "csv", data=room, env=teacher).splitlines()))
        by_id = {r[-2]: r[-1] for r in rows[1:]}
        assert by_id[ids["good"]] == "yes" and by_id[ids["bad"]] == "no" and by_id[ids["unsigned"]] == "unsigned"
        shown = {r["id"]: r for r in json.loads(_ok("history", "--format", "json", data=room, env=teacher))}
        assert shown[ids["good"]]["signed"] is True and shown[ids["bad"]]["signed"] is False
        assert shown[ids["unsigned"]]["signed"] is False and shown[ids["unsigned"]]["unsigned"] is True


async def test_the_boards_history_screen_marks_unsigned_entries(room, tmp_path, monkeypatch):
    """Issue 18: the board's history screen (H) says "unsigned" after an entry without a signature in
    a room that enrols keys, as `paratui history` does, and after no other."""
    from paratui.app.history_screen import HistoryScreen
    from tests.helpers import make_app, settle

    teacher, ids = _signed_room(room, tmp_path)
    for k, v in teacher.items():
        monkeypatch.setenv(k, v)
    app = make_app(room, as_staff="MR")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        lines = str(app.screen.query_one("#history-rows").render()).splitlines()
        [unsigned] = [line for line in lines if "unsigned" in line]
        assert "Mr. T" in unsigned and "jthomas@old" in unsigned
        assert any("R.N." in line or "Bathroom" in line for line in lines)  # the signed ones are listed


def test_the_history_cache_checks_each_signature_once(room, tmp_path, monkeypatch):
    """Issue 18: a signature check costs ~0.1 ms (a million signed events: minutes). `paratui
    history` describes every file again when the classroom changes; the signatures it checked before
    are remembered in this machine's cache folder, by the content they cover, and not checked again;
    a signature that does not match is remembered as such. (Only when many files are described
    again: for today's few, reading the list back would cost more than checking them.)"""
    import dataclasses

    from paratui.store import history_cache, keys
    from paratui.store.room import Room

    teacher, ids = _signed_room(room, tmp_path)
    for k, v in teacher.items():
        monkeypatch.setenv(k, v)
    checks: list[str] = []
    real = keys.check

    def counted(doc, *more, **named):
        if "type" in doc:  # a journal event's (keys.json and the teacher's manifests are checked too)
            checks.append(doc["id"])
        return real(doc, *more, **named)

    monkeypatch.setattr(keys, "check", counted)
    monkeypatch.setattr(history_cache, "REMEMBER_FROM", 0)  # (a real room's years: thousands of files)
    snap = Room(room).snapshot()
    checks.clear()
    first = "".join(history_cache.cached_history_text(room, snap.classroom, snap.schedule))
    assert sorted(checks) == sorted([ids["good"], ids["bad"]])
    renamed = dataclasses.replace(snap.classroom, staff=tuple(
        dataclasses.replace(s, short="Ana") if s.id == "AL" else s for s in snap.classroom.staff))
    checks.clear()
    again = "".join(history_cache.cached_history_text(room, renamed, snap.schedule))  # every file described again
    assert checks == [] and again == first  # (no event of AL's here: the same text)
    rows = {r.id: r for r in history_cache.cached_history(room, renamed, snap.schedule)}
    assert rows[ids["good"]].signed and not rows[ids["bad"]].signed and rows[ids["bad"]].not_applied
    assert rows[ids["unsigned"]].unsigned
