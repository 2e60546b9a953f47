package io.mailroom.mailbox.event;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * Writes change events to the outbox in the transaction that makes the change, so an event exists exactly when its
 * change committed; the {@link OutboxRelay} publishes them after the commit. Every write path of mailbox-api calls this
 * after it allocated its MODSEQs (while it holds the mailbox's row lock), which makes outbox ids ascend in MODSEQ
 * order for each mailbox.
 */
@Component
public class ChangeLog {

    /** UIDs per event: keeps a PostgreSQL NOTIFY payload (at most 8000 bytes) safe with 10-digit UIDs. */
    static final int MAX_UIDS_PER_EVENT = 500;

    /** The W3C trace context field an event carries (docs/events.md). */
    public static final String TRACE_PARENT = "traceparent";

    private final JdbcClient jdbc;
    private final OutboxSignal signal;
    private final Tracer tracer;
    private final Propagator propagator;

    ChangeLog(JdbcClient jdbc, OutboxSignal signal, ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.jdbc = jdbc;
        this.signal = signal;
        this.tracer = tracer.getIfUnique(() -> Tracer.NOOP);
        this.propagator = propagator.getIfUnique(() -> Propagator.NOOP);
    }

    /** One message UID and the MODSEQ its change took. */
    public record Change(long uid, long modSeq) {
    }

    /**
     * Records a change of messages. Changes are in ascending MODSEQ order; very many are split into several events, each
     * carrying the highest MODSEQ among its own messages, so a consumer that saw one event has seen all before it.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void messages(long accountId, long mailboxId, Kind kind, List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        List<Long> uids = new ArrayList<>();
        List<Long> modSeqs = new ArrayList<>();
        for (int start = 0; start < changes.size(); start += MAX_UIDS_PER_EVENT) {
            List<Change> chunk = changes.subList(start, Math.min(changes.size(), start + MAX_UIDS_PER_EVENT));
            uids.clear();
            long highest = 0;
            for (Change change : chunk) {
                uids.add(change.uid());
                highest = Math.max(highest, change.modSeq());
            }
            insert(accountId, mailboxId, kind, uids.stream().sorted().toArray(Long[]::new), highest, null);
            modSeqs.add(highest);
        }
    }

    /** Records a change to a mailbox itself (created, renamed, deleted). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void mailbox(long accountId, long mailboxId, Kind kind, long modSeq, String mailboxName) {
        insert(accountId, mailboxId, kind, new Long[0], modSeq, mailboxName);
    }

    /** The W3C {@code traceparent} of the request making the change, or null when it is not traced. */
    private String traceParent() {
        Span span = tracer.currentSpan();
        if (span == null) {
            return null;
        }
        String[] traceParent = new String[1];
        propagator.inject(span.context(), null, (carrier, key, value) -> {
            if (TRACE_PARENT.equals(key)) {
                traceParent[0] = value;
            }
        });
        return traceParent[0];
    }

    private void insert(long accountId, long mailboxId, Kind kind, Long[] uids, long modSeq, String mailboxName) {
        jdbc.sql("""
                        INSERT INTO event_outbox (account_id, mailbox_id, kind, uids, modseq, mailbox_name, trace_parent)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .params(accountId, mailboxId, kind.name(), uids, modSeq, mailboxName, traceParent())
                .update();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    signal.wake();
                }
            });
        }
    }
}
