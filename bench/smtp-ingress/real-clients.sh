#!/usr/bin/env bash
# bench/smtp-ingress/real-clients.sh - real SMTP clients against a running smtp-ingress (started here as in
# run.sh): swaks (plain, STARTTLS, PIPELINING, AUTH PLAIN/LOGIN on submission, implicit TLS, 8-bit body),
# nodemailer (submission with STARTTLS and AUTH; skipped when npm cannot install it), and a BDAT conversation
# over a socket (swaks has no BDAT). Prints one line per check and "N passed, N failed" at the end.
#   bench/smtp-ingress/real-clients.sh [--skip-build] [--out DIR]
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA:-$JDK/bin/java}
export JAVA_HOME=${JAVA_HOME:-$JDK}
SKIP_BUILD=0; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) SKIP_BUILD=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
OUT=${OUT:-$ROOT/bench/results/smtp-clients-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
exec > >(tee -a "$OUT/run.log") 2>&1
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
export SKIP_BUILD
source "$HERE/lib.sh"
command -v swaks >/dev/null || { say "installing swaks"; apt-get install -y swaks >/dev/null 2>&1; }
start_mailroom || exit 1

PASSED=0; FAILED=0
check() {  # name expected-pattern command...
  local name=$1 pattern=$2; shift 2
  local output; output=$(timeout 60 "$@" 2>&1)
  if grep -qE "$pattern" <<<"$output"; then
    PASSED=$((PASSED + 1)); echo "PASS $name: $(grep -E "$pattern" <<<"$output" | tail -1 | tr -d '\r')"
  else
    FAILED=$((FAILED + 1)); echo "FAIL $name"; echo "$output" | tail -15 | sed 's/^/    /'
  fi
}
U=user1@example.test
QUEUED='<[-~]  250 2\.0\.0 Ok: queued as'   # swaks: <- in clear text, <~ over TLS

check "swaks MX plain" "$QUEUED" swaks --server 127.0.0.1 --port "$MX_PORT" --from a@remote.test --to $U --helo swaks.test
check "swaks MX PIPELINING" "$QUEUED" swaks --server 127.0.0.1 --port "$MX_PORT" --from a@remote.test --to $U --pipeline
check "swaks MX STARTTLS" "<~  250 2\.0\.0 Ok: queued as" swaks --server 127.0.0.1 --port "$MX_PORT" --from a@remote.test --to $U --tls
check "swaks MX 8-bit body" "$QUEUED" swaks --server 127.0.0.1 --port "$MX_PORT" --from a@remote.test --to $U \
  --header 'Content-Type: text/plain; charset=UTF-8' --header 'Content-Transfer-Encoding: 8bit' --body 'Grüße aus Köln'
check "swaks MX refuses relay" "<[*~]\*? +554 5\.7\.1" swaks --server 127.0.0.1 --port "$MX_PORT" --from a@remote.test --to x@elsewhere.test
check "swaks submission STARTTLS AUTH PLAIN" "$QUEUED" swaks --server 127.0.0.1 --port "$SUBMISSION_PORT" --tls \
  --auth PLAIN --auth-user $U --auth-password "$RCPT_PASSWORD" --from $U --to someone@elsewhere.test
check "swaks submission STARTTLS AUTH LOGIN PIPELINING" "$QUEUED" swaks --server 127.0.0.1 --port "$SUBMISSION_PORT" --tls \
  --auth LOGIN --auth-user $U --auth-password "$RCPT_PASSWORD" --from $U --to $U --pipeline
check "swaks submission refuses AUTH without TLS" "(538 5\.7\.11|Host did not advertise authentication)" swaks --server 127.0.0.1 \
  --port "$SUBMISSION_PORT" --auth PLAIN --auth-user $U --auth-password "$RCPT_PASSWORD" --from $U --to $U
check "swaks submission refuses a foreign sender" "<[*~]\*? +553 5\.7\.1" swaks --server 127.0.0.1 --port "$SUBMISSION_PORT" --tls \
  --auth PLAIN --auth-user $U --auth-password "$RCPT_PASSWORD" --from ceo@example.test --to $U
check "swaks implicit TLS AUTH" "$QUEUED" swaks --server 127.0.0.1 --port "$SUBMISSIONS_PORT" --tlsc \
  --auth PLAIN --auth-user $U --auth-password "$RCPT_PASSWORD" --from $U --to someone@elsewhere.test

check "BDAT over a socket" "^250 2\.0\.0 Ok: queued as" python3 - "$MX_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line.strip())
        if line[3:4] != "-":
            return lines
reply()
s.sendall(b"EHLO bdat.test\r\n"); assert "CHUNKING" in " ".join(reply())
chunk1 = b"Subject: bdat\r\n\r\nfirst chunk\r\n.\r\n"
chunk2 = b"last chunk\r\n"
s.sendall(b"MAIL FROM:<a@remote.test>\r\nRCPT TO:<user1@example.test>\r\nBDAT %d\r\n%sBDAT %d LAST\r\n%s"
          % (len(chunk1), chunk1, len(chunk2), chunk2))
for _ in range(4):
    print(reply()[-1])
s.sendall(b"QUIT\r\n"); reply()
PY

NM=$OUT/nodemailer
if mkdir -p "$NM" && (cd "$NM" && timeout 120 npm install --silent --no-audit --no-fund nodemailer >/dev/null 2>&1); then
  cat > "$NM/send.js" <<'JS'
const nodemailer = require('nodemailer');
const [port, user, pass] = process.argv.slice(2);
nodemailer.createTransport({host: '127.0.0.1', port: Number(port), secure: false, requireTLS: true,
    auth: {user, pass}, tls: {rejectUnauthorized: false}, name: 'node.test'})
  .sendMail({from: user, to: 'someone@elsewhere.test', subject: 'from nodemailer ✓', text: 'Grüße\n'})
  .then(info => console.log('nodemailer: ' + info.response), err => { console.error(err); process.exit(1); });
JS
  check "nodemailer submission STARTTLS AUTH" "nodemailer: 250 2\.0\.0 Ok: queued as" node "$NM/send.js" "$SUBMISSION_PORT" $U "$RCPT_PASSWORD"
else
  echo "SKIP nodemailer: npm could not install it"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
