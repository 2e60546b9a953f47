package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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

import io.mailroom.imap.server.ImapListener;
import io.mailroom.imap.support.RealMailboxApi;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * STORE through a real socket over the real mailbox-api: how many mailbox-api calls one STORE costs, and
 * UNCHANGEDSINCE (RFC 7162 §3.1.3) decided atomically by mailbox-api, so that of two sessions holding the same MODSEQ
 * exactly one wins and the other is answered {@code [MODIFIED …]}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "mailroom.imap.imap.host=127.0.0.1",
        "mailroom.imap.imap.port=0",
        "mailroom.imap.imaps.host=127.0.0.1",
        "mailroom.imap.imaps.port=0",
        "mailroom.imap.allow-plaintext-auth=true",
        "mailroom.imap.event-poll-interval=250ms",
        "mailroom.tls.self-signed-directory=target/test-tls"})
class ImapStoreIT {

    static final RealMailboxApi MAILBOX_API = RealMailboxApi.shared();
    static final String DOMAIN = RealMailboxApi.uniqueDomain("store");
    static final String MESSAGE = "From: bob@example.net\r\nTo: alice@example.com\r\nSubject: hello\r\n\r\nHi\r\n";

    /** The mailbox-api calls IMAP commands make (on the command threads; event catch-up runs elsewhere). */
    static final List<String> COMMAND_CALLS = new CopyOnWriteArrayList<>();

    @DynamicPropertySource
    static void mailboxApi(DynamicPropertyRegistry registry) {
        registry.add("mailroom.mailbox-api.base-url", MAILBOX_API::baseUrl);
        registry.add("mailroom.internal.token", MAILBOX_API::internalToken);
    }

    @TestConfiguration
    static class CountingStore {

