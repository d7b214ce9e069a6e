"""Issue 22's count, as a person would type it: the done-when test's keys (tests/test_room_done_when.py)
sent to `paratui init`, `paratui setup goal` ×8 and `paratui setup week` in tmux at 80×24, then
`paratui check` and the board at three times of a Tuesday; the time of each phase printed.

    .venv/bin/python tools/tmux_room_setup.py [--human] [DIR]

--human types the week at 0.3 s a character of text and 1.5 s any other key (docs/setup.md).
Needs tmux; makes a tmux session of its own and kills it at the end."""
import subprocess
import sys
import tempfile
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_room_done_when import ROOM_KEYS, GOAL_KEYS, GOALS, WEEK_KEYS, TUESDAY

S = "paratui-count"
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
WORK = Path(tempfile.mkdtemp(prefix="paratui-count-"))
DIR = Path(ARGS[0]) if ARGS else WORK / "room12"
BIN = Path(__file__).resolve().parents[1] / ".venv" / "bin"
ENV = (f"env PATH={BIN}:$PATH XDG_CACHE_HOME={WORK}/cache XDG_CONFIG_HOME={WORK}/config "
       "PARATUI_LOGIN=tester PARATUI_HOST=tmuxhost")
NAMES = {"enter": "Enter", "space": "Space", "down": "Down", "up": "Up", "left": "Left", "right": "Right",
         "escape": "Escape", "tab": "Tab", "backspace": "BSpace"}

def tm(*a):
    return subprocess.run(["tmux", *a], capture_output=True, text=True).stdout

def screen():
    return tm("capture-pane", "-p", "-t", S)

def wait(text, secs=30):
    end = time.time() + secs
    while time.time() < end:
        if text in screen():
            return True
        time.sleep(0.1)
    print("TIMEOUT waiting for", text); print(screen()); return False

HUMAN = "--human" in sys.argv  # the week typed at a person's pace: 0.3 s a character of text, 1.5 s any other key
from tests.test_setup_app import keys as _keys
TEXTS = ["readers_a", "S01 S02 S03 S04", "readers_b", "S05 S06 S07 S08", "Arrival & morning meeting",
         "Reading groups", "Math", "Specials", "Lunch", "Recess", "Read-aloud", "Work stations",
         "Speech", "SK", "R.N.", "tue thu", "13:45-14:15", "library"]
MASK = [False] * len(WEEK_KEYS)
_at = 0
for t in TEXTS:
    ks = _keys(t)
    while WEEK_KEYS[_at:_at + len(ks)] != ks:
        _at += 1
    for i in range(_at, _at + len(ks)):
        MASK[i] = True
    _at += len(ks)
print("week keys", len(WEEK_KEYS), "text", sum(MASK), "other", len(WEEK_KEYS) - sum(MASK))


def send(keys, pace=0.03, mask=None):
    for n, k in enumerate(keys):
        if mask is not None:
            time.sleep(0.3 if mask[n] else 1.5)
        if k in NAMES:
            tm("send-keys", "-t", S, NAMES[k])
            if k == "escape":
                time.sleep(0.25)  # a terminal's Esc needs its pause before the next key
        elif k.startswith("ctrl+"):
            tm("send-keys", "-t", S, "C-" + k[5:])
        elif k == ";":
            tm("send-keys", "-t", S, "-l", "\\;")  # tmux's own command separator, escaped
        else:
            tm("send-keys", "-t", S, "-l", k)
        time.sleep(pace)


def run(cmd, ready):
    tm("send-keys", "-t", S, "-l", f"{ENV} {cmd}; echo EXIT=$?")
    tm("send-keys", "-t", S, "Enter")
    return wait(ready)

tm("kill-session", "-t", S)
tm("new-session", "-d", "-s", S, "-x", "80", "-y", "24", "bash --norc")
time.sleep(0.5)
t0 = time.time(); marks = {}
run(f"paratui init {DIR}", "Your room")
send(ROOM_KEYS); wait("Done: your room is written", 60); print(screen()); send(["enter"]); wait("EXIT=0")
marks["init"] = time.time() - t0
tm("send-keys", "-t", S, "clear", "Enter")
for kind, (sid, _) in GOALS.items():
    run(f"paratui setup goal {sid} --data {DIR}", "A goal: its kind")
    send(GOAL_KEYS[kind]); wait("EXIT=0", 30)
    tm("send-keys", "-t", S, "clear", "Enter"); time.sleep(0.3)
marks["goals"] = time.time() - t0 - marks["init"]
t1 = time.time()
run(f"paratui setup week --data {DIR}", "The week: Monday")
send(WEEK_KEYS[:-2], mask=MASK[:-2] if HUMAN else None)
time.sleep(1); print(screen())
send(WEEK_KEYS[-2:]); wait("EXIT=0", 30)
marks["week"] = time.time() - t1
print(screen())
tm("send-keys", "-t", S, "clear", "Enter")
print(subprocess.run(f"{ENV} paratui check --data {DIR}; echo check=$?", shell=True, capture_output=True, text=True).stdout)
for at in ("09:30", "11:45", "14:00"):
    tm("send-keys", "-t", S, "clear", "Enter")
    run(f"PARATUI_NOW={TUESDAY}T{at} paratui --data {DIR}", "Room 12")
    time.sleep(2); print(f"---- board {at}"); print(screen())
    send(["q"]); time.sleep(1)
    if "EXIT=" not in screen():
        send(["q"]); time.sleep(1)
print(marks)
tm("kill-session", "-t", S)
