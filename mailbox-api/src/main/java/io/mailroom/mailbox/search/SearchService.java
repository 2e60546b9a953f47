package io.mailroom.mailbox.search;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.mailbox.MailboxService;

/**
 * IMAP SEARCH evaluated in PostgreSQL (RFC 9051 §6.4.4): flags, dates, sizes and MODSEQs from the message rows; header
 * and text criteria from what filing extracted ({@code message_contents}), as case-insensitive substring matches. A
 * gateway never reads a message to search it.
 */
@Service
public class SearchService {

    private final JdbcClient jdbc;
    private final MailboxService mailboxes;

    SearchService(JdbcClient jdbc, MailboxService mailboxes) {
        this.jdbc = jdbc;
        this.mailboxes = mailboxes;
    }

    /**
     * The matching UIDs, ascending: one statement outside a transaction, as FETCH is. A row found proves the mailbox
     * exists (messages reference it); only an empty answer, or a criterion refused as malformed, asks whether the mailbox
     * is there at all, so an unknown mailbox still answers 404 {@code mailbox-not-found} before any other problem.
     */
    public List<Long> search(long accountId, long mailboxId, SearchCriterion criterion) {
        Map<String, Object> params = new HashMap<>();
        SearchSql sql = new SearchSql(params);
        String condition;
        try {
            condition = sql.condition(criterion);
        } catch (RuntimeException malformed) {
            mailboxes.requireExists(accountId, mailboxId);
            throw malformed;
        }
        params.put("account", accountId);
        params.put("mailbox", mailboxId);
        String join = sql.needsContents()
                ? " JOIN message_contents c ON c.account_id = m.account_id AND c.email_id = m.email_id" : "";
        List<Long> uids = jdbc.sql("SELECT m.uid FROM messages m" + join
                        + " WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND (" + condition + ") ORDER BY m.uid")
                .params(params)
                .query(Long.class)
                .list();
        if (uids.isEmpty()) {
            mailboxes.requireExists(accountId, mailboxId);
        }
        return uids;
    }
}
