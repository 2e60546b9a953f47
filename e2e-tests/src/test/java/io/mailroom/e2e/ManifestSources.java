package io.mailroom.e2e;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import io.mailroom.launcher.Ports;

/**
 * What the deployment manifests are checked against: the services themselves (their application.yml, the
 * meters their code registers, the project version) read from the source tree.
 */
final class ManifestSources {

    static final Path HOME = Path.of(System.getProperty("mailroom.home", "..")).toAbsolutePath().normalize();

    /** Each service, its HTTP port and the protocol ports it listens on by default. */
    record Service(String name, int httpPort, List<Integer> protocolPorts) {

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<String> PROTOCOL_TIERS = List.of("smtp-ingress", "imap-gateway", "pop3-gateway");

    private static final Pattern METER = Pattern.compile(
            "(?:Counter|Timer|Gauge|DistributionSummary)\\.builder\\(\\s*\"([a-z0-9.]+)\"|\\.(?:counter|timer|gauge)\\(\\s*\"([a-z0-9.]+)\""
                    + "|static final String [A-Z_]+ = \"((?:mailroom|james)\\.[a-z0-9.]+)\"");

    private ManifestSources() {
    }

    static List<Service> services() {
        Ports p = Ports.defaults();
        return List.of(
                new Service("mailbox-api", p.mailboxApiHttp(), List.of()),
                new Service("smtp-ingress", p.smtpHttp(), List.of(p.smtpMx(), p.smtpSubmission(), p.smtpSubmissions())),
                new Service("delivery-service", p.deliveryHttp(), List.of()),
                new Service("imap-gateway", p.imapHttp(), List.of(p.imap(), p.imaps())),
                new Service("pop3-gateway", p.pop3Http(), List.of(p.pop3(), p.pop3s())));
    }

    static Service service(String name) {
        return services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    static Map<String, Object> applicationYml(String service) {
        return load(HOME.resolve(service).resolve("src/main/resources/application.yml"));
    }

    /** server.port of the service's application.yml. */
    static int httpPort(String service) {
        return (Integer) path(applicationYml(service), "server", "port");
    }

    /** Every {@code *port} under {@code mailroom:} in the service's application.yml. */
    static List<Integer> protocolPorts(String service) {
        List<Integer> ports = new ArrayList<>();
        collectPorts(applicationYml(service).get("mailroom"), ports);
        return ports;
    }

    static String projectVersion() {
        try {
            String pom = Files.readString(HOME.resolve("pom.xml"));
            Matcher m = Pattern.compile("<artifactId>mailroom</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
            if (!m.find()) {
                throw new IllegalStateException("no project version in pom.xml");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the meters the services' main code registers (Micrometer names, with dots). */
    static Set<String> meterNames() {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(HOME)) {
            files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))
                    .filter(f -> !f.startsWith(HOME.resolve("bench")))
                    .forEach(f -> {
                        Matcher m = METER.matcher(read(f));
                        while (m.find()) {
                            for (int g = 1; g <= m.groupCount(); g++) {
                                if (m.group(g) != null) {
                                    names.add(m.group(g));
                                }
                            }
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /**
     * The Micrometer meter a Prometheus series name comes from, or null: {@code mailroom_queue_acked_total} →
     * {@code mailroom.queue.acked}, {@code mailroom_delivery_filing_latency_seconds_max} → {@code mailroom.delivery.filing.latency}.
     */
    static String meterOf(String series, Set<String> meters) {
        String[] suffixes = {"_seconds_count", "_seconds_sum", "_seconds_max", "_seconds_bucket", "_seconds",
                "_total", "_count", "_sum", "_max", "_bucket", ""};
        for (String suffix : suffixes) {
            if (series.endsWith(suffix)) {
                String candidate = series.substring(0, series.length() - suffix.length()).replace('_', '.');
                if (meters.contains(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static final Pattern PROPERTIES_PREFIX = Pattern.compile("@ConfigurationProperties\\(\"([a-z0-9.-]+)\"\\)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)[:}]");
    private static volatile Map<String, Set<String>> settingsIndex;

    /**
     * Why a {@code MAILROOM_*} environment variable given to a service would not bind to anything, or null when it
     * does: it must be a placeholder of some application.yml ({@code ${MAILROOM_RELAY_HOST:}}), or, in Spring's
     * relaxed form, start with the prefix of a {@code @ConfigurationProperties} class and go on with names that
     * class declares ({@code MAILROOM_SMTP_LISTENERS_MX_PROXYPROTOCOL} → {@code mailroom.smtp} + listeners, mx,
     * proxyProtocol). A typo would otherwise be ignored silently by the service.
     */
    static String unboundSetting(String variable) {
        if (!variable.startsWith("MAILROOM_")) {
            return null;
        }
        Map<String, Set<String>> index = settingsIndex();
        if (index.get("$placeholders").contains(variable)) {
            return null;
        }
        List<String> tokens = List.of(variable.toLowerCase().split("_"));
        for (Map.Entry<String, Set<String>> entry : index.entrySet()) {
            List<String> prefix = List.of(entry.getKey().replace("-", "").split("\\."));
            if (entry.getKey().startsWith("$") || tokens.size() <= prefix.size() || !tokens.subList(0, prefix.size()).equals(prefix)) {
                continue;
            }
            if (entry.getValue().containsAll(tokens.subList(prefix.size(), tokens.size()))) {
                return null;
            }
        }
        return variable + " matches no @ConfigurationProperties property and no ${placeholder} of an application.yml";
    }

    private static Map<String, Set<String>> settingsIndex() {
        if (settingsIndex == null) {
            Map<String, Set<String>> index = new HashMap<>();
            Set<String> placeholders = new TreeSet<>();
            try (Stream<Path> files = Files.walk(HOME)) {
                files.filter(f -> f.toString().contains("/src/main/") && !f.startsWith(HOME.resolve("bench")))
                        .filter(f -> f.toString().endsWith(".java") || f.getFileName().toString().equals("application.yml"))
                        .filter(Files::isRegularFile)
                        .forEach(f -> {
                            String text = read(f);
                            if (f.toString().endsWith(".java")) {
                                Matcher m = PROPERTIES_PREFIX.matcher(text);
                                while (m.find()) {
                                    Set<String> names = index.computeIfAbsent(m.group(1), k -> new HashSet<>());
                                    Matcher word = Pattern.compile("[A-Za-z][A-Za-z0-9]*").matcher(text);
                                    while (word.find()) {
                                        names.add(word.group().toLowerCase());
                                    }
                                }
                            } else if (f.getFileName().toString().equals("application.yml")) {
                                Matcher m = PLACEHOLDER.matcher(text);
                                while (m.find()) {
                                    placeholders.add(m.group(1));
                                }
                            }
                        });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            index.put("$placeholders", placeholders);
            settingsIndex = index;
        }
        return settingsIndex;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Yaml yaml() {
        return new Yaml(new LoaderOptions());
    }

    static Map<String, Object> load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return map(yaml().load(reader));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Map<String, Object>> loadAll(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : yaml().loadAll(text)) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return documents;
    }

    static Object path(Object root, String... keys) {
        Object node = root;
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return node == null ? new LinkedHashMap<>() : (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        return node == null ? List.of() : (List<Object>) node;
    }

    private static void collectPorts(Object node, List<Integer> ports) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((key, value) -> {
                if (String.valueOf(key).toLowerCase().endsWith("port") && value instanceof Integer port) {
                    ports.add(port);
                } else {
                    collectPorts(value, ports);
                }
            });
        } else if (node instanceof List<?> l) {
            l.forEach(item -> collectPorts(item, ports));
        }
    }
}
