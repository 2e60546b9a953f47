package io.mailroom.mailbox.delivery;

import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.mailbox.MailboxCounters;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.message.Message;
import io.mailroom.mailbox.message.MessageParser;
import io.mailroom.mailbox.message.MessageRepository;
import io.mailroom.mailbox.message.ParsedMessage;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Files a delivered message into an account's INBOX, exactly once per delivery id.
 *
 * <p>Concurrent requests for the same delivery id (a queue redelivering while the first attempt is still running)
 * are serialised on a transaction-scoped advisory lock keyed by account and delivery id; the second one then
 * finds the first one's record and answers with it. The primary key of {@code deliveries} is the backstop should
 * two ever get past the lock (a hash collision only makes unrelated deliveries wait, never merges them).
 */
@Service
public class FilingService {

    private static final Logger LOG = LoggerFactory.getLogger(FilingService.class);

    private final DeliveryRepository deliveries;
    private final MessageRepository messages;
    private final MailboxService mailboxes;
    private final MailboxCounters counters;
    private final BlobStore blobs;
    private final MessageParser parser;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    FilingService(DeliveryRepository deliveries, MessageRepository messages, MailboxService mailboxes,
                  MailboxCounters counters, BlobStore blobs, MessageParser parser, JdbcClient jdbc,
                  TransactionTemplate transaction) {
        this.deliveries = deliveries;
        this.messages = messages;
        this.mailboxes = mailboxes;
        this.counters = counters;
        this.blobs = blobs;
        this.parser = parser;
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    public FiledMessageResponse file(Account account, String deliveryId, byte[] content) {
        Delivery.Key key = new Delivery.Key(account.id(), deliveryId);
        Optional<Delivery> earlier = deliveries.findById(key);
        if (earlier.isPresent()) {
            return duplicate(account, deliveryId, earlier.get());
        }
        ParsedMessage parsed = parser.parse(content);
        try {
            FiledMessageResponse filed = transaction.execute(status -> fileOnce(account, key, content, parsed));
            if (!filed.duplicate()) {
                LOG.info("Filed delivery {} for {} as UID {} (message {}, {} bytes)",
                        deliveryId, account.address(), filed.uid(), filed.messageId(), content.length);
            }
            return filed;
        } catch (DataIntegrityViolationException race) {
            return deliveries.findById(key).map(delivery -> duplicate(account, deliveryId, delivery)).orElseThrow(() -> race);
        }
    }

    private FiledMessageResponse fileOnce(Account account, Delivery.Key key, byte[] content, ParsedMessage parsed) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")
                .param("delivery:" + key.accountId() + ":" + key.deliveryId())
                .query((rs, row) -> 0)
                .list();
        Optional<Delivery> earlier = deliveries.findById(key);
        if (earlier.isPresent()) {
            return earlier.get().result(true);
        }
        long inboxId = mailboxes.inbox(account.id()).id();
        MailboxCounters.Allocation allocation = counters.allocateUid(account.id(), inboxId).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "the account's INBOX is gone"));
        String sha256 = blobs.put(content);
        Message message = messages.save(new Message(account.id(), inboxId, allocation.uid(), allocation.modSeq(),
                sha256, content.length, Instant.now(), parsed));
        Delivery delivery = deliveries.saveAndFlush(new Delivery(account.id(), key.deliveryId(), message.id(), inboxId,
                allocation.uid(), allocation.modSeq()));
        return delivery.result(false);
    }

    private static FiledMessageResponse duplicate(Account account, String deliveryId, Delivery delivery) {
        FiledMessageResponse result = delivery.result(true);
        LOG.info("Delivery {} for {} was filed before as UID {}; nothing stored", deliveryId, account.address(), result.uid());
        return result;
    }
}
