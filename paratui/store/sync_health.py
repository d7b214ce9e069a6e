"""Sync health: what this machine's Syncthing says about the data folder, read without ever slowing
or stopping the board.

`[sync]` in classroom.toml (paratui.model.sync.SyncSettings) names the Syncthing to ask (this
machine's only) and where its API key is read: Syncthing's own config.xml, outside the shared folder.
`SyncHealth` asks from a background thread: the `/rest/events` long poll for what changes
(DeviceConnected/Disconnected, FolderCompletion, FolderSummary, FolderErrors, StateChanged,
Local/RemoteIndexUpdated), and a full look now and then (`/rest/system/connections`,
`/rest/stats/device`, `/rest/db/status`, `/rest/db/completion` per connected peer: expensive, so at
most every `MIN_FULL_S`, and `/rest/folder/errors` only when there are errors). When the stream drops,
answers garbage or shows a gap in its event ids (missed events), it falls back to polling every
`poll_s` and tries the stream again later.

Every request has one deadline for connecting, sending and the whole answer (a server that hangs or
trickles bytes is cut off), and an answer over 1 MiB is refused unread: each failure becomes words
(`SyncState.problem`). The caller only ever takes the latest `SyncState` (a frozen value) or is told
of a new one through `on_change` (from the thread: the board hands it to its own loop).
"""

from __future__ import annotations

import dataclasses
import json
import re
import socket
import ssl
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import unescape

from paratui.model.sync import Peer, SyncSettings, SyncState, address_problem, in_sync
from paratui.model.text import clean
from paratui.store.safe_read import MiB, inside, read_regular

MAX_ANSWER = 1 * MiB  # a Syncthing answer for one folder is a few KiB; anything larger is refused
TIMEOUT_S = 5.0  # one request: connect, send and the whole answer
EVENTS_WAIT_S = 20  # how long Syncthing holds a long poll open (its `timeout`)
POLL_S = 10.0  # polling fallback: a full look this often
FULL_S = 60.0  # with the event stream: a full look at least this often anyway
MIN_FULL_S = 5.0  # and never more often than this (completion is expensive for Syncthing)
CONFIG_LIMIT = 1 * MiB
_EVENTS = {"DeviceConnected", "DeviceDisconnected", "DevicePaused", "DeviceResumed", "FolderCompletion",
           "FolderSummary", "FolderErrors", "StateChanged", "LocalIndexUpdated", "RemoteIndexUpdated"}


class SyncError(Exception):
    """Syncthing could not be read: the message is the words."""


# -- one bounded request -----------------------------------------------------------------------------

def get_json(address: str, path: str, key: str, timeout: float = TIMEOUT_S, limit: int = MAX_ANSWER) -> Any:
    """GET `path` from Syncthing at `address` with the API key: its JSON, or SyncError in words.
    One deadline for everything (connect, TLS, send, the whole answer); never more than `limit`
    bytes of answer read; HTTP/1.0, so the server closes when done."""
    if why := address_problem(address):
        raise SyncError(why)
    url = urlsplit(address.strip())
    host = url.hostname or "127.0.0.1"
    port = url.port or (443 if url.scheme == "https" else 80)
    deadline = time.monotonic() + timeout
    request = (f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nX-API-Key: {key}\r\n"
               "Accept: application/json\r\nConnection: close\r\n\r\n").encode("ascii", "strict")
    shown = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise SyncError(f"Syncthing at {shown} did not answer within {timeout:g} s") from None
    except OSError as e:
        raise SyncError(f"Syncthing at {shown} is not answering ({clean(e.strerror or e, limit=60)})") from None
    buf = bytearray()
    try:
        if url.scheme == "https":  # this machine's own Syncthing, with its own self-signed certificate
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            sock = context.wrap_socket(sock, server_hostname=host)
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        sock.sendall(request)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            chunk = sock.recv(64 * 1024)
            if not chunk:
                break
            buf += chunk
            if len(buf) > limit + 16 * 1024:  # the headers' share is small
                raise SyncError(f"Syncthing answered more than {limit // MiB} MiB to "
                                f"{path.split('?')[0]} (not read)")
    except TimeoutError:
        raise SyncError(f"Syncthing at {shown} did not answer {path.split('?')[0]} within {timeout:g} s") from None
    except (OSError, ssl.SSLError) as e:
        raise SyncError(f"Syncthing at {shown} broke off ({clean(getattr(e, 'strerror', None) or e, limit=60)})") \
            from None
    finally:
        sock.close()
    return _parse_answer(bytes(buf), shown, path.split("?")[0], limit)


