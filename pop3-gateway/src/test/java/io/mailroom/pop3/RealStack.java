package io.mailroom.pop3;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.mailroom.launcher.ServiceProcess;
import io.mailroom.launcher.ServiceSpec;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.HttpMailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

/**
 * The real thing for one test class: mailbox-api from its runnable jar on a fresh PostgreSQL database, and
 * pop3-gateway replicas from theirs, each in its own JVM with the heap limit the test asks for. Between the
 * gateways and mailbox-api sits a {@link CountingProxy}, so a test can see how much of a message crossed.
 * Passwords without TLS are allowed on loopback, as in the single-machine default.
 */
final class RealStack implements AutoCloseable {

    static final String PASSWORD = "correct horse battery staple";

    private final Path home;
    private final Path data;
    private final String adminToken = UUID.randomUUID().toString();
    private final String internalToken = UUID.randomUUID().toString();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final int apiPort;
    private ServiceProcess mailboxApi;
    private CountingProxy proxy;
    private HttpMailboxApiClient client;

    /** One pop3-gateway process. */
    record Gateway(ServiceProcess process, int pop3, int pop3s, int http) {
    }

    private RealStack(String name) throws IOException {
        this.home = Path.of(System.getProperty("mailroom.home", "..")).toAbsolutePath().normalize();
        this.data = home.resolve("pop3-gateway/target/real-stack").resolve(name);
        Files.createDirectories(data);
        this.apiPort = freePort();
    }

    /** Starts mailbox-api (and its database) and the proxy in front of it. */
    static RealStack start(String name) throws IOException {
        RealStack stack = new RealStack(name);
        try {
            stack.startMailboxApi();
            return stack;
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startMailboxApi() throws IOException {
        TestDatabase database = TestPostgres.newDatabase();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", Integer.toString(apiPort));
        properties.put("spring.datasource.url", database.jdbcUrl());
        properties.put("spring.datasource.username", database.username());
        mailboxApi = ServiceProcess.start(new ServiceSpec("mailbox-api", jar("mailbox-api"), apiPort, properties,
                Map.of("MAILROOM_ADMIN_TOKEN", adminToken, "MAILROOM_INTERNAL_TOKEN", internalToken,
                        "SPRING_DATASOURCE_PASSWORD", database.password() == null ? "" : database.password()),
                List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")), data.resolve("mailbox-api.log"));
        processes.add(mailboxApi);
        proxy = new CountingProxy("127.0.0.1", apiPort);
        mailboxApi.awaitReady(Duration.ofSeconds(180));
        client = HttpMailboxApiClient.create(new MailboxApiProperties(URI.create("http://127.0.0.1:" + apiPort),
                Duration.ofSeconds(5), Duration.ofSeconds(60)), internalToken);
    }

    /**
     * Starts a pop3-gateway replica.
     *
     * @param jvmOptions e.g. {@code -Xmx64m}
     * @param extra      more {@code mailroom.*} properties
     */
    Gateway startGateway(List<String> jvmOptions, Map<String, String> extra) throws IOException {
        int http = freePort();
        int pop3 = freePort();
        int pop3s = freePort();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", Integer.toString(http));
        properties.put("mailroom.mailbox-api.base-url", "http://127.0.0.1:" + proxy.port());
        properties.put("mailroom.pop3.pop3.host", "127.0.0.1");
        properties.put("mailroom.pop3.pop3.port", Integer.toString(pop3));
        properties.put("mailroom.pop3.pop3s.host", "127.0.0.1");
        properties.put("mailroom.pop3.pop3s.port", Integer.toString(pop3s));
        properties.put("mailroom.pop3.allow-plaintext-auth-on-loopback", "true");
        properties.put("mailroom.pop3.spool.directory", data.resolve("spool-" + pop3).toString());
        properties.put("mailroom.tls.self-signed-directory", tlsDirectory().toString());
        properties.putAll(extra);
        ServiceProcess process = ServiceProcess.start(new ServiceSpec("pop3-gateway", jar("pop3-gateway"), http, properties,
                Map.of("MAILROOM_INTERNAL_TOKEN", internalToken), jvmOptions), data.resolve("pop3-gateway-" + pop3 + ".log"));
        processes.add(process);
        process.awaitReady(Duration.ofSeconds(180));
        return new Gateway(process, pop3, pop3s, http);
    }

    /** Starts several replicas side by side. */
    List<Gateway> startGateways(int count, List<String> jvmOptions) {
        List<CompletableFuture<Gateway>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return startGateway(jvmOptions, Map.of());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        return starting.stream().map(CompletableFuture::join).toList();
    }

    /** Where the gateways keep their self-signed certificate ({@code selfsigned-certificate.pem}). */
    Path tlsDirectory() {
        return data.resolve("tls");
    }

    Path data() {
        return data;
    }

    CountingProxy proxy() {
        return proxy;
    }

    /** mailbox-api's Prometheus scrape. */
    String apiMetrics() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Creates the domain of {@code address} (once) and the account, over the admin API. */
    void createAccount(String address) throws IOException, InterruptedException {
        String domain = address.substring(address.indexOf('@') + 1);
        HttpResponse<String> d = admin("/api/v1/domains", "{\"name\":\"" + domain + "\"}");
        if (d.statusCode() != 201 && d.statusCode() != 409) {
            throw new IllegalStateException("domain: " + d.statusCode() + " " + d.body());
        }
        HttpResponse<String> a = admin("/api/v1/accounts", "{\"address\":\"" + address + "\",\"password\":\"" + PASSWORD + "\"}");
        if (a.statusCode() != 201) {
            throw new IllegalStateException("account: " + a.statusCode() + " " + a.body());
        }
    }

    /** Files a message into the account's INBOX, as delivery-service does. */
    FiledMessage deliver(String address, byte[] message) {
        return client.fileMessage(address, UUID.randomUUID().toString(), message, null);
    }

    /** The UIDs in the account's INBOX, from mailbox-api itself. */
    List<Long> inboxUids(String address) {
        return client.maildrop(address).messages().stream().map(entry -> entry.uid()).toList();
    }

    long uidValidity(String address) {
        return client.maildrop(address).uidValidity();
    }

    private HttpResponse<String> admin(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path jar(String module) {
        Path target = home.resolve(module).resolve("target");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, module + "-*-exec.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new IllegalStateException("no runnable jar for " + module + " under " + target
                + ": build it first (./mvnw -pl pop3-gateway -am verify builds it)");
    }

    @Override
    public void close() {
        List<ServiceProcess> reverse = new ArrayList<>(processes);
        java.util.Collections.reverse(reverse);
        reverse.stream().map(process -> CompletableFuture.runAsync(() -> process.stop(Duration.ofSeconds(20))))
                .toList().forEach(CompletableFuture::join);
        if (client != null) {
            client.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    static int freePort() {
        return io.mailroom.testsupport.FreePorts.next();
    }
}
