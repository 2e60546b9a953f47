#!/usr/bin/env python3
"""Mixed, client-like IMAP load against any server, for side-by-side runs (Mailroom's imap-gateway vs Dovecot).

Each worker process logs in as its own user and loops over a mix of what mail clients send: SELECT, FETCH FLAGS and
ENVELOPE for a range, FETCH BODY[] of single messages, STORE, SEARCH, APPEND, EXPUNGE, NOOP. Separately, IDLE latency
is measured: one connection idles on INBOX while a second APPENDs (or, with --store-url, a message is filed straight
into mailbox-api); the time from sending the write to "* n EXISTS" is recorded (write -> EXISTS, as a user sees it).

Prints commands/s, p50/p99 per command, IDLE latency percentiles, and a JSON line for bench/results. With --cpu, also
the CPU time (user + system, from /proc/<pid>/stat) that the named processes spent per command during the load.

  imap-bench.py --port 1143 --users user{n}@example.test --password pass --procs 8 --seconds 60 [--ssl] [--prefill 10000]
"""
import argparse
import imaplib
import json
import multiprocessing as mp
import os
import random
import ssl
import statistics
import threading
import time
import urllib.request

MESSAGE = ("From: bench@example.test\r\nTo: {user}\r\nSubject: bench {n}\r\nMessage-ID: <bench-{n}-{r}@example.test>\r\n"
           "Date: Fri, 27 Nov 2026 01:00:00 +0000\r\n\r\n" + ("Hello from the benchmark. " * 40) + "\r\n")


def connect(args):
    if args.ssl:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return imaplib.IMAP4_SSL(args.host, args.port, ssl_context=ctx)
    return imaplib.IMAP4(args.host, args.port)


def logout(conn):
    try:
        conn.logout()
    except (imaplib.IMAP4.abort, OSError):
        pass  # the connection closed before the tagged OK was read: the session is over either way


def timed(stats, name, call):
    start = time.perf_counter()
    typ, data = call()
    stats.setdefault(name, []).append(time.perf_counter() - start)
    if typ != "OK":
        raise RuntimeError(f"{name}: {typ} {data}")
    return data


def user_name(args, index):
    return args.users.format(n=args.first_user + index)


def worker(args, index, deadline, out):
    user = user_name(args, index)
    rnd = random.Random(index)
    stats = {}
    conn = connect(args)
    conn.login(user, args.password)
    while time.time() < deadline:
        exists = int(timed(stats, "SELECT", lambda: conn.select("INBOX"))[0])
        if exists:
            low = max(1, exists - 49)
            timed(stats, "FETCH FLAGS+ENVELOPE 50", lambda: conn.fetch(f"{low}:{exists}", "(UID FLAGS ENVELOPE)"))
            one = rnd.randint(1, exists)
            timed(stats, "FETCH BODY[] 1", lambda: conn.fetch(str(one), "(BODY.PEEK[])"))
            timed(stats, "STORE +FLAGS", lambda: conn.store(str(one), "+FLAGS", "(\\Seen)"))
            timed(stats, "SEARCH UNSEEN", lambda: conn.search(None, "UNSEEN"))
        msg = MESSAGE.format(user=user, n=index, r=rnd.random()).encode()
        timed(stats, "APPEND", lambda: conn.append("INBOX", None, None, msg))
        if exists and rnd.random() < 0.2:
            last = exists
            timed(stats, "STORE +FLAGS \\Deleted", lambda: conn.store(str(last), "+FLAGS", "(\\Deleted)"))
            timed(stats, "EXPUNGE", lambda: conn.expunge())
        timed(stats, "NOOP", lambda: conn.noop())
    logout(conn)
    out.put(stats)


def store_appender(args, user):
    """Files messages straight into mailbox-api's store API, as delivery-service or another replica would."""
    base = args.store_url.rstrip("/") + "/internal/v1/accounts/" + user
    headers = {"Authorization": "Bearer " + args.store_token}
    request = urllib.request.Request(base + "/mailboxes/by-name?name=INBOX", headers=headers)
    mailbox = json.load(urllib.request.urlopen(request, timeout=10))["id"]

    def append(message):
        post = urllib.request.Request(f"{base}/mailboxes/{mailbox}/messages", data=message, method="POST",
                                      headers={**headers, "Content-Type": "message/rfc822"})
        urllib.request.urlopen(post, timeout=10).read()
    return append


