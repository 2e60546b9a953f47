package io.mailroom.imap.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mailroom.launcher.ServiceProcess;
import io.mailroom.launcher.ServiceSpec;
import io.mailroom.mailbox.client.HttpMailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.store.HttpMailboxStoreClient;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

/**
 * The real mailbox-api for the integration tests: its runnable jar as a child process, on a fresh PostgreSQL database,
 * on a free port, with random tokens. Started once per test JVM (it takes seconds) and stopped when the JVM ends; every
 * test makes its own accounts in their own domain, so tests never see each other's mail.
 */
public final class RealMailboxApi {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static RealMailboxApi shared;

    private final ServiceProcess process;
    private final String baseUrl;
    private final String adminToken;
    private final String internalToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final HttpMailboxStoreClient store;
    private final HttpMailboxApiClient api;

    private RealMailboxApi(ServiceProcess process, int port, String adminToken, String internalToken) {
        this.process = process;
        this.baseUrl = "http://127.0.0.1:" + port;
        this.adminToken = adminToken;
        this.internalToken = internalToken;
        MailboxApiProperties properties = properties();
        this.store = HttpMailboxStoreClient.create(properties, internalToken);
        this.api = HttpMailboxApiClient.create(properties, internalToken);
    }

    public static synchronized RealMailboxApi shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> shared.process.stop(Duration.ofSeconds(20))));
        }
        return shared;
    }

    private static RealMailboxApi start() {
        try {
            Path home = Path.of(System.getProperty("mailroom.home", "..")).toAbsolutePath().normalize();
            TestDatabase database = TestPostgres.newDatabase();
            int port = freePort();
            String adminToken = randomToken();
            String internalToken = randomToken();
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("server.port", Integer.toString(port));
            properties.put("server.address", "127.0.0.1");
            properties.put("spring.datasource.url", database.jdbcUrl());
            properties.put("spring.datasource.username", database.username());
            ServiceSpec spec = new ServiceSpec("mailbox-api", jar(home), port, properties,
                    Map.of("MAILROOM_ADMIN_TOKEN", adminToken, "MAILROOM_INTERNAL_TOKEN", internalToken,
                            "SPRING_DATASOURCE_PASSWORD", database.password() == null ? "" : database.password()),
                    List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            Path log = home.resolve("imap-gateway/target/mailbox-api-it.log");
            ServiceProcess process = ServiceProcess.start(spec, log);
            process.awaitReady(START_TIMEOUT);
            return new RealMailboxApi(process, port, adminToken, internalToken);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start mailbox-api", e);
        }
    }

    private static Path jar(Path home) throws IOException {
        Path target = home.resolve("mailbox-api/target");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "mailbox-api-*-exec.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new IllegalStateException("no mailbox-api runnable jar under " + target + ": build with -am");
    }

    public MailboxApiProperties properties() {
        return new MailboxApiProperties(URI.create(baseUrl), Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String internalToken() {
        return internalToken;
    }

    public HttpMailboxStoreClient store() {
        return store;
    }

    public HttpMailboxApiClient api() {
        return api;
    }

    /** A fresh domain name no other test uses. */
    public static String uniqueDomain(String prefix) {
        return prefix + "-" + HexFormat.of().formatHex(randomBytes(5)) + ".test";
    }

    /** A password mailbox-api's policy accepts. */
    public static String strongPassword() {
        return "Pw-" + randomToken();
    }

    /**
     * Makes an account (and its domain). mailbox-api gives every account INBOX, Sent, Drafts, Trash, Junk and Archive,
     * all subscribed; with {@code inboxOnly} all but INBOX are deleted again (with their subscriptions), for the
     * conformance scripts, which expect none of them.
     */
    public void createAccount(String address, String password, boolean inboxOnly) {
        String domain = address.substring(address.indexOf('@') + 1);
        int domainStatus = post("/api/v1/domains", "{\"name\":\"" + domain + "\"}");
        if (domainStatus != 201 && domainStatus != 409) {
            throw new IllegalStateException("cannot create domain " + domain + ": HTTP " + domainStatus);
        }
        int accountStatus = post("/api/v1/accounts", "{\"address\":\"" + address + "\",\"password\":\"" + password + "\"}");
        if (accountStatus != 201) {
            throw new IllegalStateException("cannot create account " + address + ": HTTP " + accountStatus);
        }
        if (inboxOnly) {
            for (MailboxInfo mailbox : store.listMailboxes(address)) {
                if (!"INBOX".equalsIgnoreCase(mailbox.name())) {
                    store.deleteMailbox(address, mailbox.id());
                }
            }
            for (String subscription : store.subscriptions(address)) {
                if (!"INBOX".equalsIgnoreCase(subscription)) {
                    store.unsubscribe(address, subscription);
                }
            }
        }
    }

    /** Sets the account's quota over the tools API: storage in bytes, messages as a count. */
    public void setQuota(String address, long storage, long messages) {
        int status = send("PUT", "/api/v1/accounts/" + address + "/quota",
                "{\"storage\":" + storage + ",\"messages\":" + messages + "}");
        if (status != 200) {
            throw new IllegalStateException("cannot set the quota of " + address + ": HTTP " + status);
        }
    }

    private int post(String path, String json) {
        return send("POST", path, json);
    }

    private int send(String method, String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        return io.mailroom.testsupport.FreePorts.next();
    }

    private static String randomToken() {
        return HexFormat.of().formatHex(randomBytes(16));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
