#!/usr/bin/env bash
# bench/imap/run.sh - imap-gateway against Dovecot's IMAP (the anchor in /work/shared/anchors) with imap-bench.py's
# client-like mix (SELECT, FETCH FLAGS+ENVELOPE of 50, FETCH BODY[] of one, STORE, SEARCH, APPEND, EXPUNGE, NOOP),
# one session per mailbox, on mailboxes prefilled to N messages; then IDLE latency. Both sides in one run, alternately
# when --rounds > 1; medians per side and the Mailroom/Dovecot ratio.
#
#   bench/imap/run.sh [--procs N] [--seconds S] [--prefill N] [--rounds N] [--first-user N] [--idle-rounds N]
#                     [--sides dovecot,mailroom] [--skip-build] [--jars DIR] [--out DIR] [--jfr] [--warmup S]
#   defaults: 8 sessions on user21..user28@example.test, 60 s per run, prefill 10000, 1 run per side, 50 IDLE rounds,
#   30 s of warm-up
#   --warmup S: the mix runs S seconds on Mailroom, unmeasured, before the first measured run: the prefill only
#          APPENDs, so without it the JIT compiles FETCH, STORE, SEARCH... during the measured run (a third of both
#          JVMs' CPU went to the compiler threads in a cold 30-second run)
#   --jars DIR: run DIR/mailbox-api.jar and DIR/imap-gateway.jar instead of building (before/after comparisons)
#   --jfr: record JFR (settings=profile: execution and allocation samples) in both JVMs during Mailroom's load runs,
#          into $OUT/imap-gateway-N.jfr and $OUT/mailbox-api-N.jfr
#   Each load run prints the CPU per command (user + system) of imap-gateway, mailbox-api and the run's PostgreSQL
#   backends, and of Dovecot's processes.
#   env GATEWAY_ARGS / GATEWAY_JAVA_OPTS: more arguments / JVM options for imap-gateway
#
# Mailroom side: mailbox-api (512 MB heap) and imap-gateway (512 MB heap) from their exec jars on free ports, a fresh
# PostgreSQL database on 127.0.0.1:5432, the gateway subscribed to mailbox-api's change events (PostgreSQL
# LISTEN/NOTIFY), plaintext LOGIN allowed (loopback). Dovecot side: the anchor (set up if not listening on 10143), the
# bench mailboxes emptied first. Both sides are prefilled over IMAP APPEND, in parallel (not measured).
# IDLE latency: the time from a write's completion to the idler's "* n EXISTS": on both sides an APPEND through the
# server itself; on Mailroom also a message filed straight into mailbox-api (the path of delivery-service and of
# another replica: mailbox-api -> PostgreSQL NOTIFY -> gateway -> client).
# The whole run holds /tmp/mailroom-bench.lock (one benchmark at a time on this machine).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ANCHORS=${ANCHORS:-/work/shared/anchors}
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA:-$JDK/bin/java}
export JAVA_HOME=${JAVA_HOME:-$JDK}

# the help needs no lock
case " $* " in *" -h "*|*" --help "*) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;; esac
if [ -z "${MAILROOM_BENCH_LOCKED:-}" ]; then
  # -o: the lock is not handed down to what the run starts (the anchors daemonise and would keep it)
  exec env MAILROOM_BENCH_LOCKED=1 flock -o /tmp/mailroom-bench.lock "$0" "$@"
fi