def idle_latency(args, rounds):
    user = user_name(args, 0)
    watcher, writer = connect(args), connect(args)
    watcher.login(user, args.password)
    writer.login(user, args.password)
    outside = store_appender(args, user) if args.store_url else None
    watcher.select("INBOX")
    latencies = []
    for i in range(rounds):
        tag = watcher._new_tag().decode()
        watcher.send(f"{tag} IDLE\r\n".encode())
        assert watcher.readline().startswith(b"+")
        message = MESSAGE.format(user=user, n=i, r=i).encode()
        # from the moment the write is sent: a server may announce EXISTS before the writer has read its OK
        appended = time.perf_counter()
        if outside:
            outside(message)
        else:
            writer.append("INBOX", None, None, message)
        while True:
            line = watcher.readline()
            if line.endswith(b"EXISTS\r\n"):
                latencies.append(time.perf_counter() - appended)
                break
        watcher.send(b"DONE\r\n")
        while not watcher.readline().startswith(tag.encode()):
            pass
    logout(watcher)
    logout(writer)
    return latencies


def prefill_one(args, index, count):
    user = user_name(args, index)
    conn = connect(args)
    conn.login(user, args.password)
    exists = int(conn.select("INBOX")[1][0])
    for n in range(exists, count):
        conn.append("INBOX", None, None, MESSAGE.format(user=user, n=n, r=n).encode())
    logout(conn)


def prefill(args, count):
    """Every worker's INBOX up to COUNT messages, over IMAP APPEND, one process per mailbox."""
    procs = [mp.Process(target=prefill_one, args=(args, i, count)) for i in range(args.procs)]
    start = time.time()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"prefill failed (exit code {p.exitcode})")
    print(f"{args.label}: prefilled {args.procs} mailboxes to {count} messages in {time.time() - start:.0f}s", flush=True)


