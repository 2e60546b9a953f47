package io.mailroom.mailbox.client.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.store.MailboxChanges;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessageMetadata;

/**
 * What both adapters share: the subscriptions per account, delivery to them (dropping what a subscription has seen),
 * and catch-up after a reconnect through {@link MailboxStoreClient#changesSince}.
 */
final class SubscriptionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRegistry.class);
    private static final int CATCH_UP_PAGE = 1000;

    private final Map<Long, List<Sub>> byAccount = new ConcurrentHashMap<>();
    private final MailboxStoreClient store;
    private final LongConsumer firstForAccount;
    private final LongConsumer lastForAccount;

    /**
     * @param store           for catch-up; null when the owner cannot catch up (its listeners get RESYNC_NEEDED)
     * @param firstForAccount called when an account gets its first subscription (LISTEN, bind), before it is active
     * @param lastForAccount  called when an account's last subscription closed (UNLISTEN, unbind)
     */
    SubscriptionRegistry(MailboxStoreClient store, LongConsumer firstForAccount, LongConsumer lastForAccount) {
        this.store = store;
        this.firstForAccount = firstForAccount;
        this.lastForAccount = lastForAccount;
    }

    EventSubscription add(AuthenticatedAccount account, MailboxEventListener listener) {
        Sub sub = new Sub(account, listener);
        synchronized (byAccount) {
            List<Sub> subs = byAccount.get(account.accountId());
            if (subs == null) {
                firstForAccount.accept(account.accountId());
                subs = new CopyOnWriteArrayList<>();
                byAccount.put(account.accountId(), subs);
            }
            subs.add(sub);
        }
        return sub;
    }

    Set<Long> accounts() {
        return Set.copyOf(byAccount.keySet());
    }

    void deliver(MailboxChangeEvent event) {
        List<Sub> subs = byAccount.get(event.accountId());
        if (subs != null) {
            for (Sub sub : subs) {
                sub.offer(event);
            }
        }
    }

    /** After a reconnect: every subscription learns what it missed, before live events resume. */
    void catchUpAll() {
        for (List<Sub> subs : byAccount.values()) {
            for (Sub sub : subs) {
                sub.catchUp();
            }
        }
    }

    void closeAll() {
        byAccount.values().forEach(subs -> subs.forEach(sub -> sub.closed = true));
        byAccount.clear();
    }

    final class Sub implements EventSubscription {

        private final AuthenticatedAccount account;
        private final MailboxEventListener listener;
        private final Map<Long, Long> tracked = new ConcurrentHashMap<>();
        private volatile boolean closed;

        Sub(AuthenticatedAccount account, MailboxEventListener listener) {
            this.account = account;
            this.listener = listener;
        }

        @Override
        public long accountId() {
            return account.accountId();
        }

        @Override
        public void track(long mailboxId, long knownModSeq) {
            tracked.put(mailboxId, knownModSeq);
        }

        @Override
        public void untrack(long mailboxId) {
            tracked.remove(mailboxId);
        }

        /** Delivers an event unless this subscription has seen its MODSEQ in its mailbox already. */
        synchronized void offer(MailboxChangeEvent event) {
            if (closed) {
                return;
            }
            Long known = tracked.get(event.mailboxId());
            boolean messageKind = event.kind() == MailboxChangeEvent.Kind.MESSAGES_ADDED
                    || event.kind() == MailboxChangeEvent.Kind.FLAGS_CHANGED
                    || event.kind() == MailboxChangeEvent.Kind.MESSAGES_EXPUNGED;
            if (known != null && messageKind && event.modSeq() <= known) {
                return; // caught up already, or delivered twice
            }
            if (known != null) {
                tracked.put(event.mailboxId(), Math.max(known, event.modSeq()));
            }
            call(event);
        }

        synchronized void catchUp() {
            if (closed) {
                return;
            }
            if (store == null) {
                call(synthetic(0, MailboxChangeEvent.Kind.RESYNC_NEEDED, List.of(), 0));
                return;
            }
            for (Map.Entry<Long, Long> entry : Map.copyOf(tracked).entrySet()) {
                long mailboxId = entry.getKey();
                long since = entry.getValue();
                try {
                    MailboxChanges changes;
                    do {
                        changes = store.changesSince(account.address(), mailboxId, since, CATCH_UP_PAGE);
                        long through = changes.throughModSeq();
                        if (!changes.vanishedComplete()) {
                            call(synthetic(mailboxId, MailboxChangeEvent.Kind.RESYNC_NEEDED, List.of(), through));
                        }
                        emit(mailboxId, MailboxChangeEvent.Kind.MESSAGES_EXPUNGED, changes.vanished(), through);
                        emit(mailboxId, MailboxChangeEvent.Kind.MESSAGES_ADDED, uids(changes.added()), through);
                        emit(mailboxId, MailboxChangeEvent.Kind.FLAGS_CHANGED, uids(changes.changed()), through);
                        since = through;
                        tracked.computeIfPresent(mailboxId, (id, known) -> Math.max(known, through));
                    } while (changes.hasMore());
                } catch (MailboxApiException e) {
                    if (e.status() == 404) {
                        tracked.remove(mailboxId);
                        call(synthetic(mailboxId, MailboxChangeEvent.Kind.MAILBOX_DELETED, List.of(), since));
                    } else {
                        call(synthetic(mailboxId, MailboxChangeEvent.Kind.RESYNC_NEEDED, List.of(), since));
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Could not catch up mailbox {} of {}: {}", mailboxId, account.address(), e.toString());
                    call(synthetic(mailboxId, MailboxChangeEvent.Kind.RESYNC_NEEDED, List.of(), since));
                }
            }
            // mailboxes nobody tracks may have changed too
            call(synthetic(0, MailboxChangeEvent.Kind.RESYNC_NEEDED, List.of(), 0));
        }

        private void emit(long mailboxId, MailboxChangeEvent.Kind kind, List<Long> uids, long modSeq) {
            if (!uids.isEmpty()) {
                call(synthetic(mailboxId, kind, uids, modSeq));
            }
        }

        private MailboxChangeEvent synthetic(long mailboxId, MailboxChangeEvent.Kind kind, List<Long> uids, long modSeq) {
            return new MailboxChangeEvent(0, account.accountId(), account.address(), mailboxId, kind, uids, modSeq, null,
                    Instant.now());
        }

        private void call(MailboxChangeEvent event) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("An event listener of {} failed on {}: {}", account.address(), event.kind(), e.toString());
            }
        }

        private static List<Long> uids(List<MessageMetadata> messages) {
            List<Long> uids = new ArrayList<>(messages.size());
            messages.forEach(m -> uids.add(m.uid()));
            return uids;
        }

        @Override
        public void close() {
            closed = true;
            synchronized (byAccount) {
                List<Sub> subs = byAccount.get(account.accountId());
                if (subs != null && subs.remove(this) && subs.isEmpty()) {
                    byAccount.remove(account.accountId());
                    lastForAccount.accept(account.accountId());
                }
            }
        }
    }
}
