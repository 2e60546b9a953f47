package io.mailroom.smtp.support;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.Maildrop;
import io.mailroom.mailbox.client.RecipientResolution;

/**
 * mailbox-api as smtp-ingress sees it: accounts with passwords in local domains. While {@link #unavailable}
 * is set every call fails the way the real client fails when mailbox-api cannot be reached.
 */
public final class InMemoryMailboxApi implements MailboxApiClient {

    private final Set<String> domains = ConcurrentHashMap.newKeySet();
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, List<String>> aliases = new ConcurrentHashMap<>();
    private final Set<String> full = ConcurrentHashMap.newKeySet();
    private final AtomicInteger recipientLookups = new AtomicInteger();
    private volatile boolean unavailable;

    public InMemoryMailboxApi domain(String domain) {
        domains.add(domain.toLowerCase(Locale.ROOT));
        return this;
    }

    public InMemoryMailboxApi account(String address, String password) {
        passwords.put(address.toLowerCase(Locale.ROOT), password);
        return this;
    }

    /** An alias of a local domain that delivers to these accounts. */
    public InMemoryMailboxApi alias(String address, String... accounts) {
        aliases.put(address.toLowerCase(Locale.ROOT), List.of(accounts));
        return this;
    }

    /** The account's quota is used up, as mailbox-api's resolution then says. */
    public InMemoryMailboxApi full(String account) {
        full.add(account.toLowerCase(Locale.ROOT));
        return this;
    }

    public void unavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    public int recipientLookups() {
        return recipientLookups.get();
    }

    public void reset() {
        domains.clear();
        passwords.clear();
        aliases.clear();
        full.clear();
        recipientLookups.set(0);
        unavailable = false;
    }

    @Override
    public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
        failIfUnavailable();
        String expected = passwords.get(username.toLowerCase(Locale.ROOT));
        if (expected == null || !expected.equals(password)) {
            throw new AuthenticationFailedException(401, "authentication-failed", "wrong credentials", false);
        }
        return new AuthenticatedAccount(1, username.toLowerCase(Locale.ROOT));
    }

    @Override
    public RecipientResolution resolveRecipient(String address) {
        recipientLookups.incrementAndGet();
        failIfUnavailable();
        String normalised = address.toLowerCase(Locale.ROOT);
        String domain = normalised.substring(normalised.indexOf('@') + 1);
        if (!domains.contains(domain)) {
            return new RecipientResolution(address, RecipientResolution.Status.NON_LOCAL_DOMAIN, List.of());
        }
        if (aliases.containsKey(normalised)) {
            List<String> targets = aliases.get(normalised);
            return new RecipientResolution(address, RecipientResolution.Status.DELIVERABLE, targets, List.of(),
                    targets.stream().filter(full::contains).toList());
        }
        if (!passwords.containsKey(normalised)) {
            return new RecipientResolution(address, RecipientResolution.Status.UNKNOWN_USER, List.of());
        }
        return new RecipientResolution(address, RecipientResolution.Status.DELIVERABLE, List.of(normalised), List.of(),
                full.contains(normalised) ? List.of(normalised) : List.of());
    }

    private void failIfUnavailable() {
        if (unavailable) {
            throw new MailboxApiUnavailableException("connection refused", null);
        }
    }

    @Override
    public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
        throw new UnsupportedOperationException("smtp-ingress does not file messages");
    }

    @Override
    public Maildrop maildrop(String account) {
        throw new UnsupportedOperationException("smtp-ingress does not read mailboxes");
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid) {
        throw new UnsupportedOperationException("smtp-ingress does not read mailboxes");
    }

    @Override
    public void expunge(String account, long mailboxId, Collection<Long> uids) {
        throw new UnsupportedOperationException("smtp-ingress does not change mailboxes");
    }
}
