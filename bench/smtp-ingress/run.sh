#!/usr/bin/env bash
# bench/smtp-ingress/run.sh - smtp-ingress against Postfix: messages per second accepted and the time from
# DATA to 250, the same load on both, alternately, then medians and the Mailroom/Postfix ratio.
#
#   bench/smtp-ingress/run.sh [--rounds N] [--sessions N] [--messages N] [--size BYTES] [--per-connection N]
#                             [--queue postgres|rabbitmq] [--sides postfix,mailroom] [--pipelining] [--warmup N] [--skip-build] [--out DIR]
#   env SMTP_ARGS: more arguments for smtp-ingress (e.g. --mailroom.queue.postgres.max-pool-size=20);
#       SMTP_JAVA_OPTS: JVM options for it (e.g. -XX:StartFlightRecording=filename=/tmp/smtp.jfr,settings=profile)
#       SMTP_JFR: a file: a JFR recording (settings=profile) of smtp-ingress from the end of the warm-up to the last round
#       SMTP_JAR / API_JAR: the exec jars to run (default: the tree's builds; see lib.sh)
#   defaults: 3 rounds, 20 sessions, 4000 messages per run, 4096 B, 10 messages per connection, postgres queue,
#   20000 warm-up messages for smtp-ingress (500 for Postfix): C2 compiles a method after some 5,000-15,000 calls,
#   and much of smtp-ingress runs once per message or per connection, so after 4,000 messages the JIT was still
#   busy during the measured rounds (about 1 ms of compiler time per message; after 20,000, ~0.2 ms CPU)
#   Besides msg/s and latency it prints the CPU time smtp-ingress (and RabbitMQ) spent per accepted message.
#
# Mailroom side: mailbox-api and smtp-ingress (the exec jars, 512 MB heap each) on free high ports, a fresh
# PostgreSQL database on 127.0.0.1:5432 for mailbox-api and the PostgreSQL queue (or RabbitMQ on
# 127.0.0.1:5672), one domain and account provisioned over the admin API; the load goes to the MX listener,
# and every 250 means the message is committed on the queue. Postfix side: the anchor from
# /work/shared/anchors (set up if it is not running), which accepts into its own queue and delivers to
# Dovecot meanwhile. Load: SmtpLoad.java beside this script (see its comment). Postfix's smtp-source
# (the issue's suggested tool) runs once against each side too, for a second opinion on msg/s.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ANCHORS=${ANCHORS:-/work/shared/anchors}
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA:-$JDK/bin/java}
export JAVA_HOME=${JAVA_HOME:-$JDK}

PIPELINING=""; SIDES="postfix mailroom"; WARMUP=20000; ROUNDS=3; SESSIONS=20; MESSAGES=4000; SIZE=4096; PER_CONNECTION=10; QUEUE=postgres; SKIP_BUILD=0; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --sessions) SESSIONS=$2; shift 2 ;;
    --messages) MESSAGES=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --per-connection) PER_CONNECTION=$2; shift 2 ;;
    --queue) QUEUE=$2; shift 2 ;;
    --sides) SIDES=${2//,/ }; shift 2 ;;
    --pipelining) PIPELINING=pipelining; shift ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
OUT=${OUT:-$ROOT/bench/results/smtp-ingress-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
exec > >(tee -a "$OUT/run.log") 2>&1
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

export QUEUE SKIP_BUILD
source "$HERE/lib.sh"
if ! (exec 3<>/dev/tcp/127.0.0.1/10025) 2>/dev/null; then
  say "starting the Postfix anchor"
  setup_anchors "$OUT/anchors.log" || { say "anchor setup failed: see $OUT/anchors.log"; exit 1; }
fi
start_mailroom || exit 1

load() {  # port label messages
  "$JAVA" "$HERE/SmtpLoad.java" "$1" "$2" "$SESSIONS" "$3" "$SIZE" "$PER_CONNECTION" user1@example.test $PIPELINING
}
# CPU time (user + system, clock ticks) a process has used so far; 0 when there is no such process
cpu_ticks() { [ -n "${1:-}" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)
# CPU time (clock ticks) the JVM's JIT compiler threads (C1, C2) of a process have used so far
jit_ticks() {
  local n=0 task
  for task in /proc/"$1"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in
      C1\ Compiler*|C2\ Compiler*) n=$(( n + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0) )) ;;
    esac
  done
  echo "$n"
}
# Milliseconds the JVM's JIT compilers have spent compiling so far (java.ci.totalTime); 0 when jcmd cannot say
jit_ms() {
  "$JDK/bin/jcmd" "$1" PerfCounter.print 2>/dev/null \
    | awk -F= '/^java.ci.totalTime=/ {t = $2} /^sun.os.hrt.frequency=/ {f = $2} END {printf "%d\n", (f > 0 ? t * 1000 / f : 0)}'
}
# How many methods the JIT has compiled so far (standard + OSR)
jit_count() {
  "$JDK/bin/jcmd" "$1" PerfCounter.print 2>/dev/null \
    | awk -F= '/^sun.ci.(standard|osr)Compiles=/ {n += $2} END {print n + 0}'
}
RABBIT_PID=""; [ "$QUEUE" = rabbitmq ] && RABBIT_PID=$(pgrep -u rabbitmq -x beam.smp | head -1)
say "warm-up ($WARMUP messages for Mailroom, 500 for Postfix)"
load "$MX_PORT" warmup-mailroom "$WARMUP" | tee -a "$OUT/warmup.txt"
load 10025 warmup-postfix 500 | tee -a "$OUT/warmup.txt"
if [ -n "${SMTP_JFR:-}" ]; then
  "$JDK/bin/jcmd" "$SMTP_PID" JFR.start name=measured settings=profile filename="$SMTP_JFR" > /dev/null
