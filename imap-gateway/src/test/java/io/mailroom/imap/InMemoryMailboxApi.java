package io.mailroom.imap;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.Maildrop;
import io.mailroom.mailbox.client.RecipientResolution;

/** mailbox-api in memory, as far as the IMAP walking skeleton uses it: accounts and their passwords. */
public final class InMemoryMailboxApi implements MailboxApiClient {

    public record Login(String username, String protocol, String remoteIp) {
    }

    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, Long> ids = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final List<Login> logins = new CopyOnWriteArrayList<>();
    private final AtomicBoolean unavailable = new AtomicBoolean();
    private final AtomicBoolean lockedOut = new AtomicBoolean();

    public void createAccount(String address, String password) {
        passwords.put(address, password);
        ids.put(address, nextId.getAndIncrement());
    }

    public List<Login> logins() {
        return List.copyOf(logins);
    }

    public void setUnavailable(boolean value) {
        unavailable.set(value);
    }

    /** Every login is refused as a temporary lock-out (too many failures). */
    public void setLockedOut(boolean value) {
        lockedOut.set(value);
    }

    public void reset() {
        passwords.clear();
        ids.clear();
        logins.clear();
        unavailable.set(false);
        lockedOut.set(false);
    }

    @Override
    public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
        if (unavailable.get()) {
            throw new MailboxApiUnavailableException("mailbox-api is down (test)", null);
        }
        logins.add(new Login(username, protocol, remoteIp));
        if (lockedOut.get()) {
            throw new AuthenticationFailedException(429, "locked-out", "too many failed logins", true);
        }
        if (!password.equals(passwords.get(username))) {
            throw new AuthenticationFailedException(401, "invalid-credentials", "invalid credentials", false);
        }
        return new AuthenticatedAccount(ids.get(username), username);
    }

    @Override
    public RecipientResolution resolveRecipient(String address) {
        throw new UnsupportedOperationException("not used by the IMAP gateway");
    }

    @Override
    public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
        throw new UnsupportedOperationException("not used by the IMAP gateway");
    }

    @Override
    public Maildrop maildrop(String account) {
        throw new UnsupportedOperationException("not used by the IMAP gateway yet");
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid) {
        throw new UnsupportedOperationException("not used by the IMAP gateway yet");
    }

    @Override
    public void expunge(String account, long mailboxId, Collection<Long> uids) {
        throw new UnsupportedOperationException("not used by the IMAP gateway yet");
    }
}
