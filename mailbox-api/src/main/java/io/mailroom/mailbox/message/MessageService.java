package io.mailroom.mailbox.message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
        mailboxes.requireExists(accountId, mailboxId);
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

    /**
     * One plain statement (every FETCH BODY[] of a gateway is one of these): a row found proves the mailbox exists, and
     * only without one is the mailbox looked up, so that a missing mailbox still answers {@code mailbox-not-found}.
     */
    public RawSource rawByUid(long accountId, long mailboxId, long uid) {
        Optional<RawSource> found = jdbc.sql("SELECT blob_sha256, size, id FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?")
                .params(accountId, mailboxId, uid)
                .query((rs, row) -> new RawSource(rs.getString(1), rs.getLong(2), rs.getLong(3)))
                .optional();
        if (found.isPresent()) {
            return found.get();
        }
        mailboxes.requireExists(accountId, mailboxId);
        throw messageNotFound("no message with UID " + uid + " in mailbox " + mailboxId);
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

    /**
     * Several messages' bytes for one answer ({@link RawBatch}): one query for the messages, one read of their bodies.
     * The entries come in the order of {@code uids}; a message that would take the total past {@code maxBytes} is
     * deferred (the caller reads it on its own), one that is not there (or goes while it is read) is missing.
     *
     * @throws ApiProblem 404 {@code mailbox-not-found} when the account has no such mailbox
     */
    List<RawBatch.Entry> rawBatch(long accountId, long mailboxId, List<Long> uids, long maxBytes) {
        record Row(long size, String blobSha256) {
        }
        Map<Long, Row> rows = new HashMap<>();
        jdbc.sql("SELECT uid, size, blob_sha256 FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?)")
                .params(accountId, mailboxId, uids.stream().distinct().toArray(Long[]::new))
                .query(rs -> {
                    rows.put(rs.getLong(1), new Row(rs.getLong(2), rs.getString(3)));
                });
        if (rows.isEmpty()) {
            mailboxes.requireExists(accountId, mailboxId); // a message row proves its mailbox; without one, ask
        }
        Set<Long> sent = new HashSet<>();
        long budget = maxBytes;
        for (long uid : uids) {
            Row row = rows.get(uid);
            if (row != null && !sent.contains(uid) && row.size() <= budget) {
                budget -= row.size();
                sent.add(uid);
            }
        }
        Map<String, byte[]> contents = sent.isEmpty() ? Map.of()
                : blobs.readAll(sent.stream().map(uid -> rows.get(uid).blobSha256()).distinct().toList());
        List<RawBatch.Entry> entries = new ArrayList<>(uids.size());
        for (long uid : uids) {
            Row row = rows.get(uid);
            if (row == null) {
                entries.add(new RawBatch.Missing(uid));
            } else if (!sent.contains(uid)) {
                entries.add(new RawBatch.Deferred(uid));
            } else {
                byte[] content = contents.get(row.blobSha256());
                // no content: the message was expunged (and its body released) between the two reads
                entries.add(content == null ? new RawBatch.Missing(uid) : new RawBatch.Found(uid, content));
            }
        }
        return entries;
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
        mailboxes.requireExists(accountId, mailboxId);
        return messages.findByAccountIdAndMailboxIdAndId(accountId, mailboxId, messageId)
                .orElseThrow(() -> messageNotFound("no message " + messageId + " in mailbox " + mailboxId));
    }

    private static ApiProblem messageNotFound(String detail) {
        return ApiProblem.notFound(ProblemCodes.MESSAGE_NOT_FOUND, detail);
    }

}
