#!/usr/bin/env python3
"""SQL statements and mailbox-api calls per IMAP command, one command type at a time (single session, no load).

Runs each command of imap-bench.py's mix --repeat times on one session; before and after each block it writes a
marker statement into the PostgreSQL log (a psql session with log_statement=all) and reads mailbox-api's
mailroom_gateway_requests_seconds_count per route. Then reads the log lines of the run's database between the
markers (mailbox-api's connections must log their statements: run.sh-like start with
--spring.datasource.hikari.connection-init-sql="SET log_statement='all'") and prints, per command, the statements
per command by normalised text and the gateway calls per command by route.

  sql-per-command.py --port P --user U --password PW --db DB --api http://127.0.0.1:A --log FILE [--repeat 50]
"""
import argparse
import imaplib
import re
import subprocess
import time
import urllib.request
from collections import Counter

MESSAGE = ("From: bench@example.test\r\nTo: {user}\r\nSubject: bench {n}\r\nMessage-ID: <sql-{n}@example.test>\r\n"
           "Date: Fri, 27 Nov 2026 01:00:00 +0000\r\n\r\n" + ("Hello from the benchmark. " * 40) + "\r\n")
LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[(\d+)\] (\S*)@(\S*) (LOG|ERROR|DETAIL|STATEMENT):\s+(.*)$")


def marker(db, text):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtc", f"SELECT 'MARK {text}'"],
                   env={"PGOPTIONS": "-c log_statement=all", "PATH": "/usr/bin:/bin"}, check=True,
                   stdout=subprocess.DEVNULL)


