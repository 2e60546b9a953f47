package io.mailroom.imap.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.Registration;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.metrics.logger.DefaultMetricFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

import io.mailroom.imap.store.ApiMailboxId;
import io.mailroom.imap.store.LocalChanges;
import io.mailroom.imap.store.MailboxDirectory;
import io.mailroom.mailbox.client.events.EventSubscription;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.events.MailboxEventListener;

import reactor.core.publisher.Mono;

/** Change events of mailbox-api becoming James events for the sessions that watch a mailbox. */
class ChangeEventBridgeTest {

    static final String ALICE = "alice@example.com";

    final MailboxDirectory directory = new MailboxDirectory();
    final FakeSource source = new FakeSource();
    final InVMEventBus inVm = new InVMEventBus(new InVmEventDelivery(new DefaultMetricFactory()),
            RetryBackoffConfiguration.DEFAULT, new MemoryEventDeadLetters());
    final ChangeEventBridge bridge = new ChangeEventBridge(source, null, directory, new LocalChanges(), inVm, 2);
    final WatchingEventBus bus = new WatchingEventBus(inVm, bridge);
    final List<Event> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        bus.close();
    }

    @Test
    void aSelectedMailboxHearsAdditionsAndRemovalsMadeElsewhereFromItsSelectState() {
        directory.rememberAccount(ALICE, 42);
        directory.remember(7, ALICE, 100);
        Registration registration = register(7);

        assertThat(source.tracked).containsEntry(7L, 100L);
        source.emit(new MailboxChangeEvent(1, 42, ALICE, 7, Kind.MESSAGES_ADDED, List.of(5L, 6L), 102, null, Instant.now()));
        source.emit(new MailboxChangeEvent(1, 42, ALICE, 7, Kind.MESSAGES_ADDED, List.of(5L, 6L), 102, null, Instant.now()));
        source.emit(new MailboxChangeEvent(2, 42, ALICE, 7, Kind.MESSAGES_EXPUNGED, List.of(5L), 103, null, Instant.now()));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(received).hasSize(2));
        assertThat(received.get(0)).isInstanceOfSatisfying(MailboxEvents.Added.class,
                added -> assertThat(added.getUids()).extracting(uid -> uid.asLong()).containsExactly(5L, 6L));
        assertThat(received.get(1)).isInstanceOf(MailboxEvents.Expunged.class);

        Mono.from(registration.unregister()).block();
        assertThat(source.tracked).isEmpty();
        assertThat(source.closed).isTrue();
    }

    private Registration register(long mailboxId) {
        EventListener.ReactiveEventListener listener = event -> Mono.fromRunnable(() -> received.add(event));
        return Mono.from(bus.register(listener, new MailboxIdRegistrationKey(ApiMailboxId.of(mailboxId)))).block();
    }

    static final class FakeSource implements AccountEventSource {
        final Map<Long, Long> tracked = new ConcurrentHashMap<>();
        volatile MailboxEventListener listener;
        volatile boolean closed;

        void emit(MailboxChangeEvent event) {
            listener.onEvent(event);
        }

        @Override
        public EventSubscription subscribe(long accountId, String account, MailboxEventListener listener) {
            this.listener = listener;
            return new EventSubscription() {
                @Override
                public long accountId() {
                    return accountId;
                }

                @Override
                public void track(long mailboxId, long knownModSeq) {
                    tracked.put(mailboxId, knownModSeq);
                }

                @Override
                public void untrack(long mailboxId) {
                    tracked.remove(mailboxId);
                }

                @Override
                public void close() {
                    closed = true;
                }
            };
        }

        @Override
        public void close() {
        }
    }

    @SuppressWarnings("unused")
    private static Publisher<Void> none() {
        return Mono.empty();
    }
}
