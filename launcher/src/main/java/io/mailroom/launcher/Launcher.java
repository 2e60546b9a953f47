package io.mailroom.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The single-machine default: starts an embedded PostgreSQL (data kept under {@code data/postgres}),
 * then the five services with the PostgreSQL queue, prints where each one listens, and stops
 * everything on Ctrl-C. Needs nothing but a JDK and the built jars.
 *
 * <pre>java -jar launcher/target/launcher-*-exec.jar [--home DIR] [--data DIR] [--queue postgres|rabbitmq]
 *     [--rabbitmq-host H] [--rabbitmq-port P] [--rabbitmq-username U] [--rabbitmq-prefix P]</pre>
 *
 * With {@code --queue rabbitmq} (or {@code MAILROOM_QUEUE=rabbitmq}) the queue is an existing RabbitMQ broker
 * instead (what distributed deployments run; default 127.0.0.1:5672, guest/guest). Each option falls back to an environment variable
 * ({@code MAILROOM_RABBITMQ_HOST}, {@code _PORT}, {@code _USERNAME}, {@code _PREFIX}); the password is only
 * read from {@code MAILROOM_RABBITMQ_PASSWORD}. Without a prefix, each run names its queues under a prefix of
 * its own ({@code mailroom-<random>.}) so that runs sharing a broker never see each other's mail, and deletes
 * them when it stops; with one, the queues are kept (messages still queued survive a restart).
 */
public final class Launcher {

    private static final String DATABASE = "mailroom";

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        // The embedded PostgreSQL narrates every step of initdb at INFO; keep the console for what matters.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path home = Path.of(option(args, "--home", ".")).toAbsolutePath().normalize();
        Path data = Path.of(option(args, "--data", home.resolve("data").toString())).toAbsolutePath().normalize();
        queue(args, "");   // a wrong --queue or --rabbitmq-port fails here, before anything has started
        Ports.defaults().requireFree();
        Files.createDirectories(data);
        PrintStream out = System.out;

        out.println("Mailroom: starting embedded PostgreSQL (data in " + data.resolve("postgres") + ")");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(data.resolve("postgres"))
                .setCleanDataDirectory(false)
                .start();
        createDatabaseIfMissing(postgres);
        String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;

        String adminToken = adminToken(data, out);
        QueueSettings queue = queue(args, jdbcUrl);
        out.println("Mailroom: queue " + describe(queue));
        SuiteSettings settings = new SuiteSettings(home, data, Ports.defaults(), jdbcUrl, "postgres", "",
                queue, adminToken, randomToken(),
                List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC"),
                Map.of(
                        // On one machine, mail clients talk to the gateways over loopback: the
                        // plaintext listeners bind to loopback only and allow login without TLS
                        // there; the implicit-TLS listeners stay on every interface.
                        "mailroom.pop3.pop3.host", "127.0.0.1",
                        "mailroom.pop3.allow-plaintext-auth", "true",
                        "mailroom.imap.imap.host", "127.0.0.1",
                        "mailroom.imap.allow-plaintext-auth", "true"));

