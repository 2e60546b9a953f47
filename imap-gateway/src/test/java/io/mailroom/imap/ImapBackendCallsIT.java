package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.mailroom.imap.server.ImapListener;
import io.mailroom.imap.store.BackendCalls;
import io.mailroom.imap.support.RealMailboxApi;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * How many mailbox-api calls each command of a mail client's usual mix costs (bench/imap's mix), counted by the
 * gateway's own meter ({@link BackendCalls}), over a real socket and the real mailbox-api; and that the answers stay
 * right where a call was saved.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "mailroom.imap.imap.host=127.0.0.1",
        "mailroom.imap.imap.port=0",
        "mailroom.imap.imaps.host=127.0.0.1",
        "mailroom.imap.imaps.port=0",
        "mailroom.imap.allow-plaintext-auth=true",
        "mailroom.imap.event-poll-interval=250ms",
        "mailroom.tls.self-signed-directory=target/test-tls"})
class ImapBackendCallsIT {

    static final RealMailboxApi MAILBOX_API = RealMailboxApi.shared();
    static final String DOMAIN = RealMailboxApi.uniqueDomain("calls");

    @DynamicPropertySource
    static void mailboxApi(DynamicPropertyRegistry registry) {
        registry.add("mailroom.mailbox-api.base-url", MAILBOX_API::baseUrl);
        registry.add("mailroom.internal.token", MAILBOX_API::internalToken);
    }

    @Autowired
    @Qualifier("imapListener")
    ImapListener imap;

    @Autowired
    MeterRegistry meters;

    String alice;
    String password;
    MailboxInfo inbox;

    @BeforeEach
    void aliceWithTwentyMessages() {
        alice = "alice-" + System.nanoTime() + "@" + DOMAIN;
        password = RealMailboxApi.strongPassword();
        MAILBOX_API.createAccount(alice, password, true);
        inbox = MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow();
        for (int i = 1; i <= 20; i++) {
            append(i);
        }
    }

    /**
     * The benchmark's loop, twice (the second SELECT is a re-SELECT of the selected mailbox, as the benchmark sends):
     * the calls each command makes. Before this count was kept: APPEND also read the quota, EXPUNGE searched,
     * fetched and expunged.
     */
    @Test
    void theBenchmarksMixCallsPerCommand() throws Exception {
        try (ImapClient client = loggedIn()) {
            assertThat(calls(client, "SELECT INBOX")).containsExactly(entry("mailboxByName", 1L), entry("search", 1L));
            for (int round = 0; round < 2; round++) {
                if (round > 0) {
                    assertThat(calls(client, "SELECT INBOX")).containsExactly(entry("mailboxByName", 1L));
                }
                assertThat(calls(client, "FETCH 1:20 (UID FLAGS ENVELOPE)")).containsExactly(entry("fetch", 1L));
                assertThat(answer).filteredOn(line -> line.contains("ENVELOPE (")).hasSize(20);
                assertThat(calls(client, "FETCH 7 (BODY.PEEK[])"))
                        .containsExactly(entry("fetch", 1L), entry("openMessage", 1L));
                assertThat(String.join("\n", answer)).contains("Subject: hello 7");
                assertThat(calls(client, "STORE 7 +FLAGS (\\Seen)")).containsExactly(entry("updateFlags", 1L));
                assertThat(calls(client, "SEARCH UNSEEN")).containsExactly(entry("search", 1L));
                assertThat(answer.getFirst()).startsWith("* SEARCH 1 2 3 4 5 6 8 ");

                Map<String, Double> before = counts();
                assertThat(client.append("INBOX", message(90 + round)).getLast()).contains("OK");
                assertThat(since(before, "APPEND")).containsExactly(entry("append", 1L), entry("mailboxByName", 1L));

                assertThat(calls(client, "STORE 20 +FLAGS (\\Deleted)")).containsExactly(entry("updateFlags", 1L));
                assertThat(calls(client, "EXPUNGE")).containsExactly(entry("expunge", 1L));
                assertThat(answer).filteredOn(line -> line.matches("\\* \\d+ EXPUNGE")).containsExactly("* 20 EXPUNGE");
                assertThat(calls(client, "NOOP")).isEmpty();
            }
            assertThat(calls(client, "CHECK")).isEmpty();
        }
        assertThat(MAILBOX_API.store().mailbox(alice, inbox.id()).orElseThrow().messages()).isEqualTo(20);
    }

