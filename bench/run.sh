#!/usr/bin/env bash
# bench/run.sh - one benchmark run: the same load against Mailroom and against the anchors
# (Postfix -> LMTP -> Dovecot, see /work/shared/anchors), alternately, then a table of medians and
# Mailroom/anchor ratios, and the peak memory of each side. See docs/benchmarks.md.
#
#   bench/run.sh [options]
#     --rounds N              measured runs per scenario and side (default 2), sides alternating
#     --scenarios LIST        deliver,pop3 (default); add pop3-stls for Mailroom POP3 over STLS
#     --sides LIST            mailroom,anchor (default); one side alone gives figures without ratios
#     --smtp-sessions N       20     --smtp-messages N  2000 (per run, all sessions together)
#     --per-connection N      10     messages per SMTP connection
#     --size BYTES            4096   message size (SMTP and fill)
#     --recipients N          1      local recipients per message in the deliver scenario: user100, user99, ..
#                             down to user(101-N) on both sides (N = 100 takes in user1, which other tools share;
#                             the bench never empties user1); the scenario waits until every copy is filed
#     --pop3-users N          20     --pop3-messages N  200 (per mailbox)
#     --pop3-clients N        20     --pop3-rounds N    5 (each run reads every mailbox N times)
#     --pop3-first-user N     first POP3 mailbox (default 51, so user51..: user1 is what other tools on
#                             this machine send to; user100 takes the SMTP load)
#     --queue rabbitmq|postgres  Mailroom's queue adapter (default rabbitmq, what issue 5 measures): RabbitMQ at
#                             127.0.0.1:5672 (guest/guest; MAILROOM_RABBITMQ_HOST/_PORT/_USERNAME/_PASSWORD), names
#                             under a prefix of the run's own, deleted at the end; postgres: the PostgreSQL queue
#     --warmup N              200    messages per side sent before measuring (0: none)
#     --rate MSGS_PER_S       deliver scenario open loop: SMTP sends at this fixed rate on both sides (message i due
#                             at start + i/rate; rows deliver-e2e-rate), instead of as fast as the server answers
#     --half-peak             after the deliver rounds (the peak, closed loop), --rounds more runs per side at half
#                             of that side's own median peak (rows deliver-e2e-rate): p99 filing latency at half peak
#     --rate-messages N       messages per open-loop run (default: --smtp-messages)
#     --rate-poll S           mailbox counting pause in open-loop runs (default 0.2 s: the latency's resolution)
#     --mailroom-count db|api how the bench sees Mailroom's filed copies: db (default) one query per cycle on
#                             mailbox-api's database (INBOX message_count of every address; the launcher's embedded
#                             PostgreSQL, or MAILROOM_BENCH_DB_URL); api: one REST request per address and cycle
#     --skip-build            use the jars already built
#     --mailroom-running      use a suite that is already running (needs MAILROOM_ADMIN_TOKEN)
#     --no-wipe               keep the bench mailboxes' mail on the anchor (default: they are emptied
#                             first; other mailboxes are never touched)
#     --keep-data             keep Mailroom's data directory under the results directory
#     --stop-anchors          stop Postfix and Dovecot at the end
#     --out DIR               results directory (default bench/results/<timestamp>)
#   env: JAVA (default temurin 25), ANCHORS (default /work/shared/anchors), MAILROOM_ADMIN_TOKEN,
#        MAILROOM_BENCH_PASSWORD (the bench accounts' password on Mailroom, default bench-password-1:
#        Mailroom refuses short ones; the anchors' is 'pass')
#
# Every step has a time limit; a side that fails to start or to run is reported and skipped,
# the other side still runs.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-/work/shared/anchors}
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
if [ -z "${JAVA:-}" ]; then
  if [ -x $JDK/bin/java ]; then JAVA=$JDK/bin/java; else JAVA=java; fi
fi
export JAVA_HOME=${JAVA_HOME:-$JDK}

