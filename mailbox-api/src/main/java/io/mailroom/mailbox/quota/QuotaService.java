package io.mailroom.mailbox.quota;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.client.store.QuotaUsage;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Quotas per account (storage and message count) and their exact usage. Every path that adds or removes messages
 * changes the usage in its own transaction, with one atomic check-and-add on the account's usage row: concurrent
 * writers of one account queue on that row, so usage is always the sum of what committed and never passes the limit.
 *
 * <p>Lock order of every write transaction, which keeps them free of deadlocks: an account's usage row, then its
 * mailboxes in ascending id order, then blobs in ascending hash order.
 */
@Service
public class QuotaService {

    private final JdbcClient jdbc;

    QuotaService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Gives a new account its usage row. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void open(long accountId) {
        jdbc.sql("INSERT INTO quota_usage (account_id) VALUES (?) ON CONFLICT DO NOTHING").param(accountId).update();
    }

    /**
     * Counts messages being added, or refuses them all.
     *
     * @throws ApiProblem 422 {@code quota-exceeded} when the addition would pass a limit
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void add(long accountId, long bytes, long messages) {
        int updated = jdbc.sql("""
                        UPDATE quota_usage q SET storage = q.storage + :bytes, messages = q.messages + :messages
                          FROM accounts a
                         WHERE q.account_id = :account AND a.id = q.account_id
                           AND (a.quota_storage IS NULL OR q.storage + :bytes <= a.quota_storage)
                           AND (a.quota_messages IS NULL OR q.messages + :messages <= a.quota_messages)""")
                .param("bytes", bytes)
                .param("messages", messages)
                .param("account", accountId)
                .update();
        if (updated == 0) {
            throw exceeded(accountId, bytes, messages);
        }
    }

    /** The 422 {@code quota-exceeded} problem for an addition that did not fit, with the usage as it stands. */
    public ApiProblem exceeded(long accountId, long bytes, long messages) {
        return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemCodes.QUOTA_EXCEEDED,
                "adding " + messages + " message(s) of " + bytes + " bytes would exceed the account's quota",
                quotaProperties(usage(accountId)));
    }

    /** Counts messages removed. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void remove(long accountId, long bytes, long messages) {
        jdbc.sql("UPDATE quota_usage SET storage = storage - ?, messages = messages - ? WHERE account_id = ?")
                .params(bytes, messages, accountId)
                .update();
    }

    /** Takes the account's usage row lock first, for a transaction that will then lock mailboxes (see class doc). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lock(long accountId) {
        jdbc.sql("SELECT account_id FROM quota_usage WHERE account_id = ? FOR UPDATE").param(accountId).query(Long.class).optional();
    }

    public QuotaUsage usage(long accountId) {
        return jdbc.sql("""
                        SELECT q.storage, q.messages, a.quota_storage, a.quota_messages
                          FROM accounts a LEFT JOIN quota_usage q ON q.account_id = a.id
                         WHERE a.id = ?""")
                .param(accountId)
                .query((rs, row) -> new QuotaUsage(rs.getLong("storage"), (Long) rs.getObject("quota_storage"),
                        rs.getLong("messages"), (Long) rs.getObject("quota_messages")))
                .single();
    }

    /**
     * Those of these account addresses whose storage or message quota is used up (no further message fits), in the
     * given order; one query whatever their number.
     */
    public List<String> fullAccounts(List<String> addresses) {
        if (addresses.isEmpty()) {
            return List.of();
        }
        List<String> full = jdbc.sql("""
                        SELECT a.address
                          FROM accounts a JOIN quota_usage q ON q.account_id = a.id
                         WHERE a.address IN (:addresses)
                           AND ((a.quota_storage IS NOT NULL AND q.storage >= a.quota_storage)
                             OR (a.quota_messages IS NOT NULL AND q.messages >= a.quota_messages))""")
                .param("addresses", addresses)
                .query(String.class)
                .list();
        return addresses.stream().filter(full::contains).toList();
    }

    /** Sets the account's limits; null removes a limit. Lower than the usage is allowed: only additions are refused. */
    @Transactional
    public QuotaUsage setLimits(long accountId, Long storage, Long messages) {
        jdbc.sql("UPDATE accounts SET quota_storage = ?, quota_messages = ? WHERE id = ?")
                .params(storage, messages, accountId)
                .update();
        return usage(accountId);
    }

    private static Map<String, Object> quotaProperties(QuotaUsage usage) {
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        properties.put("storageUsed", usage.storageUsed());
        properties.put("messagesUsed", usage.messagesUsed());
        if (usage.storageLimit() != null) {
            properties.put("storageLimit", usage.storageLimit());
        }
        if (usage.messagesLimit() != null) {
            properties.put("messagesLimit", usage.messagesLimit());
        }
        return properties;
    }
}
