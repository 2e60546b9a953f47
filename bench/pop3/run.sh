#!/usr/bin/env bash
# bench/pop3/run.sh - pop3-gateway against Dovecot's POP3 (the anchor in /work/shared/anchors): many clients log
# in, STAT, LIST, UIDL and RETR every message of mailboxes of 1,000 messages, then QUIT; the same load on both,
# alternately; medians of messages per second and of RETR p50/p99, and the Mailroom/Dovecot ratio.
#
#   bench/pop3/run.sh [--users N] [--messages N] [--size BYTES] [--clients N] [--rounds N] [--first-user N]
#                     [--sides dovecot,mailroom] [--skip-build] [--jars DIR] [--jfr] [--warmup N] [--passes N] [--out DIR]
#   defaults: 10 mailboxes (user71..user80@example.test) of 1000 messages of ~4 KB, 10 clients, 3 runs per side
#   --passes N: a measured run reads every mailbox N times (default 5; one pass is ~1.5 s of load, too short to
#          measure on: the login storm and the load generator's own JIT were a large part of it)
#   --jars DIR: run DIR/mailbox-api.jar and DIR/pop3-gateway.jar instead of building (before/after comparisons)
#   --warmup N: read every mailbox N times on each side before measuring (default 3: with 1, the measured Mailroom
#          runs still spent most of their CPU in the JIT compiler threads)
#   --jfr: record JFR (settings=profile) in mailbox-api and pop3-gateway during each measured Mailroom run
#          (OUT/<process>-run<N>.jfr; `jfr print --events jdk.ExecutionSample` or `jfr view hot-methods` to read)
#   env GATEWAY_ARGS / GATEWAY_JAVA_OPTS: more arguments / JVM options for pop3-gateway
#
# Mailroom side: mailbox-api (512 MB heap) and pop3-gateway (256 MB heap) from their exec jars on free ports, a
# fresh PostgreSQL database on 127.0.0.1:5432; the mailboxes are filled through mailbox-api's gateway API (as
# delivery-service files mail), so the run measures POP3, not SMTP. Dovecot side: the anchor (set up if it is not
# listening), its bench mailboxes emptied and filled with the same messages over LMTP. bench/run.sh (the suite
# benchmark) reads mailboxes with STAT+RETR only; this one adds LIST and UIDL and the 1,000-message mailboxes.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ANCHORS=${ANCHORS:-/work/shared/anchors}
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA:-$JDK/bin/java}
export JAVA_HOME=${JAVA_HOME:-$JDK}