ROUNDS=2
SCENARIOS=deliver,pop3
SIDES=mailroom,anchor
SMTP_SESSIONS=20
SMTP_MESSAGES=2000
PER_CONNECTION=10
SIZE=4096
POP3_USERS=20
POP3_MESSAGES=200
POP3_CLIENTS=20
POP3_ROUNDS=5
POP3_FIRST=""
RECIPIENTS=1
QUEUE=rabbitmq
WARMUP=200
RATE=""
HALF_PEAK=0
RATE_MESSAGES=""
RATE_POLL=0.2
MAILROOM_COUNT=db
SKIP_BUILD=0
MAILROOM_RUNNING=0
WIPE=1
KEEP_DATA=0
STOP_ANCHORS=0
OUT=""

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-64}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --sides) SIDES=$2; shift 2 ;;
    --smtp-sessions) SMTP_SESSIONS=$2; shift 2 ;;
    --smtp-messages) SMTP_MESSAGES=$2; shift 2 ;;
    --per-connection) PER_CONNECTION=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --recipients) RECIPIENTS=$2; shift 2 ;;
    --pop3-users) POP3_USERS=$2; shift 2 ;;
    --pop3-messages) POP3_MESSAGES=$2; shift 2 ;;
    --pop3-clients) POP3_CLIENTS=$2; shift 2 ;;
    --pop3-rounds) POP3_ROUNDS=$2; shift 2 ;;
    --pop3-first-user) POP3_FIRST=$2; shift 2 ;;
    --queue) QUEUE=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --half-peak) HALF_PEAK=1; shift ;;
    --rate-messages) RATE_MESSAGES=$2; shift 2 ;;
    --rate-poll) RATE_POLL=$2; shift 2 ;;
    --mailroom-count) MAILROOM_COUNT=$2; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --mailroom-running) MAILROOM_RUNNING=1; shift ;;
    --no-wipe) WIPE=0; shift ;;
    --keep-data) KEEP_DATA=1; shift ;;
    --stop-anchors) STOP_ANCHORS=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
