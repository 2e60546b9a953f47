package io.mailroom.mailbox.event;

import java.sql.Array;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;

/**
 * Moves committed events from the outbox to the {@link EventPublisher}: woken by every commit that wrote events
 * ({@link OutboxSignal}) and, for events other replicas wrote, every poll interval. One relay publishes at a time across
 * all replicas (a transaction-scoped advisory lock), taking events in outbox-id order, which is MODSEQ order within a
 * mailbox; publish and delete happen in one transaction. With PostgreSQL NOTIFY that transaction is a single statement
 * ({@link PostgresEventPublisher#RELAY}); a broker's publish (RabbitMQ) needs the events in Java, so its pass is a
 * transaction of several statements.
 */
class OutboxRelay implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    /** The advisory lock that makes one relay publish at a time ("mroutbox"). */
    private static final long RELAY_LOCK = 0x6d726f7574626f78L;
    private static final long COALESCE_MILLIS = 5;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final EventPublisher publisher;
    private final OutboxSignal signal;
    private final Duration pollInterval;
    private final int batchSize;
    private final Counter published;
    private final Counter failures;
    private volatile boolean running;
    private Thread thread;

    OutboxRelay(JdbcClient jdbc, TransactionTemplate transaction, EventPublisher publisher, OutboxSignal signal,
                Duration pollInterval, int batchSize, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.publisher = publisher;
        this.signal = signal;
        this.pollInterval = pollInterval;
        this.batchSize = batchSize;
        this.published = Counter.builder("mailroom.events.published").description("change events handed to the broker")
                .register(meters);
        this.failures = Counter.builder("mailroom.events.publish.failures").description("failed publish attempts")
                .register(meters);
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofPlatform().name("mailroom-outbox-relay").daemon(true).start(this::loop);
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void loop() {
        long backoff = 0;
        while (running) {
            try {
                signal.await(backoff > 0 ? backoff : pollInterval.toMillis());
                // a moment for the commits right behind this one, so a busy server publishes a batch per transaction
                // rather than a transaction per event
                Thread.sleep(COALESCE_MILLIS);
                drain();
                backoff = 0;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failures.increment();
                backoff = Math.min(10_000, Math.max(250, backoff * 2));
                if (running) {
                    LOG.warn("Change events: publishing failed ({}); the events stay in the outbox, retrying in {} ms",
                            e.getCause() != null ? e.getCause().toString() : e.toString(), backoff);
                }
            }
        }
    }

    /** Publishes everything in the outbox, a batch per transaction; returns how many events left. */
    int drain() {
        int total = 0;
        while (true) {
            Integer sent = publisher instanceof PostgresEventPublisher postgres
                    ? Integer.valueOf(postgres.relay(RELAY_LOCK, batchSize)) // a whole pass in one statement
                    : transaction.execute(status -> {
                boolean mine = jdbc.sql("SELECT pg_try_advisory_xact_lock(?)").param(RELAY_LOCK).query(Boolean.class).single();
                if (!mine) {
                    return -1; // another replica is relaying right now
                }
                List<MailboxChangeEvent> events = jdbc.sql("""
                                SELECT o.id, o.account_id, a.address, o.mailbox_id, o.kind, o.uids, o.modseq,
                                       o.mailbox_name, o.created_at, o.trace_parent
                                  FROM event_outbox o LEFT JOIN accounts a ON a.id = o.account_id
                                 ORDER BY o.id
                                 LIMIT ?""")
                        .param(batchSize)
                        .query((rs, row) -> {
                            Array uids = rs.getArray("uids");
                            List<Long> list = new ArrayList<>();
                            for (Long uid : (Long[]) uids.getArray()) {
                                list.add(uid);
                            }
                            return new MailboxChangeEvent(rs.getLong("id"), rs.getLong("account_id"), rs.getString("address"),
                                    rs.getLong("mailbox_id"), MailboxChangeEvent.Kind.valueOf(rs.getString("kind")), list,
                                    rs.getLong("modseq"), rs.getString("mailbox_name"), rs.getTimestamp("created_at").toInstant(),
                                    rs.getString("trace_parent") == null ? java.util.Map.of()
                                            : java.util.Map.of(ChangeLog.TRACE_PARENT, rs.getString("trace_parent")));
                        })
                        .list();
                if (events.isEmpty()) {
                    return 0;
                }
                try {
                    publisher.publish(events);
                } catch (Exception e) {
                    throw new IllegalStateException("publish failed", e);
                }
                jdbc.sql("DELETE FROM event_outbox WHERE id = ANY(?)")
                        .param(events.stream().map(MailboxChangeEvent::eventId).toArray(Long[]::new))
                        .update();
                return events.size();
            });
            if (sent == null || sent <= 0) {
                return total;
            }
            published.increment(sent);
            total += sent;
            if (sent < batchSize) {
                return total;
            }
        }
    }
}