PROCS=8; SECONDS_PER_RUN=60; PREFILL=10000; ROUNDS=1; FIRST=21; IDLE_ROUNDS=50; SIDES="dovecot mailroom"
SKIP_BUILD=0; OUT=""; JARS=""; JFR=0; WARMUP=30
while [ $# -gt 0 ]; do
  case "$1" in
    --procs) PROCS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --prefill) PREFILL=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --first-user) FIRST=$2; shift 2 ;;
    --idle-rounds) IDLE_ROUNDS=$2; shift 2 ;;
    --sides) SIDES=${2//,/ }; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --jars) JARS=$(cd "$2" && pwd) || exit 64; SKIP_BUILD=1; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --warmup) WARMUP=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
LAST=$((FIRST + PROCS - 1))
if [ "$FIRST" -lt 2 ] || [ "$LAST" -gt 99 ]; then echo "the mailboxes must lie within user2..user99 (user1 and user100 are other tools')" >&2; exit 64; fi
OUT=${OUT:-$ROOT/bench/results/imap-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
exec > >(tee -a "$OUT/run.log") 2>&1
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
bench() { python3 "$HERE/imap-bench.py" --users 'user{n}@example.test' --first-user "$FIRST" --procs "$PROCS" "$@"; }

PASSWORD=bench-password-1
DB=mailroom_bench_imap_$$
source "$HERE/../lib/services.sh"
cleanup() {
  stop_services
  rm -rf "$OUT/jars"
}
trap cleanup EXIT INT TERM
say "results in $OUT; user$FIRST..user$LAST@example.test, $PROCS sessions, prefill $PREFILL, $SECONDS_PER_RUN s x $ROUNDS run(s) per side"
echo "date=$(date -Is) cores=$(nproc) procs=$PROCS seconds=$SECONDS_PER_RUN prefill=$PREFILL rounds=$ROUNDS warmup=$WARMUP load=$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/settings.txt"

# ------------------------------------------------------------------ Mailroom
if [[ " $SIDES " == *" mailroom "* ]]; then
  if [ -n "$JARS" ]; then
    mkdir -p "$OUT/jars" && cp "$JARS/mailbox-api.jar" "$JARS/imap-gateway.jar" "$OUT/jars/" || exit 1
  else
    build_jars mailbox-api imap-gateway || exit 1
  fi
  start_mailbox_api 180 --logging.level.io.mailroom=WARN || exit 1
  API_PID=${PIDS[-1]}
  GW_HTTP=$(free_port); IMAP_PORT=$(free_port); IMAPS_PORT=$(free_port)
  say "Mailroom: database $DB, mailbox-api :$API_PORT, imap-gateway IMAP :$IMAP_PORT"
  MAILROOM_INTERNAL_TOKEN=$INTERNAL "$JAVA" -Xms512m -Xmx512m ${GATEWAY_JAVA_OPTS:-} -jar "$OUT/jars/imap-gateway.jar" \
    --server.port="$GW_HTTP" --mailroom.mailbox-api.base-url="http://127.0.0.1:$API_PORT" \
    --mailroom.imap.imap.host=127.0.0.1 --mailroom.imap.imap.port="$IMAP_PORT" \
    --mailroom.imap.imaps.host=127.0.0.1 --mailroom.imap.imaps.port="$IMAPS_PORT" \
    --mailroom.imap.allow-plaintext-auth=true --mailroom.imap.max-connections-per-ip=0 \
    --mailroom.imap.max-connections-per-account=0 \
    --mailroom.events.subscriber.enabled=true --mailroom.events.type=postgres \
    --mailroom.events.postgres.url="jdbc:postgresql://127.0.0.1:5432/$DB" --mailroom.events.postgres.username=postgres \
    --mailroom.tls.self-signed-directory="$OUT/tls" \
    --logging.level.org.apache.james=WARN --logging.level.io.mailroom=WARN ${GATEWAY_ARGS:-} > "$OUT/imap-gateway.log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=($GATEWAY_PID)
  wait_http "http://127.0.0.1:$GW_HTTP/actuator/health/readiness" 180 || { say "imap-gateway did not start: see $OUT/imap-gateway.log"; exit 1; }
  provision_accounts "$FIRST" "$LAST" "$PASSWORD" || exit 1
fi

# ------------------------------------------------------------------ Dovecot
if [[ " $SIDES " == *" dovecot "* ]]; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/10143) 2>/dev/null; then
    say "starting the anchors"
    setup_anchors "$OUT/anchors.log" || { say "anchor setup failed: see $OUT/anchors.log"; exit 1; }
  fi
  say "emptying Dovecot's user$FIRST..user$LAST"
  for i in $(seq "$FIRST" "$LAST"); do rm -rf "/tmp/anchors/mail/user$i"; done
fi

# ------------------------------------------------------------------ prefill (both sides at once; not measured)
side_args() {  # side -> port and password
  if [ "$1" = mailroom ]; then echo "--port $IMAP_PORT --password $PASSWORD"; else echo "--port 10143 --password pass"; fi
}
# The processes whose CPU per command the load runs report: the two JVMs and the PostgreSQL backends of the run's
# database; on Dovecot every process of the anchor instance ("dovecot-anchors/imap", imap-login, auth, ...: the
# instance name is in each title) and its master. PostgreSQL's shared walwriter and
# checkpointer are left out (other databases on the machine use them too).
cpu_args() {  # side
  if [ "$1" = mailroom ]; then
    echo "--cpu imap-gateway=$GATEWAY_PID --cpu mailbox-api=$API_PID --cpu postgresql=pg:$DB"
  else
    echo "--cpu dovecot=dovecot-anchors/|/usr/sbin/dovecot"
  fi
}
say "prefilling every mailbox to $PREFILL messages over IMAP APPEND"
PREFILL_PIDS=()
for side in $SIDES; do
  # shellcheck disable=SC2046
  bench $(side_args "$side") --label "$side" --prefill "$PREFILL" --prefill-only > "$OUT/prefill-$side.txt" 2>&1 &
  PREFILL_PIDS+=($!)
done
for pid in "${PREFILL_PIDS[@]}"; do wait "$pid" || { say "prefill failed: see $OUT/prefill-*.txt"; exit 1; }; done
grep -h prefilled "$OUT"/prefill-*.txt
if [[ " $SIDES " == *" mailroom "* ]]; then vacuum_analyze_db || exit 1; fi  # statistics, as autovacuum would have made them

# ------------------------------------------------------------------ load
if [[ " $SIDES " == *" mailroom "* ]] && [ "$WARMUP" -gt 0 ]; then
  say "warming Mailroom up: the mix for $WARMUP s (not measured)"
  # shellcheck disable=SC2046
  bench $(side_args mailroom) --label warmup --seconds "$WARMUP" --idle-rounds 1 > "$OUT/warmup.txt" 2>&1 \
    || { say "warm-up failed: see $OUT/warmup.txt"; exit 1; }
fi
: > "$OUT/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  order=$SIDES; [ $((round % 2)) = 0 ] && order=$(echo "$SIDES" | tr ' ' '\n' | tac | tr '\n' ' ')
  for side in $order; do
    say "run $round: $side"
    recording=$([ "$JFR" = 1 ] && [ "$side" = mailroom ] && echo 1)
    if [ -n "$recording" ]; then
      "$JDK/bin/jcmd" "$GATEWAY_PID" JFR.start name=load settings=profile filename="$OUT/imap-gateway-$round.jfr" >/dev/null
      "$JDK/bin/jcmd" "$API_PID" JFR.start name=load settings=profile filename="$OUT/mailbox-api-$round.jfr" >/dev/null
    fi
    # shellcheck disable=SC2046
    bench $(side_args "$side") $(cpu_args "$side") --label "$side" --seconds "$SECONDS_PER_RUN" \
      --idle-rounds "$IDLE_ROUNDS" | tee -a "$OUT/results.txt"
    if [ -n "$recording" ]; then
      "$JDK/bin/jcmd" "$GATEWAY_PID" JFR.stop name=load >/dev/null
      "$JDK/bin/jcmd" "$API_PID" JFR.stop name=load >/dev/null
    fi
  done
done
if [[ " $SIDES " == *" mailroom "* ]]; then
  say "IDLE latency of a message filed straight into mailbox-api (the cross-service path)"
  # shellcheck disable=SC2046
  bench $(side_args mailroom) --label mailroom-filed --idle-only --idle-rounds "$IDLE_ROUNDS" \
    --store-url "http://127.0.0.1:$API_PORT" --store-token "$INTERNAL" | tee -a "$OUT/results.txt"
fi
RSS=""; [ -n "${GATEWAY_PID:-}" ] && RSS=$(ps -o rss= -p "$GATEWAY_PID" 2>/dev/null | tr -d ' ')

python3 - "$OUT/results.txt" "$PROCS" "$PREFILL" "${RSS:-0}" <<'PY' | tee "$OUT/summary.txt"
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        row = json.loads(line)
        runs.setdefault(row["label"], []).append(row)
procs, prefill, rss = sys.argv[2:5]
print(f"IMAP: {procs} sessions, mailboxes prefilled to {prefill} messages; medians of "
      f"{max((len(v) for k, v in runs.items() if k != 'mailroom-filed'), default=0)} run(s) per side")
med = {}
for side in ("dovecot", "mailroom"):
    rows = runs.get(side, [])
    if not rows:
        continue
    med[side] = {
        "rate": statistics.median(r["commands_per_s"] for r in rows),
        "p99": {k: statistics.median(r["p99_ms"][k] for r in rows if k in r["p99_ms"]) for k in rows[0]["p99_ms"]},
        "idle50": statistics.median(r["idle_p50_ms"] for r in rows),
        "idle99": statistics.median(r["idle_p99_ms"] for r in rows),
        "cpu": {k: statistics.median(r["cpu_ms_per_command"][k] for r in rows if k in r.get("cpu_ms_per_command", {}))
                for k in rows[0].get("cpu_ms_per_command", {})},
    }
    m = med[side]
    print(f"{side:9} {m['rate']:8.0f} commands/s   IDLE write->EXISTS p50 {m['idle50']:6.1f} ms  p99 {m['idle99']:6.1f} ms")
    if m["cpu"]:
        print("    CPU per command: " + ", ".join(f"{k} {v:.2f} ms" for k, v in m["cpu"].items())
              + f" (total {sum(m['cpu'].values()):.2f} ms)")
    for name, value in sorted(m["p99"].items()):
        print(f"    p99 {name:28s} {value:8.1f} ms")
for row in runs.get("mailroom-filed", []):
    print(f"mailroom, message filed into mailbox-api: IDLE write->EXISTS p50 {row['idle_p50_ms']:.1f} ms  p99 {row['idle_p99_ms']:.1f} ms")
if len(med) == 2:
    d, q = med["dovecot"], med["mailroom"]
    print(f"ratio Mailroom/Dovecot: commands/s x{q['rate'] / d['rate']:.2f} (higher is better; goal >= 0.5)")
    for name in sorted(set(d["p99"]) & set(q["p99"])):
        print(f"    p99 {name:28s} x{q['p99'][name] / d['p99'][name]:.1f} (lower is better)")
if int(rss):
    print(f"imap-gateway resident memory after the runs: {int(rss) // 1024} MB")
PY
