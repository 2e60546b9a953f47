#!/usr/bin/env bash
# bench/imap/sql-per-command.sh - which SQL statements and which mailbox-api calls each IMAP command of the bench mix
# costs: mailbox-api and imap-gateway from exec jars over a fresh database whose mailbox-api connections log every
# statement (a session setting, SET log_min_duration_statement=0, on each pooled connection: the server is not reconfigured);
# one IMAP session runs each command of imap-bench.py's mix --repeat times, and sql-per-command.py counts the
# statements of the run's database in the PostgreSQL log between markers, and the gateway calls per route from
# mailbox-api's mailroom_gateway_requests_seconds_count.
#
#   bench/imap/sql-per-command.sh --jars DIR [--repeat 50] [--prefill 300]
# Holds /tmp/mailroom-bench.lock. Needs read access to /var/log/postgresql/postgresql-15-main.log.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA:-$JDK/bin/java}
if [ -z "${MAILROOM_BENCH_LOCKED:-}" ]; then
  exec env MAILROOM_BENCH_LOCKED=1 flock -o /tmp/mailroom-bench.lock "$0" "$@"
fi
JARS=""; REPEAT=50; PREFILL=300
while [ $# -gt 0 ]; do
  case "$1" in
    --jars) JARS=$(cd "$2" && pwd) || exit 64; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --prefill) PREFILL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
[ -n "$JARS" ] || { echo "--jars DIR is required" >&2; exit 64; }
OUT=$ROOT/bench/results/imap-sql-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
DB=mailroom_sql_imap_$$
PASSWORD=bench-password-1
SKIP_BUILD=1
source "$HERE/../lib/services.sh"
trap 'stop_services; rm -rf "$OUT/jars"' EXIT INT TERM
mkdir -p "$OUT/jars" && cp "$JARS/mailbox-api.jar" "$JARS/imap-gateway.jar" "$OUT/jars/" || exit 1
start_mailbox_api 180 --logging.level.io.mailroom=WARN \
  "--spring.datasource.hikari.connection-init-sql=SET log_min_duration_statement=0" || exit 1
GW_HTTP=$(free_port); IMAP_PORT=$(free_port); IMAPS_PORT=$(free_port)
MAILROOM_INTERNAL_TOKEN=$INTERNAL "$JAVA" -Xms512m -Xmx512m -jar "$OUT/jars/imap-gateway.jar" \
  --server.port="$GW_HTTP" --mailroom.mailbox-api.base-url="http://127.0.0.1:$API_PORT" \
  --mailroom.imap.imap.host=127.0.0.1 --mailroom.imap.imap.port="$IMAP_PORT" \
  --mailroom.imap.imaps.host=127.0.0.1 --mailroom.imap.imaps.port="$IMAPS_PORT" \
  --mailroom.imap.allow-plaintext-auth=true \
  --mailroom.events.subscriber.enabled=true --mailroom.events.type=postgres \
  --mailroom.events.postgres.url="jdbc:postgresql://127.0.0.1:5432/$DB" --mailroom.events.postgres.username=postgres \
  --mailroom.tls.self-signed-directory="$OUT/tls" \
  --logging.level.org.apache.james=WARN --logging.level.io.mailroom=WARN > "$OUT/imap-gateway.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$GW_HTTP/actuator/health/readiness" 180 || { say "imap-gateway did not start"; exit 1; }
provision_accounts 21 21 "$PASSWORD" || exit 1
python3 "$HERE/sql-per-command.py" --port "$IMAP_PORT" --user user21@example.test --password "$PASSWORD" \
  --db "$DB" --api "$API_HTTP" --repeat "$REPEAT" --prefill "$PREFILL" | tee "$OUT/sql-per-command.txt"
