#!/usr/bin/env bash
# mailroom mailbox-api benchmark (issue 3). Starts the service jar on a fresh database of the local PostgreSQL, with a
# 256 MB heap committed at start (-Xms = -Xmx, as the image does), and measures:
#   1. filing distinct 10 KB messages through the REST API (msgs/s, latency percentiles);
#   2. metadata of 500 messages of a 100,000-message mailbox in one call (latency percentiles);
#   3. the service's heap while a 50 MB message is filed and streamed back.
# Usage: bench/mailbox-api/run.sh [messages] [accounts] [concurrency]     (defaults 20000 50 32)
# env: SERVICE_WARMUP (default 4000: filings, one per request and as many 16 per request, that bring the service to its
#      steady state before anything is measured; 0 skips them), METADATA_WARMUP (default 4000 metadata calls of each
#      kind before those measured), BATCH_RECIPIENTS (default 10; 0 skips the batch filing figure),
#      MESSAGES_PER_REQUEST (default 16; 0 skips the figure for distinct messages filed many per request) and
#      MANY_CONCURRENCY (its concurrent requests, default 4),
#      FILING_ONLY=1 (stop after filing), REBUILD=1,
#      JAR=FILE (another service jar, e.g. a copy of an earlier build, for a before/after comparison)
# Needs: JDK 25 (JAVA_HOME), psql, PostgreSQL on $PGHOST:5432 as postgres with trust auth (as the CI machine has).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
MESSAGES=${1:-20000}
ACCOUNTS=${2:-50}
CONCURRENCY=${3:-32}
HEAP=${HEAP:-256m}
PGHOST=${PGHOST:-127.0.0.1}
export PGUSER=${PGUSER:-postgres}
export MAILROOM_ADMIN_TOKEN=bench-admin-token
export MAILROOM_INTERNAL_TOKEN=bench-internal-token
JAR=${JAR:-mailbox-api/target/mailbox-api-0.1.0-SNAPSHOT-exec.jar}
if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  flock /tmp/mailroom-mvn.lock ./mvnw -B -q -ntp -pl mailbox-api -am package -DskipTests
fi

# a copy, so that another build repackaging the module meanwhile cannot pull the jar from under the running service
RUN_JAR=$(mktemp /tmp/mailbox-api-bench.XXXXXX.jar)
cp "$JAR" "$RUN_JAR"

DB=mr_bench_$(date +%s)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
LOG=$(mktemp /tmp/mailbox-api-bench.XXXXXX.log)
psql -h "$PGHOST" -q -c "CREATE DATABASE $DB"
cleanup() {
  [ -n "${SERVICE:-}" ] && kill "$SERVICE" 2>/dev/null && wait "$SERVICE" 2>/dev/null || true
  psql -h "$PGHOST" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -f "$RUN_JAR"
}
trap cleanup EXIT

"$JAVA" -Xms"$HEAP" -Xmx"$HEAP" ${SERVICE_JAVA_OPTS:-} -jar "$RUN_JAR" --server.port="$PORT" \
  --spring.datasource.url="jdbc:postgresql://$PGHOST:5432/$DB" --spring.datasource.username="$PGUSER" \
  --logging.level.io.mailroom=WARN >"$LOG" 2>&1 &
SERVICE=$!
for _ in $(seq 1 300); do
  curl -sf "$BASE/actuator/health/readiness" >/dev/null && break
  sleep 1
done
curl -sf "$BASE/actuator/health/readiness" >/dev/null || { echo "mailbox-api did not start; see $LOG"; exit 1; }
echo "mailbox-api on $BASE (heap $HEAP, database $DB, log $LOG); $(nproc) cores"

admin() { curl -sf -H "Authorization: Bearer $MAILROOM_ADMIN_TOKEN" -H 'Content-Type: application/json' "$@"; }
admin -X POST "$BASE/api/v1/domains" -d '{"name":"bench.test"}' >/dev/null
for i in $(seq 0 $((ACCOUNTS - 1))) big large; do
  admin -X POST "$BASE/api/v1/accounts" -d "{\"address\":\"user$i@bench.test\",\"password\":\"bench password $i\"}" >/dev/null