USERS=10; MESSAGES=1000; SIZE=4096; CLIENTS=10; ROUNDS=3; FIRST=71; SIDES="dovecot mailroom"; SKIP_BUILD=0; OUT=""; JARS=""; JFR=0; WARMUP=3; PASSES=5
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS=$2; shift 2 ;;
    --messages) MESSAGES=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --first-user) FIRST=$2; shift 2 ;;
    --sides) SIDES=${2//,/ }; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --jars) JARS=$(cd "$2" && pwd) || exit 64; SKIP_BUILD=1; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --passes) PASSES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
LAST=$((FIRST + USERS - 1))
if [ "$FIRST" -lt 2 ] || [ "$LAST" -gt 99 ]; then echo "the mailboxes must lie within user2..user99 (user1 and user100 are other tools')" >&2; exit 64; fi
OUT=${OUT:-$ROOT/bench/results/pop3-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
mkdir -p "$OUT/client" && "$JDK/bin/javac" -d "$OUT/client" "$HERE/Pop3Bench.java" || exit 1
exec > >(tee -a "$OUT/run.log") 2>&1
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
# compiled once (the source launcher compiled it again for every pass, ~1.4 s of CPU each)
CLIENT=("$JAVA" -Xmx1g -cp "$OUT/client" Pop3Bench)
bench() { "${CLIENT[@]}" "$@"; }
# a measured load, with the load generator's own CPU time (user + system seconds) written to $OUT/client-cpu
timed_bench() { /usr/bin/time -f "%U %S" -o "$OUT/client-cpu" "${CLIENT[@]}" "$@"; }
# busy and total jiffies of the whole machine
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
# after a measured load: how busy the machine was, and the load generator's CPU per message
machine_line() {  # busy0 total0 output-of-the-load
  local m1; m1=$(machine_ticks)
  echo "$3" | awk -v b0="$1" -v t0="$2" -v m1="$m1" -v c="$(cat "$OUT/client-cpu" 2>/dev/null)" '
    / messages, / { for (i = 1; i <= NF; i++) if ($(i+1) == "messages,") n = $i }
    END { split(m1, b, " "); split(c, u, " ");
          if (n > 0) printf "MACHINE busy %.0f%% of the cores; load generator %.0f us/msg\n",
            100 * (b[1] - b0) / (b[2] - t0), (u[1] + u[2]) * 1e6 / n }'
}

PASSWORD=bench-password-1
DB=mailroom_bench_pop3_$$
source "$HERE/../lib/services.sh"
cleanup() {
  stop_services
  rm -rf "$OUT/jars" "$OUT/spool" "$OUT/client"
}
trap cleanup EXIT INT TERM
say "results in $OUT; user$FIRST..user$LAST@example.test x $MESSAGES messages of ~$SIZE B, $CLIENTS clients, $ROUNDS runs per side"
echo "date=$(date -Is) cores=$(nproc) users=$USERS messages=$MESSAGES size=$SIZE clients=$CLIENTS rounds=$ROUNDS warmup=$WARMUP passes=$PASSES load=$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/settings.txt"

# ------------------------------------------------------------------ Mailroom
if [[ " $SIDES " == *" mailroom "* ]]; then
  if [ -n "$JARS" ]; then
    mkdir -p "$OUT/jars" && cp "$JARS/mailbox-api.jar" "$JARS/pop3-gateway.jar" "$OUT/jars/" || exit 1
  else
    build_jars mailbox-api pop3-gateway || exit 1
  fi
  start_mailbox_api 120 || exit 1
  API_PID=${PIDS[-1]}
  GW_HTTP=$(free_port); POP3_PORT=$(free_port); POP3S_PORT=$(free_port)
  say "Mailroom: database $DB, mailbox-api :$API_PORT, pop3-gateway POP3 :$POP3_PORT"
  MAILROOM_INTERNAL_TOKEN=$INTERNAL "$JAVA" -Xms256m -Xmx256m ${GATEWAY_JAVA_OPTS:-} -jar "$OUT/jars/pop3-gateway.jar" \
    --server.port="$GW_HTTP" --mailroom.mailbox-api.base-url="http://127.0.0.1:$API_PORT" \
    --mailroom.pop3.pop3.host=127.0.0.1 --mailroom.pop3.pop3.port="$POP3_PORT" \
    --mailroom.pop3.pop3s.host=127.0.0.1 --mailroom.pop3.pop3s.port="$POP3S_PORT" \
    --mailroom.pop3.allow-plaintext-auth-on-loopback=true --mailroom.pop3.max-connections-per-ip=0 \
    --mailroom.pop3.spool.directory="$OUT/spool" --mailroom.tls.self-signed-directory="$OUT/tls" \
    --logging.level.org.apache.james=WARN --logging.level.io.mailroom=WARN ${GATEWAY_ARGS:-} > "$OUT/pop3-gateway.log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=($GATEWAY_PID)
  wait_http "http://127.0.0.1:$GW_HTTP/actuator/health/readiness" 120 || { say "pop3-gateway did not start: see $OUT/pop3-gateway.log"; exit 1; }
  provision_accounts "$FIRST" "$LAST" "$PASSWORD" || exit 1
  say "filling Mailroom through mailbox-api"
  bench fill-api "http://127.0.0.1:$API_PORT" "$INTERNAL" example.test "$FIRST" "$USERS" "$MESSAGES" "$SIZE" || exit 1
  vacuum_analyze_db || exit 1
fi

# ------------------------------------------------------------------ Dovecot
if [[ " $SIDES " == *" dovecot "* ]]; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/10110) 2>/dev/null; then
    say "starting the anchors"
    # Dovecot and Postfix stay up after this run: they must not inherit the descriptors this script holds (the build
    # lock of `flock /tmp/mailroom-mvn.lock bench/pop3/run.sh`, kept by a daemon, would stop every later build).
    setup_anchors "$OUT/anchors.log" || { say "anchor setup failed: see $OUT/anchors.log"; exit 1; }
  fi
  say "emptying and filling Dovecot's user$FIRST..user$LAST over LMTP"
  for i in $(seq "$FIRST" "$LAST"); do rm -rf "/tmp/anchors/mail/user$i"; done
  bench fill-lmtp 10024 example.test "$FIRST" "$USERS" "$MESSAGES" "$SIZE" || exit 1
fi

# ------------------------------------------------------------------ load
# CPU time (clock ticks) of a process, and of every PostgreSQL process together: where a Mailroom message's cost goes.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() { local t=0 pid; for pid in $(pgrep -u postgres); do t=$((t + $(ticks "$pid"))); done; echo "$t"; }
# Dovecot's CPU: its live processes, and through the master's cutime/cstime the pop3 processes that ended (one per
# session; a process alive at the start and gone at the end is counted once, as it should)
dovecot_ticks() {
  local t=0 pid master
  master=$(pgrep -f '^/usr/sbin/dovecot' | head -1)
  for pid in $master $(pgrep -f '^dovecot-anchors/'); do t=$((t + $(ticks "$pid"))); done
  [ -n "$master" ] && t=$((t + $(awk '{ print $16 + $17 }' "/proc/$master/stat" 2>/dev/null || echo 0)))
  echo "$t"
}
# The part spent by the JIT compiler threads (C1/C2) of a JVM: how far from warm a run still is.
jit_ticks() {
  local t=0 task
  for task in /proc/"$1"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in C[12]\ Compiler*) t=$((t + $(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null || echo 0))) ;; esac
  done
  echo "$t"
}
# pop3-gateway's counters: read-ahead hits, misses, messages read ahead unused, RETRs answered on the I/O thread
gw_counters() {
  curl -s "http://127.0.0.1:$GW_HTTP/actuator/prometheus" | awk '
    /^pop3_read_ahead_total.*outcome="hit"/ { h = $NF } /^pop3_read_ahead_total.*outcome="miss"/ { m = $NF }
    /^pop3_read_ahead_total.*outcome="wasted"/ { w = $NF } /^mailroom_lines_inline_total/ { i += $NF }
    END { printf "%d %d %d %d\n", h, m, w, i }'
}
load() {  # side label [run number: a measured run of PASSES passes, with JFR recording with --jfr; else one pass]
  local passes=1; [ -n "${3:-}" ] && passes=$PASSES
  if [ "$1" = mailroom ]; then
    local g0 a0 p0 gj0 aj0 out
    local jfr=0 pid; [ "$JFR" = 1 ] && [ -n "${3:-}" ] && jfr=1
    if [ "$jfr" = 1 ]; then
      for pid in "$API_PID" "$GATEWAY_PID"; do "$JDK/bin/jcmd" "$pid" JFR.start name=bench settings=profile > /dev/null; done
    fi
    local c0; c0=$(gw_counters)
    g0=$(ticks "$GATEWAY_PID"); a0=$(ticks "$API_PID"); p0=$(pg_ticks); gj0=$(jit_ticks "$GATEWAY_PID"); aj0=$(jit_ticks "$API_PID")
    local m0; m0=$(machine_ticks)
    out=$(timed_bench load "$2" "$POP3_PORT" "$PASSWORD" example.test "$FIRST" "$USERS" "$CLIENTS" "$passes")
    if [ "$jfr" = 1 ]; then
      "$JDK/bin/jcmd" "$API_PID" JFR.stop name=bench filename="$OUT/mailbox-api-run$3.jfr" > /dev/null
      "$JDK/bin/jcmd" "$GATEWAY_PID" JFR.stop name=bench filename="$OUT/pop3-gateway-run$3.jfr" > /dev/null
    fi
    echo "$out"
    machine_line $m0 "$out"
    # how RETR found its message: read ahead (hit) or not (miss: it waited for a fetch), and how many RETRs ran on the
    # I/O thread (protocol-server's InlineCommands)
    echo "$c0 $(gw_counters)" | awk '{ printf "RETR read-ahead hits %d misses %d wasted %d; inline %d\n", $5 - $1, $6 - $2, $7 - $3, $8 - $4 }'
    # CPU per retrieved message, in microseconds (100 ticks a second): pop3-gateway, mailbox-api, PostgreSQL, and the
    # part of the first two spent by their JIT compiler threads (included in theirs)
    echo "$out" | awk -v g=$(( $(ticks "$GATEWAY_PID") - g0 )) -v a=$(( $(ticks "$API_PID") - a0 )) -v p=$(( $(pg_ticks) - p0 )) \
      -v gj=$(( $(jit_ticks "$GATEWAY_PID") - gj0 )) -v aj=$(( $(jit_ticks "$API_PID") - aj0 )) \
      -v hz="$(getconf CLK_TCK)" '/ messages, / { for (i = 1; i <= NF; i++) if ($(i+1) == "messages,") m = $i }
        END { if (m > 0) printf "CPU %s gateway %.0f mailbox-api %.0f postgres %.0f us/msg (JIT: gateway %.0f mailbox-api %.0f)\n", "'"$2"'",
                g / hz * 1e6 / m, a / hz * 1e6 / m, p / hz * 1e6 / m, gj / hz * 1e6 / m, aj / hz * 1e6 / m }'
  else
    local m0 out d0; m0=$(machine_ticks); d0=$(dovecot_ticks)
    out=$(timed_bench load "$2" 10110 pass example.test "$FIRST" "$USERS" "$CLIENTS" "$passes")
    echo "$out"
    machine_line $m0 "$out"
    echo "$out" | awk -v d=$(( $(dovecot_ticks) - d0 )) -v hz="$(getconf CLK_TCK)" '
      / messages, / { for (i = 1; i <= NF; i++) if ($(i+1) == "messages,") m = $i }
      END { if (m > 0) printf "CPU %s dovecot %.0f us/msg\n", "'"$2"'", d / hz * 1e6 / m }'
  fi
}
say "warm-up: every mailbox read $WARMUP times on each side"
for side in $SIDES; do
  for _ in $(seq 1 "$WARMUP"); do load "$side" "warmup-$side" | tee -a "$OUT/warmup.txt"; done