def _parse_answer(raw: bytes, shown: str, what: str, limit: int) -> Any:
    head, sep, body = raw.partition(b"\r\n\r\n")
    status = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    if not sep or not status:
        raise SyncError(f"Syncthing answered {what} with something that is not HTTP")
    code = int(status.group(1))
    if code in (401, 403):
        raise SyncError(f"Syncthing refused the API key ({code}): is [sync] config this Syncthing's "
                        "config.xml?")
    if code == 404:
        raise SyncError(f"Syncthing does not know {what} (404: the folder id, or an old Syncthing)")
    if code != 200:
        raise SyncError(f"Syncthing answered {what} with an error ({code})")
    headers = head.lower()
    if re.search(rb"\r\ntransfer-encoding:\s*chunked", headers):
        body = _dechunk(body, shown, what)
    if len(body) > limit:
        raise SyncError(f"Syncthing answered more than {limit // MiB} MiB to {what} (not read)")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise SyncError(f"Syncthing answered {what} with something that is not JSON") from None


def _dechunk(body: bytes, shown: str, what: str) -> bytes:
    out, rest = bytearray(), body
    while True:
        size_line, sep, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip() or b"x", 16)
        except ValueError:
            raise SyncError(f"Syncthing answered {what} with a broken chunked body") from None
        if not sep or size < 0:
            raise SyncError(f"Syncthing answered {what} with a broken chunked body")
        if size == 0:
            return bytes(out)
        out += rest[:size]
        rest = rest[size + 2:]


# -- Syncthing's config.xml: the API key, the folder, the devices' names --------------------------------

@dataclasses.dataclass(frozen=True)
class Config:
    key: str
    folder: str
    members: tuple[str, ...]  # device ids sharing the folder (this machine's included)
    names: dict[str, str]  # device id → name
    source: Path


_ATTR = re.compile(r'([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"')


def _attrs(text: str) -> dict[str, str]:
    return {k: unescape(v, {"&quot;": '"', "&apos;": "'"}) for k, v in _ATTR.findall(text)}


def read_config(settings: SyncSettings, root: Path) -> Config:
    """The API key and the folder from Syncthing's config.xml (the first of `settings.configs` that
    exists), or SyncError in words. Read as text, bounded, never as XML with entities: only the
    elements needed are picked out. A config.xml inside the data folder is refused (the key would be
    shared with everyone the folder syncs to)."""
    tried = []
    for item in settings.configs:
        path = Path(item).expanduser()
        tried.append(str(path))
        if not path.exists():
            continue
        try:
            real = path.resolve()
        except OSError:
            real = path
        if inside(real, Path(root).resolve()):
            raise SyncError(f"{clean(path, limit=80)} is inside the data folder: Syncthing's API key must never be "
                            "in the shared folder ([sync] config)")
        try:
            text = read_regular(path, CONFIG_LIMIT).decode("utf-8", "replace")
        except OSError as e:
            raise SyncError(f"cannot read Syncthing's API key from {clean(path, limit=80)} "
                            f"({clean(e.strerror or e, limit=60)})") from None
        return _config_from(text, settings, Path(root), path)
    raise SyncError(f"no Syncthing config.xml found ({clean(', '.join(tried), limit=120)}): set [sync] config")


