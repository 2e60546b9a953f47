package io.mailroom.mailbox.message;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.core.support.SqlBinaryValue;
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
    public static final long STAGE_THRESHOLD = 1024 * 1024;

    private final JdbcClient jdbc;
    private final MessageParser parser;
    private final MessageRows rows;
    private final BlobStore blobs;
    private final QuotaService quota;
    private final ChangeLog changes;

    MessageWriter(JdbcClient jdbc, MessageParser parser, MessageRows rows, BlobStore blobs, QuotaService quota,
                  ChangeLog changes) {
        this.jdbc = jdbc;
        this.parser = parser;
        this.rows = rows;
        this.blobs = blobs;
        this.quota = quota;
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
        Added added = insert(accountId, mailboxId, message, flags, internalDate, null, true);
        if (added == null) {
            throw refusal(accountId, mailboxId, message.content().size());
        }
        blobs.put(message.content());
        return added;
    }

    /** The content row of a copy added earlier in the same transaction, for {@link #addCopy} to clone. */
    public record ContentRow(long accountId, long emailId) {
    }

    /**
     * {@link #add} for one of several copies of one message filed together (a batch of recipients): refuses by
     * returning empty instead of throwing, so that the transaction stays usable for the other copies, and leaves the
     * blob's reference to the caller, who counts all copies with one {@link BlobStore#put(SpooledContent, int)} after
     * the last one (blobs come last in the lock order). It leaves the change events to the caller as well, who writes
     * them all with one {@link ChangeLog#messagesAdded} before the transaction ends (it still holds every mailbox's row
     * lock then, so the outbox keeps MODSEQ order). {@link #refusal} says why it refused: for
     * {@code quota-exceeded} nothing was written and the transaction goes on; for {@code mailbox-not-found} the caller
     * must roll the transaction back.
     *
     * @param template the content row of an earlier copy in this transaction, cloned in the database rather than sent
     *                 and indexed again; null for the first copy
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Added> addCopy(long accountId, long mailboxId, Prepared message, MessageFlags.Parsed flags,
                                   ContentRow template) {
        return Optional.ofNullable(insert(accountId, mailboxId, message, flags, null, template, false));
    }

    /** Why {@link #addCopy} (or {@link #add}) could not add: the mailbox is gone, or the quota is used up. */
    public ApiProblem refusal(long accountId, long mailboxId, long size) {
        boolean exists = jdbc.sql("SELECT 1 FROM mailboxes WHERE account_id = ? AND id = ?").params(accountId, mailboxId)
                .query(Integer.class).optional().isPresent();
        return exists ? quota.exceeded(accountId, size, 1)
                : ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox " + mailboxId + " in this account");
    }

    /**
     * Everything but the blob (and the change event unless {@code logChange}); null (having written nothing) when the
     * mailbox is missing or the quota used up.
     */
    private Added insert(long accountId, long mailboxId, Prepared message, MessageFlags.Parsed flags,
                         Instant internalDate, ContentRow template, boolean logChange) {
        ParsedMessage parsed = message.parsed();
        long size = message.content().size();
        Instant saveDate = Instant.now();
        Instant internal = internalDate == null ? saveDate : internalDate;
        Optional<Long> thread = parsed.references().isEmpty() ? Optional.empty() : jdbc.sql("""
                        SELECT m.thread_id
                          FROM unnest(CAST(? AS text[])) AS r(message_id_header)
                          JOIN message_contents c ON c.account_id = ? AND c.message_id_header = r.message_id_header
                          JOIN messages m ON m.account_id = c.account_id AND m.email_id = c.email_id
                         LIMIT 1""")
                .params(parsed.references().toArray(String[]::new), accountId)
                .query(Long.class)
                .optional();
        // the quota's check-and-add and the UID/MODSEQ allocation in one round trip
        Optional<MailboxCounters.Allocation> counted = jdbc.sql(COUNTED + """
                        UPDATE mailboxes mb SET uid_next = mb.uid_next + 1, highest_modseq = mb.highest_modseq + 1
                          FROM counted
                         WHERE mb.account_id = counted.account_id AND mb.id = :mailbox
                        RETURNING mb.uid_next - 1 AS uid, mb.highest_modseq AS mod_seq""")
                .param("bytes", size)
                .param("account", accountId)
                .param("mailbox", mailboxId)
                .query((rs, row) -> new MailboxCounters.Allocation(rs.getLong("uid"), rs.getLong("mod_seq")))
                .optional();
        if (counted.isEmpty()) {
            // either the quota refused (the usage row's WHERE failed: nothing was written) or the mailbox is missing
            // (the usage row was counted: the caller must roll back, see addCopy)
            return null;
        }
        MailboxCounters.Allocation allocation = counted.get();
        long emailId = template == null ? insertContent(accountId, parsed) : jdbc.sql("""
                        INSERT INTO message_contents (account_id, email_id, header, header_text, body_text, envelope,
                                                      structure, message_id_header, search)
                        SELECT :account, nextval('email_ids'), header, header_text, body_text, envelope, structure,
                               message_id_header, search
                          FROM message_contents WHERE account_id = :templateAccount AND email_id = :templateEmail
                        RETURNING email_id""")
                .param("account", accountId)
                .param("templateAccount", template.accountId())
                .param("templateEmail", template.emailId())
                .query(Long.class)
                .single();
        long threadId = thread.orElse(emailId);

        String[] keywords = flags.keywords().toArray(String[]::new);
        long messageId = parsedColumns(jdbc.sql("""
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
                .param("emailId", emailId)
                .param("threadId", threadId), parsed)
                .query(Long.class)
                .single();
        if (keywords.length > 0) {
            rememberKeywords(accountId, mailboxId, keywords);
        }
        if (logChange) {
            changes.messages(accountId, mailboxId, MailboxChangeEvent.Kind.MESSAGES_ADDED,
                    List.of(new ChangeLog.Change(allocation.uid(), allocation.modSeq())));
        }
        return new Added(messageId, new MessageMetadata(mailboxId, allocation.uid(), allocation.modSeq(), emailId,
                threadId, MessageFlags.all(flags.bits(), keywords), internal, saveDate, size, parsed.headerSize(),
                parsed.bodyLines(), parsed.mediaType(), parsed.subType(), parsed.textLines(), null, null, null));
    }

    /**
     * A delivery ({@code FilingService}'s single call) as one statement: the quota's check-and-add, the UID/MODSEQ
     * allocation in the account's INBOX, the content and message rows, the change event, the blob's reference and the
     * delivery's record, each step reading the one before it, so a refused quota writes nothing. The caller has
     * claimed the delivery id in this transaction (its {@code deliveries} row, filled in here), so the lock order is
     * that of every filing: the delivery's row, then those of {@link QuotaService} (usage row, mailbox row, blob row).
     * Empty when nothing was written (quota used up, or no INBOX: {@link #refusal} says which); the caller rolls back.
     * Only for a body that was not staged (at most {@link #STAGE_THRESHOLD} bytes).
     */
    public Optional<Added> addDelivery(long accountId, Prepared message, MessageFlags.Parsed flags, String deliveryId,
                                       String traceParent) {
        ParsedMessage parsed = message.parsed();
        SpooledContent content = message.content();
        if (content.size() > STAGE_THRESHOLD) {
            throw new IllegalArgumentException("a staged body has its own path: " + content.size() + " bytes");
        }
        long size = content.size();
        Instant saveDate = Instant.now();
        String[] keywords = flags.keywords().toArray(String[]::new);
        if (keywords.length > 0) {
            throw new IllegalArgumentException("a delivery sets no keywords");
        }
        Optional<long[]> row;
        try (java.io.InputStream in = content.open()) {
            row = deliveryStatement(accountId, parsed, content, flags, keywords, saveDate, deliveryId, traceParent,
                    new SqlBinaryValue(in, size));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (row.isEmpty()) {
            return Optional.empty();
        }
        long[] r = row.get();
        return Optional.of(new Added(r[0], new MessageMetadata(r[6], r[1], r[2], r[3], r[4],
                MessageFlags.all(flags.bits(), keywords), saveDate, saveDate, size, parsed.headerSize(),
                parsed.bodyLines(), parsed.mediaType(), parsed.subType(), parsed.textLines(), null, null, null)));
    }

    /**
     * {@link #addDelivery}'s statement: the new message's id, UID, MODSEQ, email id, thread id, account id and
     * mailbox id, or empty.
     */
    private Optional<long[]> deliveryStatement(long accountId, ParsedMessage parsed, SpooledContent content,
                                               MessageFlags.Parsed flags, String[] keywords, Instant saveDate,
                                               String deliveryId, String traceParent, SqlBinaryValue bytes) {
        long size = content.size();
        boolean replies = !parsed.references().isEmpty();
        JdbcClient.StatementSpec statement = parsedColumns(contentColumns(jdbc.sql(
                replies ? DELIVERY_OF_A_REPLY : DELIVERY), parsed)
                .param("bytes", size)
                .param("account", accountId)
                .param("sha", content.sha256())
                .param("save", Timestamp.from(saveDate))
                .param("flags", (short) flags.bits())
                .param("keywords", keywords)
                .param("kind", MailboxChangeEvent.Kind.MESSAGES_ADDED.name())
                .param("traceParent", traceParent)
                .param("content", bytes)
                .param("deliveryId", deliveryId), parsed);
        if (replies) {
            statement = statement.param("references", parsed.references().toArray(String[]::new));
        }
        return statement
                .query((rs, n) -> new long[] {rs.getLong("id"), rs.getLong("uid"), rs.getLong("modseq"),
                        rs.getLong("email_id"), rs.getLong("thread_id"), rs.getLong("account_id"), rs.getLong("mailbox_id")})
                .optional();
    }

    /**
     * The quota's check-and-add for one message of {@code :bytes} in {@code :account}'s usage row, as the first common
     * table expression of both message inserts: its RETURNING is empty when the quota refuses, and joining on it makes
     * the usage row's lock come before the mailbox row's, as QuotaService's lock order wants.
     */
    private static final String COUNTED = """
            WITH counted AS (
                UPDATE quota_usage q SET storage = q.storage + :bytes, messages = q.messages + 1
                  FROM accounts a
                 WHERE q.account_id = :account AND a.id = q.account_id
                   AND (a.quota_storage IS NULL OR q.storage + :bytes <= a.quota_storage)
                   AND (a.quota_messages IS NULL OR q.messages + 1 <= a.quota_messages)
                RETURNING q.account_id)""";

    /**
     * {@link #deliveryStatement}: the steps, each reading the one before it. {@code %1$s} is where a reply's thread
     * look-up goes, {@code %2$s} the new message's thread id.
     */
    private static final String DELIVERY_STEPS = COUNTED + ",\n" + """
                        allocated AS (
                            UPDATE mailboxes mb SET uid_next = mb.uid_next + 1, highest_modseq = mb.highest_modseq + 1
                              FROM counted
                             WHERE mb.account_id = counted.account_id AND mb.role = 'INBOX'
                            RETURNING mb.account_id, mb.id AS mailbox_id, mb.uid_next - 1 AS uid, mb.highest_modseq AS modseq),
                        content AS (
                            INSERT INTO message_contents (account_id, email_id, header, header_text, body_text, envelope,
                                                          structure, message_id_header, search)
                            SELECT account_id, nextval('email_ids'), CAST(:header AS bytea), CAST(:headerText AS text),
                                   body.text, CAST(:envelope AS json), CAST(:structure AS json),
                                   CAST(:messageId AS text),
                                   to_tsvector('simple', coalesce(CAST(:subject AS text), '') || ' ' || body.text)
                              FROM allocated, (SELECT CAST(:bodyText AS text) AS text) body
                            RETURNING email_id),
%1$s                        message AS (
                            INSERT INTO messages (account_id, mailbox_id, uid, modseq, created_modseq, blob_sha256, size,
                                                  internal_date, save_date, flags, keywords, header_size, body_lines,
                                                  subject, from_address, from_name, message_id_header, email_id, thread_id,
                                                  media_type, sub_type, text_lines, sent_date, has_attachment)
                            SELECT a.account_id, a.mailbox_id, a.uid, a.modseq, a.modseq, CAST(:sha AS text),
                                   CAST(:bytes AS bigint), CAST(:save AS timestamptz), CAST(:save AS timestamptz),
                                   CAST(:flags AS smallint), CAST(:keywords AS text[]), CAST(:headerSize AS integer),
                                   CAST(:bodyLines AS integer), CAST(:subject AS text), CAST(:fromAddress AS text),
                                   CAST(:fromName AS text), CAST(:messageId AS text), c.email_id,
                                   %2$s, CAST(:mediaType AS text),
                                   CAST(:subType AS text), CAST(:textLines AS bigint), CAST(:sentDate AS timestamptz),
                                   CAST(:attachment AS boolean)
                              FROM allocated a, content c
                            RETURNING id, account_id, mailbox_id, uid, modseq, email_id, thread_id),
                        event AS (
                            INSERT INTO event_outbox (account_id, mailbox_id, kind, uids, modseq, trace_parent)
                            SELECT account_id, mailbox_id, CAST(:kind AS text), ARRAY[uid], modseq,
                                   CAST(:traceParent AS text)
                              FROM allocated),
                        blob AS (
                            INSERT INTO blobs (sha256, size, content, ref_count)
                            SELECT CAST(:sha AS text), CAST(:bytes AS bigint), CAST(:content AS bytea), 1 FROM allocated
                            ON CONFLICT (sha256) DO UPDATE SET ref_count = blobs.ref_count + EXCLUDED.ref_count),
                        delivery AS (
                            UPDATE deliveries d
                               SET message_id = m.id, mailbox_id = m.mailbox_id, uid = m.uid, modseq = m.modseq
                              FROM message m
                             WHERE d.account_id = m.account_id AND d.delivery_id = CAST(:deliveryId AS text))
                        SELECT id, uid, modseq, email_id, thread_id, account_id, mailbox_id FROM message""";

    /**
     * A message that answers none other starts its own thread; this spares the look-up of its (empty) references,
     * whose generic plan, made while a mailbox is small, walked the whole account's messages on every filing.
     */
    private static final String DELIVERY = DELIVERY_STEPS.formatted("", "c.email_id");

    /** A reply joins the thread of the first message it refers to that the account has, else starts its own. */
    private static final String DELIVERY_OF_A_REPLY = DELIVERY_STEPS.formatted("""
                    thread AS (
                        SELECT m.thread_id
                          FROM unnest(CAST(:references AS text[])) AS r(message_id_header)
                          JOIN message_contents c ON c.account_id = :account AND c.message_id_header = r.message_id_header
                          JOIN messages m ON m.account_id = c.account_id AND m.email_id = c.email_id
                         LIMIT 1),
            """, "coalesce((SELECT thread_id FROM thread), c.email_id)");

    /** Binds the columns both message inserts take from the parsed message, under the same parameter names. */
    private static JdbcClient.StatementSpec parsedColumns(JdbcClient.StatementSpec statement, ParsedMessage parsed) {
        return statement
                .param("headerSize", parsed.headerSize())
                .param("bodyLines", parsed.bodyLines())
                .param("subject", parsed.subject())
                .param("fromAddress", parsed.fromAddress())
                .param("fromName", parsed.fromName())
                .param("messageId", parsed.messageId())
                .param("mediaType", parsed.mediaType())
                .param("subType", parsed.subType())
                .param("textLines", parsed.textLines())
                .param("sentDate", parsed.sentDate() == null ? null : Timestamp.from(parsed.sentDate()))
                .param("attachment", parsed.hasAttachment());
    }

    /** Binds the content facts both content inserts store (header, texts, envelope and structure as JSON). */
    private JdbcClient.StatementSpec contentColumns(JdbcClient.StatementSpec statement, ParsedMessage parsed) {
        return statement
                .param("header", parsed.header())
                .param("headerText", parsed.headerText())
                .param("bodyText", parsed.bodyText())
                .param("envelope", rows.write(parsed.envelope()))
                .param("structure", rows.write(parsed.structure()));
    }

    private long insertContent(long accountId, ParsedMessage parsed) {
        return contentColumns(jdbc.sql("""
                        INSERT INTO message_contents (account_id, email_id, header, header_text, body_text, envelope,
                                                      structure, message_id_header, search)
                        SELECT :account, nextval('email_ids'), :header, :headerText, body.text, :envelope::json,
                               :structure::json, :messageId, to_tsvector('simple', coalesce(:subject, '') || ' ' || body.text)
                          FROM (SELECT CAST(:bodyText AS text) AS text) body
                        RETURNING email_id"""), parsed)
                .param("account", accountId)
                .param("messageId", parsed.messageId())
                .param("subject", parsed.subject())
                .query(Long.class)
                .single();
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
