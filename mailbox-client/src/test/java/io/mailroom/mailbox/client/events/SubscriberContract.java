package io.mailroom.mailbox.client.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.store.MailboxChanges;

/**
 * What both adapters must do, against their real broker: route by account, drop what a subscription has seen, stop
 * after close, and after a lost connection re-subscribe and catch up from "changes since" before live events resume.
 */
abstract class SubscriberContract {

    protected final ScriptedStore store = new ScriptedStore();

    /** A subscriber on the real broker, catching up through {@link #store}. */
    protected abstract MailboxEventSubscriber subscriber();

    /** Publishes as mailbox-api does. */
    protected abstract void publish(MailboxChangeEvent event) throws Exception;

    /** Breaks the subscriber's connection the way a broker or database restart would. */
    protected abstract void breakConnection(MailboxEventSubscriber subscriber) throws Exception;

    protected static MailboxChangeEvent event(long accountId, long mailboxId, MailboxChangeEvent.Kind kind, long modSeq, Long... uids) {
        return new MailboxChangeEvent(modSeq, accountId, "user" + accountId + "@example.org", mailboxId, kind, List.of(uids),
                modSeq, null, Instant.now());
    }

    @Test
    void deliversEachAccountItsOwnEventsAndNothingAfterClose() throws Exception {
        long alice = System.nanoTime();
        long bob = alice + 1;
        try (MailboxEventSubscriber subscriber = subscriber()) {
            await().atMost(Duration.ofSeconds(10)).until(subscriber::connected);
            List<MailboxChangeEvent> aliceEvents = new CopyOnWriteArrayList<>();
            List<MailboxChangeEvent> bobEvents = new CopyOnWriteArrayList<>();
            EventSubscription aliceSub = subscriber.subscribe(new AuthenticatedAccount(alice, "a@example.org"), aliceEvents::add);
            subscriber.subscribe(new AuthenticatedAccount(bob, "b@example.org"), bobEvents::add);

            publish(event(alice, 1, MailboxChangeEvent.Kind.MESSAGES_ADDED, 2, 1L));
            publish(event(bob, 7, MailboxChangeEvent.Kind.FLAGS_CHANGED, 9, 3L, 4L));
            publish(event(alice + 100, 1, MailboxChangeEvent.Kind.MESSAGES_ADDED, 2, 1L));

            await().atMost(Duration.ofSeconds(5)).until(() -> aliceEvents.size() == 1 && bobEvents.size() == 1);
            assertThat(aliceEvents.getFirst().uids()).containsExactly(1L);
            assertThat(bobEvents.getFirst().kind()).isEqualTo(MailboxChangeEvent.Kind.FLAGS_CHANGED);
            assertThat(bobEvents.getFirst().uids()).containsExactly(3L, 4L);

            aliceSub.close();
            publish(event(alice, 1, MailboxChangeEvent.Kind.MESSAGES_ADDED, 3, 2L));
            publish(event(bob, 7, MailboxChangeEvent.Kind.MESSAGES_EXPUNGED, 10, 3L));
            await().atMost(Duration.ofSeconds(5)).until(() -> bobEvents.size() == 2);
            assertThat(aliceEvents).as("nothing after close").hasSize(1);
        }
    }

    @Test
    void dropsEventsAtOrBelowTheTrackedModSeq() throws Exception {
        long account = System.nanoTime();
        try (MailboxEventSubscriber subscriber = subscriber()) {
            await().atMost(Duration.ofSeconds(10)).until(subscriber::connected);
            List<MailboxChangeEvent> received = new CopyOnWriteArrayList<>();
            EventSubscription subscription = subscriber.subscribe(new AuthenticatedAccount(account, "c@example.org"), received::add);
            subscription.track(5, 20);

            publish(event(account, 5, MailboxChangeEvent.Kind.MESSAGES_ADDED, 19, 1L));
            publish(event(account, 5, MailboxChangeEvent.Kind.MESSAGES_ADDED, 21, 2L));
            publish(event(account, 5, MailboxChangeEvent.Kind.MESSAGES_ADDED, 21, 2L));
            publish(event(account, 6, MailboxChangeEvent.Kind.MESSAGES_ADDED, 1, 1L));

            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
            assertThat(received).extracting(MailboxChangeEvent::modSeq).containsExactly(21L, 1L);
        }
    }

    @Test
    void catchesUpAfterALostConnectionBeforeLiveEventsResume() throws Exception {
        long account = System.nanoTime();
        long mailbox = 42;
        try (MailboxEventSubscriber subscriber = subscriber()) {
            await().atMost(Duration.ofSeconds(10)).until(subscriber::connected);
            List<MailboxChangeEvent> received = new CopyOnWriteArrayList<>();
            EventSubscription subscription = subscriber.subscribe(new AuthenticatedAccount(account, "d@example.org"), received::add);
            subscription.track(mailbox, 10);
            store.changes.put(mailbox, new MailboxChanges(10, 14, false, 14, 8,
                    List.of(ScriptedStore.message(mailbox, 7, 13)), List.of(ScriptedStore.message(mailbox, 3, 14)),
                    List.of(5L), true));

            breakConnection(subscriber);
            await().atMost(Duration.ofSeconds(15)).until(() -> received.size() >= 4);
            await().atMost(Duration.ofSeconds(10)).until(subscriber::connected);
            publish(event(account, mailbox, MailboxChangeEvent.Kind.MESSAGES_ADDED, 14, 7L));
            publish(event(account, mailbox, MailboxChangeEvent.Kind.FLAGS_CHANGED, 15, 7L));

            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() >= 5);
            assertThat(store.askedSince).containsEntry(mailbox, 10L);
            assertThat(received).extracting(MailboxChangeEvent::kind).containsExactly(
                    MailboxChangeEvent.Kind.MESSAGES_EXPUNGED, MailboxChangeEvent.Kind.MESSAGES_ADDED,
                    MailboxChangeEvent.Kind.FLAGS_CHANGED, MailboxChangeEvent.Kind.RESYNC_NEEDED,
                    MailboxChangeEvent.Kind.FLAGS_CHANGED);
            assertThat(received.get(0).uids()).containsExactly(5L);
            assertThat(received.get(1).uids()).containsExactly(7L);
            assertThat(received.get(2).uids()).containsExactly(3L);
            assertThat(received.get(3).mailboxId()).as("untracked mailboxes: re-read").isZero();
            assertThat(received.get(4).modSeq()).as("the live event already caught up is dropped").isEqualTo(15);
        }
    }
}