done

# 1. filing, with the CPU seconds that the service and PostgreSQL spent on it. CPU is utime + stime from /proc in
#    clock ticks: the service's process, and the PostgreSQL backends connected to this run's database (the pool keeps
#    them for the whole run; `ps -C postgres` summed live backends of every database and read 0 s).
TICKS=$(getconf CLK_TCK)
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_service() { proc_ticks "$SERVICE"; }
cpu_pg() {
  local t=0 pid
  for pid in $(pgrep -f "^postgres: .* $DB "); do t=$(( t + $(proc_ticks "$pid") )); done
  echo "$t"
}
# methods the service's JIT has compiled so far: a measured phase that still compiles hundreds measures warm-up
compilations() { "$JAVA_HOME/bin/jstat" -compiler "$SERVICE" 2>/dev/null | awk 'NR == 2 { print $1 }'; }
# before a measured phase: SVC0, PG0 and JIT0 for cpu_line
mark() { PG0=$(cpu_pg); SVC0=$(cpu_service); JIT0=$(compilations); }
cpu_line() { # label, service ticks before, PostgreSQL ticks before, units done (for a per-unit figure), unit name
  local svc=$(( $(cpu_service) - $2 )) pg=$(( $(cpu_pg) - $3 )) jit=$(( $(compilations) - ${JIT0:-0} ))
  awk -v l="$1" -v s="$svc" -v p="$pg" -v n="$4" -v u="$5" -v hz="$TICKS" -v jit="$jit" 'BEGIN {
    printf "%s CPU: mailbox-api %.1f s, PostgreSQL (this database) %.1f s; per %s: %.2f + %.2f ms; JIT compilations meanwhile %d\n",
      l, s / hz, p / hz, u, 1000 * s / hz / n, 1000 * p / hz / n, jit }'
}
# the service is brought to its steady state first (SERVICE_WARMUP filings one per request and as many sixteen per
# request; 0 skips it): in a run of a minute or two, the JIT compiling the filing path is otherwise a third or more of
# the service's CPU, and what is measured is start-up, not the rate a running replica sustains
SERVICE_WARMUP=${SERVICE_WARMUP:-4000}
if [ "$SERVICE_WARMUP" -gt 0 ]; then
  "$JAVA" bench/mailbox-api/MailboxApiBench.java warm-up "$BASE" "$ACCOUNTS" "$SERVICE_WARMUP" "$CONCURRENCY"
fi
mark
"$JAVA" bench/mailbox-api/MailboxApiBench.java filing "$BASE" "$ACCOUNTS" "$MESSAGES" "$CONCURRENCY"
cpu_line filing "$SVC0" "$PG0" $(( MESSAGES + 500 )) "filing (warm-up included)"

# 1b. the same number of copies filed in batches (one message for BATCH_RECIPIENTS accounts per request), as
#     delivery-service files a message with several local recipients; BATCH_RECIPIENTS=0 skips it
BATCH_RECIPIENTS=${BATCH_RECIPIENTS:-10}
if [ "$BATCH_RECIPIENTS" -gt 0 ]; then
  mark
  "$JAVA" bench/mailbox-api/MailboxApiBench.java filing-batch "$BASE" "$ACCOUNTS" "$MESSAGES" "$CONCURRENCY" "$BATCH_RECIPIENTS"
  cpu_line "batch filing" "$SVC0" "$PG0" $(( MESSAGES + 500 )) "copy (warm-up included)"
fi

# 1c. distinct messages, MESSAGES_PER_REQUEST (default 16; 0 skips it) in each request, as delivery-service files the
#     messages it takes off the queue together
MESSAGES_PER_REQUEST=${MESSAGES_PER_REQUEST:-16}
if [ "$MESSAGES_PER_REQUEST" -gt 0 ]; then
  mark
  "$JAVA" bench/mailbox-api/MailboxApiBench.java filing-many "$BASE" "$ACCOUNTS" "$MESSAGES" "${MANY_CONCURRENCY:-4}" "$MESSAGES_PER_REQUEST"
  cpu_line "filing many per request" "$SVC0" "$PG0" $(( MESSAGES + 500 )) "message (warm-up included)"
