"""A data folder on a network share (paratui.model.share, paratui.store.share_health): the mount found
in a mountinfo text (a fixture: no NFS server in a test), its state (mounted / stale / gone), each
other host's newest journal file (real files, written as other hosts with PARATUI_HOST, their times set
with os.utime) as "last change from HOST 6 min ago", the alarm when another host has been quiet while
this machine writes, and a look that hangs for real (open() of a FIFO nobody writes to) never holding
the caller: the words say "stale", and the look's answer is used once it returns. Where sshfs and
FUSE are available, a real fuse.sshfs mount (sftp-server run directly, no sshd) found in the machine's
own mount table, its server stopped (SIGSTOP) and resumed, then unmounted."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import pytest

from paratui.cli import main
from paratui.model.share import (
    HostTime,
    Mount,
    ShareState,
    is_network,
    mount_of,
    parse_mountinfo,
    share_lines,
    share_words,
)
from paratui.store import share_health
from paratui.store.room import Room
from paratui.store.share_health import ShareHealth, host_of, read_mounts
from tests.helpers import demo_copy

NOW = datetime(2026, 11, 23, 10, 15)

MOUNTINFO = r"""22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
25 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
40 22 0:35 / /mnt/my\040rooms rw,relatime shared:20 - cifs //fs1/rooms rw,vers=3.1.1
41 22 0:36 / /home/jt/remote rw,nosuid,nodev,relatime shared:21 - fuse.sshfs jt@fs2:/srv rw,user_id=1000
not a mountinfo line
42 22 0:37 / /srv/9p rw - 9p share0 rw,trans=virtio
"""


def clock() -> datetime:
    return NOW


def _mountinfo(tmp_path: Path, point: Path, fstype: str = "nfs4", source: str = "fs1:/rooms") -> Path:
    """A mountinfo file saying `point` is a network mount (escaped as the kernel writes it)."""
    escaped = str(point).replace("\\", "\\134").replace(" ", "\\040")
    path = tmp_path / "mountinfo"
    path.write_text(MOUNTINFO + f"50 22 0:40 / {escaped} rw,relatime shared:30 - {fstype} {source} "
                    "rw,vers=4.2,hard,proto=tcp\n")
    return path


def _write_as(root: Path, host: str, monkeypatch: pytest.MonkeyPatch, minutes_ago: float) -> None:
    """A move written by `host` (its own journal file, as that machine's board writes it), the file's
    time set `minutes_ago` before NOW."""
    monkeypatch.setenv("PARATUI_HOST", host)
    room = Room(root, clock=clock)
    ev = room.record("move", "MR", {"student": "S01", "to": "bathroom", "with": []})
    path = room.writer.file_for(ev, False)
    t = (NOW - timedelta(minutes=minutes_ago)).timestamp()
    os.utime(path, (t, t))


def _answer(fifo: Path) -> None:
    """Open the FIFO for writing (and close it) if a look is blocked reading it: the look returns."""
    for _ in range(200):
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            return
        except OSError as e:  # ENXIO: nobody reading yet
            if e.errno != errno.ENXIO:
                raise
            threading.Event().wait(0.05)


# -- the mount table ---------------------------------------------------------------------------------

def test_mountinfo_is_parsed_and_the_folder_mount_found() -> None:
    mounts = parse_mountinfo(MOUNTINFO)
    assert [m.fstype for m in mounts] == ["ext4", "proc", "cifs", "fuse.sshfs", "9p"]  # the junk line skipped
    assert mounts[2] == Mount("/mnt/my rooms", "cifs", "//fs1/rooms")  # \040 is a space
    assert mount_of("/mnt/my rooms/room12", mounts) == mounts[2]
    assert mount_of("/mnt/my roomsX", mounts) == mounts[0]  # a prefix of the name is not the mount
    assert mount_of("/home/jt/remote/r", mounts) == mounts[3]
    assert mount_of("/home/jt", mounts) == mounts[0]
    assert [m.network for m in mounts] == [False, False, True, True, True]
    assert is_network("nfs") and is_network("nfs4") and is_network("smb3") and not is_network("tmpfs")
    # a mount over the same point hides the earlier one
    over = parse_mountinfo(MOUNTINFO + "60 40 0:50 / /mnt/my\\040rooms rw - tmpfs tmpfs rw\n")
    assert mount_of("/mnt/my rooms/room12", over) == Mount("/mnt/my rooms", "tmpfs", "tmpfs")


def test_journal_file_names_give_the_host() -> None:
    assert host_of("ws-b--alopez.json") == "ws-b"
    assert host_of("ws-b--alopez.1.json") == "ws-b"
    assert host_of("ws-b--alopez.sync-conflict-20261123-101500-ABCDEFG.json") == "ws-b"
    assert host_of(".ws-b--alopez.json.lock") is None
    assert host_of("notes.json") is None


# -- the words -----------------------------------------------------------------------------------------

def test_words_for_a_share() -> None:
    m = Mount("/mnt/rooms", "nfs4", "fs1:/rooms")
    hosts = (HostTime("ws-a", NOW - timedelta(minutes=1)), HostTime("ws-b", NOW - timedelta(minutes=6)))
    said = share_words(ShareState(m, "mounted", "ws-a", hosts, checked_at=NOW), NOW)
    assert said is not None and not said.alarm
    assert said.text == "share nfs4 fs1:/rooms · last change from ws-b 6 min ago"
    assert "last change from ws-b 10:09 (6 min ago)" in said.details
    assert "last change from this machine (ws-a) 10:14 (1 min ago)" in said.details
    assert said.details[0] == "nfs4 fs1:/rooms on /mnt/rooms: mounted · checked 10:15"
    # quiet for longer than the threshold while this machine writes: the alarm, in words
    quiet = (HostTime("ws-a", NOW - timedelta(minutes=1)), HostTime("ws-b", NOW - timedelta(minutes=25)))
    said = share_words(ShareState(m, "mounted", "ws-a", quiet, checked_at=NOW), NOW)
    assert said is not None and said.alarm
    assert said.text.startswith("⚠ no change from ws-b for 25 min (this machine wrote 10:14")
    # … but not when this machine is not writing either, nor for a host that wrote on another day
    idle = (HostTime("ws-a", NOW - timedelta(minutes=40)), HostTime("ws-b", NOW - timedelta(minutes=25)))
    said = share_words(ShareState(m, "mounted", "ws-a", idle, checked_at=NOW), NOW)
    assert said is not None and not said.alarm
    old = (HostTime("ws-a", NOW - timedelta(minutes=1)), HostTime("ws-b", NOW - timedelta(days=3)))
    said = share_words(ShareState(m, "mounted", "ws-a", old, checked_at=NOW), NOW)
    assert said is not None and not said.alarm and "ws-b 3 days ago" in said.text
    # stale, gone; a host name from a file name is data
    said = share_words(ShareState(m, "stale", "ws-a", (), "no answer within 2 s", since=NOW), NOW)
    assert said is not None and said.alarm
    assert said.text == "⚠ share nfs4 fs1:/rooms stale (no answer within 2 s since 10:15)"
    said = share_words(ShareState(m, "gone", "ws-a", (), "not mounted any more", since=NOW), NOW)
    assert said is not None and said.alarm and "gone (not mounted any more" in said.text
    evil = ShareState(m, "mounted", "ws-a", (HostTime("\x1b[31mx", NOW),), checked_at=NOW)
    assert "\x1b" not in "".join(share_lines(evil, NOW))
    assert share_words(None, NOW) is None  # local disk: nothing


# -- real files, a fixture mount table -----------------------------------------------------------------

def test_each_other_host_newest_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = demo_copy(tmp_path / "room")
    _write_as(root, "ws-b", monkeypatch, 6)
    _write_as(root, "laptop-mr", monkeypatch, 12)
    _write_as(root, "ws-a", monkeypatch, 1)
    monkeypatch.setenv("PARATUI_HOST", "ws-a")  # the board's machine
    health = ShareHealth(root, clock, mountinfo=_mountinfo(tmp_path, root))
    state = health.check_once()
    assert state is not None and state.status == "mounted"
    assert state.mount == Mount(str(root), "nfs4", "fs1:/rooms")
    assert {h.host: h.newest for h in state.hosts} == {
        "ws-a": NOW - timedelta(minutes=1), "ws-b": NOW - timedelta(minutes=6),
        "laptop-mr": NOW - timedelta(minutes=12)}
    said = share_words(state, NOW)
    assert said is not None and said.text == "share nfs4 fs1:/rooms · last change from ws-b 6 min ago"


def test_on_local_disk_nothing_is_shown(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "room")
    mounts = read_mounts()
    here = mount_of(os.path.realpath(root), mounts)
    if here is not None and here.network:
        pytest.skip("this machine's temporary folder is itself on a network share")
    assert ShareHealth(root, clock).check_once() is None
    # a fixture table with no network mount for it: nothing either
    assert ShareHealth(root, clock, mountinfo=_mountinfo(tmp_path, tmp_path / "elsewhere")).check_once() is None


def test_a_share_that_goes_away_is_gone(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "room")
    table = _mountinfo(tmp_path, root)
    health = ShareHealth(root, clock, mountinfo=table)
    state = health.check_once()
    assert state is not None and state.status == "mounted"
    table.write_text(MOUNTINFO)  # unmounted: the folder's path is now on the root file system
    state = health.check_once()
    assert state is not None and state.status == "gone"
    said = share_words(state, NOW)
    assert said is not None and said.alarm and said.text.startswith("⚠ share nfs4 fs1:/rooms gone")
    table.write_text(_mountinfo(tmp_path, root).read_text())  # mounted again
    state = health.check_once()
    assert state is not None and state.status == "mounted"


def test_a_stale_file_handle_says_so(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "room")

    def stale(path: str) -> object:
        raise OSError(errno.ESTALE, "Stale file handle", path)

    state = ShareHealth(root, clock, mountinfo=_mountinfo(tmp_path, root), probe=stale).check_once()
    assert state is not None and state.status == "stale" and "remount" in (state.problem or "")


def test_a_share_that_hangs_never_holds_the_caller(tmp_path: Path) -> None:
    """The look blocks for real (open() of a FIFO with no writer, as a stat on a dead NFS server
    blocks in the kernel): check_once returns after its timeout with "stale"; no second look starts
    while the first is hung; when the FIFO is opened the look returns and the share is mounted again."""
    root = demo_copy(tmp_path / "room")
    fifo = tmp_path / "hang"
    os.mkfifo(fifo)
    opened = threading.Event()

    def hanging(path: str) -> object:
        with open(fifo, "rb") as f:  # blocks until someone opens it for writing
            opened.set()
            return f.read()

    health = ShareHealth(root, clock, mountinfo=_mountinfo(tmp_path, root), probe=hanging, timeout=0.2)
    answered: list[ShareState | None] = []
    caller = threading.Thread(target=lambda: answered.append(health.check_once()), daemon=True)
    caller.start()
    caller.join(30)  # a bound for a broken guard, not a timing assertion
    assert not caller.is_alive() and not opened.is_set()
    state = answered[0]
    assert state is not None and state.status == "stale" and state.problem == "no answer within 0.2 s"
    said = share_words(state, NOW)
    assert said is not None and said.alarm and said.text.startswith("⚠ the data folder stale (no answer")
    assert health.check_once() is state and health.hung == 1  # the hung look is still the only one
    _answer(fifo)  # the "server" answers
    assert opened.wait(30)
    for _ in range(300):
        st = health.snapshot()
        if st is not None and st.status == "mounted":
            break
        threading.Event().wait(0.05)
    st = health.snapshot()
    assert st is not None and st.status == "mounted" and st.mount is not None and st.mount.fstype == "nfs4"


# -- the command line and the board --------------------------------------------------------------------

def test_paratui_sync_on_a_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = demo_copy(tmp_path / "room")
    _write_as(root, "ws-b", monkeypatch, 6)
    monkeypatch.setenv("PARATUI_HOST", "ws-a")
    monkeypatch.setenv("PARATUI_NOW", NOW.isoformat())
    monkeypatch.setattr(share_health, "MOUNTINFO", _mountinfo(tmp_path, root))
    assert main(["sync", "--data", str(root)]) == 0  # no [sync], but a share: said, not "nothing"
    out = capsys.readouterr().out
    assert "share nfs4 fs1:/rooms · last change from ws-b 6 min ago" in out
    assert "last change from ws-b 10:09 (6 min ago)" in out
    assert main(["sync", "--data", str(root), "--json"]) == 0
    import json
    got = json.loads(capsys.readouterr().out)
    assert got["configured"] is False and got["share"]["status"] == "mounted"
    assert got["share"]["hosts"][0]["host"] == "ws-b"


async def test_the_board_says_the_share_and_a_quiet_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a share, the top bar names it and the newest change from another host; `w` lists each host;
    another host quiet for 25 min while this machine writes turns it to the alarm words."""
    from paratui.app.page import PageScreen
    from paratui.app.status import StatusBar
    from tests.helpers import make_app, wait_for

    root = demo_copy(tmp_path / "room")
    _write_as(root, "ws-b", monkeypatch, 25)
    _write_as(root, "ws-a", monkeypatch, 1)
    monkeypatch.setenv("PARATUI_HOST", "ws-a")
    monkeypatch.setattr(share_health, "MOUNTINFO", _mountinfo(tmp_path, root))
    app = make_app(root, clock, watch=False, as_staff="MR")
    async with app.run_test(size=(200, 40)) as pilot:
        def bar() -> str:
            return app.query_one(StatusBar).render_line(0).text

        assert await wait_for(pilot, lambda: "⚠ no change from ws-b for 25 min" in bar(), 20), bar()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        md = app.screen.markdown
        assert "share: nfs4 fs1:/rooms on" in md and "⚠ last change from ws-b 09:50 (25 min ago)" in md


async def test_a_hung_share_never_freezes_the_board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The board's look blocks for real (a FIFO): the board keeps answering keys, and its top bar says
    the share is stale."""
    from paratui.app.status import StatusBar
    from tests.helpers import make_app, wait_for

    root = demo_copy(tmp_path / "room")
    fifo = tmp_path / "hang"
    os.mkfifo(fifo)

    def hanging(path: str) -> object:
        with open(fifo, "rb") as f:
            return f.read()

    monkeypatch.setattr(share_health, "MOUNTINFO", _mountinfo(tmp_path, root))
    monkeypatch.setattr(share_health, "stat_folder", hanging)
    app = make_app(root, clock, watch=False, as_staff="MR")
    try:
        async with app.run_test(size=(200, 40)) as pilot:
            def bar() -> str:
                return app.query_one(StatusBar).render_line(0).text

            assert await wait_for(pilot, lambda: "⚠ the data folder stale" in bar()
                                  or "⚠ share nfs4 fs1:/rooms stale" in bar(), 20), bar()
            await pilot.press("w")  # the board still answers
            await pilot.pause()
            assert "share: ⚠" in app.screen.markdown  # type: ignore[attr-defined]
    finally:
        _answer(fifo)  # let the hung look end


# -- a real network file system: sshfs (FUSE) over this machine's sftp-server ---------------------------

SFTP_SERVERS = ("/usr/lib/openssh/sftp-server", "/usr/lib/sftp-server", "/usr/libexec/sftp-server")


@pytest.fixture
def sshfs_mount(tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    """(the folder served, its sshfs mount, the sftp-server's pid file): a real fuse.sshfs mount of a
    folder of this machine, no sshd needed (sshfs runs sftp-server directly as its "ssh command"),
    every cache off so each stat asks the server. Skipped where sshfs or FUSE is not available."""
    server = next((s for s in SFTP_SERVERS if os.access(s, os.X_OK)), None)
    if not shutil.which("sshfs") or not shutil.which("fusermount") or server is None \
            or not os.path.exists("/dev/fuse"):
        pytest.skip("needs sshfs, fusermount, an sftp-server and /dev/fuse (apt-get install sshfs openssh-sftp-server)")
    src, mnt, pidfile = tmp_path / "served", tmp_path / "mnt", tmp_path / "sftp.pid"
    demo_copy(src)
    mnt.mkdir()
    fake_ssh = tmp_path / "fake-ssh"
    fake_ssh.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec {server}\n")
    fake_ssh.chmod(0o755)
    proc = subprocess.Popen(["sshfs", "-f", "-o", f"ssh_command={fake_ssh},dir_cache=no,attr_timeout=0,"
                             "entry_timeout=0,negative_timeout=0", f"localhost:{src}", str(mnt)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            if any(m.point == str(mnt) for m in read_mounts()) or proc.poll() is not None:
                break
            threading.Event().wait(0.05)
        if not any(m.point == str(mnt) for m in read_mounts()):
            proc.kill()
            pytest.skip(f"sshfs could not mount here: {(proc.communicate()[1] or b'').decode()[:200]}")
        yield src, mnt, pidfile
    finally:
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text()), signal.SIGCONT)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["fusermount", "-u", "-z", str(mnt)], capture_output=True)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_real_sshfs_share_mounted_stale_and_gone(sshfs_mount: tuple[Path, Path, Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own mount table and a real stat: the folder on fuse.sshfs is found; another
    host's file (written on the server's side) is read through the mount; the server stopped
    (SIGSTOP: every request on the mount then blocks in the kernel, as with a dead NFS server) turns
    the look "stale" after its timeout without holding the caller; resumed, it is mounted again;
    unmounted, it is gone."""
    src, mnt, pidfile = sshfs_mount
    _write_as(src, "ws-b", monkeypatch, 6)
    monkeypatch.setenv("PARATUI_HOST", "ws-a")
    health = ShareHealth(mnt, clock, timeout=1.0)
    state = health.check_once()
    assert state is not None and state.status == "mounted", state
    assert state.mount is not None and state.mount.fstype == "fuse.sshfs" and state.mount.source == f"localhost:{src}"
    assert [(h.host, h.newest) for h in state.hosts] == [("ws-b", NOW - timedelta(minutes=6))]
    said = share_words(state, NOW)
    assert said is not None and said.text.startswith("share fuse.sshfs localhost:/")  # a long source is cut
    assert said.text.endswith(" · last change from ws-b 6 min ago")

    server = int(pidfile.read_text())
    os.kill(server, signal.SIGSTOP)
    try:
        answered: list[ShareState | None] = []
        caller = threading.Thread(target=lambda: answered.append(health.check_once()), daemon=True)
        caller.start()
        caller.join(30)  # a bound for a broken guard, not a timing assertion
        assert not caller.is_alive()
        stale = answered[0]
        assert stale is not None and stale.status == "stale" and stale.problem == "no answer within 1 s"
        said = share_words(stale, NOW)
        assert said is not None and said.alarm and said.text.startswith("⚠ share fuse.sshfs localhost:/")
        assert " stale (no answer within 1 s since 10:15)" in said.text
    finally:
        os.kill(server, signal.SIGCONT)
    for _ in range(400):
        st = health.snapshot()
        if st is not None and st.status == "mounted":
            break
        threading.Event().wait(0.05)
    st = health.snapshot()
    assert st is not None and st.status == "mounted"

    subprocess.run(["fusermount", "-u", str(mnt)], check=True, capture_output=True)
    gone = health.check_once()
    assert gone is not None and gone.status == "gone" and "own disk" in (gone.problem or "")