fi

: > "$OUT/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in $SIDES; do
    port=10025; [ "$side" = mailroom ] && port=$MX_PORT
    say "round $round: $side"
    [ "$side" = mailroom ] && jit=$(jit_ms "$SMTP_PID") && compiles=$(jit_count "$SMTP_PID")
    smtp_cpu=$(cpu_ticks "$SMTP_PID"); rabbit_cpu=$(cpu_ticks "$RABBIT_PID"); jit_cpu=$(jit_ticks "$SMTP_PID")
    load "$port" "$side" "$MESSAGES" | tee -a "$OUT/results.txt"
    if [ "$side" = mailroom ]; then
      # CPU milliseconds per accepted message: smtp-ingress itself, the broker (rabbitmq queue), and the part of
      # how long its JIT compilers were busy meanwhile (compile time, mostly CPU: part of the first figure, and a
      # cost of warming up, not of each message)
      accepted=$(awk '$1 == "RESULT" && $2 == "mailroom" {n = $3} END {print n + 0}' "$OUT/results.txt")
      smtp_cpu=$(( $(cpu_ticks "$SMTP_PID") - smtp_cpu )); rabbit_cpu=$(( $(cpu_ticks "$RABBIT_PID") - rabbit_cpu ))
      jit=$(( $(jit_ms "$SMTP_PID") - jit )); compiles=$(( $(jit_count "$SMTP_PID") - compiles ))
      jit_cpu=$(( $(jit_ticks "$SMTP_PID") - jit_cpu ))
      awk -v c="$compiles" -v j="$jit_cpu" -v t="$TICK" -v n="$accepted" \
          'BEGIN { if (n > 0) printf "JIT mailroom %d methods compiled during the round, compiler threads %.2f ms CPU per message\n", c, j * 1000 / t / n }' \
        | tee -a "$OUT/results.txt"
      awk -v s="$smtp_cpu" -v r="$rabbit_cpu" -v j="$jit" -v t="$TICK" -v n="$accepted" \
          'BEGIN { if (n > 0) printf "CPU mailroom %.2f %.2f %.2f\n", s * 1000 / t / n, r * 1000 / t / n, j / n }' \
        | tee -a "$OUT/results.txt"
    fi
  done
done
[ -n "${SMTP_JFR:-}" ] && "$JDK/bin/jcmd" "$SMTP_PID" JFR.stop name=measured > /dev/null
say "smtp-source, once per side ($MESSAGES messages, $SESSIONS sessions)"
bash "$ANCHORS/bench-smtp.sh" 10025 postfix-smtp-source "$SESSIONS" "$MESSAGES" "$SIZE" 2>&1 | tail -1 | tee "$OUT/smtp-source.txt"
bash "$ANCHORS/bench-smtp.sh" "$MX_PORT" mailroom-smtp-source "$SESSIONS" "$MESSAGES" "$SIZE" 2>&1 | tail -1 | tee -a "$OUT/smtp-source.txt"
RSS=$(ps -o rss= -p "$SMTP_PID" 2>/dev/null | tr -d ' ')

rm -rf "$OUT/jars"
python3 - "$OUT/results.txt" "$SESSIONS" "$MESSAGES" "$SIZE" "$PER_CONNECTION" "$QUEUE" "${RSS:-0}" "$PIPELINING" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 10 and f[0] == "RESULT":
        rows.setdefault(f[1], []).append([float(x) for x in f[2:]])
sessions, messages, size, per, queue, rss = sys.argv[2:8]
pipe = ", pipelining" if len(sys.argv) > 8 and sys.argv[8] else ""
print(f"smtp-ingress vs Postfix: {messages} messages of {size} B per run, {sessions} sessions, {per} per connection{pipe}, "
      f"Mailroom on the {queue} queue; medians of {len(rows.get('mailroom', []))} runs per side")
print(f"{'side':10} {'accepted':>9} {'failed':>7} {'msg/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
med = {}
for side in ("postfix", "mailroom"):
    runs = rows.get(side, [])
    if not runs:
        continue
    m = [statistics.median(r[i] for r in runs) for i in range(8)]
    med[side] = m
    print(f"{side:10} {m[0]:9.0f} {m[1]:7.0f} {m[3]:8.1f} {m[4]:8.2f} {m[5]:8.2f} {m[6]:8.2f}")
cpu = [[float(x) for x in line.split()[2:5]] for line in open(sys.argv[1]) if line.startswith("CPU mailroom ")]
if cpu:
    broker = f", RabbitMQ {statistics.median(c[1] for c in cpu):.2f} ms" if queue == "rabbitmq" else ""
    jit = f" (JIT compilers busy {statistics.median(c[2] for c in cpu):.2f} ms per message meanwhile)" if all(len(c) > 2 for c in cpu) else ""
    print(f"CPU per accepted message (median of {len(cpu)} runs): smtp-ingress {statistics.median(c[0] for c in cpu):.2f} ms{jit}{broker}")
if len(med) == 2:
    p, q = med["postfix"], med["mailroom"]
    print(f"ratio Mailroom/Postfix: msg/s {q[3] / p[3]:.2f}x   p50 {q[4] / p[4]:.2f}x   p99 {q[6] / p[6]:.2f}x  (latency: lower is better)")
for line in open(sys.argv[1]):
    if line.startswith("STEPS ") or line.startswith("JIT "):
        print(line.rstrip())  # per-step round trips p50/p99 ms; methods the JIT compiled during a Mailroom round
print(f"smtp-ingress resident memory after the runs: {int(rss) // 1024} MB")
PY
