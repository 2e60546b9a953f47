package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.FilingOutcome;
import io.mailroom.mailbox.client.FilingRecipient;
import io.mailroom.mailbox.client.HttpMailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.events.EventSubscription;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.events.MailboxEventSubscriber;
import io.mailroom.mailbox.client.events.MailboxEventsProperties;
import io.mailroom.mailbox.client.events.PostgresEventSubscriber;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.Flags;
import io.mailroom.mailbox.client.store.HttpMailboxStoreClient;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * Change events end to end in the single-machine default (PostgreSQL LISTEN/NOTIFY): every committed write is announced
 * within a second with its UIDs and MODSEQ, a refused write is not, a subscriber that lost its connection catches up
 * from "changes since" and misses nothing, and tools can follow an account as a Server-Sent Events stream.
 */
class ChangeEventsIT extends MailboxApiITBase {

    private HttpMailboxStoreClient store;
    private MailboxEventSubscriber subscriber;

    @BeforeEach
    void connect() {
        store = HttpMailboxStoreClient.create(new MailboxApiProperties(URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(2), Duration.ofSeconds(20)), INTERNAL_TOKEN);
        subscriber = new PostgresEventSubscriber(new MailboxEventsProperties.Postgres(database().jdbcUrl(),
                database().username(), database().password()), Duration.ofMillis(500), store);
        await().atMost(Duration.ofSeconds(10)).until(subscriber::connected);
    }

    @AfterEach
    void disconnect() {
        subscriber.close();
        store.close();
    }

    @Test
    void announcesEveryCommittedChangeWithItsUidsAndModSeq() {
        String account = newAccount();
        List<MailboxChangeEvent> events = new CopyOnWriteArrayList<>();
        subscriber.subscribe(authenticated(account), events::add);
        long inbox = store.mailboxByName(account, "INBOX").orElseThrow().id();

        long filedAt = System.nanoTime();
        Response filed = file(account, "event-1", message("hello", "world"));
        await().atMost(Duration.ofSeconds(1)).until(() -> events.size() == 1);
        long latencyMillis = (System.nanoTime() - filedAt) / 1_000_000;
        store.updateFlags(account, inbox, UidSet.of(1), FlagUpdate.add(Flags.SEEN), null);
        store.expunge(account, inbox, UidSet.of(1), false);
        MailboxInfo folder = store.createMailbox(account, "Events", null);
        store.renameMailbox(account, folder.id(), "Renamed");
        await().atMost(Duration.ofSeconds(2)).until(() -> events.size() == 5);

        assertThat(filed.status()).isEqualTo(201);
        assertThat(latencyMillis).as("announced within a second").isLessThan(1000);
        assertThat(events).extracting(MailboxChangeEvent::kind).containsExactly(Kind.MESSAGES_ADDED, Kind.FLAGS_CHANGED,
                Kind.MESSAGES_EXPUNGED, Kind.MAILBOX_CREATED, Kind.MAILBOX_RENAMED);
        assertThat(events.subList(0, 3)).allSatisfy(event -> {
            assertThat(event.mailboxId()).isEqualTo(inbox);
            assertThat(event.uids()).containsExactly(1L);
            assertThat(event.account()).isEqualTo(account);
        });
        assertThat(events.subList(0, 3)).extracting(MailboxChangeEvent::modSeq).containsExactly(2L, 3L, 4L);
        assertThat(events.get(4).mailboxName()).isEqualTo("Renamed");
        assertThat(events).extracting(MailboxChangeEvent::eventId).isSorted();
        await().atMost(Duration.ofSeconds(2)).until(() ->
                jdbc.sql("SELECT count(*) FROM event_outbox").query(Long.class).single() == 0);
    }