fi

[ -n "${FILING_ONLY:-}" ] && exit 0

# 2. metadata: one message filed through the API, cloned in SQL into a 100,000-message INBOX (filing 100,000 through
#    one mailbox would only measure the filing path again)
curl -sf -X PUT -H "Authorization: Bearer $MAILROOM_INTERNAL_TOKEN" -H 'Content-Type: message/rfc822' \
  --data-binary $'From: a@example.org\r\nTo: userbig@bench.test\r\nSubject: template\r\nMessage-ID: <t@bench>\r\n\r\nbody line\r\n' \
  "$BASE/internal/v1/accounts/userbig@bench.test/deliveries/template" >/dev/null
psql -h "$PGHOST" -d "$DB" -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE TEMP TABLE t AS
  SELECT m.* FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.address = 'userbig@bench.test' AND m.uid = 1;
INSERT INTO message_contents (account_id, email_id, header, header_text, body_text, envelope, structure, message_id_header, search)
SELECT c.account_id, 1000000000 + g, c.header, c.header_text, c.body_text, c.envelope, c.structure, '<fill-' || g || '@bench>', c.search
  FROM message_contents c JOIN t ON c.account_id = t.account_id AND c.email_id = t.email_id, generate_series(2, 100000) g;
INSERT INTO messages (account_id, mailbox_id, uid, modseq, created_modseq, blob_sha256, size, internal_date, save_date, flags,
                      keywords, header_size, body_lines, subject, from_address, from_name, message_id_header, email_id,
                      thread_id, media_type, sub_type, text_lines, sent_date, has_attachment)
SELECT account_id, mailbox_id, g, g + 1, g + 1, blob_sha256, size, internal_date - make_interval(secs => 100000 - g), save_date,
       CASE WHEN g % 3 = 0 THEN 1 ELSE 0 END, keywords, header_size, body_lines, subject || ' ' || g, from_address, from_name,
       '<fill-' || g || '@bench>', 1000000000 + g, 1000000000 + g, media_type, sub_type, text_lines, sent_date, has_attachment
  FROM t, generate_series(2, 100000) g;
UPDATE mailboxes SET uid_next = 100001, highest_modseq = 100001 WHERE id = (SELECT mailbox_id FROM t);
UPDATE blobs SET ref_count = ref_count + 99999 WHERE sha256 = (SELECT blob_sha256 FROM t);
UPDATE quota_usage SET messages = messages + 99999, storage = storage + 99999 * (SELECT size FROM t)
 WHERE account_id = (SELECT account_id FROM t);
ANALYZE messages;
ANALYZE message_contents;
SQL
BIG_INBOX=$(psql -h "$PGHOST" -d "$DB" -Atc "SELECT m.id FROM mailboxes m JOIN accounts a ON a.id = m.account_id WHERE a.address = 'userbig@bench.test' AND m.role = 'INBOX'")
# the metadata calls' own warm-up, as the filing's (METADATA_WARMUP calls of each kind, default 4000; not measured):
# after 1,000 the JIT still compiled ~1,700 methods during the measured calls and took a fifth of the service's CPU
METADATA_WARMUP=${METADATA_WARMUP:-4000}
if [ "$METADATA_WARMUP" -gt 0 ]; then
  for include in "" ENVELOPE; do
    "$JAVA" bench/mailbox-api/MailboxApiBench.java metadata "$BASE" userbig@bench.test "$BIG_INBOX" 100000 "$METADATA_WARMUP" 4 $include >/dev/null
  done
  echo "metadata warm-up: $METADATA_WARMUP calls without and with ENVELOPE (not measured)"
fi
for include in "" ENVELOPE; do
  mark
  "$JAVA" bench/mailbox-api/MailboxApiBench.java metadata "$BASE" userbig@bench.test "$BIG_INBOX" 100000 2000 4 $include
  cpu_line "metadata${include:+ with $include}" "$SVC0" "$PG0" 2200 "call (200 warm-up calls included)"
done

# 3. a 50 MB message in and out of a service with a 256 MB heap
"$JAVA" bench/mailbox-api/MailboxApiBench.java large "$BASE" userlarge@bench.test 50