def _config_from(text: str, settings: SyncSettings, root: Path, source: Path) -> Config:
    gui = re.search(r"<gui\b[^>]*>(.*?)</gui>", text, re.S)
    key = re.search(r"<apikey>\s*([^<\s]{1,200})\s*</apikey>", gui.group(1)) if gui else None
    if not key or not key.group(1).isascii() or not key.group(1).isprintable():
        raise SyncError(f"{clean(source, limit=80)} has no API key (<gui><apikey>): set one in Syncthing's GUI "
                        "(Actions → Settings → API Key)")
    names: dict[str, str] = {}
    for m in re.finditer(r"<device\b([^>]*)>", text):
        a = _attrs(m.group(1))
        if "id" in a and "name" in a:
            names.setdefault(a["id"], a["name"])
    want = settings.folder
    try:
        here = root.resolve()
    except OSError:
        here = root
    found = None
    for m in re.finditer(r"<folder\b([^>]*)>(.*?)</folder>", text, re.S):
        a = _attrs(m.group(1))
        if want is not None:
            hit = a.get("id") == want
        else:
            try:
                hit = bool(a.get("path")) and Path(a["path"]).expanduser().resolve() == here
            except (OSError, ValueError):
                hit = False
        if hit:
            members = tuple(d["id"] for d in (_attrs(x) for x in re.findall(r"<device\b([^>]*)>", m.group(2)))
                            if "id" in d)
            found = (a.get("id", ""), members)
            break
    if found is None:
        if want is not None:
            raise SyncError(f"Syncthing has no folder {clean(want, limit=64)!r} ({clean(source, limit=80)})")
        raise SyncError(f"no Syncthing folder has the path {clean(root, limit=80)}: set [sync] folder to its id")
    return Config(key.group(1), found[0], found[1], names, source)


# -- the reader ----------------------------------------------------------------------------------------

