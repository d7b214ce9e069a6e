"""Signed journal entries across machines (issue 18, part 2; docs/trust.md): each writing account
signs every event with its own ed25519 key (kept in its config folder, 0600, never in the data
folder); the teacher enrols whose each key is (`paratui keys enrol`, keys.json). Once a room has a
keys.json, every signature read is checked: one that does not match, or a key not enrolled, revoked or
enrolled for someone else, is not applied, with a warning naming the file. Unsigned events (older
clients) are still applied."""

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
    # revoked: what it signed is no longer applied
    kid = next(line.split()[0] for line in _ok("keys", "show", data=room, env=teacher).splitlines()[3:]
               if " MR " in line)
    _ok("keys", "revoke", kid[:8], data=room, env=teacher)
    assert any(f"signed with revoked key {kid[:8]}" in w for w in _warnings(room, teacher))
    # unsigned (an older client): still applied
    doc = {"id": "f" * 32, "type": "back", "time": f"{NOW}:00", "written": 1, "staff": "AL", "login": "alopez",
           "host": "old", "payload": {"student": "S03"}}
    day = room / "journal" / NOW[:10]
    (day / "old--alopez.json").write_text(json.dumps({"_default": {"1": doc}}))
    assert not any("ffffff" in w for w in _warnings(room, teacher))
    shown = {r["id"]: r for r in json.loads(_ok("history", "--format", "json", data=room, env=teacher))}
    assert shown[doc["id"]]["unsigned"] is True and shown[doc["id"]]["not_applied"] is None
    assert not any(r["unsigned"] for eid, r in shown.items() if eid != doc["id"])
    assert "[ffffff alopez@old unsigned]" in _ok("history", data=room, env=teacher)  # cached or not
    assert "[ffffff alopez@old unsigned]" in _ok("history", data=room, env=teacher)


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
