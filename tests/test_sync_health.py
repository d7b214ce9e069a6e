"""Sync health (paratui.store.sync_health, paratui.model.sync, `paratui sync`): the words from what
Syncthing says, and a Syncthing that hangs, fails, floods or answers garbage never holds the caller:
each failure is bounded and said in words. Fake Syncthings are http.server in a thread; the last test
uses the real pair (tools/syncthing-pair.sh): stopping one instance turns the other's words to
"not synced … (st2 offline)", starting it again clears them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from paratui.cli import main
from paratui.model.classroom import parse_classroom
from paratui.model.sync import Peer, SyncSettings, SyncState, parse_sync, peer_lines, words
from paratui.store import paths
from paratui.store.check import check_folder
from paratui.store.sync_health import SyncHealth, get_json, read_config, read_settings

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT / "tools" / "syncthing-pair.sh"
ME = "AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA"
PEER = "LAPTOPM-RRRRRRR-RRRRRRR-RRRRRRR-RRRRRRR-RRRRRRR-RRRRRRR-RRRRRRR"
KEY = "fake-key-123"
NOW = datetime(2026, 11, 23, 10, 14)


def clock() -> datetime:
    return NOW


class FakeSyncthing:
    """A Syncthing REST API that answers as told: `mode` per path prefix ("ok", "hang", "500",
    "huge", "garbage", "trickle"), `connected` and `need` for the one peer, `events` to hand out."""

    def __init__(self) -> None:
        self.mode: dict[str, str] = {}
        self.connected = True
        self.need = 0
        self.events: list[dict] = []
        self.calls: list[str] = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fake.calls.append(self.path)
                if self.headers.get("X-API-Key") != KEY:
                    self.send_error(403)
                    return
                mode = next((m for p, m in fake.mode.items() if self.path.startswith(p)), "ok")
                try:
                    fake.answer(self, mode)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def body(self, path: str) -> Any:
        if path.startswith("/rest/system/status"):
            return {"myID": ME}
        if path.startswith("/rest/system/connections"):
            return {"connections": {PEER: {"connected": self.connected, "paused": False}}}
        if path.startswith("/rest/stats/device"):
            return {PEER: {"lastSeen": "2026-11-23T10:08:00Z" if not self.connected else "2026-11-23T10:14:00Z"}}
        if path.startswith("/rest/db/status"):
            return {"state": "idle", "needTotalItems": 0, "errors": 0, "pullErrors": 0}
        if path.startswith("/rest/db/completion"):
            return {"completion": 100 if not self.need else 91.5, "needItems": self.need, "remoteState": "valid"}
        if path.startswith("/rest/events"):
            out, self.events = self.events, []
            if not out:
                time.sleep(0.2)  # a long poll with nothing new, shortened
            return out
        return {}

    def answer(self, h: BaseHTTPRequestHandler, mode: str) -> None:
        if mode == "hang":
            self.release.wait(60)
            return
        if mode == "500":
            h.send_error(500)
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        if mode == "huge":  # 10 MB of valid JSON
            chunk = b"[" + b"0," * (512 * 1024)
            for _ in range(10):
                h.wfile.write(chunk)
            h.wfile.write(b"0]")
        elif mode == "garbage":
            h.wfile.write(b"\x1b[31m<html>not json at all\x00")
        elif mode == "trickle":  # a byte at a time, forever
            for _ in range(600):
                if self.release.wait(0.1):
                    return
                h.wfile.write(b" ")
                h.wfile.flush()
        else:
            h.wfile.write(json.dumps(self.body(h.path)).encode())

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeSyncthing]:
    f = FakeSyncthing()
    yield f
    f.close()


def _config(tmp: Path, folder: Path, peer_name: str = "laptop-mr") -> Path:
    cfg = tmp / "syncthing-home" / "config.xml"
    cfg.parent.mkdir(exist_ok=True)
    cfg.write_text(f"""<configuration version="36">
  <folder id="room12" label="Room 12" path="{folder}" type="sendreceive">
    <device id="{ME}"></device><device id="{PEER}"></device>
  </folder>
  <device id="{ME}" name="ws-room12"></device>
  <device id="{PEER}" name="{peer_name}"></device>
  <gui enabled="true" tls="false"><address>127.0.0.1:8384</address><apikey>{KEY}</apikey></gui>
