"""A tiny writer program, run as a separate process by the concurrency and kill -9 tests:

    python tests/fault_writer.py JOURNAL_DIR COUNT GO_FILE

It appends COUNT events (COUNT = 0: forever) through the store API (`JournalWriter.append`) as the
writer named by PARATUI_HOST / PARATUI_LOGIN, at PARATUI_NOW, and prints each event id on its own
line, flushed, only after `append` returned: a printed id is an *acknowledged* event. It prints
`ready` first and starts writing once GO_FILE exists (so several writers start at the same moment).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from paratui.store import identity
from paratui.store.journal import JournalWriter, new_event


def main(journal: str, count: str, go: str) -> None:
    writer = JournalWriter(Path(journal), identity.writer_name())
    login, host, when = identity.login(), identity.host(), identity.now()
    kinds = [("move", {"student": "S01", "to": "bathroom", "with": ["JT"]}),
             ("back", {"student": "S01"}),
             ("task.add", {"text": "copies", "for": None, "due": None})]
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    while not os.path.exists(go):
        time.sleep(0.001)
    n, limit = 0, int(count)
    while limit == 0 or n < limit:
        type_, payload = kinds[n % len(kinds)]
        event = new_event(type_, "JT", payload, when, login, host)
        writer.append(event)
        os.write(out.fileno(), (event.id + "\n").encode())  # one write(): a kill never splits a line
        n += 1


if __name__ == "__main__":
    main(*sys.argv[1:4])