def gateway_calls(api):
    text = urllib.request.urlopen(api + "/actuator/prometheus", timeout=10).read().decode()
    calls = Counter()
    for line in text.splitlines():
        if line.startswith("mailroom_gateway_requests_seconds_count{"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
            calls[f"{labels.get('method')} {labels.get('route')}"] += float(line.rsplit(" ", 1)[1])
    return calls


def normalise(sql):
    sql = re.sub(r"^(execute|parse|bind) [^:]*:\s*", "", sql)
    sql = re.sub(r"\$\d+", "?", sql)
    sql = re.sub(r"'[^']*'", "'…'", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    return re.sub(r"\s+", " ", sql).strip()


def statements(log, db, start_at):
    """(text or MARK name) in log order, for the database db, from byte offset start_at."""
    out = []
    with open(log, errors="replace") as f:
        f.seek(start_at)
        current = None
        for raw in f:
            m = LINE.match(raw)
            if m:
                if current:
                    out.append(current)
                current = None
                if m.group(3) != db or m.group(4) != "LOG":
                    continue
                body = m.group(5)
                took = 0.0
                d = re.match(r"duration: ([\d.]+) ms\s+(.*)$", body)
                if d:
                    took, body = float(d.group(1)), d.group(2)
                if body.startswith("statement: ") or re.match(r"(execute|parse|bind) ", body):
                    current = [took, body[len("statement: "):] if body.startswith("statement: ") else body]
            elif current is not None:
                current[1] += " " + raw.strip()
        if current:
            out.append(current)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--api", required=True)
    p.add_argument("--log", default="/var/log/postgresql/postgresql-15-main.log")
    p.add_argument("--repeat", type=int, default=50)
    p.add_argument("--prefill", type=int, default=300)
    args = p.parse_args()

    conn = imaplib.IMAP4(args.host, args.port)
    conn.login(args.user, args.password)
    exists = int(conn.select("INBOX")[1][0])
    for n in range(exists, args.prefill):
        conn.append("INBOX", None, None, MESSAGE.format(user=args.user, n=n).encode())
    # warm: one round of everything
    conn.select("INBOX")
    time.sleep(1)

    n = args.repeat
    state = {"i": 0}

    def nxt():
        state["i"] += 1
        return state["i"]

    def count():
        return int(conn.select("INBOX")[1][0])

    exists = count()
    blocks = [
        ("SELECT", lambda: conn.select("INBOX")),
        ("FETCH FLAGS+ENVELOPE 50", lambda: conn.fetch(f"{exists - 49}:{exists}", "(UID FLAGS ENVELOPE)")),
        ("FETCH BODY[] 1", lambda: conn.fetch(str(1 + nxt() % exists), "(BODY.PEEK[])")),
        ("STORE +FLAGS", lambda: conn.store(str(1 + nxt() % exists), "+FLAGS", "(\\Seen)")),
        ("SEARCH UNSEEN", lambda: conn.search(None, "UNSEEN")),
        ("APPEND", lambda: conn.append("INBOX", None, None, MESSAGE.format(user=args.user, n=100000 + nxt()).encode())),
        ("NOOP", lambda: conn.noop()),
    ]
    offset = open(args.log, "rb").seek(0, 2)
    calls = {}
    for name, call in blocks:
        conn.select("INBOX")
        marker(args.db, f"BEGIN {name}")
        before = gateway_calls(args.api)
        for _ in range(n):
            typ, data = call()
            assert typ == "OK", (name, typ, data)
        after = gateway_calls(args.api)
        marker(args.db, f"END {name}")
        calls[name] = {k: (after[k] - before.get(k, 0)) / n for k in after if after[k] != before.get(k, 0)}
    # STORE \Deleted + EXPUNGE, one pair per round: n rounds
    conn.select("INBOX")
    marker(args.db, "BEGIN STORE \\Deleted + EXPUNGE")
    before = gateway_calls(args.api)
    for _ in range(n):
        marker(args.db, "SKIP-SELECT-BEGIN")
        last = count()
        marker(args.db, "SKIP-SELECT-END")
        assert conn.store(str(last), "+FLAGS", "(\\Deleted)")[0] == "OK"
        assert conn.expunge()[0] == "OK"
    after = gateway_calls(args.api)
    marker(args.db, "END STORE \\Deleted + EXPUNGE")
    calls["STORE \\Deleted + EXPUNGE"] = {k: (after[k] - before.get(k, 0)) / n for k in after
                                          if after[k] != before.get(k, 0)}
    conn.logout()
    time.sleep(1)

    per = {}
    block = None
    counting = True
    took = {}
    for ms, sql in statements(args.log, args.db, offset):
        m = re.search(r"MARK (BEGIN|END|SKIP-SELECT-END|SKIP-SELECT-BEGIN) ?(.*)'", sql)
        if m:
            kind = m.group(1)
            if kind == "BEGIN":
                block, counting = m.group(2), True
            elif kind == "END":
                block = None
            elif kind == "SKIP-SELECT-END":
                counting = True
            elif kind == "SKIP-SELECT-BEGIN":
                counting = False
            continue
        if block and counting:
            phase = re.match(r"(parse|bind) ", sql)
            if not phase:  # executions counted; parse/bind phases (log_min_duration_statement) only add time
                per.setdefault(block, Counter())[normalise(sql)] += 1
            took.setdefault(block, Counter())[normalise(sql)] += ms
    # in the EXPUNGE block the SELECT before each pair is not counted (between SKIP-SELECT-BEGIN and -END)
    total = 0
    for name, _ in blocks + [("STORE \\Deleted + EXPUNGE", None)]:
        stmts = per.get(name, Counter())
        total_here = sum(stmts.values()) / n
        total += total_here
        print(f"== {name}: {total_here:.2f} statements, "
              f"{sum(calls.get(name, {}).values()):.2f} gateway calls per command")
        for route, c in sorted(calls.get(name, {}).items(), key=lambda kv: -kv[1]):
            print(f"   call {c:5.2f}  {route}")
        times = took.get(name, Counter())
        print(f"   logged server time per command {sum(times.values()) / n:.3f} ms")
        for sql, c in stmts.most_common():
            print(f"   sql  {c / n:5.2f}  {times[sql] / n:6.3f} ms  {sql[:240]}")


if __name__ == "__main__":
    main()
