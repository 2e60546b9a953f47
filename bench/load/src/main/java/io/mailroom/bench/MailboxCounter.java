package io.mailroom.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How many messages an address's INBOX holds: how the bench sees that mail was filed. */
interface MailboxCounter {

    long count(String address) throws IOException;

    /**
     * {@code maildir:/tmp/anchors/mail} (the anchor: files in {@code <root>/<local part>/Maildir/{new,cur}}),
     * {@code api:http://127.0.0.1:8080} (Mailroom: the INBOX's {@code messages} in mailbox-api's mailbox list,
     * with the admin token) or {@code db:jdbc:postgresql://127.0.0.1:PORT/mailroom} (Mailroom: mailbox-api's
     * database, user {@code postgres} or {@code MAILROOM_BENCH_DB_USER}/{@code _PASSWORD}; see {@link Database}).
     */
    static MailboxCounter parse(String spec, String adminToken) {
        if (spec.startsWith("maildir:")) {
            return new Maildir(Path.of(spec.substring("maildir:".length())));
        }
        if (spec.startsWith("db:")) {
            String user = System.getenv().getOrDefault("MAILROOM_BENCH_DB_USER", "postgres");
            String password = System.getenv().getOrDefault("MAILROOM_BENCH_DB_PASSWORD", "");
            return new Database(spec.substring("db:".length()), user, password);
        }
        if (spec.startsWith("api:")) {
            if (adminToken == null || adminToken.isBlank()) {
                throw new IllegalArgumentException("--count api:... needs --token or MAILROOM_ADMIN_TOKEN");
            }
            return new MailboxApi(URI.create(spec.substring("api:".length())), adminToken);
        }
        throw new IllegalArgumentException("--count must be maildir:<root>, api:<base url> or db:<jdbc url>, not " + spec);
    }

    record Maildir(Path root) implements MailboxCounter {

        @Override
        public long count(String address) throws IOException {
            int at = address.indexOf('@');
            Path maildir = root.resolve(at < 0 ? address : address.substring(0, at)).resolve("Maildir");
            return files(maildir.resolve("new")) + files(maildir.resolve("cur"));
        }

        private static long files(Path dir) throws IOException {
            long n = 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path ignored : entries) {
                    n++;
                }
            } catch (NoSuchFileException e) {
                return 0;
            }
            return n;
        }
    }

    final class MailboxApi implements MailboxCounter {

        private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*}");
        private static final Pattern INBOX = Pattern.compile("\"name\"\\s*:\\s*\"INBOX\"", Pattern.CASE_INSENSITIVE);
        private static final Pattern MESSAGES = Pattern.compile("\"messages\"\\s*:\\s*(\\d+)");

        private final URI base;
        private final String token;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        MailboxApi(URI base, String token) {
            this.base = base;
            this.token = token;
        }

        @Override
        public long count(String address) throws IOException {
            URI uri = base.resolve("/api/v1/accounts/" + URLEncoder.encode(address, StandardCharsets.UTF_8) + "/mailboxes");
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json")
                    .GET().build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (response.statusCode() != 200) {
                throw new IOException("GET " + uri + " -> HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
            }
            return inboxMessages(response.body());
        }

        /** The mailbox objects are flat, so a regular expression finds INBOX's without a JSON library. */
        static long inboxMessages(String json) throws IOException {
            Matcher objects = OBJECT.matcher(json);
            while (objects.find()) {
                String object = objects.group();
                if (INBOX.matcher(object).find()) {
                    Matcher m = MESSAGES.matcher(object);
                    if (m.find()) {
                        return Long.parseLong(m.group(1));
                    }
                }
            }
            throw new IOException("no INBOX with a messages count in " + abbreviate(json));
        }

        private static String abbreviate(String s) {
            return s.length() > 300 ? s.substring(0, 300) + "..." : s;
        }
    }

    /**
     * Counts every address in one go where the counter can do so cheaply ({@link Database}); null when it counts
     * address by address (the caller then spreads those calls over its own threads).
     */
    default long[] countAll(List<String> addresses) throws IOException {
        return null;
    }

    /**
     * Mailroom's filed copies straight from mailbox-api's database, all addresses in one query per cycle: INBOX's
     * {@code message_count}, the column mailbox-api's mailbox list serves as {@code messages} (the {@code api:}
     * counter's figure), kept by triggers in the filing transaction itself, so a copy counted here is one mailbox-api
     * shows. Counting through the REST API instead costs one request per address and cycle, which with 100
     * recipients is a load on the service under test of its own, and its resolution (one cycle of 100 requests plus a
     * pause) is too coarse for sub-second filing latencies; this query costs about what listing the anchor's Maildirs
     * does.
     */
    final class Database implements MailboxCounter {

        private static final String QUERY = "SELECT a.address, m.message_count FROM accounts a "
                + "JOIN mailboxes m ON m.account_id = a.id AND m.name = 'INBOX' WHERE a.address = ANY (?)";

        private final String url;
        private final String user;
        private final String password;
        private Connection connection;

        Database(String url, String user, String password) {
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("--count db: needs a jdbc:postgresql: URL, not " + url);
            }
            this.url = url;
            this.user = user;
            this.password = password;
        }

        @Override
        public long count(String address) throws IOException {
            return countAll(List.of(address))[0];
        }

        @Override
        public synchronized long[] countAll(List<String> addresses) throws IOException {
            try {
                if (connection == null || connection.isClosed()) {
                    connection = DriverManager.getConnection(url, user, password);
                }
                Map<String, Long> byAddress = new HashMap<>();
                try (PreparedStatement s = connection.prepareStatement(QUERY)) {
                    s.setArray(1, connection.createArrayOf("text",
                            addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).toArray()));
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            byAddress.put(r.getString(1), r.getLong(2));
                        }
                    }
                }
                long[] counts = new long[addresses.size()];
                for (int i = 0; i < counts.length; i++) {
                    Long n = byAddress.get(addresses.get(i).toLowerCase(Locale.ROOT));
                    if (n == null) {
                        throw new IOException("no account with an INBOX for " + addresses.get(i) + " in " + url);
                    }
                    counts[i] = n;
                }
                return counts;
            } catch (SQLException e) {
                closeQuietly();
                throw new IOException("counting in " + url + ": " + e.getMessage(), e);
            }
        }

        private void closeQuietly() {
            try {
                if (connection != null) {
                    connection.close();
                }
            } catch (SQLException ignored) {
                // reconnects on the next cycle
            }
            connection = null;
        }
    }

    /** Sums over addresses; wraps I/O failures for use in lambdas. */
    default long total(Iterable<String> addresses) {
        long n = 0;
        for (String a : addresses) {
            try {
                n += count(a);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }
}
