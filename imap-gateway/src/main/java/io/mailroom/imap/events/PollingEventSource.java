package io.mailroom.imap.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.mailbox.client.events.EventSubscription;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.events.MailboxEventListener;
import io.mailroom.mailbox.client.store.MailboxChanges;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessageMetadata;

/**
 * Change events made by asking mailbox-api, for each tracked mailbox, what changed since the MODSEQ last seen
 * ({@link MailboxStoreClient#changesSince}): the fallback when no event stream is configured. It costs one request per
 * tracked mailbox per interval (a mailbox selected by many sessions of this replica is tracked once), and delivers
 * changes within an interval; MODSEQs make it exact, since every change takes a new one.
 */
public final class PollingEventSource implements AccountEventSource {

    private static final Logger LOGGER = LoggerFactory.getLogger(PollingEventSource.class);
    private static final int PAGE = 1000;

    private final MailboxStoreClient client;
    private final Duration interval;
    private final ScheduledExecutorService ticker;
    private final ExecutorService pollers;
    private final Map<Long, Tracked> tracked = new ConcurrentHashMap<>();

    private final class Tracked {
        final String account;
        final long accountId;
        final long mailboxId;
        final MailboxEventListener listener;
        volatile long modSeq;
        final AtomicBoolean polling = new AtomicBoolean();

        Tracked(String account, long accountId, long mailboxId, long modSeq, MailboxEventListener listener) {
            this.account = account;
            this.accountId = accountId;
            this.mailboxId = mailboxId;
            this.modSeq = modSeq;
            this.listener = listener;
        }
    }

    public PollingEventSource(MailboxStoreClient client, Duration interval, int threads) {
        this.client = client;
        this.interval = interval;
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "imap-event-poll"));
        this.pollers = Executors.newFixedThreadPool(threads, runnable -> daemon(runnable, "imap-event-poller"));
        ticker.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public EventSubscription subscribe(long accountId, String account, MailboxEventListener listener) {
        return new EventSubscription() {
            @Override
            public long accountId() {
                return accountId;
            }

            @Override
            public void track(long mailboxId, long knownModSeq) {
                tracked.compute(mailboxId, (id, existing) -> {
                    if (existing != null && existing.listener == listener) {
                        existing.modSeq = Math.max(existing.modSeq, knownModSeq);
                        return existing;
                    }
                    return new Tracked(account, accountId, mailboxId, knownModSeq, listener);
                });
            }

            @Override
            public void untrack(long mailboxId) {
                tracked.computeIfPresent(mailboxId, (id, existing) -> existing.listener == listener ? null : existing);
            }

            @Override
            public void close() {
                tracked.values().removeIf(existing -> existing.listener == listener);
            }
        };
    }

    private void tick() {
        for (Tracked mailbox : tracked.values()) {
            if (mailbox.polling.compareAndSet(false, true)) {
                try {
                    pollers.execute(() -> poll(mailbox));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    mailbox.polling.set(false);
                }
            }
        }
    }

    private void poll(Tracked mailbox) {
        try {
            boolean more = true;
            while (more && tracked.get(mailbox.mailboxId) == mailbox) {
                MailboxChanges changes = client.changesSince(mailbox.account, mailbox.mailboxId, mailbox.modSeq, PAGE);
                long through = changes.throughModSeq();
                deliver(mailbox, Kind.MESSAGES_EXPUNGED, changes.vanished(), through);
                deliver(mailbox, Kind.MESSAGES_ADDED, uids(changes.added()), through);
                deliver(mailbox, Kind.FLAGS_CHANGED, uids(changes.changed()), through);
                mailbox.modSeq = Math.max(mailbox.modSeq, through);
                more = changes.hasMore();
            }
        } catch (RuntimeException e) {
            LOGGER.debug("polling mailbox {} for changes failed: {}", mailbox.mailboxId, e.getMessage());
        } finally {
            mailbox.polling.set(false);
        }
    }

    private static void deliver(Tracked mailbox, Kind kind, List<Long> uids, long modSeq) {
        if (!uids.isEmpty()) {
            mailbox.listener.onEvent(new MailboxChangeEvent(0, mailbox.accountId, mailbox.account, mailbox.mailboxId,
                    kind, uids, modSeq, null, Instant.now()));
        }
    }

    private static List<Long> uids(List<MessageMetadata> messages) {
        return messages.stream().map(MessageMetadata::uid).toList();
    }

    Duration interval() {
        return interval;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        pollers.shutdownNow();
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
