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
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How many messages an address's INBOX holds: how the bench sees that mail was filed. */
interface MailboxCounter {

    long count(String address) throws IOException;

    /**
     * {@code maildir:/tmp/anchors/mail} (the anchor: files in {@code <root>/<local part>/Maildir/{new,cur}}) or
     * {@code api:http://127.0.0.1:8080} (Mailroom: the INBOX's {@code messages} in mailbox-api's mailbox list,
     * with the admin token).
     */
    static MailboxCounter parse(String spec, String adminToken) {
        if (spec.startsWith("maildir:")) {
            return new Maildir(Path.of(spec.substring("maildir:".length())));
        }
        if (spec.startsWith("api:")) {
            if (adminToken == null || adminToken.isBlank()) {
                throw new IllegalArgumentException("--count api:... needs --token or MAILROOM_ADMIN_TOKEN");
            }
            return new MailboxApi(URI.create(spec.substring("api:".length())), adminToken);
        }
        throw new IllegalArgumentException("--count must be maildir:<root> or api:<base url>, not " + spec);
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