    /**
     * A FETCH of several ranges is one call (James reads range by range), with the same answers; what it read is not
     * kept for the next command, so a change made elsewhere in between shows.
     */
    @Test
    void aFetchOfDisjointRangesIsOneCall() throws Exception {
        try (ImapClient client = loggedIn()) {
            client.command("SELECT INBOX");
            assertThat(calls(client, "UID FETCH 1:3,5,9:10 (FLAGS)")).containsExactly(entry("fetch", 1L));
            assertThat(answer).filteredOn(line -> line.matches("\\* \\d+ FETCH \\(FLAGS \\(.*\\) UID \\d+\\)"))
                    .extracting(ImapBackendCallsIT::uid).containsExactly(1L, 2L, 3L, 5L, 9L, 10L);

            MAILBOX_API.store().updateFlags(alice, inbox.id(), UidSet.of(9), FlagUpdate.add("\\Flagged"), null);
            assertThat(calls(client, "FETCH 2,9:10,15 (UID FLAGS ENVELOPE)")).containsExactly(entry("fetch", 1L));
            assertThat(answer).filteredOn(line -> line.contains("ENVELOPE ("))
                    .extracting(line -> line.substring(0, line.indexOf(" FETCH")))
                    .containsExactly("* 2", "* 9", "* 10", "* 15");
            assertThat(answer).filteredOn(line -> line.startsWith("* 9 FETCH") && line.contains("ENVELOPE ("))
                    .singleElement().asString()
                    .contains("\\Flagged").contains("\"hello 9\"");
            assertThat(answer).filteredOn(line -> line.startsWith("* 10 FETCH") && line.contains("ENVELOPE ("))
                    .singleElement().asString()
                    .doesNotContain("\\Flagged").contains("\"hello 10\"");

        }
    }