class CpuMeter:
    """CPU time of groups of processes over the load, from /proc/<pid>/stat (utime + stime), sampled every half second.

    A group is a pid, "pg:<database>" (the PostgreSQL backends of that database, whose process titles read
    "postgres: [cluster: ]<user> <database> <client> ...") or texts, separated by "|", one of which its processes'
    command lines contain (Dovecot names its processes "dovecot-<instance>/imap" and so on, its master
    "/usr/sbin/dovecot -c ..."), matched again at every sample: processes that
    start during the load count from zero, and a process that ends counts up to its last sample (sessions that log
    out lose at most half a second). The machine's busy time (/proc/stat) is recorded beside them, for the load."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, groups):
        self.groups = groups  # name -> pid (str of digits) or command-line text
        self.first = {}  # (name, pid) -> ticks at the first sample
        self.last = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _ticks(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            return None

    def _pids(self, spec):
        if spec.isdigit():
            return [spec]
        database = spec[3:].encode() if spec.startswith("pg:") else None
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or pid == str(os.getpid()):
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    line = f.read()
            except OSError:
                continue
            if database is None and any(text.encode() in line for text in spec.split("|")):
                found.append(pid)
            elif database is not None and line.startswith(b"postgres: ") and database in line.split(b" "):
                found.append(pid)
        return found

    @staticmethod
    def _machine_busy():
        with open("/proc/stat") as f:
            cpu = [int(v) for v in f.readline().split()[1:]]
        return sum(cpu) - cpu[3] - cpu[4], sum(cpu)  # busy (not idle, not iowait), total

    def _sample(self, initial):
        for name, spec in self.groups.items():
            for pid in self._pids(spec):
                ticks = self._ticks(pid)
                if ticks is None:
                    continue
                self.first.setdefault((name, pid), ticks if initial else 0)
                self.last[(name, pid)] = ticks

    def _run(self):
        while not self.stop.wait(0.5):
            self._sample(False)

    def start(self):
        self._sample(True)
        self.machine = self._machine_busy()
        self.started = time.time()
        self.thread.start()

    def finish(self):
        """Seconds of CPU per group, and the machine's busy share (0..1) over the same time."""
        self.stop.set()
        self.thread.join()
        self._sample(False)
        busy, total = self._machine_busy()
        seconds = {name: 0.0 for name in self.groups}
        for (name, pid), ticks in self.last.items():
            seconds[name] += (ticks - self.first[(name, pid)]) / self.TICK
        return seconds, (busy - self.machine[0]) / max(1, total - self.machine[1])


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ssl", action="store_true")
    parser.add_argument("--users", default="user{n}@example.test")
    parser.add_argument("--first-user", type=int, default=1, help="n of the first worker's user (then n+1, ...)")
    parser.add_argument("--password", default="pass")
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--prefill", type=int, default=0, help="messages per mailbox before the run")
    parser.add_argument("--idle-rounds", type=int, default=50)
    parser.add_argument("--label", default="server")
    parser.add_argument("--prefill-only", action="store_true", help="prefill, then stop")
    parser.add_argument("--idle-only", action="store_true", help="measure IDLE latency only (no prefill, no load)")
    parser.add_argument("--store-url", help="Mailroom only: mailbox-api's base URL; IDLE then measures a write made "
                                            "there (the cross-service path) instead of an APPEND through the server")
    parser.add_argument("--store-token", default="", help="mailbox-api's internal token, with --store-url")
    parser.add_argument("--cpu", action="append", default=[], metavar="NAME=PID|TEXT",
                        help="report the CPU per command of a process (pid) or of the processes whose command line "
                             "contains TEXT; repeatable")
    args = parser.parse_args()

    if args.idle_only:
        idle = idle_latency(args, args.idle_rounds)
        print(f"{args.label}: IDLE write->EXISTS n={len(idle)} p50={statistics.median(idle) * 1000:.1f} ms "
              f"p99={pct(idle, 0.99) * 1000:.1f} ms max={max(idle) * 1000:.1f} ms")
        print(json.dumps({"label": args.label, "idle_p50_ms": statistics.median(idle) * 1000,
                          "idle_p99_ms": pct(idle, 0.99) * 1000}))
        return
    if args.prefill:
        prefill(args, args.prefill)
    if args.prefill_only:
        return
    meter = CpuMeter(dict(spec.split("=", 1) for spec in args.cpu)) if args.cpu else None
    if meter:
        meter.start()
    deadline = time.time() + args.seconds
    out = mp.Queue()
    procs = [mp.Process(target=worker, args=(args, i, deadline, out)) for i in range(args.procs)]
    start = time.time()
    for p in procs:
        p.start()
    merged = {}
    for _ in procs:
        for name, values in out.get().items():
            merged.setdefault(name, []).extend(values)
    for p in procs:
        p.join()
    elapsed = time.time() - start
    cpu, machine = meter.finish() if meter else ({}, None)
    idle = idle_latency(args, args.idle_rounds)

    total = sum(len(v) for v in merged.values())
    print(f"{args.label}: {total} commands in {elapsed:.1f}s = {total / elapsed:.0f} commands/s ({args.procs} sessions)")
    cpu_ms = {name: seconds * 1000 / max(1, total) for name, seconds in cpu.items()}
    if cpu:
        print("  CPU per command: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu_ms.items())
              + f" (total {sum(cpu_ms.values()):.2f} ms); cores busy: "
              + ", ".join(f"{name} {seconds / elapsed:.2f}" for name, seconds in cpu.items())
              + f", machine {machine * 100:.0f} % of {os.cpu_count()} cores")
    for name, values in sorted(merged.items()):
        print(f"  {name:28s} n={len(values):6d} p50={statistics.median(values) * 1000:7.1f} ms "
              f"p99={pct(values, 0.99) * 1000:7.1f} ms")
    print(f"  IDLE write->EXISTS          n={len(idle):6d} p50={statistics.median(idle) * 1000:7.1f} ms "
          f"p99={pct(idle, 0.99) * 1000:7.1f} ms")
    print(json.dumps({"label": args.label, "commands_per_s": total / elapsed, "sessions": args.procs,
                      "p99_ms": {k: pct(v, 0.99) * 1000 for k, v in merged.items()},
                      "idle_p50_ms": statistics.median(idle) * 1000, "idle_p99_ms": pct(idle, 0.99) * 1000,
                      **({"cpu_ms_per_command": cpu_ms, "machine_busy": machine} if cpu else {})}))


if __name__ == "__main__":
    main()
