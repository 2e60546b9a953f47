package io.mailroom.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One measured run, one line of {@code results.tsv}. Latencies in milliseconds; NaN where the scenario has none
 * (end-to-end filing is measured by counting, not per message).
 */
record ResultRow(String scenario, String side, String run, double throughput, String unit,
                 double p50, double p99, double max, long count, long errors, double seconds, String extra) {

    static final String HEADER = "scenario\tside\trun\tthroughput\tunit\tp50_ms\tp99_ms\tmax_ms\tcount\terrors\tseconds\textra";

    String tsv() {
        return String.join("\t", scenario, side, run, num(throughput), unit, num(p50), num(p99), num(max),
                Long.toString(count), Long.toString(errors), num(seconds), extra.replace('\t', ' ').replace('\n', ' '));
    }

    static ResultRow parse(String line) {
        String[] f = line.split("\t", -1);
        return new ResultRow(f[0], f[1], f[2], dbl(f[3]), f[4], dbl(f[5]), dbl(f[6]), dbl(f[7]),
                Long.parseLong(f[8]), Long.parseLong(f[9]), dbl(f[10]), f.length > 11 ? f[11] : "");
    }

    /** Appends to the file (written with its header when new); does nothing without a file. */
    static void append(Path file, List<ResultRow> rows) throws IOException {
        if (file == null) {
            return;
        }
        List<String> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            lines.add(HEADER);
        }
        rows.forEach(r -> lines.add(r.tsv()));
        Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<ResultRow> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("scenario\t"))
                .map(ResultRow::parse)
                .toList();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static double dbl(String s) {
        return s.equals("-") || s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
