package io.mailroom.imap.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which account each mailbox id this gateway has seen belongs to, and the id of each account that logged in: what
 * the change-event bridge needs to subscribe to an account's events when a session selects one of its mailboxes
 * (James's event registrations name only the mailbox id).
 */
public final class MailboxDirectory {

    /** Beyond this many mailboxes, forget them all and learn again: a bound, not a cache policy. */
    private static final int MAX_ENTRIES = 200_000;

    private final Map<Long, String> accountOfMailbox = new ConcurrentHashMap<>();
    private final Map<Long, Long> lastSeenModSeq = new ConcurrentHashMap<>();
    private final Map<String, Long> accountIds = new ConcurrentHashMap<>();

    public void remember(long mailboxId, String account, long highestModSeq) {
        if (accountOfMailbox.size() >= MAX_ENTRIES) {
            accountOfMailbox.clear();
            lastSeenModSeq.clear();
        }
        accountOfMailbox.put(mailboxId, account);
        lastSeenModSeq.merge(mailboxId, highestModSeq, Math::max);
    }

    /**
     * The highest HIGHESTMODSEQ this gateway has read for the mailbox: a SELECT reads it just before it registers for
     * the mailbox's events, so changes after it are what the session must still be told of.
     */
    public Optional<Long> lastSeenModSeq(long mailboxId) {
        return Optional.ofNullable(lastSeenModSeq.get(mailboxId));
    }

    public void rememberAccount(String account, long accountId) {
        if (accountIds.size() >= MAX_ENTRIES) {
            accountIds.clear();
        }
        accountIds.put(AccountResolver.key(account), accountId);
    }

    public Optional<String> accountOf(long mailboxId) {
        return Optional.ofNullable(accountOfMailbox.get(mailboxId));
    }

    public Optional<Long> accountId(String account) {
        return Optional.ofNullable(accountIds.get(AccountResolver.key(account)));
    }
}
