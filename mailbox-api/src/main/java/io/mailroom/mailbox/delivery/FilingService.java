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
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.message.MessageFlags;
import io.mailroom.mailbox.message.MessageWriter;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

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

    private final MailboxService mailboxes;
    private final MessageWriter writer;
    private final BlobStore blobs;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    FilingService(MailboxService mailboxes, MessageWriter writer, BlobStore blobs, JdbcClient jdbc,
                  TransactionTemplate transaction) {
        this.mailboxes = mailboxes;
        this.writer = writer;
        this.blobs = blobs;
        this.jdbc = jdbc;
        this.transaction = transaction;
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
            BatchItem item = outcome.item();
            if (outcome.filed() != null && !outcome.filed().duplicate()) {
                LOG.info("Filed delivery {} for {} as UID {} (message {}, {} bytes, batch of {})", item.deliveryId(),
                        item.address(), outcome.filed().uid(), outcome.filed().messageId(), content.size(), items.size());
            } else if (outcome.filed() != null) {
                duplicate(item.account(), item.deliveryId(), outcome.filed());
            } else {
                LOG.info("Delivery {} for {} refused: {} {}", item.deliveryId(), item.address(), outcome.refused().code(),
                        outcome.refused().getMessage());
            }
        }
        return List.of(outcomes);
    }

    private Map<Integer, BatchOutcome> fileChunk(List<BatchItem> items, List<Integer> chunk, MessageWriter.Prepared prepared) {
        try {
            return transaction.execute(status -> {
                Map<Integer, BatchOutcome> done = new java.util.HashMap<>();
                MessageWriter.ContentRow template = null;
                int copies = 0;
                for (int index : chunk) {
                    BatchItem item = items.get(index);
                    long accountId = item.account().id();
                    if (!claim(accountId, item.deliveryId())) {
                        done.put(index, new BatchOutcome(item, earlierOrThrow(accountId, item.deliveryId()), null));
                        continue;
                    }
                    long inboxId = mailboxes.inboxId(accountId);
                    Optional<MessageWriter.Added> added = writer.addCopy(accountId, inboxId, prepared, recent(), template);
                    if (added.isEmpty()) {
                        ApiProblem refused = writer.refusal(accountId, inboxId, prepared.content().size());
                        if (!ProblemCodes.QUOTA_EXCEEDED.equals(refused.code())) {
                            throw refused; // the INBOX went away under us: nothing of this chunk may stay
                        }
                        unclaim(accountId, item.deliveryId());
                        done.put(index, new BatchOutcome(item, null, refused));
                        continue;
                    }
                    template = new MessageWriter.ContentRow(accountId, added.get().metadata().emailId());
                    copies++;
                    done.put(index, new BatchOutcome(item, record(accountId, item.deliveryId(), added.get(), inboxId), null));
                }
                if (copies > 0) {
                    blobs.put(prepared.content(), copies);
                }
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
