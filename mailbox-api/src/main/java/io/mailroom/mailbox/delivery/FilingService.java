package io.mailroom.mailbox.delivery;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.message.MessageFlags;
import io.mailroom.mailbox.message.MessageWriter;

/**
 * Files a delivered message into an account's INBOX, exactly once per delivery id. The {@code deliveries} row is the
 * idempotency record: it keeps the result rather than a reference to the message, because it must outlive the message
 * (a redelivered queue message for mail the user has already deleted must not bring the mail back).
 *
 * <p>Concurrent requests for the same delivery id (a queue redelivering while the first attempt is still running)
 * are serialised on a transaction-scoped advisory lock keyed by account and delivery id; the second one then
 * finds the first one's record and answers with it. The primary key of {@code deliveries} is the backstop should
 * two ever get past the lock (a hash collision only makes unrelated deliveries wait, never merges them).
 */
@Service
public class FilingService {

    private static final Logger LOG = LoggerFactory.getLogger(FilingService.class);

    private final MailboxService mailboxes;
    private final MessageWriter writer;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    FilingService(MailboxService mailboxes, MessageWriter writer, JdbcClient jdbc, TransactionTemplate transaction) {
        this.mailboxes = mailboxes;
        this.writer = writer;
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    public FiledMessageResponse file(Account account, String deliveryId, SpooledContent content) {
        Optional<FiledMessageResponse> earlier = earlier(account.id(), deliveryId);
        if (earlier.isPresent()) {
            return duplicate(account, deliveryId, earlier.get());
        }
        MessageWriter.Prepared prepared = writer.prepare(content);
        try {
            FiledMessageResponse filed = transaction.execute(status -> fileOnce(account, deliveryId, prepared));
            if (!filed.duplicate()) {
                LOG.info("Filed delivery {} for {} as UID {} (message {}, {} bytes)",
                        deliveryId, account.address(), filed.uid(), filed.messageId(), content.size());
            }
            return filed;
        } catch (DataIntegrityViolationException race) {
            return earlier(account.id(), deliveryId).map(filed -> duplicate(account, deliveryId, filed)).orElseThrow(() -> race);
        }
    }

    private FiledMessageResponse fileOnce(Account account, String deliveryId, MessageWriter.Prepared prepared) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")
                .param("delivery:" + account.id() + ":" + deliveryId)
                .query((rs, row) -> 0)
                .list();
        // a statement of its own, after the lock: its snapshot sees a concurrent twin that committed meanwhile
        Optional<FiledMessageResponse> earlier = earlier(account.id(), deliveryId);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        long inboxId = mailboxes.inboxId(account.id());
        // \Recent: no IMAP session has seen it yet (RFC 3501 §2.3.2)
        MessageWriter.Added added = writer.add(account.id(), inboxId, prepared,
                new MessageFlags.Parsed(MessageFlags.RECENT, List.of()), null);
        jdbc.sql("""
                        INSERT INTO deliveries (account_id, delivery_id, message_id, mailbox_id, uid, modseq)
                        VALUES (?, ?, ?, ?, ?, ?)""")
                .params(account.id(), deliveryId, added.messageId(), inboxId, added.metadata().uid(), added.metadata().modSeq())
                .update();
        return new FiledMessageResponse(added.messageId(), inboxId, added.metadata().uid(), added.metadata().modSeq(), false);
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
