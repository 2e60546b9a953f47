package io.mailroom.mailbox.delivery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.account.EmailAddress;
import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.event.ChangeLog;
import io.mailroom.mailbox.event.OutboxSignal;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.message.MessageFlags;
import io.mailroom.mailbox.message.MessageWriter;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Files a delivered message into an account's INBOX, exactly once per delivery id. The {@code deliveries} row is the
 * idempotency record: it keeps the result rather than a reference to the message, because it must outlive the message
 * (a redelivered queue message for mail the user has already deleted must not bring the mail back).
 *
 * <p>The filing transaction starts by claiming the delivery id: it inserts the {@code deliveries} row (with the
 * result filled in at the end) unless one exists. A concurrent request for the same delivery id (a queue redelivering
 * while the first attempt is still running) waits on that row's primary key until the first one ends, then finds the
 * row committed and answers with the first result; should the first one roll back, it files. The claim comes before
 * anything is counted, so a repeat is answered as a duplicate even when the account has since filled up.
 *
 * <p>A batch ({@link #fileBatch}) files one message for many recipients: parsed once, its body stored once with one
 * reference per copy, the recipients' copies written in a few transactions that take the accounts' locks in ascending
 * account order (the lock order of {@code QuotaService}, extended across accounts), each recipient with its own
 * outcome.
 */
@Service
public class FilingService {

    private static final Logger LOG = LoggerFactory.getLogger(FilingService.class);

    /** Recipients per transaction of a batch: bounds how long one batch holds the accounts' locks. */
    static final int RECIPIENTS_PER_TRANSACTION = 32;

    /**
     * Groups of single filings at work at once ({@link #file(String, String, SpooledContent)}): two keep both of a
     * small machine's cores busy (one group in PostgreSQL while the other is in the service) without putting every
     * request's transaction into PostgreSQL at once, where each filing costs more the more run beside it.
     */
    static final int CONCURRENT_GROUPS = 2;

    private final MailboxService mailboxes;
    private final MessageWriter writer;
    private final BlobStore blobs;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final ChangeLog changes;
    /** A plain JDBC transaction (no JPA EntityManager) for {@link #fileUnstaged}. */
    private final TransactionTemplate jdbcTransaction;
    private final OutboxSignal outbox;
    private final AccountService accounts;
    /** Single filings that arrive together, filed together ({@link #fileGroup}). */
    private final Coalescer<Grouped, BatchOutcome> groups;

    FilingService(MailboxService mailboxes, MessageWriter writer, BlobStore blobs, JdbcClient jdbc,
                  TransactionTemplate transaction, ChangeLog changes, javax.sql.DataSource dataSource,
                  OutboxSignal outbox, AccountService accounts, MeterRegistry meters) {
        this.accounts = accounts;
        this.mailboxes = mailboxes;
        this.writer = writer;
        this.blobs = blobs;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.changes = changes;
        this.jdbcTransaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.outbox = outbox;
        DistributionSummary sizes = DistributionSummary.builder("mailroom.filing.group.size")
                .description("single filings filed together in one group (one transaction)")
                .register(meters);
        this.groups = new Coalescer<>(this::fileGroup, RECIPIENTS_PER_TRANSACTION, CONCURRENT_GROUPS, sizes::record);
    }

    /**
     * Files a delivery for the account with this address (normalized, {@code EmailAddress.normalize}). A body of up to
     * {@link MessageWriter#STAGE_THRESHOLD} bytes is parsed here and filed in a group with the single filings that
     * arrive meanwhile ({@link #fileGroup}; alone when none does), answered as if filed on its own; a larger body is
     * staged and filed alone. A refused message (empty) answers 404 first when there is no such account, as a look-up
     * ahead would.
     *
     * @throws ApiProblem {@code account-not-found}, {@code quota-exceeded}, {@code validation}
     */
    public FiledMessageResponse file(String address, String deliveryId, SpooledContent content) {
        if (content.size() > MessageWriter.STAGE_THRESHOLD) {
            return file(accounts.require(address), deliveryId, content);
        }
        MessageWriter.Prepared prepared;
        try {
            prepared = writer.prepare(content);
        } catch (ApiProblem refused) {
            accounts.require(address);
            throw refused;
        }
        BatchOutcome outcome = groups.submit(new Grouped(address, deliveryId, prepared, changes.traceParent()));
        if (outcome.refused() != null) {
            throw outcome.refused();
        }
        FiledMessageResponse filed = outcome.filed();
        if (filed.duplicate()) {
            return duplicate(outcome.item().account(), deliveryId, filed);
        }
        LOG.info("Filed delivery {} for {} as UID {} (message {}, {} bytes)",
                deliveryId, address, filed.uid(), filed.messageId(), content.size());
        return filed;
    }

    /** A single filing of an unstaged body waiting for its group, with the trace context of its request. */
    record Grouped(String address, String deliveryId, MessageWriter.Prepared prepared, String traceParent) {
    }

    /**
     * Single filings that came in together ({@link #groups}), filed as {@link #fileEach} files a request's messages:
     * one transaction for the group (up to {@value #RECIPIENTS_PER_TRANSACTION}), the claims in one statement, ascending
     * account order, each message with its own outcome and its request's trace context in its change event. Where a
     * single filing pays a transaction, a commit and PostgreSQL's cost of running beside every other request's
     * transaction, a group pays them once. The callers log their outcomes (their threads carry their traces).
     */
    List<BatchOutcome> fileGroup(List<Grouped> group) {
        BatchOutcome[] outcomes = new BatchOutcome[group.size()];
        Map<String, Account> found = accounts.findAll(group.stream().map(Grouped::address).toList());
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            Grouped g = group.get(i);
            BatchItem item = item(found, g.address(), g.deliveryId());
            if (item.account() == null) {
                outcomes[i] = noSuchAccount(item);
            } else {
                pending.add(new Pending(i, item, g.prepared(), g.traceParent()));
            }
        }
        fileTogether(pending, outcomes);
        return List.of(outcomes);
    }

    public FiledMessageResponse file(Account account, String deliveryId, SpooledContent content) {
        if (content.size() > MessageWriter.STAGE_THRESHOLD) {
            // a large body is stored ahead of the transaction: not for a repeat
            Optional<FiledMessageResponse> earlier = earlier(account.id(), deliveryId);
            if (earlier.isPresent()) {
                return duplicate(account, deliveryId, earlier.get());
            }
        }
        MessageWriter.Prepared prepared = writer.prepare(content);
        if (content.size() <= MessageWriter.STAGE_THRESHOLD) {
            return fileUnstaged(account.address(), deliveryId, prepared, changes.traceParent());
        }
        try {
            FiledMessageResponse filed = transaction.execute(status -> fileOnce(account, deliveryId, prepared));
            if (filed.duplicate()) {
                return duplicate(account, deliveryId, filed);
            }
            LOG.info("Filed delivery {} for {} as UID {} (message {}, {} bytes)",
                    deliveryId, account.address(), filed.uid(), filed.messageId(), content.size());
            return filed;
        } catch (DataIntegrityViolationException race) {
            return earlier(account.id(), deliveryId).map(filed -> duplicate(account, deliveryId, filed)).orElseThrow(() -> race);
        }
    }

    /**
     * A body that was not staged is filed with two statements in a plain JDBC transaction (no JPA EntityManager): the
     * claim of the delivery id, which also finds the account by its address, then {@link MessageWriter#addDelivery};
     * a JPA transaction of ten statements before. The claim comes first, as in every filing (batches too), so twins
     * wait on each other's claims before either takes an account's locks, and a repeat is answered with the first
     * result even when the account has filled up since. Nothing claimed: no such account (404) or filed before.
     * {@code traceParent} goes into the message's change event.
     */
    private FiledMessageResponse fileUnstaged(String address, String deliveryId, MessageWriter.Prepared prepared,
                                              String traceParent) {
        Filing outcome;
        try {
            outcome = jdbcTransaction.execute(status -> {
                Optional<Long> claimed = claim(address, deliveryId);
                if (claimed.isEmpty()) {
                    return new Filing(null, null);
                }
                Optional<MessageWriter.Added> added = writer.addDelivery(claimed.get(), prepared, recent(), deliveryId,
                        traceParent);
                if (added.isEmpty()) {
                    status.setRollbackOnly();
                }
                return new Filing(claimed.get(), added.orElse(null));
            });
        } catch (DataIntegrityViolationException race) {
            Account account = accounts.require(address);
            return earlier(account.id(), deliveryId).map(filed -> duplicate(account, deliveryId, filed))
                    .orElseThrow(() -> race);
        }
        if (outcome.accountId() == null) {
            Account account = accounts.require(address);
            return duplicate(account, deliveryId, earlierOrThrow(account.id(), deliveryId));
        }
        if (outcome.added() == null) {
            throw writer.refusal(outcome.accountId(), mailboxes.inboxId(outcome.accountId()), prepared.content().size());
        }
        outbox.wake();
        MessageWriter.Added a = outcome.added();
        FiledMessageResponse filed = new FiledMessageResponse(a.messageId(), a.metadata().mailboxId(), a.metadata().uid(),
                a.metadata().modSeq(), false);
        LOG.info("Filed delivery {} for {} as UID {} (message {}, {} bytes)",
                deliveryId, address, filed.uid(), filed.messageId(), prepared.content().size());
        return filed;
    }

    /** What the two statements of {@link #fileUnstaged} did: the account claimed for (null: none) and the copy. */
    private record Filing(Long accountId, MessageWriter.Added added) {
    }

    /**
     * {@link #claim(long, String)} for the account with this (normalized) address, found by the same statement: its id,
     * or empty when there is no such account or the delivery id has a record already (after waiting for a twin that
     * holds the claim to end).
     */
    private Optional<Long> claim(String address, String deliveryId) {
        return jdbc.sql("""
                        INSERT INTO deliveries (account_id, delivery_id, message_id, mailbox_id, uid, modseq)
                        SELECT id, ?, 0, 0, 0, 0 FROM accounts WHERE address = ?
                        ON CONFLICT (account_id, delivery_id) DO NOTHING
                        RETURNING account_id""")
                .params(deliveryId, address)
                .query(Long.class)
                .optional();
    }

    private FiledMessageResponse fileOnce(Account account, String deliveryId, MessageWriter.Prepared prepared) {
        if (!claim(account.id(), deliveryId)) {
            return earlierOrThrow(account.id(), deliveryId);
        }
        long inboxId = mailboxes.inboxId(account.id());
        // \Recent: no IMAP session has seen it yet (RFC 3501 §2.3.2)
        MessageWriter.Added added = writer.add(account.id(), inboxId, prepared, recent(), null);
        return record(account.id(), deliveryId, added, inboxId);
    }

    /** One recipient of a batch: the account (null when there is no such account) and its delivery id. */
    public record BatchItem(String address, Account account, String deliveryId) {
    }

    /** A recipient's outcome: {@code filed} when filed (now or before), else the problem that kept it out. */
    public record BatchOutcome(BatchItem item, FiledMessageResponse filed, ApiProblem refused) {
    }

    /**
     * Files one message for every recipient, each exactly once per its delivery id; outcomes in the order of
     * {@code items}. A recipient that cannot take the message (no such account, quota used up) gets its problem and
     * does not hold up the others.
     */
    public List<BatchOutcome> fileBatch(List<BatchItem> items, SpooledContent content) {
        BatchOutcome[] outcomes = new BatchOutcome[items.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).account() == null) {
                outcomes[i] = new BatchOutcome(items.get(i), null,
                        ApiProblem.notFound(ProblemCodes.ACCOUNT_NOT_FOUND, "no account " + items.get(i).address()));
            } else {
                order.add(i);
            }
        }
        if (!order.isEmpty()) {
            // ascending account id: two batches (or a batch and a single filing) never wait on each other in a cycle
            order.sort(Comparator.comparingLong((Integer i) -> items.get(i).account().id()).thenComparingInt(i -> i));
            MessageWriter.Prepared prepared = writer.prepare(content);
            for (int start = 0; start < order.size(); start += RECIPIENTS_PER_TRANSACTION) {
                List<Integer> chunk = order.subList(start, Math.min(order.size(), start + RECIPIENTS_PER_TRANSACTION));
                Map<Integer, BatchOutcome> done = fileChunk(items, chunk, prepared);
                done.forEach((index, outcome) -> outcomes[index] = outcome);
            }
        }
        for (BatchOutcome outcome : outcomes) {
            log(outcome, content.size(), "batch of " + items.size());
        }
        return List.of(outcomes);
    }

    /**
     * One transaction of a batch. The statements that do not depend on each other are set-based: the chunk's delivery
     * ids are claimed with one statement, and the delivery records and change events of the copies filed are written
     * with one statement each at the end (the mailboxes' row locks are still held then, so the outbox keeps MODSEQ order
     * per mailbox). What is per copy is what takes a UID from its own mailbox.
     */
    private Map<Integer, BatchOutcome> fileChunk(List<BatchItem> items, List<Integer> chunk, MessageWriter.Prepared prepared) {
        try {
            return transaction.execute(status -> {
                Map<Integer, BatchOutcome> done = new java.util.HashMap<>();
                java.util.Set<String> claimed = claimAll(chunk.stream().map(items::get).toList());
                List<Integer> filedIndexes = new ArrayList<>();
                List<FiledMessageResponse> filed = new ArrayList<>();
                List<ChangeLog.AddedMessage> added = new ArrayList<>();
                Map<String, Integer> firstOfKey = new java.util.HashMap<>();
                Map<Integer, Integer> repeats = new java.util.HashMap<>();
                MessageWriter.ContentRow template = null;
                for (int index : chunk) {
                    BatchItem item = items.get(index);
                    long accountId = item.account().id();
                    Integer first = firstOfKey.putIfAbsent(claimKey(accountId, item.deliveryId()), index);
                    if (first != null) {
                        // the same delivery id twice in one request: one claim, one copy; the repeat answers as a repeat
                        repeats.put(index, first);
                        continue;
                    }
                    if (!claimed.contains(claimKey(accountId, item.deliveryId()))) {
                        done.put(index, new BatchOutcome(item, earlierOrThrow(accountId, item.deliveryId()), null));
                        continue;
                    }
                    long inboxId = mailboxes.inboxId(accountId);
                    Optional<MessageWriter.Added> copy = writer.addCopy(accountId, inboxId, prepared, recent(), template);
                    if (copy.isEmpty()) {
                        ApiProblem refused = writer.refusal(accountId, inboxId, prepared.content().size());
                        if (!ProblemCodes.QUOTA_EXCEEDED.equals(refused.code())) {
                            throw refused; // the INBOX went away under us: nothing of this chunk may stay
                        }
                        unclaim(accountId, item.deliveryId());
                        done.put(index, new BatchOutcome(item, null, refused));
                        continue;
                    }
                    MessageWriter.Added a = copy.get();
                    template = new MessageWriter.ContentRow(accountId, a.metadata().emailId());
                    added.add(new ChangeLog.AddedMessage(accountId, inboxId, a.metadata().uid(), a.metadata().modSeq()));
                    filedIndexes.add(index);
                    filed.add(new FiledMessageResponse(a.messageId(), inboxId, a.metadata().uid(), a.metadata().modSeq(), false));
                }
                if (!filed.isEmpty()) {
                    recordAll(items, filedIndexes, filed);
                    changes.messagesAdded(added);
                    blobs.put(prepared.content(), filed.size());
                    for (int i = 0; i < filed.size(); i++) {
                        done.put(filedIndexes.get(i), new BatchOutcome(items.get(filedIndexes.get(i)), filed.get(i), null));
                    }
                }
                repeats.forEach((index, first) -> {
                    BatchOutcome outcome = done.get(first);
                    FiledMessageResponse f = outcome.filed();
                    done.put(index, new BatchOutcome(items.get(index), f == null ? null
                            : new FiledMessageResponse(f.messageId(), f.mailboxId(), f.uid(), f.modSeq(), true), outcome.refused()));
                });
                return done;
            });
        } catch (DataIntegrityViolationException race) {
            // a twin got past the claim (it cannot, but the primary key is the backstop): answer each from the records
            Map<Integer, BatchOutcome> done = new java.util.HashMap<>();
            for (int index : chunk) {
                BatchItem item = items.get(index);
                done.put(index, new BatchOutcome(item, earlier(item.account().id(), item.deliveryId()).orElseThrow(() -> race), null));
            }
            return done;
        }
    }

    /** One message of {@link #fileEach}: for the account with this address, under its delivery id. */
    public record Delivery(String address, String deliveryId, SpooledContent content) {
    }

    /**
     * Files many messages, each for its own account under its own delivery id, each exactly once per delivery id, in
     * few transactions (delivery-service, for the messages it took off the queue together): what a single filing
     * does, per message, without a request and a commit for each. Outcomes in the order of {@code deliveries}; a
     * message that cannot be filed (no such account, quota used up, not a message) gets its problem and does not hold
     * up the others. A message above {@link MessageWriter#STAGE_THRESHOLD} is filed on its own, as the single call
     * files it. The others go in transactions of up to {@value #RECIPIENTS_PER_TRANSACTION}, in ascending account
     * order (the lock order of every batch); should one of them fail as a whole, its messages are filed one by one.
     */
    public List<BatchOutcome> fileEach(List<Delivery> deliveries) {
        BatchOutcome[] outcomes = new BatchOutcome[deliveries.size()];
        Map<String, Account> found = accounts.findAll(deliveries.stream().map(Delivery::address).toList());
        String traceParent = changes.traceParent();
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < deliveries.size(); i++) {
            Delivery delivery = deliveries.get(i);
            BatchItem item = item(found, delivery.address(), delivery.deliveryId());
            Account account = item.account();
            if (account == null) {
                outcomes[i] = noSuchAccount(item);
                continue;
            }
            try {
                if (delivery.content().size() > MessageWriter.STAGE_THRESHOLD) {
                    outcomes[i] = new BatchOutcome(item, file(account, delivery.deliveryId(), delivery.content()), null);
                } else {
                    pending.add(new Pending(i, item, writer.prepare(delivery.content()), traceParent));
                }
            } catch (ApiProblem refused) {
                outcomes[i] = new BatchOutcome(item, null, refused);
            }
        }
        fileTogether(pending, outcomes);
        for (int i = 0; i < outcomes.length; i++) {
            log(outcomes[i], deliveries.get(i).content().size(), deliveries.size() + " messages in the request");
        }
        return List.of(outcomes);
    }

    /** The log line of one outcome of a batch: filed (with {@code how}: which kind of batch), a repeat, or refused. */
    private static void log(BatchOutcome outcome, long size, String how) {
        BatchItem item = outcome.item();
        if (outcome.filed() != null && !outcome.filed().duplicate()) {
            LOG.info("Filed delivery {} for {} as UID {} (message {}, {} bytes, {})", item.deliveryId(), item.address(),
                    outcome.filed().uid(), outcome.filed().messageId(), size, how);
        } else if (outcome.filed() != null) {
            duplicate(item.account(), item.deliveryId(), outcome.filed());
        } else {
            LOG.info("Delivery {} for {} refused: {} {}", item.deliveryId(), item.address(), outcome.refused().code(),
                    outcome.refused().getMessage());
        }
    }

    /** A message of {@link #fileEach} or {@link #fileGroup} with its account among those found (null: none). */
    private static BatchItem item(Map<String, Account> found, String address, String deliveryId) {
        return new BatchItem(address, found.get(EmailAddress.normalize(address)), deliveryId);
    }

    private static BatchOutcome noSuchAccount(BatchItem item) {
        return new BatchOutcome(item, null, ApiProblem.notFound(ProblemCodes.ACCOUNT_NOT_FOUND, "no account " + item.address()));
    }

    /**
     * Files parsed messages in transactions of up to {@value #RECIPIENTS_PER_TRANSACTION}, putting each outcome at its
     * {@code index} in {@code outcomes}.
     */
    private void fileTogether(List<Pending> pending, BatchOutcome[] outcomes) {
        // ascending account id, then delivery id: batches and single filings never wait on each other in a cycle
        pending.sort(Comparator.comparingLong((Pending p) -> p.item().account().id())
                .thenComparing((Pending p) -> p.item().deliveryId()).thenComparingInt(Pending::index));
        for (int start = 0; start < pending.size(); start += RECIPIENTS_PER_TRANSACTION) {
            List<Pending> chunk = pending.subList(start, Math.min(pending.size(), start + RECIPIENTS_PER_TRANSACTION));
            for (Map.Entry<Integer, BatchOutcome> done : fileEachChunk(chunk).entrySet()) {
                outcomes[done.getKey()] = done.getValue();
            }
        }
    }

    /**
     * A message of {@link #fileEach} or {@link #fileGroup} parsed and waiting for its transaction; {@code index} in the
     * request or group, {@code traceParent} for its change event.
     */
    private record Pending(int index, BatchItem item, MessageWriter.Prepared prepared, String traceParent) {
    }

    /**
     * One transaction of {@link #fileEach}: the chunk's delivery ids claimed with one statement ({@link #claimAll}, rows
     * in the chunk's order), then {@link MessageWriter#addDelivery} per message claimed; a message the quota refuses
     * gives its claim back and the others stay. The same delivery id twice in the request files one copy; the repeat
     * answers as a repeat. If the transaction fails as a whole (a deadlock with another filing over a shared body, a
     * twin's race), each message is filed on its own instead.
     */
    private Map<Integer, BatchOutcome> fileEachChunk(List<Pending> chunk) {
        Map<Integer, BatchOutcome> done = new java.util.HashMap<>();
        List<Pending> refused = new ArrayList<>();
        Map<Integer, Integer> repeats = new java.util.HashMap<>();
        try {
            jdbcTransaction.executeWithoutResult(status -> {
                java.util.Set<String> claimed = claimAll(chunk.stream().map(Pending::item).toList());
                Map<String, Integer> firstOfKey = new java.util.HashMap<>();
                for (Pending p : chunk) {
                    long accountId = p.item().account().id();
                    String deliveryId = p.item().deliveryId();
                    Integer first = firstOfKey.putIfAbsent(claimKey(accountId, deliveryId), p.index());
                    if (first != null) {
                        repeats.put(p.index(), first);
                        continue;
                    }
                    if (!claimed.contains(claimKey(accountId, deliveryId))) {
                        done.put(p.index(), new BatchOutcome(p.item(), earlierOrThrow(accountId, deliveryId), null));
                        continue;
                    }
                    Optional<MessageWriter.Added> added = writer.addDelivery(accountId, p.prepared(), recent(), deliveryId,
                            p.traceParent());
                    if (added.isEmpty()) {
                        unclaim(accountId, deliveryId);
                        refused.add(p);
                        continue;
                    }
                    MessageWriter.Added a = added.get();
                    done.put(p.index(), new BatchOutcome(p.item(), new FiledMessageResponse(a.messageId(),
                            a.metadata().mailboxId(), a.metadata().uid(), a.metadata().modSeq(), false), null));
                }
            });
        } catch (RuntimeException failed) {
            LOG.warn("A transaction of {} messages failed ({}): filing them one by one", chunk.size(), failed.toString());
            done.clear();
            for (Pending p : chunk) {
                done.put(p.index(), fileAlone(p));
            }
            return done;
        }
        if (done.values().stream().anyMatch(outcome -> !outcome.filed().duplicate())) {
            outbox.wake(); // the change events of the copies filed
        }
        for (Pending p : refused) {
            long accountId = p.item().account().id();
            done.put(p.index(), new BatchOutcome(p.item(), null,
                    writer.refusal(accountId, mailboxes.inboxId(accountId), p.prepared().content().size())));
        }
        for (Pending p : chunk) {
            Integer first = repeats.get(p.index());
            if (first != null) {
                BatchOutcome outcome = done.get(first);
                FiledMessageResponse f = outcome.filed();
                done.put(p.index(), new BatchOutcome(p.item(), f == null ? null
                        : new FiledMessageResponse(f.messageId(), f.mailboxId(), f.uid(), f.modSeq(), true), outcome.refused()));
            }
        }
        return done;
    }

    private BatchOutcome fileAlone(Pending p) {
        try {
            return new BatchOutcome(p.item(), fileUnstaged(p.item().account().address(), p.item().deliveryId(), p.prepared(),
                    p.traceParent()), null);
        } catch (ApiProblem refused) {
            return new BatchOutcome(p.item(), null, refused);
        }
    }

    private static String claimKey(long accountId, String deliveryId) {
        return accountId + " " + deliveryId;
    }

    /**
     * {@link #claim} for a chunk, in one statement: the keys ({@link #claimKey}) of the delivery ids this transaction
     * claimed. Rows go in in the chunk's order (ascending account), so two twins of a batch wait on each other's claims
     * in one order, never in a cycle; a claim held by an uncommitted twin is waited for, as a single claim is.
     */
    private java.util.Set<String> claimAll(List<BatchItem> chunk) {
        Long[] accounts = new Long[chunk.size()];
        String[] deliveryIds = new String[chunk.size()];
        for (int i = 0; i < chunk.size(); i++) {
            BatchItem item = chunk.get(i);
            accounts[i] = item.account().id();
            deliveryIds[i] = item.deliveryId();
        }
        return new java.util.HashSet<>(jdbc.sql("""
                        INSERT INTO deliveries (account_id, delivery_id, message_id, mailbox_id, uid, modseq)
                        SELECT a, d, 0, 0, 0, 0
                          FROM unnest(:accounts::bigint[], :deliveryIds::text[]) WITH ORDINALITY AS t(a, d, position)
                         ORDER BY position
                        ON CONFLICT (account_id, delivery_id) DO NOTHING
                        RETURNING account_id, delivery_id""")
                .param("accounts", accounts)
                .param("deliveryIds", deliveryIds)
                .query((rs, row) -> claimKey(rs.getLong("account_id"), rs.getString("delivery_id")))
                .list());
    }

    /** {@link #record} for the copies of a chunk, in one statement. */
    private void recordAll(List<BatchItem> items, List<Integer> indexes, List<FiledMessageResponse> filed) {
        int n = filed.size();
        Long[] accounts = new Long[n];
        String[] deliveryIds = new String[n];
        Long[] messageIds = new Long[n];
        Long[] mailboxIds = new Long[n];
        Long[] uids = new Long[n];
        Long[] modSeqs = new Long[n];
        for (int i = 0; i < n; i++) {
            BatchItem item = items.get(indexes.get(i));
            FiledMessageResponse f = filed.get(i);
            accounts[i] = item.account().id();
            deliveryIds[i] = item.deliveryId();
            messageIds[i] = f.messageId();
            mailboxIds[i] = f.mailboxId();
            uids[i] = f.uid();
            modSeqs[i] = f.modSeq();
        }
        int updated = jdbc.sql("""
                        UPDATE deliveries d
                           SET message_id = t.message_id, mailbox_id = t.mailbox_id, uid = t.uid, modseq = t.modseq
                          FROM unnest(:accounts::bigint[], :deliveryIds::text[], :messageIds::bigint[], :mailboxIds::bigint[],
                                      :uids::bigint[], :modSeqs::bigint[]) AS t(account_id, delivery_id, message_id, mailbox_id, uid, modseq)
                         WHERE d.account_id = t.account_id AND d.delivery_id = t.delivery_id""")
                .param("accounts", accounts)
                .param("deliveryIds", deliveryIds)
                .param("messageIds", messageIds)
                .param("mailboxIds", mailboxIds)
                .param("uids", uids)
                .param("modSeqs", modSeqs)
                .update();
        if (updated != n) {
            // the claims were made in this transaction: a record missing now is a bug, and nothing of it may commit
            throw new IllegalStateException("recorded " + updated + " of " + n + " deliveries");
        }
    }

    /** Inserts the delivery's record with the result still blank; false when the delivery id has one already. */
    private boolean claim(long accountId, String deliveryId) {
        return jdbc.sql("""
                        INSERT INTO deliveries (account_id, delivery_id, message_id, mailbox_id, uid, modseq)
                        VALUES (?, ?, 0, 0, 0, 0)
                        ON CONFLICT (account_id, delivery_id) DO NOTHING""")
                .params(accountId, deliveryId)
                .update() > 0;
    }

    private void unclaim(long accountId, String deliveryId) {
        jdbc.sql("DELETE FROM deliveries WHERE account_id = ? AND delivery_id = ?").params(accountId, deliveryId).update();
    }

    private FiledMessageResponse record(long accountId, String deliveryId, MessageWriter.Added added, long inboxId) {
        jdbc.sql("UPDATE deliveries SET message_id = ?, mailbox_id = ?, uid = ?, modseq = ? WHERE account_id = ? AND delivery_id = ?")
                .params(added.messageId(), inboxId, added.metadata().uid(), added.metadata().modSeq(), accountId, deliveryId)
                .update();
        return new FiledMessageResponse(added.messageId(), inboxId, added.metadata().uid(), added.metadata().modSeq(), false);
    }

    /** \Recent: no IMAP session has seen a delivered message yet (RFC 3501 §2.3.2). */
    private static MessageFlags.Parsed recent() {
        return new MessageFlags.Parsed(MessageFlags.RECENT, List.of());
    }

    private FiledMessageResponse earlierOrThrow(long accountId, String deliveryId) {
        // a statement of its own, after the claim waited: its snapshot sees the twin that committed meanwhile
        return earlier(accountId, deliveryId).orElseThrow(() -> new IllegalStateException(
                "delivery " + deliveryId + " was claimed but its record is gone"));
    }

    /** The record of an earlier filing of this delivery id, which must outlive its message (see the class comment). */
    private Optional<FiledMessageResponse> earlier(long accountId, String deliveryId) {
        return jdbc.sql("SELECT message_id, mailbox_id, uid, modseq FROM deliveries WHERE account_id = ? AND delivery_id = ?")
                .params(accountId, deliveryId)
                .query((rs, row) -> new FiledMessageResponse(rs.getLong("message_id"), rs.getLong("mailbox_id"),
                        rs.getLong("uid"), rs.getLong("modseq"), true))
                .optional();
    }

    private static FiledMessageResponse duplicate(Account account, String deliveryId, FiledMessageResponse filed) {
        LOG.info("Delivery {} for {} was filed before as UID {}; nothing stored", deliveryId, account.address(), filed.uid());
        return filed;
    }
}
