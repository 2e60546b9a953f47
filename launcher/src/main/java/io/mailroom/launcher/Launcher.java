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
 * <pre>java -jar launcher/target/launcher-*-exec.jar [--home DIR] [--data DIR]</pre>
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
        SuiteSettings settings = new SuiteSettings(home, data, Ports.defaults(), jdbcUrl, "postgres", "",
                new QueueSettings.Postgres(jdbcUrl, "postgres", ""), adminToken, randomToken(),
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
            postgres.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Mailroom: stopping");
            suite.close();
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
