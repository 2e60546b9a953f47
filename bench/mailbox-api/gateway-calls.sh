#!/usr/bin/env bash
# Per-call cost of mailbox-api's gateway API (what imap-gateway and pop3-gateway send for every command): starts the
# mailbox-api jar (256 MB heap) on a fresh database of the local PostgreSQL, runs GatewayCalls.java (8 threads) for
# STORE-like calls (10 s warm-up, 30 s measured) and single-UID FETCH-like calls (20 s), and prints calls/s, p50/p99
# and mailbox-api's CPU ms per call (each figure includes the client's set-up: 200 repeated, so duplicate, filings).
# Hold the build and bench locks (flock -o) while it runs.
# Usage: bench/mailbox-api/gateway-calls.sh [threads]     env: JAR (default the module's exec jar),
#        JFR=FILE (record a profile of the measured part to FILE)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
THREADS=${1:-8}
JAR=${JAR:-mailbox-api/target/mailbox-api-0.1.0-SNAPSHOT-exec.jar}
[ -f "$JAR" ] || { echo "no $JAR: build it (./mvnw -pl mailbox-api -am package -DskipTests)" >&2; exit 1; }
RUN_JAR=$(mktemp /tmp/gateway-calls.XXXXXX.jar); cp "$JAR" "$RUN_JAR"
DB=mr_gwcalls_$$
PORT=$(python3 -c 'import random; lo=int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0]); print(random.randrange(20000, lo))')
export MAILROOM_ADMIN_TOKEN=bench-admin-token MAILROOM_INTERNAL_TOKEN=bench-internal-token
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB"
JFR_OPTS=(); [ -n "${JFR:-}" ] && JFR_OPTS=(-XX:StartFlightRecording=filename="$JFR",settings=profile,delay=25s)
"$JAVA" -Xms256m -Xmx256m "${JFR_OPTS[@]}" -jar "$RUN_JAR" --server.port="$PORT" \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB" --spring.datasource.username=postgres > /tmp/gateway-calls-$$.log 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -f "$RUN_JAR"; }
trap cleanup EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null && break; sleep 1; done
LOAD=bench/mailbox-api/GatewayCalls.java
"$JAVA" "$LOAD" "$PORT" "$THREADS" 10 store > /dev/null   # warm-up
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
T0=$(ticks)
"$JAVA" "$LOAD" "$PORT" "$THREADS" 30 store | tee /tmp/gateway-calls-$$.out | grep -v '^INBOX'
T1=$(ticks)
CALLS=$(grep -o 'store: [0-9]*' /tmp/gateway-calls-$$.out | awk '{print $2}')
awk -v t="$((T1 - T0))" -v n="$CALLS" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "mailbox-api CPU per STORE call: %.2f ms\n", t * 1000 / hz / n }'
T0=$(ticks)
"$JAVA" "$LOAD" "$PORT" "$THREADS" 20 fetch | tee /tmp/gateway-calls-$$.out | grep -v '^INBOX'
T1=$(ticks)
CALLS=$(grep -o 'fetch: [0-9]*' /tmp/gateway-calls-$$.out | awk '{print $2}')
awk -v t="$((T1 - T0))" -v n="$CALLS" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "mailbox-api CPU per FETCH call: %.2f ms\n", t * 1000 / hz / n }'
[ -n "${JFR:-}" ] && jcmd "$PID" JFR.dump name=1 filename="$JFR" > /dev/null 2>&1
rm -f /tmp/gateway-calls-$$.out
