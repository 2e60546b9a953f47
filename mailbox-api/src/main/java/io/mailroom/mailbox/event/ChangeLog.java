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
    public static final int MAX_UIDS_PER_EVENT = 500;

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
        for (int start = 0; start < changes.size(); start += MAX_UIDS_PER_EVENT) {
            List<Change> chunk = changes.subList(start, Math.min(changes.size(), start + MAX_UIDS_PER_EVENT));
            uids.clear();
            long highest = 0;
            for (Change change : chunk) {
                uids.add(change.uid());
                highest = Math.max(highest, change.modSeq());
            }
            insert(accountId, mailboxId, kind, uids.stream().sorted().toArray(Long[]::new), highest, null);
        }
    }

    /** One message added to one mailbox: what {@link #messagesAdded} records. */
    public record AddedMessage(long accountId, long mailboxId, long uid, long modSeq) {
    }

    /**
     * Records one {@code MESSAGES_ADDED} event per message, for messages in different mailboxes (the copies of a
     * message filed for many recipients), with one statement. Outbox ids follow the order of {@code added}, which must
     * be the order the MODSEQs were taken in for any one mailbox.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void messagesAdded(List<AddedMessage> added) {
        if (added.isEmpty()) {
            return;
        }
        int n = added.size();
        Long[] accounts = new Long[n];
        Long[] mailboxes = new Long[n];
        Long[] uids = new Long[n];
        Long[] modSeqs = new Long[n];
        for (int i = 0; i < n; i++) {
            AddedMessage message = added.get(i);
            accounts[i] = message.accountId();
            mailboxes[i] = message.mailboxId();
            uids[i] = message.uid();
            modSeqs[i] = message.modSeq();
        }
        // identity values are drawn as the rows come out of the ORDER BY, so ids follow the list
        jdbc.sql("""
                        INSERT INTO event_outbox (account_id, mailbox_id, kind, uids, modseq, trace_parent)
                        SELECT a, m, CAST(:kind AS text), ARRAY[u], s, CAST(:traceParent AS text)
                          FROM unnest(:accounts::bigint[], :mailboxes::bigint[], :uids::bigint[], :modSeqs::bigint[])
                               WITH ORDINALITY AS t(a, m, u, s, position)
                         ORDER BY position""")
                .param("kind", Kind.MESSAGES_ADDED.name())
                .param("traceParent", traceParent())
                .param("accounts", accounts)
                .param("mailboxes", mailboxes)
                .param("uids", uids)
                .param("modSeqs", modSeqs)
                .update();
        wakeAfterCommit();
    }

    /** Records a change to a mailbox itself (created, renamed, deleted). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void mailbox(long accountId, long mailboxId, Kind kind, long modSeq, String mailboxName) {
        insert(accountId, mailboxId, kind, new Long[0], modSeq, mailboxName);
    }

    /** The W3C {@code traceparent} of the request making the change, or null when it is not traced. */
    public String traceParent() {
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
        wakeAfterCommit();
    }

    /**
     * For a write path that inserts its {@code event_outbox} row within a statement of its own (one statement for the
     * whole change): wakes the relay when the transaction commits, as the methods above do.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recordedByCaller() {
        wakeAfterCommit();
    }

    private void wakeAfterCommit() {
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
