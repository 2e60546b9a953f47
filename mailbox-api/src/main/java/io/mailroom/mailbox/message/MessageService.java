package io.mailroom.mailbox.message;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.mailbox.Mailbox;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/** Reading and removing messages. Adding them is filing ({@code delivery/}). */
@Service
public class MessageService {

    private final MessageRepository messages;
    private final MailboxService mailboxes;
    private final BlobStore blobs;
    private final JdbcClient jdbc;

    MessageService(MessageRepository messages, MailboxService mailboxes, BlobStore blobs, JdbcClient jdbc) {
        this.messages = messages;
        this.mailboxes = mailboxes;
        this.blobs = blobs;
        this.jdbc = jdbc;
    }

    public MessageResponse get(long accountId, long mailboxId, long messageId) {
        return MessageResponse.of(byId(accountId, mailboxId, messageId));
    }

    public MessageResponse getByUid(long accountId, long mailboxId, long uid) {
        mailboxes.require(accountId, mailboxId);
        return MessageResponse.of(messages.findByAccountIdAndMailboxIdAndUid(accountId, mailboxId, uid)
                .orElseThrow(() -> messageNotFound("no message with UID " + uid + " in mailbox " + mailboxId)));
    }

    /** A message's bytes as they are stored: where, and how many. */
    public record RawSource(String blobSha256, long size, long messageId) {
    }

    public RawSource rawById(long accountId, long mailboxId, long messageId) {
        Message message = byId(accountId, mailboxId, messageId);
        return new RawSource(message.blobSha256(), message.size(), message.id());
    }

    public RawSource rawByUid(long accountId, long mailboxId, long uid) {
        mailboxes.require(accountId, mailboxId);
        Message message = messages.findByAccountIdAndMailboxIdAndUid(accountId, mailboxId, uid)
                .orElseThrow(() -> messageNotFound("no message with UID " + uid + " in mailbox " + mailboxId));
        return new RawSource(message.blobSha256(), message.size(), message.id());
    }

    /** Opens {@code length} bytes of a message from {@code offset}. */
    public java.io.InputStream open(RawSource source, long offset, long length) {
        try {
            return blobs.open(source.blobSha256(), offset, length);
        } catch (BlobStore.BlobNotFoundException e) {
            // expunged between the lookup and the read
            throw messageNotFound("message " + source.messageId() + " is gone");
        }
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

    private Message byId(long accountId, long mailboxId, long messageId) {
        mailboxes.require(accountId, mailboxId);
        return messages.findByAccountIdAndMailboxIdAndId(accountId, mailboxId, messageId)
                .orElseThrow(() -> messageNotFound("no message " + messageId + " in mailbox " + mailboxId));
    }

    private static ApiProblem messageNotFound(String detail) {
        return ApiProblem.notFound(ProblemCodes.MESSAGE_NOT_FOUND, detail);
    }

}
