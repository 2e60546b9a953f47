package io.mailroom.imap.events;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.event.EventFactory;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.imap.store.ApiMailboxId;
import io.mailroom.imap.store.ApiMessageId;
import io.mailroom.imap.store.LocalChanges;
import io.mailroom.imap.store.MailboxDirectory;
import io.mailroom.mailbox.client.events.EventSubscription;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * Turns mailbox-api's change events into James {@code MailboxEvents} on the gateway's in-VM event bus, so that a
 * selected or idling session learns of writes made anywhere else (delivery-service, REST, another replica) and
 * answers {@code * n EXISTS}, {@code * n FETCH (FLAGS …)}, {@code * n EXPUNGE} (DESIGN.md "change events").
 *
 * <p><b>What is watched.</b> A mailbox is watched while at least one session of this replica has it selected (James
 * registers a {@link MailboxIdRegistrationKey} listener then: {@link WatchingEventBus}). The account's events are
 * subscribed to while one of its mailboxes is watched; each watched mailbox is tracked from the HIGHESTMODSEQ its SELECT
 * read, so after a lost connection the source catches up with "changes since" and nothing is missed.
 *
 * <p><b>Not twice.</b> This replica's own writes were announced by James's store as they were made (with the writing
 * session's id, which lets that session stay silent about its own STORE); their events are recognised through
 * {@link LocalChanges} and dropped. Events of a mailbox wait while a write of this replica to it is in flight, since
 * the event may overtake the write's answer. Duplicates (at-least-once delivery) are dropped by MODSEQ.
 *
 * <p><b>Order and threads.</b> Each mailbox's events are handled one at a time, in order, on the bridge's own threads
 * (never the subscriber's, never a Netty I/O thread). A flag change is announced with the flags read from mailbox-api
 * in one call for the event's messages; additions and removals need only their UIDs.
 */
public final class ChangeEventBridge implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(ChangeEventBridge.class);
    private static final long WRITE_WAIT_MILLIS = 5;
    /** Announced flag changes carry "every other system flag" as old flags: the real old ones are not in the event. */
    private static final Flags.Flag[] SYSTEM_FLAGS = {Flags.Flag.ANSWERED, Flags.Flag.DELETED, Flags.Flag.DRAFT,
            Flags.Flag.FLAGGED, Flags.Flag.SEEN};

    private final AccountEventSource source;
    private final MailboxStoreClient client;
    private final MailboxDirectory directory;
    private final LocalChanges localChanges;
    private final EventBus eventBus;
    private final Tracer tracer;
    private final Propagator propagator;
    private final ScheduledExecutorService workers;
    private final MailboxSession.SessionId bridgeSession = MailboxSession.SessionId.of(new SecureRandom().nextLong());

    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    private final Map<Long, AccountSubscription> subscriptions = new ConcurrentHashMap<>();

    private static final class AccountSubscription {
        final EventSubscription subscription;
        int watched;

        AccountSubscription(EventSubscription subscription) {
            this.subscription = subscription;
        }
    }

    private final class Watch {
        final long mailboxId;
        final String account;
        final long accountId;
        int registrations;
        final Queue<MailboxChangeEvent> pending = new ConcurrentLinkedQueue<>();
        final AtomicBoolean draining = new AtomicBoolean();
        final Map<Kind, Long> lastModSeq = new EnumMap<>(Kind.class);

        Watch(long mailboxId, String account, long accountId) {
            this.mailboxId = mailboxId;
            this.account = account;
            this.accountId = accountId;
        }
    }

    public ChangeEventBridge(AccountEventSource source, MailboxStoreClient client, MailboxDirectory directory,
                             LocalChanges localChanges, EventBus eventBus, int threads) {
        this(source, client, directory, localChanges, eventBus, threads, Tracer.NOOP, Propagator.NOOP);
    }

    /**
     * @param tracer     each announcement is an {@code imap.push} span that continues the trace of the request that
     *                   made the change (the event's trace context): a delivery's trace ends at the IDLE push
     * @param propagator reads that context
     */
    public ChangeEventBridge(AccountEventSource source, MailboxStoreClient client, MailboxDirectory directory,
                             LocalChanges localChanges, EventBus eventBus, int threads, Tracer tracer,
                             Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.source = source;
        this.client = client;
        this.directory = directory;
        this.localChanges = localChanges;
        this.eventBus = eventBus;
        this.workers = Executors.newScheduledThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "imap-change-events");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A session registered for the mailbox's events (SELECT, EXAMINE). */
    public void watch(MailboxId id) {
        long mailboxId = ApiMailboxId.value(id);
        Optional<String> account = directory.accountOf(mailboxId);
        Optional<Long> accountId = account.flatMap(directory::accountId);
        if (accountId.isEmpty()) {
            LOGGER.debug("mailbox {} is not of an account that logged in here: its changes are not bridged", mailboxId);
            return;
        }
        synchronized (this) {
            Watch watch = watches.computeIfAbsent(mailboxId, key -> new Watch(mailboxId, account.get(), accountId.get()));
            watch.registrations++;
            if (watch.registrations == 1) {
                AccountSubscription subscription = subscriptions.computeIfAbsent(accountId.get(),
                        key -> new AccountSubscription(source.subscribe(accountId.get(), account.get(), this::onEvent)));
                subscription.watched++;
                long known = directory.lastSeenModSeq(mailboxId).orElse(0L);
                subscription.subscription.track(mailboxId, known);
                LOGGER.debug("watching mailbox {} of {} from MODSEQ {}", mailboxId, account.get(), known);
            }
        }
    }

    /** A session's registration ended (CLOSE, UNSELECT, another SELECT, LOGOUT, a lost connection). */
    public void unwatch(MailboxId id) {
        long mailboxId = ApiMailboxId.value(id);
        synchronized (this) {
            Watch watch = watches.get(mailboxId);
            if (watch == null || --watch.registrations > 0) {
                return;
            }
            watches.remove(mailboxId);
            AccountSubscription subscription = subscriptions.get(watch.accountId);
            if (subscription == null) {
                return;
            }
            subscription.subscription.untrack(mailboxId);
            if (--subscription.watched == 0) {
                subscriptions.remove(watch.accountId);
                subscription.subscription.close();
            }
        }
    }

    /** Whether any session of this replica watches the mailbox. */
    public boolean watches(long mailboxId) {
        return watches.containsKey(mailboxId);
    }

    void onEvent(MailboxChangeEvent event) {
        Watch watch = watches.get(event.mailboxId());
        if (watch == null) {
            return;
        }
        watch.pending.add(event);
        schedule(watch, 0);
    }

    private void schedule(Watch watch, long delayMillis) {
        if (!watch.draining.compareAndSet(false, true)) {
            return;
        }
        try {
            workers.schedule(() -> drain(watch), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            watch.draining.set(false);
        }
    }

    private void drain(Watch watch) {
        try {
            MailboxChangeEvent event;
            while ((event = watch.pending.peek()) != null) {
                if (localChanges.writing(watch.mailboxId)) {
                    watch.draining.set(false);
                    schedule(watch, WRITE_WAIT_MILLIS);
                    return;
                }
                watch.pending.poll();
                try {
                    handle(watch, event);
                } catch (RuntimeException e) {
                    LOGGER.warn("could not announce change {} of mailbox {}: {}", event.kind(), watch.mailboxId, e.getMessage());
                }
            }
        } finally {
            watch.draining.set(false);
        }
        if (!watch.pending.isEmpty()) {
            schedule(watch, 0);
        }
    }

    private void handle(Watch watch, MailboxChangeEvent event) {
        Long last = watch.lastModSeq.get(event.kind());
        if (last != null && event.modSeq() <= last) {
            return; // delivered before (at-least-once) or covered by a catch-up
        }
        watch.lastModSeq.put(event.kind(), event.modSeq());
        List<Long> foreign = localChanges.foreign(watch.mailboxId, event.kind(), event.uids(), event.modSeq());
        if (foreign.isEmpty()) {
            return;
        }
        Event james = switch (event.kind()) {
            case MESSAGES_ADDED -> EventFactory.added()
                    .randomEventId()
                    .user(user(watch)).sessionId(bridgeSession)
                    .mailboxId(ApiMailboxId.of(watch.mailboxId)).mailboxPath(path(watch))
                    .metaData(placeholders(foreign, event.modSeq()))
                    .isDelivery(false)
                    .build();
            case MESSAGES_EXPUNGED -> EventFactory.expunged()
                    .randomEventId()
                    .user(user(watch)).sessionId(bridgeSession)
                    .mailboxId(ApiMailboxId.of(watch.mailboxId)).mailboxPath(path(watch))
                    .metaData(placeholders(foreign, event.modSeq()))
                    .build();
            case FLAGS_CHANGED -> flagsUpdated(watch, foreign);
            default -> null;
        };
        if (james != null) {
            LOGGER.debug("mailbox {}: {} of UIDs {} (MODSEQ {}) made elsewhere", watch.mailboxId, event.kind(), foreign,
                    event.modSeq());
            Span span = propagator.extract(event.traceContext(), (fields, key) -> fields.get(key))
                    .name("imap.push")
                    .kind(Span.Kind.CONSUMER)
                    .tag("mailroom.event.kind", event.kind().name())
                    .tag("mailroom.event.uids", String.valueOf(foreign.size()))
                    .start();
            try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
                eventBus.dispatch(james, new MailboxIdRegistrationKey(ApiMailboxId.of(watch.mailboxId))).block();
            } catch (RuntimeException e) {
                span.error(e);
                throw e;
            } finally {
                span.end();
            }
        }
    }

    private Event flagsUpdated(Watch watch, List<Long> uids) {
        List<MessageMetadata> current = client.fetchAll(watch.account, watch.mailboxId, UidSet.of(uids), FetchOptions.metadata());
        if (current.isEmpty()) {
            return null;
        }
        List<UpdatedFlags> updated = new ArrayList<>(current.size());
        for (MessageMetadata message : current) {
            Flags now = flags(message.flags());
            updated.add(UpdatedFlags.builder()
                    .uid(MessageUid.of(message.uid()))
                    .messageId(new ApiMessageId(message.emailId()))
                    .modSeq(ModSeq.of(message.modSeq()))
                    .oldFlags(otherSystemFlags(now))
                    .newFlags(now)
                    .build());
        }
        return EventFactory.flagsUpdated()
                .randomEventId()
                .user(user(watch)).sessionId(bridgeSession)
                .mailboxId(ApiMailboxId.of(watch.mailboxId)).mailboxPath(path(watch))
                .updatedFlags(updated)
                .build();
    }

    private static Flags otherSystemFlags(Flags now) {
        Flags other = new Flags();
        for (Flags.Flag flag : SYSTEM_FLAGS) {
            if (!now.contains(flag)) {
                other.add(flag);
            }
        }
        return other;
    }

    private static Flags flags(java.util.Set<String> apiFlags) {
        Flags flags = new Flags();
        for (String flag : apiFlags) {
            switch (flag.toLowerCase(java.util.Locale.ROOT)) {
                case "\\seen" -> flags.add(Flags.Flag.SEEN);
                case "\\answered" -> flags.add(Flags.Flag.ANSWERED);
                case "\\flagged" -> flags.add(Flags.Flag.FLAGGED);
                case "\\deleted" -> flags.add(Flags.Flag.DELETED);
                case "\\draft" -> flags.add(Flags.Flag.DRAFT);
                case "\\recent" -> flags.add(Flags.Flag.RECENT);
                default -> {
                    if (!flag.startsWith("\\")) {
                        flags.add(flag);
                    }
                }
            }
        }
        return flags;
    }

    /**
     * What the sessions need of an added or removed message is its UID; the rest of James's metadata is not used by
     * them, and reading it would cost a call per event.
     */
    private static TreeMap<MessageUid, MessageMetaData> placeholders(List<Long> uids, long modSeq) {
        TreeMap<MessageUid, MessageMetaData> metaData = new TreeMap<>();
        Date now = new Date();
        for (Long uid : uids) {
            ApiMessageId unknown = new ApiMessageId(0);
            metaData.put(MessageUid.of(uid), new MessageMetaData(MessageUid.of(uid), ModSeq.of(modSeq), new Flags(), 0,
                    now, Optional.empty(), unknown, ThreadId.fromBaseMessageId(unknown)));
        }
        return metaData;
    }

    private static Username user(Watch watch) {
        return Username.of(watch.account);
    }

    private static MailboxPath path(Watch watch) {
        return MailboxPath.forUser(Username.of(watch.account), "");
    }

    @Override
    public void close() {
        workers.shutdownNow();
        synchronized (this) {
            subscriptions.values().forEach(subscription -> subscription.subscription.close());
            subscriptions.clear();
            watches.clear();
        }
        source.close();
    }
}
