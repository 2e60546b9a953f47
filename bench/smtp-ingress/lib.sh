# bench/smtp-ingress/lib.sh - sourced by run.sh and real-clients.sh: starts mailbox-api and smtp-ingress from
# their exec jars on free ports, with a fresh PostgreSQL database (127.0.0.1:5432) for mailbox-api and the
# queue, provisions example.test with user1@example.test, and stops everything on exit (stop_services).
# Needs: ROOT, OUT, JAVA, say(); sets API_HTTP, MX_PORT, SUBMISSION_PORT, SUBMISSIONS_PORT, SMTP_PID.
# env: QUEUE (postgres | rabbitmq), SMTP_ARGS, SMTP_JAVA_OPTS, SKIP_BUILD (1: use the jars as built),
#      SMTP_JAR (another smtp-ingress exec jar, e.g. a build of an earlier commit, to compare against),
#      API_JAR (a mailbox-api exec jar to use instead of the tree's; keep it the same for a before/after pair).

source "$(dirname "${BASH_SOURCE[0]}")/../lib/services.sh"   # free_port, wait_http, stop_services, setup_anchors
RCPT_PASSWORD=${RCPT_PASSWORD:-bench-password-1}
DB=mailroom_bench_smtp_$$
RABBIT_PREFIX=""; [ "${QUEUE:-postgres}" = rabbitmq ] && RABBIT_PREFIX="bench$$."

start_mailroom() {
  trap stop_services EXIT INT TERM
  if [ "${SKIP_BUILD:-0}" = 0 ]; then
    say "building mailbox-api and smtp-ingress"
    (cd "$ROOT" && flock /tmp/mailroom-mvn.lock ./mvnw -B -q -ntp -o -pl mailbox-api,smtp-ingress -am package -DskipTests) \
      > "$OUT/build.log" 2>&1 || { say "build failed: see $OUT/build.log"; return 1; }
  fi
  local api_jar smtp_jar api_port http_port admin_token internal_token jdbc queue_args
  # Copies: another build may rewrite target/ while the services run.
  mkdir -p "$OUT/jars"
  cp "${API_JAR:-$(ls "$ROOT"/mailbox-api/target/mailbox-api-*-exec.jar | head -1)}" "$OUT/jars/mailbox-api.jar" || return 1
  cp "${SMTP_JAR:-$(ls "$ROOT"/smtp-ingress/target/smtp-ingress-*-exec.jar | head -1)}" "$OUT/jars/smtp-ingress.jar" || return 1
  api_jar=$OUT/jars/mailbox-api.jar
  smtp_jar=$OUT/jars/smtp-ingress.jar
  api_port=$(free_port); http_port=$(free_port)
  MX_PORT=$(free_port); SUBMISSION_PORT=$(free_port); SUBMISSIONS_PORT=$(free_port)
  API_HTTP="http://127.0.0.1:$api_port"
  admin_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  internal_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  say "Mailroom: database $DB, mailbox-api on $api_port, smtp-ingress MX $MX_PORT, submission $SUBMISSION_PORT / $SUBMISSIONS_PORT (${QUEUE:-postgres} queue)"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" || return 1
  jdbc="jdbc:postgresql://127.0.0.1:5432/$DB"
  MAILROOM_ADMIN_TOKEN=$admin_token MAILROOM_INTERNAL_TOKEN=$internal_token \
    "$JAVA" -Xms512m -Xmx512m -jar "$api_jar" --server.port="$api_port" --spring.datasource.url="$jdbc" \
    --spring.datasource.username=postgres > "$OUT/mailbox-api.log" 2>&1 &
  PIDS+=($!)
  wait_http "$API_HTTP/actuator/health/readiness" 120 || { say "mailbox-api did not start: see $OUT/mailbox-api.log"; return 1; }
  if [ "${QUEUE:-postgres}" = rabbitmq ]; then
    queue_args=(--mailroom.queue.type=rabbitmq --mailroom.queue.rabbitmq.name-prefix="$RABBIT_PREFIX")
  else
    queue_args=(--mailroom.queue.type=postgres --mailroom.queue.postgres.url="$jdbc" --mailroom.queue.postgres.username=postgres)
  fi
  MAILROOM_INTERNAL_TOKEN=$internal_token \
    "$JAVA" -Xms512m -Xmx512m ${SMTP_JAVA_OPTS:-} -jar "$smtp_jar" --server.port="$http_port" --mailroom.mailbox-api.base-url="$API_HTTP" \
    "${queue_args[@]}" --mailroom.smtp.hostname=mx.bench --mailroom.smtp.max-connections-per-ip=0 \
    --mailroom.smtp.listeners.mx.port="$MX_PORT" --mailroom.smtp.listeners.mx.bind-address=127.0.0.1 \
    --mailroom.smtp.listeners.submission.port="$SUBMISSION_PORT" --mailroom.smtp.listeners.submission.bind-address=127.0.0.1 \
    --mailroom.smtp.listeners.submissions.port="$SUBMISSIONS_PORT" --mailroom.smtp.listeners.submissions.bind-address=127.0.0.1 \
    --mailroom.tls.self-signed-directory="$OUT/tls" --mailroom.tls.hostname=localhost --logging.level.io.mailroom.smtp=WARN \
    --logging.level.org.apache.james=WARN ${SMTP_ARGS:-} > "$OUT/smtp-ingress.log" 2>&1 &
  SMTP_PID=$!
  PIDS+=($SMTP_PID)
  wait_http "http://127.0.0.1:$http_port/actuator/health/readiness" 120 || { say "smtp-ingress did not start: see $OUT/smtp-ingress.log"; return 1; }
  local api
  api() {
    curl -sS -m 15 -o /dev/null -w '%{http_code}' -X POST "$API_HTTP$1" -H "Authorization: Bearer $admin_token" \
      -H 'Content-Type: application/json' -d "$2"
  }
  [ "$(api /api/v1/domains '{"name":"example.test"}')" = 201 ] || { say "cannot create the domain"; return 1; }
  [ "$(api /api/v1/accounts "{\"address\":\"user1@example.test\",\"password\":\"$RCPT_PASSWORD\"}")" = 201 ] \
    || { say "cannot create the account"; return 1; }
}
