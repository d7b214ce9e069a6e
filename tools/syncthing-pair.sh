#!/usr/bin/env bash
# Two Syncthing instances on loopback only, syncing folder "room": $ROOT/A <-> $ROOT/B.
# Used by bench/sync_check.py and tests/test_sync.py; nothing leaves 127.0.0.1.
# Tested with Debian 12's syncthing 1.19.2 (apt-get install syncthing curl). Prints ROOT, PIDs, device ids.
# Env: ROOT (default: a new temp dir), DELAY (fsWatcherDelayS, default 1; Syncthing's own is 10),
#      APIKEY, GUI1 GUI2 SYNC1 SYNC2 (ports), DIAL=one|both.
# Stop with: kill -TERM $PID1 $PID2  (each is a monitor process with one child that does the work;
# the PIDs are also in $ROOT/pids)
set -euo pipefail
ROOT=${ROOT:-$(mktemp -d)}
DELAY=${DELAY:-1}
APIKEY=${APIKEY:-testkey-0123456789abcdef}
GUI1=${GUI1:-18384} GUI2=${GUI2:-18385} SYNC1=${SYNC1:-22001} SYNC2=${SYNC2:-22002}
mkdir -p "$ROOT"/{A,B}
for i in 1 2; do syncthing generate --home "$ROOT/h$i" --no-default-folder --skip-port-probing >/dev/null 2>&1; done
ID1=$(syncthing serve --home "$ROOT/h1" --device-id)
ID2=$(syncthing serve --home "$ROOT/h2" --device-id)

write_cfg() { # home myid mygui mysync myname peerid peeraddr peername dir
cat > "$1/config.xml" <<XML
<configuration version="36">
  <device id="$2" name="$5" compression="metadata"><address>dynamic</address></device>
  <device id="$6" name="$8" compression="metadata"><address>$7</address></device>
  <folder id="room" label="room" path="$9" type="sendreceive"
          rescanIntervalS="60" fsWatcherEnabled="true" fsWatcherDelayS="$DELAY" autoNormalize="true">
    <device id="$2"></device>
    <device id="$6"></device>
    <!-- not optional: folder settings left out of a hand-written config become zero, and
         maxConflicts=0 silently disables .sync-conflict copies (one edit is lost) -->
    <maxConflicts>10</maxConflicts>
    <minDiskFree unit="%">1</minDiskFree>
  </folder>
  <gui enabled="true" tls="false"><address>127.0.0.1:$3</address><apikey>$APIKEY</apikey></gui>
  <options>
    <listenAddress>tcp://127.0.0.1:$4</listenAddress>
    <globalAnnounceEnabled>false</globalAnnounceEnabled>
    <localAnnounceEnabled>false</localAnnounceEnabled>
    <relaysEnabled>false</relaysEnabled>
    <natEnabled>false</natEnabled>
    <startBrowser>false</startBrowser>
    <urAccepted>-1</urAccepted>
    <urSeen>3</urSeen>
    <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
    <crashReportingEnabled>false</crashReportingEnabled>
    <stunKeepaliveStartS>0</stunKeepaliveStartS>
    <announceLANAddresses>false</announceLANAddresses>
    <setLowPriority>false</setLowPriority>
  </options>
</configuration>
XML
}
# By default only st2 dials st1 (both dialling at once can stall the first connection ~20 s).
if [ "${DIAL:-one}" = both ]; then ADDR2="tcp://127.0.0.1:$SYNC2"; else ADDR2=dynamic; fi
write_cfg "$ROOT/h1" "$ID1" "$GUI1" "$SYNC1" st1 "$ID2" "$ADDR2" st2 "$ROOT/A"
write_cfg "$ROOT/h2" "$ID2" "$GUI2" "$SYNC2" st2 "$ID1" "tcp://127.0.0.1:$SYNC1" st1 "$ROOT/B"

export STHASHING=${STHASHING-minio}    # skips a ~1 s hashing benchmark at start
api() { curl -sf -H "X-API-Key: $APIKEY" "http://127.0.0.1:$1$2"; }
connected() { api "$1" /rest/system/connections | python3 -c "import sys,json;d=json.load(sys.stdin);sys.exit(0 if d['connections']['$2']['connected'] else 1)"; }
fail() { echo "syncthing-pair: $1" >&2; tail -n 5 "$ROOT"/st*.log >&2; kill -TERM $(cat "$ROOT/pids") 2>/dev/null; exit 1; }
syncthing serve --home "$ROOT/h1" --no-browser --no-restart --no-upgrade >"$ROOT/st1.log" 2>&1 & PID1=$!
echo "$PID1" > "$ROOT/pids"
for _ in $(seq 1 200); do api "$GUI1" /rest/system/ping >/dev/null 2>&1 && break; sleep 0.05; done
api "$GUI1" /rest/system/ping >/dev/null 2>&1 || fail "the first instance did not start"
syncthing serve --home "$ROOT/h2" --no-browser --no-restart --no-upgrade >"$ROOT/st2.log" 2>&1 & PID2=$!
echo "$PID1 $PID2" > "$ROOT/pids"
for _ in $(seq 1 1200); do connected "$GUI1" "$ID2" 2>/dev/null && connected "$GUI2" "$ID1" 2>/dev/null && break; sleep 0.05; done
{ connected "$GUI1" "$ID2" && connected "$GUI2" "$ID1"; } 2>/dev/null || fail "the two instances did not connect within 60 s"
echo "ROOT=$ROOT PID1=$PID1 PID2=$PID2 ID1=$ID1 ID2=$ID2 GUI1=$GUI1 GUI2=$GUI2 APIKEY=$APIKEY"
