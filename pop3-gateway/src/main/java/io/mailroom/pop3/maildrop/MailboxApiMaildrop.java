package io.mailroom.pop3.maildrop;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import org.apache.james.protocols.pop3.mailbox.Mailbox;
import org.apache.james.protocols.pop3.mailbox.MessageMetaData;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.Maildrop;
import io.mailroom.mailbox.client.RawMessageSink;

/**
 * One POP3 session's view of an account's INBOX, read from mailbox-api.
 *
 * <p>The message list is fetched once, on first use, and kept for the rest of the session: RFC 1939
 * §5 numbers the messages when the session enters the TRANSACTION state and those numbers must not
 * move under the client, even when delivery-service files new mail meanwhile.
 *
 * <p>A message expunged meanwhile is a {@link MessageGoneException}; other {@link MailboxApiClient}
 * failures surface as {@link io.mailroom.mailbox.client.MailboxApiUnavailableException} (unchecked), so that
 * the command handlers can tell "try again later" from "no such message".
 */
public final class MailboxApiMaildrop implements Mailbox {

    /** The problem code mailbox-api answers when a message was expunged meanwhile. */
    static final String MESSAGE_NOT_FOUND = "message-not-found";

    private final MailboxApiClient client;
    private final AuthenticatedAccount account;
    private volatile Maildrop maildrop;
    private volatile List<MessageMetaData> messages;
    private volatile boolean closed;

    public MailboxApiMaildrop(MailboxApiClient client, AuthenticatedAccount account) {
        this.client = client;
        this.account = account;
    }

    public AuthenticatedAccount account() {
        return account;
    }

    @Override
    public List<MessageMetaData> getMessages() throws IOException {
        load();
        return messages;
    }

    @Override
    public InputStream getMessage(String uid) throws IOException {
        Maildrop drop = load();
        try {
            return client.openMessage(account.address(), drop.mailboxId(), parseUid(uid));
        } catch (MailboxApiException e) {
            if (MESSAGE_NOT_FOUND.equals(e.code())) {
                throw new MessageGoneException("message " + uid + " is gone", e);
            }
            throw e;
        }
    }

    /**
     * Reads several messages in one call to mailbox-api ({@link MailboxApiClient#readMessages}), for RETR's read-ahead:
     * each UID is handed to {@code sink} as a message, missing (expunged meanwhile) or deferred.
     *
     * @param maxBytes the most bytes of messages the call may carry; the rest is deferred
     */
    public void readMessages(List<Long> uids, long maxBytes, RawMessageSink sink) throws IOException {
        Maildrop drop = load();
        client.readMessages(account.address(), drop.mailboxId(), uids, maxBytes, sink);
    }

    /** Called by QUIT in the UPDATE state (RFC 1939 §6) with the messages marked by DELE, and only then. */
    @Override
    public void remove(String... uids) throws IOException {
        if (uids.length == 0) {
            return;
        }
        Maildrop drop = load();
        List<Long> parsed = Arrays.stream(uids).map(MailboxApiMaildrop::parseUid).toList();
        client.expunge(account.address(), drop.mailboxId(), parsed);
    }

    /**
     * The INBOX's UIDVALIDITY: with the UID it makes the UIDL value, which therefore stays the same
     * across sessions and gateway replicas and is never reused for another message.
     */
    @Override
    public String getIdentifier() throws IOException {
        return Long.toString(load().uidValidity());
    }

    @Override
    public void close() {
        closed = true;
    }

    private Maildrop load() throws IOException {
        if (closed) {
            throw new IOException("maildrop of " + account.address() + " is closed");
        }
        Maildrop drop = maildrop;
        if (drop == null) {
            synchronized (this) {
                drop = maildrop;
                if (drop == null) {
                    drop = client.maildrop(account.address());
                    messages = drop.messages().stream()
                            .<MessageMetaData>map(entry -> new UidlMessageMetaData(entry.uid(), entry.size()))
                            .toList();
                    maildrop = drop;
                }
            }
        }
        return drop;
    }

    private static long parseUid(String uid) {
        try {
            return Long.parseLong(uid);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a message UID: " + uid, e);
        }
    }

    /**
     * James keeps the bare UID for DELE/RETR bookkeeping and asks {@link #getUid(String)} for the
     * UIDL value (RFC 1939 §7), passing {@link #getIdentifier()}: {@code <uidvalidity>.<uid>}.
     */
    private static final class UidlMessageMetaData extends MessageMetaData {

        UidlMessageMetaData(long uid, long size) {
            super(Long.toString(uid), size);
        }

        @Override
        public String getUid(String mailboxIdentifier) {
            return mailboxIdentifier + "." + getUid();
        }
    }
}