        out.println("Mailroom: starting the five services (logs in " + data.resolve("logs") + ")");
        Suite suite;
        try {
            suite = Suite.start(settings);
        } catch (RuntimeException e) {
            deleteEphemeralQueues(queue);
            postgres.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Mailroom: stopping");
            suite.close();
            deleteEphemeralQueues(queue);
            try {
                postgres.close();
            } catch (IOException ignored) {
                // going away anyway
            }
            stopped.countDown();
        }, "mailroom-shutdown"));

        printWhereEverythingListens(out, settings.ports(), jdbcUrl);
        stopped.await();
    }

    private static void printWhereEverythingListens(PrintStream out, Ports p, String jdbcUrl) {
        out.println();
        out.println("Mailroom is running. Ctrl-C stops it.");
        out.println();
        out.printf("  %-17s %-48s %s%n", "service", "listens on", "health");
        out.printf("  %-17s %-48s %s%n", "mailbox-api", "REST http://localhost:" + p.mailboxApiHttp() + "/api/v1", probe(p.mailboxApiHttp()));
        out.printf("  %-17s %-48s %s%n", "smtp-ingress", "SMTP " + p.smtpMx() + " (MX), " + p.smtpSubmission() + " (submission), " + p.smtpSubmissions() + " (TLS)", probe(p.smtpHttp()));
        out.printf("  %-17s %-48s %s%n", "delivery-service", "-", probe(p.deliveryHttp()));
        out.printf("  %-17s %-48s %s%n", "imap-gateway", "IMAP " + p.imap() + " (STARTTLS), " + p.imaps() + " (TLS)", probe(p.imapHttp()));
        out.printf("  %-17s %-48s %s%n", "pop3-gateway", "POP3 " + p.pop3() + " (STLS), " + p.pop3s() + " (TLS)", probe(p.pop3Http()));
        out.println();
        out.println("  PostgreSQL (embedded): " + jdbcUrl);
        out.println();
    }

    /** The queue that {@code --queue} (default {@code postgres}) and the RabbitMQ options or variables ask for. */
    static QueueSettings queue(String[] args, String jdbcUrl) {
        return queue(args, jdbcUrl, System.getenv());
    }

    static QueueSettings queue(String[] args, String jdbcUrl, Map<String, String> env) {
        String type = option(args, "--queue", env.getOrDefault("MAILROOM_QUEUE", "postgres"));
        switch (type) {
            case "postgres" -> {
                return new QueueSettings.Postgres(jdbcUrl, "postgres", "");
            }
            case "rabbitmq" -> {
                String prefix = option(args, "--rabbitmq-prefix", env.get("MAILROOM_RABBITMQ_PREFIX"));
                boolean ephemeral = prefix == null || prefix.isBlank();
                String portText = option(args, "--rabbitmq-port", env.getOrDefault("MAILROOM_RABBITMQ_PORT", "5672"));
                int port;
                try {
                    port = Integer.parseInt(portText);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--rabbitmq-port: not a port number: " + portText);
                }
                return new QueueSettings.RabbitMq(
                        option(args, "--rabbitmq-host", env.getOrDefault("MAILROOM_RABBITMQ_HOST", "127.0.0.1")),
                        port,
                        option(args, "--rabbitmq-username", env.getOrDefault("MAILROOM_RABBITMQ_USERNAME", "guest")),
                        env.getOrDefault("MAILROOM_RABBITMQ_PASSWORD", "guest"),
                        ephemeral ? QueueSettings.RabbitMq.uniquePrefix() : prefix,
                        ephemeral);
            }
            default -> throw new IllegalArgumentException("--queue: postgres or rabbitmq, not " + type);
        }
    }

    private static String describe(QueueSettings queue) {
        return switch (queue) {
            case QueueSettings.Postgres p -> "PostgreSQL (a table in " + p.jdbcUrl() + ")";
            case QueueSettings.RabbitMq r -> "RabbitMQ at " + r.host() + ":" + r.port() + ", names under '" + r.namePrefix() + "'"
                    + (r.ephemeral() ? " (deleted when Mailroom stops)" : "");
        };
    }

    private static void deleteEphemeralQueues(QueueSettings queue) {
        if (queue instanceof QueueSettings.RabbitMq rabbit && rabbit.ephemeral()) {
            try {
                long dropped = RabbitMqCleanup.deleteQueues(rabbit);
                System.out.println("Mailroom: deleted the queues under '" + rabbit.namePrefix() + "'"
                        + (dropped > 0 ? " (" + dropped + " messages were still queued)" : ""));
            } catch (Exception e) {
                System.out.println("Mailroom: could not delete the queues under '" + rabbit.namePrefix() + "': " + e);
            }
        }
    }

    private static String probe(int port) {
        return "http://localhost:" + port + "/actuator/health";
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres) throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + DATABASE);
        }
    }

    /** MAILROOM_ADMIN_TOKEN when set; otherwise one generated on first start, kept in the data directory and printed. */
    private static String adminToken(Path data, PrintStream out) throws IOException {
        String fromEnvironment = System.getenv("MAILROOM_ADMIN_TOKEN");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        Path file = data.resolve("admin-token");
        if (!Files.exists(file)) {
            Files.writeString(file, randomToken(), StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
        out.println("Mailroom: MAILROOM_ADMIN_TOKEN is not set; the admin token (kept in " + file + ") is:");
        out.println();
        out.println("    export MAILROOM_ADMIN_TOKEN=" + token);
        out.println();
        return token;
    }

    public static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