done
: > "$OUT/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  order=$SIDES; [ $((round % 2)) = 0 ] && order=$(echo "$SIDES" | tr ' ' '\n' | tac | tr '\n' ' ')
  for side in $order; do
    say "run $round: $side"
    load "$side" "$side" "$round" | tee -a "$OUT/results.txt"
  done
done
RSS=""; [ -n "${GATEWAY_PID:-}" ] && RSS=$(ps -o rss= -p "$GATEWAY_PID" 2>/dev/null | tr -d ' ')

python3 - "$OUT/results.txt" "$USERS" "$MESSAGES" "$SIZE" "$CLIENTS" "${RSS:-0}" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 12 and f[0] == "RESULT":
        rows.setdefault(f[1], []).append([float(x) for x in f[2:]])
users, messages, size, clients, rss = sys.argv[2:7]
print(f"POP3: {users} mailboxes x {messages} messages of ~{size} B, {clients} clients, each session USER/PASS STAT LIST UIDL, "
      f"RETR every message, QUIT; medians of {max((len(v) for v in rows.values()), default=0)} runs per side")
print(f"{'side':10} {'msg/s':>9} {'MB/s':>7} {'RETR p50':>9} {'p90':>8} {'p99':>8} {'max':>8} {'login p99':>10} {'LIST+UIDL p99':>14} {'errors':>7}")
med = {}
for side in ("dovecot", "mailroom"):
    runs = rows.get(side, [])
    if not runs:
        continue
    m = [statistics.median(r[i] for r in runs) for i in range(10)]
    med[side] = m
    print(f"{side:10} {m[0]:9.1f} {m[1]:7.2f} {m[2]:9.3f} {m[3]:8.3f} {m[4]:8.3f} {m[5]:8.1f} {m[6]:10.2f} {m[7]:14.2f} {int(sum(r[9] for r in runs)):7d}")
if len(med) == 2:
    d, q = med["dovecot"], med["mailroom"]
    print(f"ratio Mailroom/Dovecot: msg/s x{q[0] / d[0]:.2f} (higher is better)   RETR p50 x{q[2] / d[2]:.1f}   p99 x{q[4] / d[4]:.1f} (lower is better)")
if int(rss):
    print(f"pop3-gateway resident memory after the runs: {int(rss) // 1024} MB")
PY
