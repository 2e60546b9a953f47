package io.mailroom.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code report}: the table of a bench run. Per scenario and side, the median over runs of throughput, p50 and p99,
 * and the ratio Mailroom/anchor of those medians: only ratios mean anything on a shared, noisy machine. Then the
 * peak memory per scenario and side, and per process group over the whole run.
 */
final class Report {

    static final String MAILROOM = "mailroom";
    static final String ANCHOR = "anchor";

    private Report() {
    }

    static void run(Options o) throws IOException {
        Path results = Path.of(o.required("results"));
        String memory = o.string("memory", null);
        String out = o.string("out", null);
        o.requireAllUsed();

        StringBuilder b = new StringBuilder();
        if (Files.exists(results)) {
            throughput(ResultRow.read(results), b);
        } else {
            b.append("no results (").append(results).append(" does not exist)\n");
        }
        if (memory != null && Files.exists(Path.of(memory))) {
            memory(Files.readAllLines(Path.of(memory), StandardCharsets.UTF_8), b);
        }
        System.out.print(b);
        if (out != null) {
            Files.writeString(Path.of(out), b.toString(), StandardCharsets.UTF_8);
        }
    }

    static void throughput(List<ResultRow> rows, StringBuilder b) {
        Map<String, Map<String, List<ResultRow>>> byScenario = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            byScenario.computeIfAbsent(r.scenario(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.side(), k -> new ArrayList<>()).add(r);
        }
        b.append("THROUGHPUT AND LATENCY (median of runs; ratio = Mailroom / anchor)\n");
        String fmt = "%-13s %-9s %4s  %-30s %9s %9s %7s  %s%n";
        b.append(String.format(Locale.ROOT, fmt, "scenario", "side", "runs", "throughput (min..max)", "p50 ms", "p99 ms", "errors", "notes"));
        byScenario.forEach((scenario, sides) -> {
            Map<String, double[]> medians = new LinkedHashMap<>();
            sides.forEach((side, list) -> {
                double t = median(list.stream().mapToDouble(ResultRow::throughput).toArray());
                double p50 = median(list.stream().mapToDouble(ResultRow::p50).toArray());
                double p99 = median(list.stream().mapToDouble(ResultRow::p99).toArray());
                double min = list.stream().mapToDouble(ResultRow::throughput).min().orElse(Double.NaN);
                double max = list.stream().mapToDouble(ResultRow::throughput).max().orElse(Double.NaN);
                long errors = list.stream().mapToLong(ResultRow::errors).sum();
                medians.put(side, new double[] {t, p50, p99});
                String unit = list.getFirst().unit();
                String notes = list.stream().map(ResultRow::extra).filter(e -> e.contains("INCOMPLETE")).findFirst()
                        .orElse(list.getFirst().extra());
                b.append(String.format(Locale.ROOT, fmt, scenario, side, list.size(),
                        String.format(Locale.ROOT, "%s %s (%s..%s)", num(t), unit, num(min), num(max)),
                        Latency.ms(p50), Latency.ms(p99), errors, abbreviate(notes, 70)));
            });
            double[] m = medians.get(MAILROOM);
            double[] a = medians.get(ANCHOR);
            if (m != null && a != null) {
                b.append(String.format(Locale.ROOT, fmt, "", "RATIO", "", "throughput " + times(m[0], a[0]),
                        times(m[1], a[1]), times(m[2], a[2]), "", ""));
            }
        });
        b.append('\n');
    }

    static void memory(List<String> lines, StringBuilder b) {
        // phase -> group -> [peak RSS kB, peak PSS kB, peak heap bytes]
        Map<String, Map<String, long[]>> byPhase = new TreeMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("phase\t")) {
                continue;
            }
            String[] f = line.split("\t");
            byPhase.computeIfAbsent(f[0], k -> new TreeMap<>())
                    .put(f[1], new long[] {Long.parseLong(f[3]), Long.parseLong(f[5]), Long.parseLong(f[6])});
        }
        // scenario -> side -> peak PSS of that side's processes while that side was under load
        Map<String, Map<String, Long>> perScenario = new LinkedHashMap<>();
        byPhase.forEach((phase, groups) -> {
            String[] parts = phase.split("/");
            if (parts.length < 2) {
                return;
            }
            String side = parts[1];
            long[] total = groups.get(side + ":total");
            if (total != null) {
                perScenario.computeIfAbsent(parts[0], k -> new LinkedHashMap<>()).merge(side, total[1], Math::max);
            }
        });
        b.append("PEAK MEMORY PER SCENARIO (PSS of all of a side's processes while that side was under load;\n"
                + "Mailroom = its five service JVMs + the launcher + embedded PostgreSQL, anchor = Postfix + Dovecot)\n");
        String fmt = "%-10s %14s %14s %8s%n";
        b.append(String.format(Locale.ROOT, fmt, "scenario", "mailroom MB", "anchor MB", "ratio"));
        perScenario.forEach((scenario, bySide) -> {
            Long m = bySide.get(MAILROOM);
            Long a = bySide.get(ANCHOR);
            b.append(String.format(Locale.ROOT, fmt, scenario, m == null ? "-" : mb(m * 1024), a == null ? "-" : mb(a * 1024),
                    m != null && a != null ? times(m, a) : ""));
        });
        Map<String, long[]> all = byPhase.getOrDefault("all", Map.of());
        Map<String, long[]> idle = byPhase.getOrDefault("idle", Map.of());
        if (!all.isEmpty()) {
            b.append("\nPEAK PER PROCESS GROUP OVER THE WHOLE RUN (RSS counts shared pages in every process, PSS splits them;\n"
                    + "heap: JVM heap in use, from the service's actuator)\n");
            String gfmt = "%-28s %12s %12s %12s %12s%n";
            b.append(String.format(Locale.ROOT, gfmt, "group", "idle PSS MB", "peak PSS MB", "peak RSS MB", "peak heap MB"));
            all.forEach((group, v) -> {
                long[] i = idle.get(group);
                b.append(String.format(Locale.ROOT, gfmt, group, i == null ? "-" : mb(i[1] * 1024), mb(v[1] * 1024),
                        mb(v[0] * 1024), v[2] == 0 ? "-" : mb(v[2])));
            });
        }
        b.append('\n');
    }

    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String ratio(double mailroom, double anchor) {
        if (Double.isNaN(mailroom) || Double.isNaN(anchor) || anchor == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", mailroom / anchor);
    }

    /** "x0.85", or "-" when either side has no figure. */
    static String times(double mailroom, double anchor) {
        String r = ratio(mailroom, anchor);
        return r.equals("-") ? r : "x" + r;
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String abbreviate(String s, int max) {
        return s.length() > max ? s.substring(0, max - 3) + "..." : s;
    }
}