        @Bean
        static BeanPostProcessor countMailboxApiCalls() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (!(bean instanceof MailboxStoreClient client)) {
                        return bean;
                    }
                    return Proxy.newProxyInstance(MailboxStoreClient.class.getClassLoader(),
                            new Class<?>[] {MailboxStoreClient.class}, (proxy, method, args) -> {
                                if (Thread.currentThread().getName().startsWith("imap-command")) {
                                    COMMAND_CALLS.add(method.getName());
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

    @Autowired
    @Qualifier("imapListener")
    ImapListener imap;

    String alice;
    String password;
    MailboxInfo inbox;

    @BeforeEach
    void aliceWithThreeMessages() {
        alice = "alice-" + System.nanoTime() + "@" + DOMAIN;
        password = RealMailboxApi.strongPassword();
        MAILBOX_API.createAccount(alice, password, true);
        inbox = MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow();
        for (int i = 0; i < 3; i++) {
            append();
        }
    }

    /** One STORE is one mailbox-api call, whatever its sequence set, with or without CONDSTORE. */
    @Test
    void aStoreIsOneMailboxApiCall() throws Exception {
        try (ImapClient client = loggedIn()) {
            client.command("SELECT INBOX");

            List<String> store = storeCalls(client, "STORE 2 +FLAGS (\\Seen)");
            assertThat(store).filteredOn(line -> line.startsWith("* ")).singleElement().asString()
                    .startsWith("* 2 FETCH (FLAGS (").contains("\\Seen").doesNotContain("UID", "MODSEQ");
            assertThat(storeCalls()).containsExactly("updateFlags");

            // disjoint ranges: James's own STORE would make one call per range
            store = storeCalls(client, "UID STORE 1,3 +FLAGS.SILENT (\\Flagged)");
            assertThat(store).hasSize(1).first().asString().contains("OK");
            assertThat(storeCalls()).containsExactly("updateFlags");

            assertThat(client.status("ENABLE CONDSTORE")).contains("OK");
            store = storeCalls(client, "UID STORE 1:3 -FLAGS (\\Flagged)");
            assertThat(store).filteredOn(line -> line.startsWith("* ")).hasSize(3)
                    .allMatch(line -> line.matches("\\* \\d FETCH \\(.*") && line.contains("FLAGS (")
                            && line.matches(".* UID \\d.*") && line.matches(".*MODSEQ \\(\\d+\\).*"));
            assertThat(storeCalls()).containsExactly("updateFlags");
        }
        MessageMetadata second = MAILBOX_API.store().fetch(alice, inbox.id(), UidSet.of(2),
                new FetchOptions(Set.of(), null, 10)).messages().getFirst();
        assertThat(second.flags()).containsExactly("\\Seen");
    }

    /** A message changed elsewhere after the client read its MODSEQ is left alone and named in MODIFIED. */
    @Test
    void unchangedSinceFailsForMessagesChangedElsewhere() throws Exception {
        try (ImapClient client = loggedIn()) {
            client.command("SELECT INBOX");
            long modSeq = highestModSeq();
            MAILBOX_API.store().updateFlags(alice, inbox.id(), UidSet.of(2), FlagUpdate.add("$Label1"), null);

            List<String> uidStore = client.command("UID STORE 1:3 (UNCHANGEDSINCE " + modSeq + ") +FLAGS (\\Answered)");
            assertThat(uidStore.getLast()).matches("a\\d+ OK \\[MODIFIED 2\\] STORE failed\\.");
            assertThat(uidStore).filteredOn(line -> line.contains(" FETCH ") && line.contains("\\Answered"))
                    .hasSize(2)
                    .anyMatch(line -> line.startsWith("* 1 FETCH (") && line.contains("UID 1") && line.contains("MODSEQ ("))
                    .anyMatch(line -> line.startsWith("* 3 FETCH (") && line.contains("UID 3") && line.contains("MODSEQ ("));

            // sequence numbers in MODIFIED for STORE, not UIDs
            long now = highestModSeq();
            MAILBOX_API.store().updateFlags(alice, inbox.id(), UidSet.of(3), FlagUpdate.add("$Label2"), null);
            List<String> store = client.command("STORE 2:3 (UNCHANGEDSINCE " + now + ") +FLAGS (\\Draft)");
            assertThat(store.getLast()).matches("a\\d+ OK \\[MODIFIED 3\\] STORE failed\\.");
        }
        List<MessageMetadata> messages = MAILBOX_API.store().fetchAll(alice, inbox.id(), UidSet.all(),
                new FetchOptions(Set.of(), null, 10));
        assertThat(messages.get(1).flags()).containsExactlyInAnyOrder("$Label1", "\\Draft");
        assertThat(messages.get(2).flags()).containsExactlyInAnyOrder("\\Answered", "$Label2");
    }

    /**
     * Two sessions hold the same MODSEQ and send UNCHANGEDSINCE STOREs at the same moment, round after round: exactly
     * one wins each round, the other is answered MODIFIED (James's read-then-write let both win now and then).
     */
    @Test
    void unchangedSinceHasOneWinnerBetweenTwoConcurrentSessions() throws Exception {
        int rounds = 15;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ImapClient first = loggedIn(); ImapClient second = loggedIn()) {
            first.command("SELECT INBOX");
            second.command("SELECT INBOX");
            first.status("ENABLE CONDSTORE");
            second.status("ENABLE CONDSTORE");
            for (int round = 0; round < rounds; round++) {
                long modSeq = modSeqOf(1);
                String flag = "$Round" + round;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<String> a = pool.submit(() -> {
                    start.await();
                    return first.command("UID STORE 1 (UNCHANGEDSINCE " + modSeq + ") +FLAGS (" + flag + "A)").getLast();
                });
                Future<String> b = pool.submit(() -> {
                    start.await();
                    return second.command("UID STORE 1 (UNCHANGEDSINCE " + modSeq + ") +FLAGS (" + flag + "B)").getLast();
                });
                List<String> answers = List.of(a.get(20, TimeUnit.SECONDS), b.get(20, TimeUnit.SECONDS));
                assertThat(answers).as("round %d: %s", round, answers)
                        .filteredOn(line -> line.matches("a\\d+ OK STORE completed\\.")).hasSize(1);
                assertThat(answers).as("round %d: %s", round, answers)
                        .filteredOn(line -> line.matches("a\\d+ OK \\[MODIFIED 1\\] STORE failed\\.")).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
        MessageMetadata message = MAILBOX_API.store().fetch(alice, inbox.id(), UidSet.of(1),
                new FetchOptions(Set.of(), null, 10)).messages().getFirst();
        assertThat(message.flags().stream().filter(flag -> flag.startsWith("$Round"))).hasSize(rounds);
    }

    private List<String> storeCalls(ImapClient client, String command) throws Exception {
        COMMAND_CALLS.clear();
        List<String> answer = client.command(command);
        assertThat(answer.getLast()).contains("OK");
        return answer;
    }

    /** The calls of the last command, but for the selected mailbox's identity (cached for a few seconds). */
    private static List<String> storeCalls() {
        return COMMAND_CALLS.stream().filter(call -> !call.equals("mailbox")).toList();
    }

    private long highestModSeq() {
        return MAILBOX_API.store().mailbox(alice, inbox.id()).orElseThrow().highestModSeq();
    }

    private long modSeqOf(long uid) {
        return MAILBOX_API.store().fetch(alice, inbox.id(), UidSet.of(uid),
                new FetchOptions(Set.of(), null, 10)).messages().getFirst().modSeq();
    }

    private void append() {
        MAILBOX_API.store().append(alice, inbox.id(),
                new java.io.ByteArrayInputStream(MESSAGE.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                MESSAGE.length(), Set.of(), null);
    }

    private ImapClient loggedIn() throws Exception {
        ImapClient client = ImapClient.plain(imap.port());
        client.readLine();
        assertThat(client.status("LOGIN " + alice + " \"" + password + "\"")).contains("OK");
        return client;
    }
}
