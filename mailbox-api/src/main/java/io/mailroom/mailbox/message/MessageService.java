package io.mailroom.mailbox.message;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import org.springframework.data.domain.Limit;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.mailbox.Mailbox;
import io.mailroom.mailbox.mailbox.MailboxCounters;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.Cursor;
import io.mailroom.mailbox.web.PageResponse;
import io.mailroom.mailbox.web.ProblemCodes;

/** Reading and removing messages. Adding them is filing ({@code delivery/}). */
@Service
public class MessageService {

    private final MessageRepository messages;
    private final MailboxService mailboxes;
    private final MailboxCounters counters;
    private final BlobStore blobs;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    MessageService(MessageRepository messages, MailboxService mailboxes, MailboxCounters counters, BlobStore blobs,
                   JdbcClient jdbc, TransactionTemplate transaction) {
        this.messages = messages;
        this.mailboxes = mailboxes;
        this.counters = counters;
        this.blobs = blobs;
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /** A page of the mailbox's messages in UID order; the cursor carries the last UID seen. */
    public PageResponse<MessageSummaryResponse> page(long accountId, long mailboxId, int limit, String cursor) {
        mailboxes.require(accountId, mailboxId);
        List<Message> rows = messages.findByAccountIdAndMailboxIdAndUidGreaterThanOrderByUid(
                accountId, mailboxId, Cursor.decode(cursor), Limit.of(limit + 1));
        return PageResponse.of(rows, limit, Message::uid, MessageSummaryResponse::of);
    }

    public MessageResponse get(long accountId, long mailboxId, long messageId) {
        return MessageResponse.of(byId(accountId, mailboxId, messageId));
    }

    public RawMessage openById(long accountId, long mailboxId, long messageId) {
        return open(byId(accountId, mailboxId, messageId));
    }

    public RawMessage openByUid(long accountId, long mailboxId, long uid) {
        mailboxes.require(accountId, mailboxId);
        return open(messages.findByAccountIdAndMailboxIdAndUid(accountId, mailboxId, uid)
                .orElseThrow(() -> messageNotFound("no message with UID " + uid + " in mailbox " + mailboxId)));
    }

    /** The INBOX as POP3 sees it: every message's UID and size, ascending by UID. */
    public MaildropResponse maildrop(long accountId) {
        Mailbox inbox = mailboxes.inbox(accountId);
        List<MaildropResponse.Entry> entries = jdbc.sql("""
                        SELECT uid, size FROM messages
                         WHERE account_id = ? AND mailbox_id = ?
                         ORDER BY uid""")
                .params(accountId, inbox.id())
                .query((rs, row) -> new MaildropResponse.Entry(rs.getLong("uid"), rs.getLong("size")))
                .list();
        return new MaildropResponse(inbox.id(), inbox.uidValidity(), entries);
    }

    /**
     * Removes messages by UID. Each removed UID leaves an {@code expunged} record with a MODSEQ of its own, so
     * that a client resynchronising later (QRESYNC, RFC 7162 §3.2.5) learns what vanished; each drops its blob
     * reference. UIDs that are not there are ignored.
     */
    public ExpungeResponse expunge(long accountId, long mailboxId, Collection<Long> uids) {
        return transaction.execute(status -> {
            if (!counters.lock(accountId, mailboxId)) {
                throw ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox " + mailboxId + " in this account");
            }
            List<Removed> removed = jdbc.sql("""
                            DELETE FROM messages
                             WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?)
                            RETURNING uid, blob_sha256""")
                    .params(accountId, mailboxId, uids.toArray(Long[]::new))
                    .query((rs, row) -> new Removed(rs.getLong("uid"), rs.getString("blob_sha256")))
                    .list()
                    .stream()
                    .sorted(Comparator.comparingLong(Removed::uid))
                    .toList();
            if (removed.isEmpty()) {
                return new ExpungeResponse(List.of(), counters.highestModSeq(accountId, mailboxId));
            }
            long highest = counters.allocateModSeqs(accountId, mailboxId, removed.size());
            Long[] removedUids = removed.stream().map(Removed::uid).toArray(Long[]::new);
            Long[] modSeqs = new Long[removed.size()];
            for (int i = 0; i < modSeqs.length; i++) {
                modSeqs[i] = highest - modSeqs.length + 1 + i;
            }
            jdbc.sql("""
                            INSERT INTO expunged (account_id, mailbox_id, uid, modseq)
                            SELECT ?, ?, uid, modseq FROM unnest(?::bigint[], ?::bigint[]) AS t(uid, modseq)""")
                    .params(accountId, mailboxId, removedUids, modSeqs)
                    .update();
            // one order for every transaction that releases blobs, so two expunges cannot deadlock on them
            removed.stream().map(Removed::blobSha256).sorted().forEach(blobs::release);
            return new ExpungeResponse(List.of(removedUids), highest);
        });
    }

    private Message byId(long accountId, long mailboxId, long messageId) {
        mailboxes.require(accountId, mailboxId);
        return messages.findByAccountIdAndMailboxIdAndId(accountId, mailboxId, messageId)
                .orElseThrow(() -> messageNotFound("no message " + messageId + " in mailbox " + mailboxId));
    }

    private RawMessage open(Message message) {
        try {
            return new RawMessage(blobs.open(message.blobSha256()), message.size());
        } catch (BlobStore.BlobNotFoundException e) {
            // expunged between the lookup and the read
            throw messageNotFound("message " + message.id() + " is gone");
        }
    }

    private static ApiProblem messageNotFound(String detail) {
        return ApiProblem.notFound(ProblemCodes.MESSAGE_NOT_FOUND, detail);
    }

    private record Removed(long uid, String blobSha256) {
    }
}