def _time(text: Any) -> datetime | None:
    """Syncthing's RFC 3339 time (nanoseconds, Z) as local naive time, like the board's clock."""
    if not isinstance(text, str) or text.startswith("1970-") or text.startswith("0001-"):
        return None
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?$", text)
    if not m:
        return None
    try:
        t = datetime.fromisoformat(m.group(1) + (m.group(2) or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone().replace(tzinfo=None) if t.tzinfo else t


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and x == x else None


class SyncHealth:
    """The sync state of one data folder, kept fresh by a daemon thread (`start`) or read once
    (`check_once`, for the command line). `snapshot()` never blocks on Syncthing."""

    def __init__(self, root: Path, settings: SyncSettings, clock: Callable[[], datetime],
                 on_change: Callable[[SyncState], None] | None = None, *, timeout: float = TIMEOUT_S,
                 poll_s: float = POLL_S, events_wait: int = EVENTS_WAIT_S):
        self.root = Path(root)
        self.settings = settings
        self.clock = clock
        self.on_change = on_change
        self.timeout = timeout
        self.poll_s = poll_s
        self.events_wait = events_wait
        self._lock = threading.Lock()
        self._state = SyncState(folder=settings.folder)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._config: Config | None = None
        self._my_id: str | None = None
        self._last_event: int | None = None
        self._last_full = -1e9
        self._dirty = True

    # what callers use
    def snapshot(self) -> SyncState:
        with self._lock:
            return self._state

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="paratui-sync-health", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; never waits for a request in flight (it is a daemon, bounded)."""
        self._stop.set()

    def check_once(self) -> SyncState:
        """One full look, now, in the caller's thread (bounded by the timeouts): the command line."""
        try:
            self._full()
        except SyncError as e:
            self._failed(str(e))
        self._set(mode="once")
        return self.snapshot()

    # the thread
    def _run(self) -> None:
        retry_events_at = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                if self._config is None or self._dirty and now - self._last_full >= MIN_FULL_S \
                        or now - self._last_full >= (FULL_S if self._state.mode == "events" else self.poll_s):
                    self._full()
            except SyncError as e:
                self._failed(str(e))
                self._stop.wait(self.poll_s)
                continue
            if time.monotonic() < retry_events_at:
                self._stop.wait(min(self.poll_s, max(0.05, retry_events_at - time.monotonic())))
                continue
            try:
                self._events()
                if self._state.mode != "events":
                    self._set(mode="events", events_problem=None)
            except SyncError as e:  # the stream dropped or answered garbage: poll until it is back
                self._set(mode="polling", events_problem=str(e))
                self._last_event = None
                retry_events_at = time.monotonic() + 3 * self.poll_s
            if self._dirty and not self._stop.is_set():  # let a burst of events settle first
                self._stop.wait(max(0.0, MIN_FULL_S - (time.monotonic() - self._last_full)))

    def _get(self, path: str, timeout: float | None = None) -> Any:
        assert self._config is not None
        return get_json(self.settings.address, path, self._config.key, timeout or self.timeout)

    def _full(self) -> None:
        self._last_full = time.monotonic()
        self._config = read_config(self.settings, self.root)
        folder = quote(self._config.folder, safe="")
        if self._my_id is None:
            status = self._get("/rest/system/status")
            my = status.get("myID") if isinstance(status, dict) else None
            if not isinstance(my, str):
                raise SyncError("Syncthing answered /rest/system/status without its device id")
            self._my_id = my
        conns = self._get("/rest/system/connections")
        conns = conns.get("connections") if isinstance(conns, dict) else None
        if not isinstance(conns, dict):
            raise SyncError("Syncthing answered /rest/system/connections without connections")
        stats = self._get("/rest/stats/device")
        stats = stats if isinstance(stats, dict) else {}
        db = self._get(f"/rest/db/status?folder={folder}")
        if not isinstance(db, dict):
            raise SyncError("Syncthing answered /rest/db/status with something else than a folder's status")
        peers = []
        for dev in self._config.members:
            if dev == self._my_id:
                continue
            c: dict = conns[dev] if isinstance(conns.get(dev), dict) else {}
            s: dict = stats[dev] if isinstance(stats.get(dev), dict) else {}
            connected = c.get("connected") is True
            completion = need = None
            if connected:
                try:  # one peer's completion not known is said on its line, not as Syncthing failing
                    done = self._get(f"/rest/db/completion?folder={folder}&device={quote(dev, safe='')}")
                except SyncError:
                    done = None
                if isinstance(done, dict):
                    completion = _num(done.get("completion"))
                    n = _num(done.get("needItems"))
                    need = int(n) if n is not None else None
            peers.append(Peer(dev, self._config.names.get(dev) or dev[:7], connected, c.get("paused") is True,
                              _time(s.get("lastSeen")) or (self.clock() if connected else None), completion, need))
        need_local = _num(db.get("needTotalItems"))
        errors: tuple[str, ...] = ()
        if (_num(db.get("errors")) or 0) > 0 or (_num(db.get("pullErrors")) or 0) > 0:
            errors = self._folder_errors(folder)
        state = str(db.get("state", "")) or None
        self._set(folder=self._config.folder, peers=tuple(peers), local_need=int(need_local or 0),
                  folder_state=state, errors=errors, problem=None, checked_at=self.clock())
        self._dirty = False

    def _folder_errors(self, folder: str) -> tuple[str, ...]:
        try:
            got = self._get(f"/rest/folder/errors?folder={folder}")
        except SyncError:
            return ("the folder has errors (Syncthing did not list them)",)
        return _errors(got.get("errors") if isinstance(got, dict) else None)

    def _events(self) -> None:
        """One long poll; applies what it says. An id gap (missed events) or a restarted Syncthing
        (ids going back) marks the state for a full look."""
        if self._last_event is None:  # where the stream is now: the newest event only
            got = self._get("/rest/events?since=0&limit=1&timeout=1", self.timeout + 1)
            self._last_event = max((e.get("id", 0) for e in _event_list(got)), default=0)
            self._dirty = True
            return
        since = self._last_event
        got = self._get(f"/rest/events?since={since}&limit=100&timeout={self.events_wait}",
                        self.events_wait + self.timeout)
        events = _event_list(got)
        if not events:
            return
        ids = [e["id"] for e in events]
        if ids[0] != since + 1:
            self._dirty = True  # a gap (or a restart): what was missed is read in full
        self._last_event = max(ids)
        for e in events:
            self._apply(e)

    def _apply(self, e: dict) -> None:
        kind, data = e.get("type"), e.get("data")
        if kind not in _EVENTS or not isinstance(data, dict) or self._config is None:
            return
        folder = self._config.folder
        with self._lock:
            st = self._state
        if kind in ("DeviceConnected", "DeviceDisconnected", "DevicePaused", "DeviceResumed"):
            dev = data.get("id") or data.get("device")
            changed = []
            for p in st.peers:
                if p.id == dev:
                    if kind == "DeviceDisconnected":
                        p = dataclasses.replace(p, connected=False, last_seen=self.clock())
                    elif kind == "DeviceConnected":
                        p = dataclasses.replace(p, connected=True, last_seen=self.clock())
                    else:
                        p = dataclasses.replace(p, paused=kind == "DevicePaused")
                changed.append(p)
            self._set(peers=tuple(changed))
            self._dirty = True
        elif data.get("folder") != folder:
            return
        elif kind == "FolderCompletion":
            peers = tuple(dataclasses.replace(p, completion=_num(data.get("completion")),
                                              need_items=int(_num(data.get("needItems")) or 0))
                          if p.id == data.get("device") else p for p in st.peers)
            self._set(peers=peers)
        elif kind == "FolderSummary" and isinstance(data.get("summary"), dict):
            summary = data["summary"]
            self._set(local_need=int(_num(summary.get("needTotalItems")) or 0),
                      folder_state=str(summary.get("state", st.folder_state or "")) or None)
        elif kind == "StateChanged":
            self._set(folder_state=str(data.get("to", "")) or None)
        elif kind == "FolderErrors":
            self._set(errors=_errors(data.get("errors")))
        else:  # an index changed: completions are stale
            self._dirty = True

    def _failed(self, why: str) -> None:
        self._my_id = None  # a restarted Syncthing: ask again
        self._last_event = None
        self._set(problem=why)

    def _set(self, **changes: Any) -> None:
        with self._lock:
            st = dataclasses.replace(self._state, **changes)
            now = self.clock()
            if in_sync(st):
                st = dataclasses.replace(st, synced_at=now, out_since=None)
            elif st.out_since is None:
                st = dataclasses.replace(st, out_since=now)
            changed = st != self._state
            self._state = st
        if changed and self.on_change is not None:
            try:
                self.on_change(st)
            except Exception:  # noqa: BLE001 - a board closing while told; the thread must go on
                pass


def _event_list(got: Any) -> list[dict]:
    if not isinstance(got, list):
        raise SyncError("Syncthing answered /rest/events with something else than a list of events")
    return sorted((e for e in got if isinstance(e, dict) and isinstance(e.get("id"), int)
                   and not isinstance(e.get("id"), bool)), key=lambda e: e["id"])


def _errors(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for x in raw[:200]:
        if isinstance(x, dict):
            out.append(f"{clean(x.get('path', '?'), limit=120)}: {clean(x.get('error', '?'), limit=120)}")
    return tuple(out)


def sync_health(root: Path, settings: SyncSettings | None, clock: Callable[[], datetime],
                on_change: Callable[[SyncState], None] | None = None) -> SyncHealth | None:
    """The board's way in: a started reader for the room's [sync], or None when it has none."""
    if settings is None:
        return None
    health = SyncHealth(root, settings, clock, on_change)
    health.start()
    return health


def read_settings(root: Path) -> tuple[SyncSettings | None, list[str]]:
    """classroom.toml's [sync] alone (the command line: no need to read the whole room), with its
    problems as words. (None, []): no [sync]."""
    import tomllib

    from paratui.model.sync import parse_sync

    try:
        data = tomllib.loads(read_regular(Path(root) / "classroom.toml", 2 * MiB, root=Path(root)).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as e:
        why = clean(getattr(e, "strerror", None) or e, limit=80)
        return None, [f"classroom.toml: cannot be read for [sync] ({why})"]
    settings, problems = parse_sync(data.get("sync"))
    return settings, [f"classroom.toml: {where}: {message}" for where, message in problems]