</configuration>""", encoding="utf-8")
    return cfg


@pytest.fixture
def room(tmp_path: Path) -> Path:
    data = tmp_path / "room"
    shutil.copytree(paths.demo_data(), data, ignore=shutil.ignore_patterns("journal"))
    (data / "journal").mkdir()
    return data


def _settings(fake: FakeSyncthing, cfg: Path, folder: str | None = None) -> SyncSettings:
    return SyncSettings(f"http://127.0.0.1:{fake.port}", (str(cfg),), folder)


def _add_sync(room: Path, text: str) -> None:
    with open(room / "classroom.toml", "a", encoding="utf-8") as f:
        f.write("\n[sync]\n" + text)


# -- the words ----------------------------------------------------------------------------------------

def test_no_sync_section_shows_nothing(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_sync(None) == (None, [])
    assert read_settings(room) == (None, [])
    assert words(None, NOW) is None
    assert main(["sync", "--data", str(room)]) == 2
    assert "no [sync]" in capsys.readouterr().err


def test_the_words_for_each_state() -> None:
    peers = (Peer(PEER, "laptop-mr", True, last_seen=NOW, completion=100.0, need_items=0),
             Peer(ME, "ws", True, completion=100.0, need_items=0))
    ok = SyncState("room12", peers, 0, "idle", checked_at=NOW, synced_at=NOW, mode="events")
    assert words(ok, NOW).text == "synced 10:14 · 2 peers" and not words(ok, NOW).alarm  # type: ignore[union-attr]
    off = SyncState("room12", (Peer(PEER, "laptop-mr", False, last_seen=datetime(2026, 11, 23, 10, 8)),),
                    0, "idle", checked_at=NOW, synced_at=datetime(2026, 11, 23, 10, 8), mode="events")
    said = words(off, NOW)
    assert said is not None and said.alarm and said.text == "⚠ not synced for 6 min (laptop-mr offline)"
    assert "laptop-mr (LAPTOPM): offline, last seen 10:08" in said.details[0]
    behind = SyncState("room12", (Peer(PEER, "laptop-mr", True, completion=80.0, need_items=14),), 0, "idle",
                       checked_at=NOW, synced_at=datetime(2026, 11, 23, 10, 10),
                       out_since=datetime(2026, 11, 23, 10, 10))
    said = words(behind, NOW)
    assert said is not None and said.alarm and said.text == "⚠ 14 changes waiting"
    assert "80% · 14 pending" in said.details[0]
    just_now = SyncState("room12", behind.peers, 0, "idle", checked_at=NOW, out_since=NOW)
    assert words(just_now, NOW) == words(just_now, NOW) and not words(just_now, NOW).alarm  # type: ignore[union-attr]
    assert words(just_now, NOW).text == "syncing · 14 changes"  # type: ignore[union-attr]
    errs = SyncState("room12", peers, 0, "idle", ("students/kb.toml: permission denied",), checked_at=NOW)
    said = words(errs, NOW)
    assert said is not None and said.alarm and said.text == "⚠ 1 file not syncing (folder error)"
    assert "folder error: students/kb.toml: permission denied" in said.details
    gone = SyncState("room12", peers, problem="Syncthing at 127.0.0.1:8384 is not answering (Connection refused)",
                     checked_at=datetime(2026, 11, 23, 10, 4), synced_at=datetime(2026, 11, 23, 10, 4))
    assert words(gone, NOW).text == ("⚠ not synced for 10 min (Syncthing at 127.0.0.1:8384 is not "  # type: ignore[union-attr]
                                     "answering (Connection refused))")


def test_names_from_syncthing_are_data() -> None:
    state = SyncState("room12", (Peer(PEER, "\x1b[2Jevil\nline", False),), 0, checked_at=NOW)
    text = words(state, NOW).text  # type: ignore[union-attr]
    assert "\x1b" not in text and "\n" not in text and "evil" in text
    assert all("\x1b" not in line and "\n" not in line for line in peer_lines(state, NOW))


def test_sync_settings_keep_the_key_on_this_machine(room: Path) -> None:
    settings, problems = parse_sync({"address": "http://10.0.0.9:8384", "apikey": "x"})
    assert settings is not None and settings.address == "http://127.0.0.1:8384"
    assert [f for f, _ in problems] == ["sync.apikey", "sync.address"]
    assert "is not this machine" in problems[1][1]
    _add_sync(room, 'address = "http://evil.example:8384"\nconfig = "relative/config.xml"\n')
    assert parse_classroom  # the room still parses: a [sync] mistake is a warning
    found, _ = check_folder(room)
    assert any("classroom.toml:" in p and "sync.address" in p and "not this machine" in p for p in found)
    assert any("sync.config" in p and "absolute path" in p for p in found)


def test_a_config_xml_inside_the_shared_folder_is_refused(room: Path, fake: FakeSyncthing) -> None:
    cfg = _config(room, room)  # room/syncthing-home/config.xml: inside the data folder
    state = SyncHealth(room, _settings(fake, cfg), clock).check_once()
    assert state.problem and "inside the data folder" in state.problem
    assert fake.calls == []  # the key was never sent anywhere


def test_the_folder_is_found_by_its_path(tmp_path: Path, room: Path) -> None:
    cfg = _config(tmp_path, room)
    found = read_config(SyncSettings("http://127.0.0.1:1", (str(cfg),)), room)
    assert (found.folder, found.key, found.names[PEER]) == ("room12", KEY, "laptop-mr")
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert read_config(SyncSettings("http://127.0.0.1:1", (str(cfg),), "room12"), other).folder == "room12"


# -- a fake Syncthing ---------------------------------------------------------------------------------

def test_in_sync_and_a_peer_offline(tmp_path: Path, room: Path, fake: FakeSyncthing,
                                    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _config(tmp_path, room)
    monkeypatch.setenv("PARATUI_NOW", "2026-11-23T10:14")
    _add_sync(room, f'address = "http://127.0.0.1:{fake.port}"\nconfig = "{cfg}"\n')
    assert main(["sync", "--data", str(room)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "synced 10:14 · 1 peer"
    assert out[1] == "  laptop-mr (LAPTOPM): connected · 100% · 0 pending"
    fake.connected = False
    assert main(["sync", "--data", str(room), "--json"]) == 1
    got = json.loads(capsys.readouterr().out)
    assert got["words"] == "⚠ not synced for 6 min (laptop-mr offline)" and got["alarm"] is True
    assert got["peers"][0]["connected"] is False and got["peers"][0]["last_seen"].startswith("2026-11-23T")
    fake.connected, fake.need = True, 14
    assert main(["sync", "--data", str(room)]) == 0  # just seen: syncing, not yet an alarm
    assert capsys.readouterr().out.startswith("syncing · 14 changes")


@pytest.mark.parametrize(("mode", "said"), [
    ("hang", "did not answer /rest/system/status within 1 s"),
    ("trickle", "did not answer /rest/system/status within 1 s"),
    ("500", "answered /rest/system/status with an error (500)"),
    ("huge", "answered more than 1 MiB to /rest/system/status (not read)"),
    ("garbage", "answered /rest/system/status with something that is not JSON"),
])
def test_a_bad_syncthing_is_bounded_and_said_in_words(tmp_path: Path, room: Path, fake: FakeSyncthing,
                                                      mode: str, said: str) -> None:
    fake.mode["/rest/system/status"] = mode
    health = SyncHealth(room, _settings(fake, _config(tmp_path, room)), clock, timeout=1)
    done: list[SyncState] = []
    t = threading.Thread(target=lambda: done.append(health.check_once()), daemon=True)
    t.start()
    t.join(30)  # not a timing target: a bound far above the 1 s deadline, so a hang fails the test
    assert done, "the reader did not return"
    state = done[0]
    assert state.problem is not None and said in state.problem
    text = words(state, NOW).text  # type: ignore[union-attr]
    assert text.startswith("⚠ not synced (") and said in text and "\x1b" not in text


def test_a_flood_from_the_event_stream_is_refused_too(tmp_path: Path, room: Path, fake: FakeSyncthing) -> None:
    fake.mode["/rest/events"] = "huge"
    with pytest.raises(Exception, match="more than 1 MiB"):
        get_json(f"http://127.0.0.1:{fake.port}", "/rest/events?since=0", KEY, timeout=5)


def test_the_thread_never_holds_the_caller(tmp_path: Path, room: Path, fake: FakeSyncthing) -> None:
    fake.mode["/rest/system"] = "hang"
    told: list[SyncState] = []
    health = SyncHealth(room, _settings(fake, _config(tmp_path, room)), clock, told.append, timeout=0.5, poll_s=0.2)
    health.start()
    first = health.snapshot()  # at once, whatever Syncthing does
    assert words(first, NOW).text == "sync: asking Syncthing…"  # type: ignore[union-attr]
    _until(lambda: health.snapshot().problem is not None, "the hang to be said")
    health.stop()
    assert "did not answer /rest/system/status within 0.5 s" in (health.snapshot().problem or "")
    assert told and told[-1] is health.snapshot()


def test_events_then_the_polling_fallback(tmp_path: Path, room: Path, fake: FakeSyncthing) -> None:
    health = SyncHealth(room, _settings(fake, _config(tmp_path, room)), clock, timeout=2, poll_s=0.2, events_wait=1)
    health.start()
    try:
        _until(lambda: health.snapshot().mode == "events", "the event stream")
        assert words(health.snapshot(), NOW).text == "synced 10:14 · 1 peer"  # type: ignore[union-attr]
        fake.connected = False  # the event says it before any poll would
        fake.events = [{"id": 1, "type": "DeviceDisconnected", "data": {"id": PEER, "error": "EOF"}}]
        _until(lambda: words(health.snapshot(), NOW).alarm, "the disconnect to be said")  # type: ignore[union-attr]
        assert "laptop-mr offline" in words(health.snapshot(), NOW).text  # type: ignore[union-attr]
        fake.connected = True
        fake.mode["/rest/events"] = "500"  # the stream drops: polling takes over
        _until(lambda: health.snapshot().mode == "polling", "the fallback")
        _until(lambda: not words(health.snapshot(), NOW).alarm, "a poll to see the peer back")  # type: ignore[union-attr]
        assert "polling (Syncthing answered /rest/events with an error (500))" in peer_lines(health.snapshot(), NOW)[-1]
    finally:
        health.stop()


def test_a_gap_in_event_ids_reads_everything_again(tmp_path: Path, room: Path, fake: FakeSyncthing) -> None:
    health = SyncHealth(room, _settings(fake, _config(tmp_path, room)), clock, timeout=2, poll_s=30, events_wait=1)
    health.start()
    try:
        _until(lambda: health.snapshot().mode == "events" and health._last_event == 0, "the event stream")
        fake.events = [{"id": 1, "type": "Ping", "data": {}}]
        _until(lambda: health._last_event == 1, "event 1")
        fake.need = 3  # changed while events 2-9 were missed
        before = sum(c.startswith("/rest/db/completion") for c in fake.calls)
        fake.events = [{"id": 10, "type": "Ping", "data": {}}]
        _until(lambda: sum(c.startswith("/rest/db/completion") for c in fake.calls) > before, "a full look")
        _until(lambda: health.snapshot().waiting == 3, "the missed change")
    finally:
        health.stop()


def _until(condition: Any, what: str, seconds: float = 60) -> None:
    """Waits for `condition` (a bound for a hang, not a timing target)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# -- the real Syncthing pair --------------------------------------------------------------------------

