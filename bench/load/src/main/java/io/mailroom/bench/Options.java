package io.mailroom.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value}, {@code --name=value} and bare {@code --flag} options. Every option given must be read by
 * the command, so a misspelt option fails the run instead of silently measuring the default.
 */
final class Options {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    Options(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                values.put(name, args.get(++i));
            } else {
                values.put(name, "true");
            }
        }
    }

    String string(String name, String fallback) {
        used.add(name);
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String value = string(name, null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    int integer(String name, int fallback) {
        String value = string(name, null);
        return value == null ? fallback : Integer.parseInt(value.strip());
    }

    /** A decimal number, as in {@code --rate 2.5}. */
    double decimal(String name, double fallback) {
        String value = string(name, null);
        return value == null ? fallback : Double.parseDouble(value.strip());
    }

    /** Sizes accept a K or M suffix (1024-based), as in {@code --size 4K}. */
    int size(String name, int fallback) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        String v = value.strip().toUpperCase();
        int factor = 1;
        if (v.endsWith("K")) {
            factor = 1024;
        } else if (v.endsWith("M")) {
            factor = 1024 * 1024;
        }
        if (factor > 1) {
            v = v.substring(0, v.length() - 1);
        }
        return Math.multiplyExact(Integer.parseInt(v), factor);
    }

    boolean flag(String name) {
        String value = string(name, "false");
        return value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes") || value.equals("1");
    }

    /** Seconds, fractions allowed. */
    Duration seconds(String name, double fallback) {
        String value = string(name, null);
        double s = value == null ? fallback : Double.parseDouble(value.strip());
        return Duration.ofNanos((long) (s * 1e9));
    }

    List<String> list(String name, String fallback) {
        String value = string(name, fallback);
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }

    void requireAllUsed() {
        List<String> unknown = values.keySet().stream().filter(k -> !used.contains(k)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) for this command: "
                    + unknown.stream().map(k -> "--" + k).toList());
        }
    }
}
