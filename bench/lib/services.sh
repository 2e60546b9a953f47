# bench/lib/services.sh - sourced by the benchmark scripts that start Mailroom's services from their exec jars:
# free ports, readiness waits, the build and the jar copies, mailbox-api on a fresh PostgreSQL database
# (127.0.0.1:5432) with example.test accounts, and stopping it all again.
# Needs: ROOT, OUT, JAVA, DB, say(); SKIP_BUILD (1: use the jars as built).

PIDS=()

# A port free right now, drawn at random from 20000 up to the bottom of the kernel's ephemeral range
# (/proc/sys/net/ipv4/ip_local_port_range): a port the kernel hands out itself (bind to 0) is one it may hand out
# again at once to any outgoing connection, and a service that starts a second later finds it taken. Ports given
# out before in this run ($OUT/.ports-given) are not given again, though nothing has bound them yet.
free_port() {
  python3 - "${OUT:-/tmp}/.ports-given" <<'PY'
import random, socket, sys
given_file = sys.argv[1]
try:
    given = {int(line) for line in open(given_file) if line.strip()}
except OSError:
    given = set()
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
first = 20000 if low > 21000 else 1024
for _ in range(200):
    port = random.randrange(first, low)
    if port in given:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    with open(given_file, "a") as f:
        f.write(f"{port}\n")
    print(port)
    sys.exit(0)
sys.exit("no free port below the ephemeral range")
PY
}

wait_http() {  # url seconds
  for _ in $(seq 1 "$2"); do curl -fsS -m 2 "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

# Runs the anchors' setup (Dovecot, Postfix) with no file descriptors inherited beyond stdio: the daemons would keep
# whatever the caller has open -- a build lock taken with flock -- for as long as they run, and block every build.
setup_anchors() {  # log file
  (for fd in /proc/self/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-"; fi; done
   exec timeout 600 bash "$ANCHORS/setup-anchors.sh") > "$1" 2>&1
}

random_token() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

# Stops every process in PIDS (TERM, then KILL after 10 s), drops the database and, when RABBIT_PREFIX is set,
# deletes the RabbitMQ queues under that prefix (rabbitmqctl cannot delete the exchange: it holds nothing).
stop_services() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  if [ -n "${RABBIT_PREFIX:-}" ] && command -v rabbitmqctl >/dev/null; then
    rabbitmqctl -q list_queues name 2>/dev/null | grep -F "$RABBIT_PREFIX" | while read -r q; do
      [[ "$q" == "$RABBIT_PREFIX"* ]] && rabbitmqctl -q delete_queue "$q" </dev/null >/dev/null 2>&1   # not the loop's stdin
    done
  fi
  return 0
}

# Builds these modules (unless SKIP_BUILD=1) and copies their exec jars to $OUT/jars/<module>.jar: another build
# may rewrite target/ while the services run.
build_jars() {  # module...
  if [ "${SKIP_BUILD:-0}" = 0 ]; then
    say "building $* (waiting for the build lock)"
    (cd "$ROOT" && flock /tmp/mailroom-mvn.lock ./mvnw -B -q -ntp -o -pl "$(IFS=,; echo "$*")" -am package -Dmaven.test.skip=true) \
      > "$OUT/build.log" 2>&1 || { say "build failed: see $OUT/build.log"; return 1; }
  fi
  mkdir -p "$OUT/jars"
  local module
  for module in "$@"; do
    cp "$(ls "$ROOT/$module"/target/"$module"-*-exec.jar | head -1)" "$OUT/jars/$module.jar" || return 1
  done
}

# Starts mailbox-api on a new database $DB; sets API_PORT, API_HTTP, ADMIN and INTERNAL (the tokens).
start_mailbox_api() {  # seconds-to-wait [extra arguments...]
  local wait=$1; shift
  API_PORT=$(free_port); API_HTTP="http://127.0.0.1:$API_PORT"
  ADMIN=$(random_token); INTERNAL=$(random_token)
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" || return 1
  MAILROOM_ADMIN_TOKEN=$ADMIN MAILROOM_INTERNAL_TOKEN=$INTERNAL "$JAVA" -Xms512m -Xmx512m -jar "$OUT/jars/mailbox-api.jar" \
    --server.port="$API_PORT" --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB" \
    --spring.datasource.username=postgres "$@" > "$OUT/mailbox-api.log" 2>&1 &
  PIDS+=($!)
  wait_http "$API_HTTP/actuator/health/readiness" "$wait" || { say "mailbox-api did not start: see $OUT/mailbox-api.log"; return 1; }
}

# VACUUM ANALYZE the run's database once its mailboxes are filled, as autovacuum would have by then on a production
# server (PostgreSQL's default: a table is analyzed once a tenth of it changed, vacuumed after inserts too). This
# machine's PostgreSQL runs with autovacuum off, so without it the planner has no statistics for the tables the fill
# grew, and the visibility map is empty: a UID look-up scanned the whole mailbox through the (account, mailbox, modseq)
# index (1.5 ms instead of 0.05 ms), and index-only scans read every heap row. Dovecot's side needs nothing of this.
vacuum_analyze_db() {
  psql -h 127.0.0.1 -U postgres -d "$DB" -qc "VACUUM ANALYZE" || return 1
}

# Creates example.test and user<first>..user<last>@example.test over the tools API.
provision_accounts() {  # first last password
  local i
  admin_post() { curl -sS -m 15 -o /dev/null -w '%{http_code}' -X POST "$API_HTTP$1" -H "Authorization: Bearer $ADMIN" \
                   -H 'Content-Type: application/json' -d "$2"; }
  [ "$(admin_post /api/v1/domains '{"name":"example.test"}')" = 201 ] || { say "cannot create the domain"; return 1; }
  for i in $(seq "$1" "$2"); do
    [ "$(admin_post /api/v1/accounts "{\"address\":\"user$i@example.test\",\"password\":\"$3\"}")" = 201 ] \
      || { say "cannot create user$i"; return 1; }
  done
}
