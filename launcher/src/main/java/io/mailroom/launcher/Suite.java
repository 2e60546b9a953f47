package io.mailroom.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The five Mailroom services as child processes, wired to one database, one queue and each
 * other. mailbox-api starts first (the others check recipients and credentials against it);
 * the rest start together. Stopping goes the other way round.
 */
public final class Suite implements AutoCloseable {

    public static final String MAILBOX_API = "mailbox-api";
    public static final String SMTP_INGRESS = "smtp-ingress";
    public static final String DELIVERY_SERVICE = "delivery-service";
    public static final String IMAP_GATEWAY = "imap-gateway";
    public static final String POP3_GATEWAY = "pop3-gateway";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final SuiteSettings settings;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    private Suite(SuiteSettings settings) {
        this.settings = settings;
    }

    /** A suite that has not started anything yet: its specs can be read, its services started one by one. */
    static Suite startable(SuiteSettings settings) {
        return new Suite(settings);
    }

    /** Starts every service and returns once all of them are ready; on failure stops what started. */
    public static Suite start(SuiteSettings settings) {
        settings.ports().requireFree();
        Suite suite = new Suite(settings);
        try {
            suite.startAndAwait(List.of(MAILBOX_API));
            suite.startAndAwait(List.of(SMTP_INGRESS, DELIVERY_SERVICE, IMAP_GATEWAY, POP3_GATEWAY));
            return suite;
        } catch (RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    private void startAndAwait(List<String> names) {
        List<ServiceProcess> started = new ArrayList<>();
        for (String name : names) {
            try {
                ServiceProcess process = ServiceProcess.start(spec(name), settings.dataDirectory().resolve("logs").resolve(name + ".log"));
                services.put(name, process);
                started.add(process);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start " + name, e);
            }
        }
        CompletableFuture<?>[] ready = started.stream()
                .map(process -> CompletableFuture.runAsync(() -> process.awaitReady(START_TIMEOUT)))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ready).join();
        } catch (RuntimeException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    public SuiteSettings settings() {
        return settings;
    }

    public Ports ports() {
        return settings.ports();
    }

    public ServiceProcess service(String name) {
        ServiceProcess process = services.get(name);
        if (process == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        return process;
    }

    /** Stops the services in reverse order of start, each gracefully (SIGTERM) with a bounded grace period. */
    @Override
    public void close() {
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        java.util.Collections.reverse(reverse);
        reverse.stream()
                .map(process -> CompletableFuture.runAsync(() -> process.stop(Duration.ofSeconds(30))))
                .toList()
                .forEach(CompletableFuture::join);
    }

    /** How to run each service in this suite. */
    public ServiceSpec spec(String name) {
        Ports ports = settings.ports();
        Map<String, String> common = new LinkedHashMap<>();
        common.put("mailroom.mailbox-api.base-url", "http://127.0.0.1:" + ports.mailboxApiHttp());
        common.put("mailroom.tls.self-signed-directory", settings.dataDirectory().resolve("tls").toString());
        common.putAll(settings.extraProperties());
        Map<String, String> env = Map.of(
                "MAILROOM_ADMIN_TOKEN", settings.adminToken(),
                "MAILROOM_INTERNAL_TOKEN", settings.internalToken());

        Map<String, String> p = new LinkedHashMap<>(common);
        int httpPort;
        Map<String, String> serviceEnv = new LinkedHashMap<>(env);
        switch (name) {
            case MAILBOX_API -> {
                httpPort = ports.mailboxApiHttp();
                p.put("spring.datasource.url", settings.jdbcUrl());
                p.put("spring.datasource.username", settings.dbUsername());
                serviceEnv.put("SPRING_DATASOURCE_PASSWORD", settings.dbPassword());
            }
            case SMTP_INGRESS -> {
                httpPort = ports.smtpHttp();
                p.putAll(settings.queue().properties());
                serviceEnv.putAll(settings.queue().environment());
                p.put("mailroom.smtp.listeners.mx.port", Integer.toString(ports.smtpMx()));
                p.put("mailroom.smtp.listeners.submission.port", Integer.toString(ports.smtpSubmission()));
                p.put("mailroom.smtp.listeners.submissions.port", Integer.toString(ports.smtpSubmissions()));
            }
            case DELIVERY_SERVICE -> {
                httpPort = ports.deliveryHttp();
                p.putAll(settings.queue().properties());
                serviceEnv.putAll(settings.queue().environment());
            }
            case IMAP_GATEWAY -> {
                httpPort = ports.imapHttp();
                p.put("mailroom.imap.imap.port", Integer.toString(ports.imap()));
                p.put("mailroom.imap.imaps.port", Integer.toString(ports.imaps()));
                // IDLE learns of changes from mailbox-api's NOTIFY on the same database (no polling), as deployments do
                p.put("mailroom.events.subscriber.enabled", "true");
                p.put("mailroom.events.postgres.url", settings.jdbcUrl());
                p.put("mailroom.events.postgres.username", settings.dbUsername());
                serviceEnv.put("MAILROOM_EVENTS_POSTGRES_PASSWORD", settings.dbPassword());
            }
            case POP3_GATEWAY -> {
                httpPort = ports.pop3Http();
                p.put("mailroom.pop3.pop3.port", Integer.toString(ports.pop3()));
                p.put("mailroom.pop3.pop3s.port", Integer.toString(ports.pop3s()));
            }
            default -> throw new IllegalArgumentException("no service " + name);
        }
        p.put("server.port", Integer.toString(httpPort));
        return new ServiceSpec(name, jar(name), httpPort, p, serviceEnv, settings.jvmOptions());
    }

    /** The runnable jar of a module: {@code <home>/<module>/target/<module>-<version>-exec.jar}. */
    public Path jar(String module) {
        Path target = settings.home().resolve(module).resolve("target");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, module + "-*-exec.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (IOException e) {
            // fall through to the message below
        }
        throw new IllegalStateException("no runnable jar for " + module + " under " + target
                + ": build first with ./mvnw -DskipTests package");
    }
}
