package io.mailroom.mailbox.message;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.event.ChangeLog;
import io.mailroom.mailbox.mailbox.MailboxCounters;
import io.mailroom.mailbox.quota.QuotaService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * The one way a new message enters a mailbox: filing (delivery-service), APPEND (the IMAP gateway) and uploads over the
 * tools API all come through here, so all of them parse once, count against the quota, take a UID and MODSEQ from the
 * mailbox, and announce the change.
 *
 * <p>Work is split around the transaction: {@link #prepare} parses (and stores a large body) before it, holding no
 * lock; {@link #add} does the short, locking part inside it, taking the account's usage row, then the mailbox row,
 * then the blob row, in that order (see {@link QuotaService}).
 */
@Component
public class MessageWriter {

    /** Bodies above this are stored before the transaction, so a slow upload blocks no other writer. */
    static final long STAGE_THRESHOLD = 1024 * 1024;

    private final JdbcClient jdbc;
    private final MessageParser parser;
    private final MessageRows rows;
    private final BlobStore blobs;
    private final QuotaService quota;
    private final MailboxCounters counters;
    private final ChangeLog changes;

    MessageWriter(JdbcClient jdbc, MessageParser parser, MessageRows rows, BlobStore blobs, QuotaService quota,
                  MailboxCounters counters, ChangeLog changes) {
        this.jdbc = jdbc;
        this.parser = parser;
        this.rows = rows;
        this.blobs = blobs;
        this.quota = quota;
        this.counters = counters;
        this.changes = changes;
    }

    /** A message added: its row id (the tools API's message id) and its metadata. */
    public record Added(long messageId, MessageMetadata metadata) {
    }

    /** A message read and parsed, ready to be added in a transaction. */
    public record Prepared(SpooledContent content, ParsedMessage parsed) {
    }

    /** Parses the content, and stores a large body ahead of the transaction. Call outside any transaction. */
    public Prepared prepare(SpooledContent content) {
        if (content.size() == 0) {
            throw ApiProblem.validation("the message is empty");
        }
        ParsedMessage parsed = parser.parse(content);
        if (content.size() > STAGE_THRESHOLD) {
            blobs.stage(content);
        }
        return new Prepared(content, parsed);
    }

    /**
     * Adds the message to the mailbox with the next UID and a new MODSEQ.
     *
     * @throws ApiProblem {@code quota-exceeded}, {@code mailbox-not-found}
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Added add(long accountId, long mailboxId, Prepared message, MessageFlags.Parsed flags,
                               Instant internalDate) {
        ParsedMessage parsed = message.parsed();
        long size = message.content().size();
        Instant saveDate = Instant.now();
        Instant internal = internalDate == null ? saveDate : internalDate;
        Optional<Long> thread = parsed.references().isEmpty() ? Optional.empty() : jdbc.sql("""
                        SELECT m.thread_id FROM message_contents c
                          JOIN messages m ON m.account_id = c.account_id AND m.email_id = c.email_id
                         WHERE c.account_id = ? AND c.message_id_header = ANY(?)
                         LIMIT 1""")
                .params(accountId, parsed.references().toArray(String[]::new))
                .query(Long.class)
                .optional();
        long emailId = jdbc.sql("""
                        INSERT INTO message_contents (account_id, email_id, header, header_text, body_text, envelope,
                                                      structure, message_id_header, search)
                        VALUES (:account, nextval('email_ids'), :header, :headerText, :bodyText, :envelope::jsonb,
                                :structure::jsonb, :messageId,
                                to_tsvector('simple', coalesce(:subject, '') || ' ' || :bodyText))
                        RETURNING email_id""")
                .param("account", accountId)
                .param("header", parsed.header())
                .param("headerText", parsed.headerText())
                .param("bodyText", parsed.bodyText())
                .param("envelope", rows.write(parsed.envelope()))
                .param("structure", rows.write(parsed.structure()))
                .param("messageId", parsed.messageId())
                .param("subject", parsed.subject())
                .query(Long.class)
                .single();
        long threadId = thread.orElse(emailId);

        quota.add(accountId, size, 1);
        MailboxCounters.Allocation allocation = counters.allocateUid(accountId, mailboxId).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox " + mailboxId + " in this account"));
        String[] keywords = flags.keywords().toArray(String[]::new);
        long messageId = jdbc.sql("""
                        INSERT INTO messages (account_id, mailbox_id, uid, modseq, created_modseq, blob_sha256, size,
                                              internal_date, save_date, flags, keywords, header_size, body_lines,
                                              subject, from_address, from_name, message_id_header, email_id, thread_id,
                                              media_type, sub_type, text_lines, sent_date, has_attachment)
                        VALUES (:account, :mailbox, :uid, :modseq, :modseq, :sha, :size, :internal, :save, :flags,
                                :keywords, :headerSize, :bodyLines, :subject, :fromAddress, :fromName, :messageId,
                                :emailId, :threadId, :mediaType, :subType, :textLines, :sentDate, :attachment)
                        RETURNING id""")
                .param("account", accountId)
                .param("mailbox", mailboxId)
                .param("uid", allocation.uid())
                .param("modseq", allocation.modSeq())
                .param("sha", message.content().sha256())
                .param("size", size)
                .param("internal", Timestamp.from(internal))
                .param("save", Timestamp.from(saveDate))
                .param("flags", (short) flags.bits())
                .param("keywords", keywords)
                .param("headerSize", parsed.headerSize())
                .param("bodyLines", parsed.bodyLines())
                .param("subject", parsed.subject())
                .param("fromAddress", parsed.fromAddress())
                .param("fromName", parsed.fromName())
                .param("messageId", parsed.messageId())
                .param("emailId", emailId)
                .param("threadId", threadId)
                .param("mediaType", parsed.mediaType())
                .param("subType", parsed.subType())
                .param("textLines", parsed.textLines())
                .param("sentDate", parsed.sentDate() == null ? null : Timestamp.from(parsed.sentDate()))
                .param("attachment", parsed.hasAttachment())
                .query(Long.class)
                .single();
        if (keywords.length > 0) {
            rememberKeywords(accountId, mailboxId, keywords);
        }
        changes.messages(accountId, mailboxId, MailboxChangeEvent.Kind.MESSAGES_ADDED,
                List.of(new ChangeLog.Change(allocation.uid(), allocation.modSeq())));
        blobs.put(message.content());
        return new Added(messageId, new MessageMetadata(mailboxId, allocation.uid(), allocation.modSeq(), emailId,
                threadId, MessageFlags.all(flags.bits(), keywords), internal, saveDate, size, parsed.headerSize(),
                parsed.bodyLines(), parsed.mediaType(), parsed.subType(), parsed.textLines(), null, null, null));
    }

    /** Adds keywords to the mailbox's list of keywords in use (for FLAGS); the caller holds the mailbox's row lock. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void rememberKeywords(long accountId, long mailboxId, String[] keywords) {
        jdbc.sql("""
                        UPDATE mailboxes SET keywords = ARRAY(SELECT DISTINCT k FROM unnest(keywords || :keywords::text[]) AS k ORDER BY k)
                         WHERE account_id = :account AND id = :mailbox AND NOT keywords @> :keywords::text[]""")
                .param("keywords", keywords)
                .param("account", accountId)
                .param("mailbox", mailboxId)
                .update();
    }
}
