package io.mailroom.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code monitor}: samples, until told to stop, the resident memory of Mailroom's processes (the launcher's
 * process tree: each service JVM by its jar name, the embedded PostgreSQL) and of the anchors' (Dovecot's and
 * Postfix's process trees, found by their master pid files), and each service's JVM heap in use from its actuator.
 * Keeps the peak per phase (the driver writes the current phase, {@code deliver/mailroom/1}, to a file) and
 * rewrites {@code --out} after every sample, so a killed run still leaves its figures.
 */
final class Monitor {

    static final Pattern EXEC_JAR = Pattern.compile(
            "(?:^|/)(mailbox-api|smtp-ingress|delivery-service|imap-gateway|pop3-gateway|launcher)-[^/]*-exec\\.jar$");
    private static final Pattern METRIC_VALUE = Pattern.compile("\"value\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern PROM_HEAP = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final long PAGE_KB = 4;
    private static final long SELF = ProcessHandle.current().pid();

    /** RSS counts shared pages (libraries, a forking server's copy-on-write) in every process; PSS splits them. */
    record Peak(long samples, long peakRssKb, long sumRssKb, long peakPssKb, long peakHeapBytes) {
        Peak with(long rssKb, long pssKb, long heapBytes) {
            return new Peak(samples + 1, Math.max(peakRssKb, rssKb), sumRssKb + rssKb, Math.max(peakPssKb, pssKb),
                    Math.max(peakHeapBytes, heapBytes));
        }
    }

    private record Proc(int pid, int ppid, String comm, long rssKb) {
    }

    private final Map<String, Map<String, Peak>> peaks = new TreeMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Map<String, Boolean> usePrometheus = new HashMap<>();

    private Monitor() {
    }

    static void run(Options o) throws Exception {
        Path out = Path.of(o.required("out"));
        String phaseFile = o.string("phase-file", null);
        String stopFile = o.string("stop-file", null);
        Duration interval = o.seconds("interval", 1);
        Duration maxTime = o.seconds("max-seconds", 7200);
        int mailroomPid = o.integer("mailroom-pid", 0);
        // pg_ctl daemonizes the embedded PostgreSQL out of the launcher's tree: find it by its data directory
        String mailroomMatch = o.string("mailroom-match", null);
        // a suite started elsewhere: every process running a Mailroom exec jar (other runs' too, beware)
        boolean byJarName = o.flag("mailroom-by-jar");
        Path anchors = Path.of(o.string("anchors", "/tmp/anchors"));
        Map<String, Integer> heapPorts = new LinkedHashMap<>();
        for (String entry : o.list("heap", "mailbox-api=8080,smtp-ingress=8081,delivery-service=8082,imap-gateway=8083,pop3-gateway=8084")) {
            String[] kv = entry.split("=");
            heapPorts.put(kv[0], Integer.parseInt(kv[1]));
        }
        o.requireAllUsed();

        Monitor m = new Monitor();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> m.writeQuietly(out)));
        long deadline = System.nanoTime() + maxTime.toNanos();
        while (System.nanoTime() < deadline && (stopFile == null || !Files.exists(Path.of(stopFile)))) {
            String phase = phaseFile == null ? "-" : readPhase(Path.of(phaseFile));
            m.sample(phase, mailroomPid, mailroomMatch, byJarName, anchors, heapPorts);
            m.writeQuietly(out);
            Thread.sleep(interval);
        }
        m.writeQuietly(out);
    }

    private static String readPhase(Path file) {
        try {
            String p = Files.readString(file).strip();
            return p.isEmpty() ? "-" : p;
        } catch (IOException e) {
            return "-";
        }
    }

    private void sample(String phase, int mailroomPid, String mailroomMatch, boolean byJarName, Path anchors,
                        Map<String, Integer> heapPorts) {
        Map<Integer, Proc> procs = processes();
        Map<Integer, List<Integer>> children = new HashMap<>();
        procs.values().forEach(p -> children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid()));
        Map<String, Long> rss = new TreeMap<>();
        Map<String, Long> pss = new TreeMap<>();
        Map<String, Long> heap = new HashMap<>();

        Set<Integer> mailroom = new HashSet<>();
        if (mailroomPid > 0 && procs.containsKey(mailroomPid)) {
            mailroom.addAll(tree(mailroomPid, children));
        }
        if (mailroomMatch != null) {
            for (Proc p : procs.values()) {
                // (this monitor's own command line names the directory too)
                if (p.pid() != SELF && !mailroom.contains(p.pid()) && cmdline(p.pid()).contains(mailroomMatch)) {
                    mailroom.addAll(tree(p.pid(), children));
                }
            }
        }
        if (byJarName) {
            for (Proc p : procs.values()) {
                if (p.pid() != SELF && !mailroom.contains(p.pid()) && !mailroomGroup(p).equals("other")
                        && !p.comm().startsWith("postgres")) {
                    mailroom.addAll(tree(p.pid(), children));
                }
            }
        }
        if (!mailroom.isEmpty()) {
            for (int pid : mailroom) {
                Proc p = procs.get(pid);
                if (p == null) {
                    continue;
                }
                String group = "mailroom:" + mailroomGroup(p);
                long pssKb = pss(p);
                rss.merge(group, p.rssKb(), Long::sum);
                rss.merge("mailroom:total", p.rssKb(), Long::sum);
                pss.merge(group, pssKb, Long::sum);
                pss.merge("mailroom:total", pssKb, Long::sum);
            }
            heapPorts.forEach((service, port) -> {
                long bytes = heapUsed(service, port);
                if (bytes > 0) {
                    heap.put("mailroom:" + service, bytes);
                    heap.merge("mailroom:total", bytes, Long::sum);
                }
            });
        }
        addTree(rss, pss, "anchor:dovecot", pidFile(anchors.resolve("dovecot/run/master.pid")), procs, children);
        addTree(rss, pss, "anchor:postfix", pidFile(anchors.resolve("postfix/spool/pid/master.pid")), procs, children);
        for (Map<String, Long> m : List.of(rss, pss)) {
            long anchorTotal = m.getOrDefault("anchor:dovecot", 0L) + m.getOrDefault("anchor:postfix", 0L);
            if (anchorTotal > 0) {
                m.put("anchor:total", anchorTotal);
            }
        }
        record(phase, rss, pss, heap);
    }

    private synchronized void record(String phase, Map<String, Long> rss, Map<String, Long> pss, Map<String, Long> heap) {
        Set<String> groups = new HashSet<>(rss.keySet());
        groups.addAll(heap.keySet());
        for (String group : groups) {
            long r = rss.getOrDefault(group, 0L);
            long ps = pss.getOrDefault(group, 0L);
            long h = heap.getOrDefault(group, 0L);
            for (String p : List.of(phase, "all")) {
                peaks.computeIfAbsent(p, k -> new TreeMap<>())
                        .merge(group, new Peak(1, r, r, ps, h), (a, b) -> a.with(r, ps, h));
            }
        }
    }

    private static void addTree(Map<String, Long> rss, Map<String, Long> pss, String group, int root,
                                Map<Integer, Proc> procs, Map<Integer, List<Integer>> children) {
        if (root <= 0 || !procs.containsKey(root)) {
            return;
        }
        for (int pid : tree(root, children)) {
            Proc p = procs.get(pid);
            rss.merge(group, p.rssKb(), Long::sum);
            pss.merge(group, pss(p), Long::sum);
        }
    }

    /** Proportional set size from smaps_rollup (Linux 4.14+); the RSS where it cannot be read. */
    private static long pss(Proc p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not readable by this user
        }
        return p.rssKb();
    }

    /** The service a process of the launcher's tree is: by its jar, else the embedded PostgreSQL, else other. */
    private static String mailroomGroup(Proc p) {
        String cmdline = cmdline(p.pid());
        for (String arg : cmdline.split("\0")) {
            Matcher m = EXEC_JAR.matcher(arg);
            if (m.find()) {
                return m.group(1);
            }
        }
        return p.comm().startsWith("postgres") ? "postgres" : "other";
    }

    private static List<Integer> tree(int root, Map<Integer, List<Integer>> children) {
        List<Integer> out = new ArrayList<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            int pid = todo.pop();
            out.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return out;
    }

    private static Map<Integer, Proc> processes() {
        Map<Integer, Proc> procs = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    int pid = Integer.parseInt(dir.getFileName().toString());
                    // after "(comm) ": state ppid ... rss is the 24th field of stat, index 21 here (pages)
                    procs.put(pid, new Proc(pid, Integer.parseInt(f[1]), stat.substring(open + 1, close),
                            Long.parseLong(f[21]) * PAGE_KB));
                } catch (IOException | RuntimeException e) {
                    // the process ended while we read it
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return procs;
    }

    private static String cmdline(int pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static int pidFile(Path file) {
        try {
            return Integer.parseInt(Files.readString(file).strip().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Heap in use, from {@code /actuator/metrics} when the service exposes it, else summed from
     * {@code /actuator/prometheus} (Mailroom exposes only health, info and prometheus); 0 when unreachable.
     */
    private long heapUsed(String service, int port) {
        try {
            if (!usePrometheus.getOrDefault(service, false)) {
                HttpResponse<String> r = get("http://127.0.0.1:" + port + "/actuator/metrics/jvm.memory.used?tag=area:heap");
                if (r.statusCode() == 200) {
                    Matcher m = METRIC_VALUE.matcher(r.body());
                    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
                }
                usePrometheus.put(service, true);
            }
            HttpResponse<String> r = get("http://127.0.0.1:" + port + "/actuator/prometheus");
            if (r.statusCode() != 200) {
                return 0;
            }
            double sum = 0;
            Matcher m = PROM_HEAP.matcher(r.body());
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return (long) sum;
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static final String HEADER = "phase\tgroup\tsamples\tpeak_rss_kb\tavg_rss_kb\tpeak_pss_kb\tpeak_heap_bytes";

    private synchronized void writeQuietly(Path out) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        peaks.forEach((phase, groups) -> groups.forEach((group, p) -> lines.add(String.format(Locale.ROOT,
                "%s\t%s\t%d\t%d\t%d\t%d\t%d", phase, group, p.samples(), p.peakRssKb(),
                p.samples() == 0 ? 0 : p.sumRssKb() / p.samples(), p.peakPssKb(), p.peakHeapBytes()))));
        try {
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            // the results directory went away: nothing to keep
        } catch (IOException e) {
            System.err.println("monitor: cannot write " + out + ": " + e.getMessage());
        }
    }
}