    @Test
    void aBatchFilingAnnouncesEveryCopyInItsOwnMailboxWithItsUidAndModSeq() {
        String domain = newDomain();
        List<String> accounts = List.of(newAccount(domain, "a"), newAccount(domain, "b"), newAccount(domain, "c"));
        List<MailboxChangeEvent> events = new CopyOnWriteArrayList<>();
        for (String account : accounts) {
            subscriber.subscribe(authenticated(account), events::add);
        }
        List<FilingOutcome> outcomes;
        try (HttpMailboxApiClient client = HttpMailboxApiClient.create(new MailboxApiProperties(
                URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2), Duration.ofSeconds(20)), INTERNAL_TOKEN)) {
            outcomes = client.fileMessages(accounts.stream().map(a -> new FilingRecipient(a, "batch-event:" + a)).toList(),
                    message("to three", "one event each"), null);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> events.size() == 3);

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.isFiled()).isTrue());
        assertThat(events).extracting(MailboxChangeEvent::kind).containsOnly(Kind.MESSAGES_ADDED);
        assertThat(events).extracting(MailboxChangeEvent::account).containsExactlyInAnyOrderElementsOf(accounts);
        for (MailboxChangeEvent event : events) {
            FilingOutcome outcome = outcomes.get(accounts.indexOf(event.account()));
            assertThat(event.mailboxId()).isEqualTo(outcome.filed().mailboxId());
            assertThat(event.uids()).containsExactly(outcome.filed().uid());
            assertThat(event.modSeq()).isEqualTo(outcome.filed().modSeq());
        }
        assertThat(events).extracting(MailboxChangeEvent::eventId).doesNotHaveDuplicates();
    }

    @Test
    void aRefusedWriteAnnouncesNothing() {
        String account = newAccount();
        List<MailboxChangeEvent> events = new CopyOnWriteArrayList<>();
        subscriber.subscribe(authenticated(account), events::add);
        long inbox = store.mailboxByName(account, "INBOX").orElseThrow().id();
        jdbc.sql("UPDATE accounts SET quota_messages = 0 WHERE address = ?").param(account).update();

        Response refused = file(account, "refused", message("over", "quota"));
        boolean appendRefused;
        try {
            store.append(account, inbox, new ByteArrayInputStream(message("x", "y")), message("x", "y").length, Set.of(), null);
            appendRefused = false;
        } catch (MailboxApiException e) {
            appendRefused = e.code().equals("quota-exceeded");
        }
        jdbc.sql("UPDATE accounts SET quota_messages = NULL WHERE address = ?").param(account).update();
        file(account, "accepted", message("now", "fits"));

        await().atMost(Duration.ofSeconds(2)).until(() -> !events.isEmpty());
        assertThat(refused.code()).isEqualTo("quota-exceeded");
        assertThat(appendRefused).isTrue();
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo(Kind.MESSAGES_ADDED);
            assertThat(event.uids()).as("the refused writes took no UID and sent no event").containsExactly(1L);
        });
    }

    /**
     * The relay's pass is one statement that builds each payload in SQL: every field must read back as the subscriber
     * expects (quotes and non-ASCII in names, the trace context, the time), in outbox order across more than one pass.
     */
    @Test
    void theRelayPublishesOutboxRowsWithEveryFieldInOrder() {
        String account = newAccount();
        AuthenticatedAccount owner = authenticated(account);
        List<MailboxChangeEvent> events = new CopyOnWriteArrayList<>();
        subscriber.subscribe(owner, events::add);
        int rows = 620; // more than one pass (mailroom.events.relay.batch-size is 500)
        jdbc.sql("""
                        INSERT INTO event_outbox (account_id, mailbox_id, kind, uids, modseq, mailbox_name, trace_parent)
                        SELECT ?, 77, CASE WHEN n % 2 = 0 THEN 'FLAGS_CHANGED' ELSE 'MAILBOX_RENAMED' END,
                               CASE WHEN n % 2 = 0 THEN ARRAY[n, n + 1000000000000] ELSE '{}'::bigint[] END, n,
                               CASE WHEN n % 2 = 0 THEN NULL ELSE 'Dossier "é" \\ ' || n END,
                               CASE WHEN n = 2 THEN '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' END
                          FROM generate_series(1, ?) AS n ORDER BY n""")
                .params(owner.accountId(), rows)
                .update();
        List<Long> ids = jdbc.sql("SELECT id FROM event_outbox WHERE account_id = ? ORDER BY id").param(owner.accountId())
                .query(Long.class).list();
        java.time.Instant created = jdbc.sql("SELECT created_at FROM event_outbox WHERE id = ?").param(ids.getFirst())
                .query(java.sql.Timestamp.class).single().toInstant();

        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == rows);

        assertThat(events).extracting(MailboxChangeEvent::eventId).containsExactlyElementsOf(ids);
        assertThat(events).extracting(MailboxChangeEvent::modSeq).isSorted();
        MailboxChangeEvent renamed = events.getFirst();
        assertThat(renamed.kind()).isEqualTo(Kind.MAILBOX_RENAMED);
        assertThat(renamed.mailboxName()).isEqualTo("Dossier \"é\" \\ 1");
        assertThat(renamed.uids()).isEmpty();
        assertThat(renamed.account()).isEqualTo(account);
        assertThat(renamed.accountId()).isEqualTo(owner.accountId());
        assertThat(renamed.mailboxId()).isEqualTo(77L);
        assertThat(renamed.at()).isEqualTo(created);
        assertThat(renamed.traceContext()).isEmpty();
        MailboxChangeEvent flags = events.get(1);
        assertThat(flags.kind()).isEqualTo(Kind.FLAGS_CHANGED);
        assertThat(flags.uids()).containsExactly(2L, 1000000000002L);
        assertThat(flags.mailboxName()).isNull();
        assertThat(flags.traceContext()).containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(jdbc.sql("SELECT count(*) FROM event_outbox").query(Long.class).single()).isZero();
    }

    @Test
    void aSubscriberThatLostItsConnectionCatchesUpAndMissesNothing() throws Exception {
        String account = newAccount();
        long inbox = store.mailboxByName(account, "INBOX").orElseThrow().id();
        List<MailboxChangeEvent> events = new CopyOnWriteArrayList<>();
        EventSubscription subscription = subscriber.subscribe(authenticated(account), events::add);
        subscription.track(inbox, store.mailbox(account, inbox).orElseThrow().highestModSeq());
        file(account, "before", message("before", "b"));
        await().atMost(Duration.ofSeconds(2)).until(() -> events.size() == 1);

        try (Connection connection = DriverManager.getConnection(database().jdbcUrl(), database().username(), database().password());
             Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE application_name = 'mailroom-events' AND datname = current_database() AND pid <> pg_backend_pid()");
        }
        for (int i = 0; i < 3; i++) {
            file(account, "during-" + i, message("during " + i, "b"));
        }
        store.updateFlags(account, inbox, UidSet.of(1), FlagUpdate.add(Flags.FLAGGED), null);
        await().atMost(Duration.ofSeconds(10)).until(subscriber::connected);
        file(account, "after", message("after", "b"));

        await().atMost(Duration.ofSeconds(10)).until(() -> addedUids(events).contains(5L));
        assertThat(addedUids(events)).as("every added message exactly once, live or caught up").containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(events).filteredOn(e -> e.kind() == Kind.FLAGS_CHANGED).isNotEmpty()
                .allSatisfy(e -> assertThat(e.uids()).contains(1L));
    }

    @Test
    void toolsFollowAnAccountAsServerSentEvents() throws Exception {
        String account = newAccount();
        String other = newAccount();
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(uri("/api/v1/accounts/" + account + "/events"))
                .header("Authorization", basic(account, PASSWORD)).header("Accept", "text/event-stream").GET().build();
        CompletableFuture<HttpResponse<Stream<String>>> stream = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> response = stream.get();
        Thread reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.startsWith(":")));
            file(account, "sse-1", message("streamed", "b"));

            await().atMost(Duration.ofSeconds(2)).until(() -> lines.stream().anyMatch(l -> l.startsWith("data:")));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(lines).contains("event:MESSAGES_ADDED");
            assertThat(lines).filteredOn(l -> l.startsWith("data:")).singleElement()
                    .satisfies(data -> assertThat(data).contains("\"uids\":[1]").contains("\"account\":\"" + account + "\""));
            Response foreign = get("/api/v1/accounts/" + other + "/events", basic(account, PASSWORD));
            assertThat(foreign.status()).isEqualTo(403);
        } finally {
            reader.interrupt();
            response.body().close();
        }
    }

    private AuthenticatedAccount authenticated(String address) {
        long id = jdbc.sql("SELECT id FROM accounts WHERE address = ?").param(address).query(Long.class).single();
        return new AuthenticatedAccount(id, address);
    }

    private static List<Long> addedUids(List<MailboxChangeEvent> events) {
        List<Long> uids = new ArrayList<>();
        events.stream().filter(e -> e.kind() == Kind.MESSAGES_ADDED).forEach(e -> uids.addAll(e.uids()));
        return uids;
    }
}