    /**
     * EXPUNGE is one call that removes exactly the messages marked \Deleted when it runs: a mark set elsewhere is
     * honoured, a mark removed elsewhere saves its message; the session hears of every removal.
     */
    @Test
    void expungeIsOneCallAndRemovesWhatIsMarkedThen() throws Exception {
        try (ImapClient client = loggedIn(); ImapClient other = loggedIn()) {
            client.command("SELECT INBOX");
            other.command("SELECT INBOX");
            client.command("STORE 2,4 +FLAGS.SILENT (\\Deleted)");
            MAILBOX_API.store().updateFlags(alice, inbox.id(), UidSet.of(6), FlagUpdate.add("\\Deleted"), null);
            MAILBOX_API.store().updateFlags(alice, inbox.id(), UidSet.of(4), FlagUpdate.remove("\\Deleted"), null);

            assertThat(calls(client, "EXPUNGE")).containsExactly(entry("expunge", 1L));
            assertThat(answer).filteredOn(line -> line.matches("\\* \\d+ EXPUNGE")).hasSize(2);
            assertThat(other.command("NOOP")).filteredOn(line -> line.matches("\\* \\d+ EXPUNGE")).hasSize(2);

            client.command("UID STORE 1,3 +FLAGS.SILENT (\\Deleted)");
            assertThat(calls(client, "UID EXPUNGE 3:20")).containsExactly(entry("expunge", 1L));
            assertThat(answer).filteredOn(line -> line.matches("\\* \\d+ EXPUNGE")).containsExactly("* 2 EXPUNGE");
            // the sequence numbers the session holds now match the store
            assertThat(client.command("FETCH 1:* (UID)"))
                    .filteredOn(line -> line.matches("\\* \\d+ FETCH \\(UID \\d+\\)"))
                    .extracting(ImapBackendCallsIT::uid)
                    .containsExactly(1L, 4L, 5L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
        }
        List<Long> left = MAILBOX_API.store().search(alice, inbox.id(), SearchCriterion.all());
        assertThat(left).hasSize(17).contains(1L, 4L).doesNotContain(2L, 3L, 6L);
    }

    /** APPEND does not read the quota first: mailbox-api refuses a message over quota, answered NO [OVERQUOTA]. */
    @Test
    void appendLeavesTheQuotaToMailboxApi() throws Exception {
        try (ImapClient client = loggedIn()) {
            Map<String, Double> before = counts();
            assertThat(client.append("INBOX", message(21)).getLast()).contains("OK");
            assertThat(since(before, "APPEND")).containsExactly(entry("append", 1L), entry("mailboxByName", 1L));
            // nor on another thread (James's APPEND stores from a scheduler of its own)
            Map<String, Double> after = counts();
            assertThat(after.keySet()).filteredOn(call -> call.endsWith(" quota"))
                    .allSatisfy(call -> assertThat(after.get(call)).as(call).isEqualTo(before.getOrDefault(call, 0.0)));

            MAILBOX_API.setQuota(alice, 1_000_000, 21);
            assertThat(client.append("INBOX", message(22)).getLast()).contains("NO [OVERQUOTA]");
        }
        assertThat(MAILBOX_API.store().mailbox(alice, inbox.id()).orElseThrow().messages()).isEqualTo(21);
    }

    /**
     * A FETCH of whole messages only (the mix's BODY.PEEK[]) reads the basic metadata and the raw bytes: neither the
     * header block nor the MIME tree, which James's FULL read would otherwise bring; any other item brings them back,
     * and the next command reads as before.
     */
    @Test
    void wholeMessageFetchesReadNeitherHeaderNorMimeTree() throws Exception {
        try (ImapClient client = loggedIn()) {
            client.command("SELECT INBOX");
            assertThat(partsRead(client, "FETCH 7 (BODY.PEEK[])")).containsOnly(Set.of());
            assertThat(String.join("\n", answer)).contains("Subject: hello 7").contains("Hi 7");
            assertThat(calls(client, "FETCH 7 (BODY.PEEK[])")).containsExactly(entry("fetch", 1L), entry("openMessage", 1L));

            assertThat(partsRead(client, "UID FETCH 7 (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[]<0.10>)"))
                    .containsOnly(Set.of());
            assertThat(String.join("\n", answer)).contains("BODY[]<0> {10}").contains("RFC822.SIZE");
            assertThat(partsRead(client, "FETCH 8 (RFC822)")).containsOnly(Set.of());
            assertThat(String.join("\n", answer)).contains("Subject: hello 8").contains("\\Seen");

            assertThat(partsRead(client, "FETCH 7 (BODY.PEEK[] BODYSTRUCTURE)")).contains(Set.of(MessagePart.HEADERS,
                    MessagePart.STRUCTURE));
            assertThat(String.join("\n", answer)).contains("BODYSTRUCTURE (\"TEXT\" \"PLAIN\"");
            assertThat(partsRead(client, "FETCH 7 (BODY.PEEK[TEXT])")).contains(Set.of(MessagePart.HEADERS,
                    MessagePart.STRUCTURE));
            assertThat(partsRead(client, "FETCH 7 (BODY.PEEK[] ENVELOPE)")).isNotEmpty()
                    .allSatisfy(parts -> assertThat(parts).isNotEmpty());
            assertThat(String.join("\n", answer)).contains("ENVELOPE (").contains("\"hello 7\"");
            assertThat(partsRead(client, "FETCH 1:20 (UID FLAGS ENVELOPE)")).containsOnly(Set.of(MessagePart.HEADERS));
        }
    }

    /** What each metadata read of the command asked for. */
    private List<Set<MessagePart>> partsRead(ImapClient client, String command) throws Exception {
        FETCHED_PARTS.clear();
        answer = client.command(command);
        assertThat(answer.getLast()).as(command).contains("OK");
        return List.copyOf(FETCHED_PARTS);
    }

    static final List<Set<MessagePart>> FETCHED_PARTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Records the parts every metadata read of the store client asks for ({@link #FETCHED_PARTS}). */
    @TestConfiguration
    static class RecordingFetches {

        @Bean
        static BeanPostProcessor recordingFetches() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (!(bean instanceof MailboxStoreClient client)) {
                        return bean;
                    }
                    return Proxy.newProxyInstance(MailboxStoreClient.class.getClassLoader(),
                            new Class<?>[] {MailboxStoreClient.class, AutoCloseable.class}, (proxy, method, args) -> {
                                if (method.getName().startsWith("fetch") && args != null && args.length == 4
                                        && args[3] instanceof FetchOptions options) {
                                    FETCHED_PARTS.add(options.include());
                                }
                                if (method.getName().equals("close") && !(client instanceof AutoCloseable)) {
                                    return null;
                                }
                                try {
                                    return method.invoke(client, args);
                                } catch (InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                }
            };
        }
    }

    /** The last command's tagged answer and untagged lines. */
    private List<String> answer = List.of();

    /**
     * The calls the command made, by {@link MailboxStoreClient} method: calls of other commands and outside commands
     * left out, and so is the selected mailbox's identity ({@code mailbox}), re-read when its 5 s in the session's
     * cache have passed (a slow machine could take that long between two commands).
     */
    private Map<String, Long> calls(ImapClient client, String command) throws Exception {
        Map<String, Double> before = counts();
        answer = client.command(command);
        assertThat(answer.getLast()).as(command).contains("OK");
        return since(before, commandTag(command));
    }

    private static String commandTag(String command) {
        String name = command.startsWith("UID ") ? command.substring(4) : command;
        return name.split(" ")[0];
    }

    private Map<String, Long> since(Map<String, Double> before, String command) {
        Map<String, Long> delta = new TreeMap<>();
        counts().forEach((key, value) -> {
            long calls = Math.round(value - before.getOrDefault(key, 0.0));
            if (calls != 0 && key.startsWith(command + " ") && !key.equals(command + " mailbox")) {
                delta.put(key.substring(command.length() + 1), calls);
            }
        });
        return delta;
    }

    private Map<String, Double> counts() {
        Map<String, Double> counts = new TreeMap<>();
        for (Counter counter : meters.find(BackendCalls.METER).counters()) {
            counts.put(counter.getId().getTag("command") + " " + counter.getId().getTag("call"), counter.count());
        }
        return counts;
    }

    private static long uid(String fetchLine) {
        Matcher uid = Pattern.compile("UID (\\d+)").matcher(fetchLine);
        assertThat(uid.find()).as(fetchLine).isTrue();
        return Long.parseLong(uid.group(1));
    }

    private static String message(int n) {
        return "From: bob@example.net\r\nTo: alice@example.com\r\nSubject: hello " + n + "\r\n\r\nHi " + n + "\r\n";
    }

    private void append(int n) {
        byte[] bytes = message(n).getBytes(StandardCharsets.US_ASCII);
        MAILBOX_API.store().append(alice, inbox.id(), new java.io.ByteArrayInputStream(bytes), bytes.length, Set.of(),
                null);
    }

    private ImapClient loggedIn() throws Exception {
        ImapClient client = ImapClient.plain(imap.port());
        client.readLine();
        assertThat(client.status("LOGIN " + alice + " \"" + password + "\"")).contains("OK");
        return client;
    }
}