done
case "$QUEUE" in rabbitmq|postgres) ;; *) echo "--queue: rabbitmq or postgres" >&2; exit 64 ;; esac
case "$MAILROOM_COUNT" in db|api) ;; *) echo "--mailroom-count: db or api" >&2; exit 64 ;; esac
if [ -n "$RATE" ] && ! { [[ "$RATE" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v r="$RATE" 'BEGIN { exit !(r > 0) }'; }; then echo "--rate: messages per second > 0" >&2; exit 64; fi
if [ -n "$RATE" ] && [ "$HALF_PEAK" = 1 ]; then echo "--rate and --half-peak exclude each other" >&2; exit 64; fi
RATE_MESSAGES=${RATE_MESSAGES:-$SMTP_MESSAGES}
if [ "$POP3_USERS" -gt 99 ]; then echo "--pop3-users: the anchors have user1..user100 only, and user100 takes the SMTP load" >&2; exit 64; fi
if [ -z "$POP3_FIRST" ]; then
  POP3_FIRST=51; [ $((POP3_FIRST + POP3_USERS - 1)) -le 99 ] || POP3_FIRST=$((100 - POP3_USERS))
fi
if [ "$POP3_FIRST" -lt 1 ] || [ $((POP3_FIRST + POP3_USERS - 1)) -gt 99 ]; then
  echo "--pop3-first-user: the POP3 mailboxes must lie within user1..user99" >&2; exit 64
fi
POP3_LAST=$((POP3_FIRST + POP3_USERS - 1))
if ! [[ "$RECIPIENTS" =~ ^[0-9]+$ ]] || [ "$RECIPIENTS" -lt 1 ] || [ "$RECIPIENTS" -gt 100 ]; then
  echo "--recipients: 1..100 (the anchors have user1..user100)" >&2; exit 64
fi
# the deliver scenario's recipients: user100 downwards, so user1 (shared with other tools) comes last
SMTP_TO=$(seq 100 -1 $((101 - RECIPIENTS)) | sed 's/^/user/; s/$/@example.test/' | paste -sd, -)
DELIVER_FIRST=$((101 - RECIPIENTS))

OUT=${OUT:-$ROOT/bench/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
exec > >(tee -a "$OUT/run.log") 2>&1

LOAD_JAR=""
LAUNCHER_PID=""
MONITOR_PID=""
DATA=""
MAILROOM_OK=0
ANCHOR_OK=0
declare -A FAILS=()   # side -> failed runs in a row within the current scenario
declare -A SKIP=()    # side -> 1: not run again in the current scenario
: > "$OUT/failures.txt"
T0=$(date +%s)

say()  { printf '[%s +%4ds] %s\n' "$(date +%H:%M:%S)" $(( $(date +%s) - T0 )) "$*"; }
fail() { say "FAILED: $*"; echo "$*" >> "$OUT/failures.txt"; }
has_side() { [[ ",$SIDES," == *",$1,"* ]]; }
phase() { echo "$1" > "$OUT/phase"; }

source "$ROOT/bench/lib/services.sh"   # setup_anchors

# ---------------------------------------------------------------- cleanup
descendants() {  # every process below $1 (so a launcher killed hard leaves no service behind)
  local kids; kids=$(ps -o pid= --ppid "$1" 2>/dev/null)
  for k in $kids; do echo "$k"; descendants "$k"; done
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$MONITOR_PID" ]; then
    touch "$OUT/stop"
    for _ in $(seq 1 50); do kill -0 "$MONITOR_PID" 2>/dev/null || break; sleep 0.1; done
    kill "$MONITOR_PID" 2>/dev/null
  fi
  if [ -n "$LAUNCHER_PID" ] && kill -0 "$LAUNCHER_PID" 2>/dev/null; then
    say "stopping Mailroom (launcher pid $LAUNCHER_PID)"
    local kids; kids=$(descendants "$LAUNCHER_PID")
    kill -TERM "$LAUNCHER_PID" 2>/dev/null
    for _ in $(seq 1 600); do kill -0 "$LAUNCHER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$LAUNCHER_PID" 2>/dev/null; then
      say "launcher did not stop within 60 s: killing it and its services"
      kill -KILL "$LAUNCHER_PID" $kids 2>/dev/null
    fi
  fi
  if [ -n "$DATA" ] && [ -d "$DATA/logs" ] && [ "$KEEP_DATA" = 0 ]; then cp -r "$DATA/logs" "$OUT/mailroom-logs"; fi
  if [ -n "$DATA" ] && [ "$KEEP_DATA" = 0 ]; then rm -rf "$DATA"; fi
  if [ "$STOP_ANCHORS" = 1 ]; then "$ANCHORS/stop-anchors.sh" >/dev/null 2>&1; fi
  exit $rc
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

say "results in $OUT"
say "settings: rounds=$ROUNDS scenarios=$SCENARIOS sides=$SIDES queue=$QUEUE${RATE:+ rate=$RATE msg/s}$([ $HALF_PEAK = 1 ] && echo ' half-peak') mailroom-count=$MAILROOM_COUNT smtp: $SMTP_SESSIONS sessions, $SMTP_MESSAGES msgs of $SIZE B, $PER_CONNECTION per connection, $RECIPIENTS recipient(s) each (user$DELIVER_FIRST..user100); pop3: user$POP3_FIRST..user$POP3_LAST x $POP3_MESSAGES msgs, $POP3_CLIENTS clients, $POP3_ROUNDS reads/run"
cat > "$OUT/settings.txt" <<EOF
date=$(date -Is) host=$(hostname) cores=$(nproc) mem_mb=$(free -m | awk '/Mem:/{print $2}')
rounds=$ROUNDS scenarios=$SCENARIOS sides=$SIDES queue=$QUEUE rate=${RATE:--} half_peak=$HALF_PEAK rate_messages=$RATE_MESSAGES rate_poll=$RATE_POLL mailroom_count=$MAILROOM_COUNT
smtp_sessions=$SMTP_SESSIONS smtp_messages=$SMTP_MESSAGES per_connection=$PER_CONNECTION size=$SIZE warmup=$WARMUP recipients=$RECIPIENTS
pop3_users=user$POP3_FIRST..user$POP3_LAST pop3_messages=$POP3_MESSAGES pop3_clients=$POP3_CLIENTS pop3_rounds=$POP3_ROUNDS smtp_to=user$DELIVER_FIRST..user100
java=$("$JAVA" -version 2>&1 | head -1)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
EOF

# ---------------------------------------------------------------- build
build() {  # $1 = label, rest = maven arguments; one Maven build at a time on this machine
  local label=$1; shift
  say "building $label (waiting for the build lock if another build runs)"
  if (cd "$ROOT" && timeout 1800 flock /tmp/mailroom-mvn.lock ./mvnw -B -q -ntp "$@") >> "$OUT/build.log" 2>&1; then
    return 0
  fi
  fail "build of $label failed (see $OUT/build.log)"; tail -20 "$OUT/build.log"; return 1
}
if [ "$SKIP_BUILD" = 0 ]; then
  build "bench/load" -f bench/load/pom.xml -DskipTests package || exit 1
  if has_side mailroom && [ "$MAILROOM_RUNNING" = 0 ]; then
    # test sources are not compiled: a test another engineer is changing must not stop a benchmark
    build "Mailroom" -Dmaven.test.skip=true -pl launcher,mailbox-api,smtp-ingress,delivery-service,pop3-gateway,imap-gateway -am package \
      || SIDES=${SIDES//mailroom/}
  fi
fi
LOAD_JAR=$(ls "$ROOT"/bench/load/target/bench-load-*-exec.jar 2>/dev/null | head -1)
[ -n "$LOAD_JAR" ] || { fail "no bench/load/target/bench-load-*-exec.jar: build it (drop --skip-build)"; exit 1; }
load() { "$JAVA" -XX:+UseSerialGC -Xmx512m -jar "$LOAD_JAR" "$@"; }

# ---------------------------------------------------------------- anchors
port_busy() { ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN; }
if has_side anchor; then
  # Already up: leave them be. setup-anchors.sh rewrites Dovecot's users file in place, and mail that
  # other runs have in flight meanwhile bounces with "User doesn't exist". Never ANCHORS_WIPE_MAIL=1 either.
  if port_busy 10025 && port_busy 10024 && port_busy 10110; then
    say "the anchors are running already (Postfix :10025 -> LMTP :10024 -> Dovecot; POP3 :10110)"
    anchors_up=0
  else
    say "starting the anchors (Postfix :10025 -> LMTP -> Dovecot; POP3 :10110)"
    setup_anchors "$OUT/anchors.log"
    anchors_up=$?
  fi
  if [ $anchors_up = 0 ]; then
    ANCHOR_OK=1
    if [ $WIPE = 1 ]; then
      # the bench's own, and the deliver load's other recipients but user1 (other tools on this machine send
      # there): Mailroom starts every run empty, and a Maildir that keeps every copy of earlier runs makes
      # Dovecot's filing (and the count) slower run after run
      first_rcpt=$((101 - RECIPIENTS)); [ "$first_rcpt" -ge 2 ] || first_rcpt=2
      say "emptying the bench mailboxes on the anchor (user$POP3_FIRST..user$POP3_LAST, user$first_rcpt..user100)"
      for i in $(seq "$POP3_FIRST" "$POP3_LAST") $(seq "$first_rcpt" 100); do rm -rf "/tmp/anchors/mail/user$i"; done
    fi
  else
    fail "anchors did not start (see $OUT/anchors.log)"; tail -10 "$OUT/anchors.log"
  fi
fi

# ---------------------------------------------------------------- Mailroom
API=http://127.0.0.1:8080
MAILROOM_PASSWORD=${MAILROOM_BENCH_PASSWORD:-bench-password-1}
start_mailroom() {
  if [ "$MAILROOM_RUNNING" = 1 ]; then
    [ -n "${MAILROOM_ADMIN_TOKEN:-}" ] || { fail "--mailroom-running needs MAILROOM_ADMIN_TOKEN"; return 1; }
    curl -fsS -m 5 "$API/actuator/health/readiness" >/dev/null || { fail "no Mailroom answering on $API"; return 1; }
    return 0
  fi
  for p in 2525 1110 8080 8081 8082 8083 8084; do
    if port_busy $p; then
      fail "port $p is already in use (another Mailroom? use --mailroom-running with MAILROOM_ADMIN_TOKEN)"; return 1
    fi
  done
  local jar; jar=$(ls "$ROOT"/launcher/target/launcher-*-exec.jar 2>/dev/null | head -1)
  [ -n "$jar" ] || { fail "no launcher/target/launcher-*-exec.jar (build with ./mvnw -DskipTests package)"; return 1; }
  if [ "$KEEP_DATA" = 1 ]; then DATA="$OUT/mailroom-data"; mkdir -p "$DATA"; else DATA=$(mktemp -d /tmp/mailroom-bench.XXXXXX); fi
  export MAILROOM_ADMIN_TOKEN=${MAILROOM_ADMIN_TOKEN:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}
  say "starting Mailroom: launcher with data in $DATA (log: $OUT/launcher.log, services' logs: $DATA/logs)"
  (cd "$ROOT" && exec "$JAVA" -jar "$jar" --home "$ROOT" --data "$DATA" --queue "$QUEUE") > "$OUT/launcher.log" 2>&1 &
  LAUNCHER_PID=$!
  # the launcher gives each wave of services 180 s and then gives up (and exits) by itself: wait a bit longer
  local deadline=$(( $(date +%s) + 420 ))
  while ! grep -q "Mailroom is running" "$OUT/launcher.log"; do
    if ! kill -0 "$LAUNCHER_PID" 2>/dev/null; then
      fail "the Mailroom launcher exited while starting (see $OUT/launcher.log and $DATA/logs)"
      tail -25 "$OUT/launcher.log"; LAUNCHER_PID=""; return 1
    fi
    if [ "$(date +%s)" -ge $deadline ]; then
      fail "Mailroom did not start within 420 s (see $OUT/launcher.log)"; tail -25 "$OUT/launcher.log"; return 1
    fi
    sleep 1
  done
  say "Mailroom is running (launcher pid $LAUNCHER_PID)"
}
api() {  # method path [json] -> prints the HTTP status; the body goes to $OUT/api-last.json
  curl -sS -m 15 -o "$OUT/api-last.json" -w '%{http_code}' -X "$1" "$API$2" \
       -H "Authorization: Bearer $MAILROOM_ADMIN_TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"} 2>>"$OUT/api-errors.log"
}
provision() {
  local code
  code=$(api POST /api/v1/domains '{"name":"example.test"}')
  case "$code" in 201|409) ;; *) fail "POST /api/v1/domains answered $code: $(head -c 300 "$OUT/api-last.json")"; return 1 ;; esac
  local bad=0
  for i in $(seq 1 100); do
    code=$(api POST /api/v1/accounts "{\"address\":\"user$i@example.test\",\"password\":\"$MAILROOM_PASSWORD\"}")
    case "$code" in 201|409) ;; *) bad=$((bad + 1)); [ $bad = 1 ] && echo "  POST /api/v1/accounts user$i: $code $(head -c 300 "$OUT/api-last.json")" ;; esac
  done
  [ $bad = 0 ] || { fail "$bad of 100 accounts could not be created"; return 1; }
  code=$(api GET /api/v1/accounts/user1@example.test/mailboxes)
  [ "$code" = 200 ] || { fail "GET /api/v1/accounts/user1@example.test/mailboxes answered $code"; return 1; }
  say "provisioned example.test and user1..user100@example.test (password '$MAILROOM_PASSWORD')"
}
if has_side mailroom; then
  if start_mailroom && provision; then MAILROOM_OK=1; fi
