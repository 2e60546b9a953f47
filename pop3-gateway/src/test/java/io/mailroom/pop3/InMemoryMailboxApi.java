package io.mailroom.pop3;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.Maildrop;
import io.mailroom.mailbox.client.RecipientResolution;

/**
 * A small mailbox-api in memory, for testing POP3 behaviour in isolation: accounts with a password
 * and an INBOX, and a record of what the gateway asked.
 */
public final class InMemoryMailboxApi implements MailboxApiClient {

    public record Expunge(String account, long mailboxId, List<Long> uids) {
    }

    public record Login(String username, String protocol, String remoteIp) {
    }

    private record Account(long id, String address, String password, long mailboxId, long uidValidity,
                           NavigableMap<Long, byte[]> inbox) {
    }

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final List<Expunge> expunges = new CopyOnWriteArrayList<>();
    private final List<Login> logins = new CopyOnWriteArrayList<>();
    private final AtomicInteger maildropCalls = new AtomicInteger();
    private final AtomicBoolean unavailable = new AtomicBoolean();
    private final AtomicInteger ids = new AtomicInteger(100);

    /** Creates (or replaces) an account with an empty INBOX. */
    public void createAccount(String address, String password, long uidValidity) {
        int id = ids.incrementAndGet();
        accounts.put(address, new Account(id, address, password, id * 10L, uidValidity, new ConcurrentSkipListMap<>()));
    }

    public void deliver(String address, long uid, byte[] content) {
        account(address).inbox().put(uid, content);
    }

    public List<Long> uids(String address) {
        return new ArrayList<>(account(address).inbox().keySet());
    }

    public long mailboxId(String address) {
        return account(address).mailboxId();
    }

    public List<Expunge> expunges() {
        return List.copyOf(expunges);
    }

    public List<Login> logins() {
        return List.copyOf(logins);
    }

    public int maildropCalls() {
        return maildropCalls.get();
    }

    /** Every call fails as if mailbox-api could not be reached. */
    public void setUnavailable(boolean value) {
        unavailable.set(value);
    }

    public void reset() {
        accounts.clear();
        expunges.clear();
        logins.clear();
        maildropCalls.set(0);
        unavailable.set(false);
    }

    @Override
    public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
        checkAvailable();
        logins.add(new Login(username, protocol, remoteIp));
        Account account = accounts.get(username);
        if (account == null || !account.password().equals(password)) {
            throw new AuthenticationFailedException(401, "invalid-credentials", "invalid credentials", false);
        }
        return new AuthenticatedAccount(account.id(), account.address());
    }

    @Override
    public Maildrop maildrop(String address) {
        checkAvailable();
        maildropCalls.incrementAndGet();
        Account account = account(address);
        List<Maildrop.Entry> entries = account.inbox().entrySet().stream()
                .map(entry -> new Maildrop.Entry(entry.getKey(), entry.getValue().length))
                .toList();
        return new Maildrop(account.mailboxId(), account.uidValidity(), entries);
    }

    @Override
    public InputStream openMessage(String address, long mailboxId, long uid) {
        checkAvailable();
        Account account = account(address);
        byte[] content = mailboxId == account.mailboxId() ? account.inbox().get(uid) : null;
        if (content == null) {
            throw new MailboxApiException(404, "message-not-found", "no message " + uid);
        }
        return new ByteArrayInputStream(content);
    }

    @Override
    public void expunge(String address, long mailboxId, Collection<Long> uids) {
        checkAvailable();
        Account account = account(address);
        expunges.add(new Expunge(address, mailboxId, List.copyOf(uids)));
        uids.forEach(account.inbox()::remove);
    }

    @Override
    public RecipientResolution resolveRecipient(String address) {
        throw new UnsupportedOperationException("not used by POP3");
    }

    @Override
    public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
        throw new UnsupportedOperationException("not used by POP3");
    }

    private Account account(String address) {
        Account account = accounts.get(address);
        if (account == null) {
            throw new MailboxApiException(404, "account-not-found", "no account " + address);
        }
        return account;
    }

    private void checkAvailable() {
        if (unavailable.get()) {
            throw new MailboxApiUnavailableException("mailbox-api is down (test)", null);
        }
    }
}
