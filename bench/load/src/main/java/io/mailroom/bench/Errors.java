package io.mailroom.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/** Failures counted by what failed: {@code "RCPT 550"}, {@code "DATA-end 451"}, {@code "io: SocketTimeoutException"}. */
final class Errors {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void count(String what) {
        counts.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    void io(String stage, Exception e) {
        count("io " + stage + ": " + e.getClass().getSimpleName());
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    String summary() {
        if (counts.isEmpty()) {
            return "none";
        }
        return new TreeMap<>(counts).entrySet().stream()
                .map(e -> e.getKey() + " x" + e.getValue().sum())
                .collect(Collectors.joining(", "));
    }

    /** For the TSV file: no tabs, no spaces around separators. */
    String compact() {
        return counts.isEmpty() ? "-" : summary().replace('\t', ' ');
    }
}