fi
[ $MAILROOM_OK = 1 ] || SIDES=${SIDES//mailroom/}
MAILROOM_DB=""
if [ $MAILROOM_OK = 1 ] && [ "$MAILROOM_COUNT" = db ]; then
  MAILROOM_DB=${MAILROOM_BENCH_DB_URL:-$(grep -o 'jdbc:postgresql://[^ ]*' "$OUT/launcher.log" 2>/dev/null | head -1)}
  if [ -z "$MAILROOM_DB" ]; then
    say "NOTE: mailbox-api's database URL is unknown (set MAILROOM_BENCH_DB_URL): counting Mailroom's copies through the REST API"
  else
    say "counting Mailroom's filed copies in $MAILROOM_DB (one query per cycle)"
  fi
fi
[ $ANCHOR_OK = 1 ] || SIDES=${SIDES//anchor/}
if ! has_side mailroom && ! has_side anchor; then fail "neither side is available: nothing to measure"; exit 1; fi

# ---------------------------------------------------------------- memory monitor
phase idle
BY_JAR=""; [ "$MAILROOM_RUNNING" = 1 ] && BY_JAR=--mailroom-by-jar
load monitor --out "$OUT/memory.tsv" --phase-file "$OUT/phase" --stop-file "$OUT/stop" --interval 0.5 \
     ${LAUNCHER_PID:+--mailroom-pid $LAUNCHER_PID} ${DATA:+--mailroom-match $DATA} $BY_JAR > "$OUT/monitor.log" 2>&1 &
MONITOR_PID=$!
for _ in $(seq 1 60); do [ -s "$OUT/memory.tsv" ] && break; sleep 1; done   # its first sample
sleep 5   # the idle footprint, before any load

# ---------------------------------------------------------------- scenarios
side_args() {  # $1 = side, $2 = what: smtp | count | pop3
  case "$1:$2" in
    mailroom:smtp) echo "--port 2525" ;;
    mailroom:count) if [ -n "$MAILROOM_DB" ]; then echo "--count db:$MAILROOM_DB"; else echo "--count api:$API"; fi ;;
    mailroom:pop3) echo "--port 1110 --password $MAILROOM_PASSWORD" ;;
    anchor:smtp) echo "--port 10025" ;;
    anchor:fill) echo "--lmtp --port 10024" ;;   # straight into Dovecot: not behind whatever else Postfix has queued
    mailroom:fill) echo "--port 2525" ;;
    anchor:count) echo "--count maildir:/tmp/anchors/mail" ;;
    anchor:pop3) echo "--port 10110 --password pass" ;;
  esac
}
usable() {  # not after two failures in a row within a scenario, nor once Mailroom's launcher died
  has_side "$1" || return 1
  [ "${SKIP[$1]:-0}" = 1 ] && return 1
  if [ "$1" = mailroom ] && [ -n "$LAUNCHER_PID" ] && ! kill -0 "$LAUNCHER_PID" 2>/dev/null; then
    fail "the Mailroom launcher has exited (see $OUT/launcher.log): no more Mailroom runs"; SIDES=${SIDES//mailroom/}; return 1
  fi
  return 0
}
new_scenario() { FAILS=(); SKIP=(); }
step() {  # $1 = phase name, $2 = time limit (s), rest = load arguments; output to its own log too
  local name=$1 limit=$2; shift 2
  local side; side=$(echo "$name" | cut -d/ -f2)
  phase "$name"
  say "$name   (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  local log="$OUT/$(echo "$name" | tr / -).log"
  timeout --kill-after=10 "$limit" "$JAVA" -XX:+UseSerialGC -Xmx512m -jar "$LOAD_JAR" "$@" 2>&1 | tee "$log" | sed -u 's/^/    /'
  local rc=${PIPESTATUS[0]}
  phase "between"
  if [ $rc -ne 0 ]; then
    local why; why=$(grep -m1 '^FAILED' "$log" | cut -c1-300)
    if [ $rc = 124 ]; then fail "$name: no result within $limit s"; else fail "$name: exit status $rc ${why:-(see $log)}"; fi
    FAILS[$side]=$(( ${FAILS[$side]:-0} + 1 ))
    if [ "${FAILS[$side]}" -ge 2 ]; then
      SKIP[$side]=1; fail "$side failed twice in a row: no more $side runs in this scenario"
    fi
    return 1
  fi
  FAILS[$side]=0
  return 0
}
anchor_queue() {  # messages in the anchor Postfix's queue (0 when it cannot tell)
  postqueue -c /tmp/anchors/postfix/etc -p 2>/dev/null | awk '/^-- .* in [0-9]+ Request/ { n = $(NF-1) } END { print n + 0 }'
}
anchor_quiet() {  # the anchors are shared: do not measure Postfix while it is still busy with someone else's mail
  local n; n=$(anchor_queue)
  [ "$n" -gt 50 ] || return 0
  say "the anchor Postfix has $n messages queued (other load on the shared anchors): waiting up to 180 s for it to drain"
  local deadline=$(( $(date +%s) + 180 ))
  while [ "$(anchor_queue)" -gt 50 ] && [ "$(date +%s)" -lt $deadline ]; do sleep 2; done
  n=$(anchor_queue)
  [ "$n" -le 50 ] || { say "NOTE: still $n queued; measuring anyway (figures of this run are suspect)"; echo "anchor Postfix busy with $n queued messages of other load during a run" >> "$OUT/notes.txt"; }
}
half_peak() {  # $1 = side: half its median filed msg/s over this run's closed-loop deliver rows (empty: none)
  [ -s "$OUT/results.tsv" ] || return 0
  awk -F'\t' -v side="$1" '$1 == "deliver-e2e" && $2 == side && $12 !~ /INCOMPLETE/ { print $4 }' "$OUT/results.tsv" \
    | sort -g | awk '{ v[++n] = $1 } END { if (n == 0) exit; m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "%.3f", m / 2 }'
}
order() {  # sides for round $1: the first side alternates, so neither always runs on a warmer machine
  local a=mailroom b=anchor
  if [ $(( $1 % 2 )) = 0 ]; then a=anchor; b=mailroom; fi
  for s in $a $b; do has_side $s && echo $s; done
}
if [ "$DELIVER_FIRST" -le "$POP3_LAST" ] && [[ ",$SCENARIOS," == *,deliver,* ]] && [[ ",$SCENARIOS," == *,pop3* ]]; then
  say "NOTE: --recipients $RECIPIENTS reaches the POP3 mailboxes (user$POP3_FIRST..user$POP3_LAST): the pop3 runs read the deliver load's mail too"
  echo "deliver load (user$DELIVER_FIRST..user100) also filled the POP3 mailboxes: pop3 figures not comparable with other runs" >> "$OUT/notes.txt"
fi
# Counting Mailroom's mailboxes is one mailbox-api request per address and cycle: with many recipients, pause 1 s
# between cycles (both sides alike), or the counting itself loads the service under test (100 ms: ~500 requests/s)
# (the open-loop runs count every --rate-poll seconds instead: their latencies are the point)
POLL=0.1; [ "$RECIPIENTS" -gt 1 ] && POLL=1
SMTP_COMMON="--sessions $SMTP_SESSIONS --per-connection $PER_CONNECTION --size $SIZE --to $SMTP_TO --recipients $RECIPIENTS --poll-seconds $POLL"
POP3_USERS_ARGS="--users $POP3_USERS --first-user $POP3_FIRST"

new_scenario
if [ "$WARMUP" -gt 0 ]; then
  for side in $(order 1); do
    usable $side || continue
    step "warmup/$side" 600 deliver $(side_args $side smtp) $(side_args $side count) $SMTP_COMMON \
         --messages "$WARMUP" --deliver-timeout 240 --stall-seconds 60
  done
fi

for scenario in ${SCENARIOS//,/ }; do
  new_scenario
  case "$scenario" in
    deliver)
      if [ -z "$RATE" ]; then
        for r in $(seq 1 "$ROUNDS"); do
          for side in $(order "$r"); do
            usable $side || continue
            [ $side = anchor ] && anchor_quiet
            step "deliver/$side/$r" 900 deliver $(side_args $side smtp) $(side_args $side count) $SMTP_COMMON \
                 --messages "$SMTP_MESSAGES" --max-seconds 600 --deliver-timeout 300 --stall-seconds 60 \
                 --side $side --run $r --results "$OUT/results.tsv"
          done
        done
      fi
      if [ -n "$RATE" ] || [ "$HALF_PEAK" = 1 ]; then
        new_scenario
        for r in $(seq 1 "$ROUNDS"); do
          for side in $(order "$r"); do
            usable $side || continue
            rate=$RATE
            [ "$HALF_PEAK" = 1 ] && rate=$(half_peak $side)
            if [ -z "$rate" ]; then fail "deliver-rate/$side: no peak figure of this side in this run: no half-peak run"; continue; fi
            [ $side = anchor ] && anchor_quiet
            # the load lasts RATE_MESSAGES / rate seconds; SMTP gets a minute more before it counts as overrun
            secs=$(awk -v n="$RATE_MESSAGES" -v r="$rate" 'BEGIN { printf "%d", n / r + 60 }')
            step "deliver-rate/$side/$r" $((secs + 400)) deliver $(side_args $side smtp) $(side_args $side count) \
                 ${SMTP_COMMON/--poll-seconds $POLL/--poll-seconds $RATE_POLL} --rate "$rate" \
                 --messages "$RATE_MESSAGES" --max-seconds "$secs" --deliver-timeout 300 --stall-seconds 60 \
                 --side $side --run $r --results "$OUT/results.tsv"
          done
        done
      fi ;;
    pop3|pop3-stls)
      for side in $(order 1); do
        [ "$scenario" = pop3-stls ] && [ $side = anchor ] && continue   # the anchor Dovecot runs without TLS
        usable $side || continue
        step "fill/$side" 900 fill $(side_args $side fill) $(side_args $side count) --sessions "$SMTP_SESSIONS" \
             --size "$SIZE" $POP3_USERS_ARGS --per-user "$POP3_MESSAGES" --rcpts-per-message 20 \
             --max-seconds 600 --deliver-timeout 600 --stall-seconds 180 \
          || { SKIP[$side]=1; fail "$side: mailboxes not filled, no $scenario runs"; }
      done
      for r in $(seq 1 "$ROUNDS"); do
        for side in $(order "$r"); do
          usable $side || continue
          if [ "$scenario" = pop3-stls ]; then
            [ $side = anchor ] && continue
            extra=--stls
          else
            extra=""
          fi
          step "$scenario/$side/$r" 700 pop3 $(side_args $side pop3) $POP3_USERS_ARGS \
               --clients "$POP3_CLIENTS" --rounds "$POP3_ROUNDS" --max-seconds 600 $extra \
               --side $side --run $r --results "$OUT/results.tsv"
        done
      done ;;
    *) fail "unknown scenario $scenario (known: deliver, pop3, pop3-stls)" ;;
  esac
done

# ---------------------------------------------------------------- report
phase done
touch "$OUT/stop"
for _ in $(seq 1 50); do kill -0 "$MONITOR_PID" 2>/dev/null || break; sleep 0.1; done
echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/settings.txt"
echo
say "SUMMARY ($OUT/summary.txt)"
load report --results "$OUT/results.tsv" --memory "$OUT/memory.tsv" --out "$OUT/summary.txt"
if [ -s "$OUT/failures.txt" ]; then
  echo "FAILURES:"; sed 's/^/  - /' "$OUT/failures.txt"
  [ -n "$DATA" ] && echo "  (Mailroom's service logs are copied to $OUT/mailroom-logs at exit)"
  cat "$OUT/failures.txt" >> "$OUT/summary.txt"
  exit 3
fi
exit 0