_HAVE = bool(shutil.which("syncthing") and shutil.which("curl"))


@pytest.mark.slow
@pytest.mark.skipif(not _HAVE and not os.environ.get("CI"), reason="needs syncthing and curl")
def test_stopping_one_syncthing_turns_the_others_words(tmp_path: Path) -> None:
    import socket

    socks = [socket.socket() for _ in range(4)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    gui1, gui2, sync1, sync2 = (s.getsockname()[1] for s in socks)
    for s in socks:
        s.close()
    root = tmp_path / "pair"
    env = {**os.environ, "ROOT": str(root), "GUI1": str(gui1), "GUI2": str(gui2), "SYNC1": str(sync1),
           "SYNC2": str(sync2)}
    pair = subprocess.run(["bash", str(PAIR)], env=env, capture_output=True, text=True, timeout=150)
    assert pair.returncode == 0, pair.stderr
    pids = [int(p) for p in (root / "pids").read_text().split()]
    a = root / "A"
    shutil.copytree(paths.demo_data(), a, dirs_exist_ok=True, ignore=shutil.ignore_patterns("journal"))
    health = SyncHealth(a, SyncSettings(f"http://127.0.0.1:{gui1}", (str(root / "h1" / "config.xml"),)),
                        datetime.now, poll_s=2)
    second: subprocess.Popen | None = None
    try:
        health.start()
        _until(lambda: (w := words(health.snapshot(), datetime.now())) is not None and w.text.startswith("synced"),
               "the pair to be in sync", 120)
        assert health.snapshot().folder == "room"  # found in config.xml by the folder's path
        os.kill(pids[1], signal.SIGTERM)
        _until(lambda: "not synced" in words(health.snapshot(), datetime.now()).text,  # type: ignore[union-attr]
               "the stopped peer to be said", 60)
        said = words(health.snapshot(), datetime.now())
        assert said is not None and said.alarm and "(st2 offline)" in said.text
        assert any(line.startswith("st2 (") and "offline, last seen" in line for line in said.details)
        second = subprocess.Popen(["syncthing", "serve", "--home", str(root / "h2"), "--no-browser", "--no-restart",
                                   "--no-upgrade"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "STHASHING": "minio"})
        _until(lambda: words(health.snapshot(), datetime.now()).text.startswith("synced"),  # type: ignore[union-attr]
               "the peer back and in sync", 120)
    finally:
        health.stop()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if second is not None:
            second.terminate()
            second.wait(30)


def test_the_board_part_and_lines(tmp_path: Path, room: Path, fake: FakeSyncthing) -> None:
    from paratui.app.sync_status import SyncStatus, sync_part

    told: list[int] = []
    status = SyncStatus(lambda: told.append(1), clock)
    status.follow(room, None)
    assert status.words(NOW) is None and status.lines(NOW) == [] and sync_part(None) is None
    status.follow(room, _settings(fake, _config(tmp_path, room)))
    try:
        _until(lambda: (w := status.words(NOW)) is not None and w.text.startswith("synced"), "the first look")
        part = sync_part(status.words(NOW))
        assert part is not None and part.long == "  │ synced 10:14 · 1 peer" and part.drop == 0
        assert status.lines(NOW)[:2] == ["sync: synced 10:14 · 1 peer",
                                         "sync: laptop-mr (LAPTOPM): connected · 100% · 0 pending"]
        assert told
        alarm = sync_part(words(SyncState("room12", (Peer(PEER, "laptop-mr", False),), 0, checked_at=NOW), NOW))
        assert alarm is not None and alarm.long == "  │ ⚠ not synced (laptop-mr offline)"
        assert alarm.short == " │ ⚠ not synced" and "reverse" in alarm.style
    finally:
        status.follow(room, None)


def test_one_peers_completion_failing_is_that_peers_line(tmp_path: Path, room: Path, fake: FakeSyncthing) -> None:
    fake.mode["/rest/db/completion"] = "500"
    state = SyncHealth(room, _settings(fake, _config(tmp_path, room)), clock, timeout=1).check_once()
    assert state.problem is None and state.peers[0].connected and state.peers[0].completion is None
    assert "laptop-mr (LAPTOPM): connected · completion not known · pending not known" in peer_lines(state, NOW)


# -- on the board ------------------------------------------------------------------------------------

async def test_the_board_top_bar_and_w_say_the_sync_state(room: Path, fake: FakeSyncthing, tmp_path: Path) -> None:
    """The board follows the room's [sync]: its top bar says "synced …" while Syncthing says so, and
    turns to the alarm words when the peer goes offline; `w` lists the peer. A room with no [sync]
    shows no sync part (the other tests of the board)."""
    from paratui.app.page import PageScreen
    from paratui.app.status import StatusBar
    from tests.helpers import make_app, wait_for

    cfg = _config(tmp_path, room)
    _add_sync(room, f'address = "http://127.0.0.1:{fake.port}"\nconfig = "{cfg}"\nfolder = "room12"\n')
    app = make_app(room, clock, watch=False, as_staff="MR")
    async with app.run_test(size=(160, 40)) as pilot:
        def bar() -> str:
            return app.query_one(StatusBar).render_line(0).text

        assert await wait_for(pilot, lambda: "synced" in bar() and "⚠" not in bar(), 20), bar()
        fake.connected = False
        fake.events.append({"id": 99, "type": "DeviceDisconnected", "time": "2026-11-23T10:14:00Z",
                            "data": {"id": PEER, "error": "gone"}})
        app.reload()
        assert await wait_for(pilot, lambda: "⚠ not synced" in bar() and "laptop-mr offline" in bar(), 30), bar()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        assert "sync: ⚠ not synced" in app.screen.markdown and "laptop-mr" in app.screen.markdown
