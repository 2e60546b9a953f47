package io.mailroom.mailbox.search;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.message.MessageFlags;
import io.mailroom.mailbox.message.MessageSummaryResponse;
import io.mailroom.mailbox.web.Cursor;
import io.mailroom.mailbox.web.PageResponse;

/**
 * The tools API's message lists: one mailbox in UID order, or a search across the account's mailboxes newest first,
 * both with the same filters ({@link MessageFilter}) and cursor pagination. Full text goes through PostgreSQL's own
 * full-text search over subject and text body (a GIN index on {@code message_contents.search}).
 */
@Service
public class MessageQueryService {

    private static final String COLUMNS = """
            m.id, m.mailbox_id, m.uid, m.modseq, m.size, m.internal_date, m.flags, m.keywords, m.subject, m.from_address""";

    private final JdbcClient jdbc;
    private final MailboxService mailboxes;

    MessageQueryService(JdbcClient jdbc, MailboxService mailboxes) {
        this.jdbc = jdbc;
        this.mailboxes = mailboxes;
    }

    /** A page of one mailbox's messages in UID order; the cursor carries the last UID seen. */
    @Transactional(readOnly = true)
    public PageResponse<MessageSummaryResponse> list(long accountId, long mailboxId, MessageFilter filter, int limit, String cursor) {
        mailboxes.requireExists(accountId, mailboxId);
        Map<String, Object> params = new HashMap<>();
        Where where = where(accountId, filter, params);
        params.put("mailbox", mailboxId);
        params.put("after", Cursor.decode(cursor));
        List<MessageSummaryResponse> rows = query(where.and("m.mailbox_id = :mailbox AND m.uid > :after"), "m.uid", params, limit);
        return PageResponse.of(rows, limit, MessageSummaryResponse::uid, r -> r);
    }

    /** A page of the account's matching messages, newest first; the cursor carries the last message id seen. */
    @Transactional(readOnly = true)
    public PageResponse<MessageSummaryResponse> search(long accountId, Long mailboxId, MessageFilter filter, int limit, String cursor) {
        Map<String, Object> params = new HashMap<>();
        Where where = where(accountId, filter, params);
        if (mailboxId != null) {
            mailboxes.requireExists(accountId, mailboxId);
            where = where.and("m.mailbox_id = :mailbox");
            params.put("mailbox", mailboxId);
        }
        long before = Cursor.decode(cursor);
        if (before > 0) {
            where = where.and("m.id < :before");
            params.put("before", before);
        }
        List<MessageSummaryResponse> rows = query(where, "m.id DESC", params, limit);
        return PageResponse.of(rows, limit, MessageSummaryResponse::id, r -> r);
    }

    /** A condition, and whether it reads the content facts ({@code c.*}). */
    private record Where(String condition, boolean contents) {
        Where and(String more) {
            return new Where(condition + " AND " + more, contents);
        }
    }

    private Where where(long accountId, MessageFilter filter, Map<String, Object> params) {
        params.put("account", accountId);
        SearchSql sql = new SearchSql(params);
        String condition = "m.account_id = :account AND (" + sql.condition(filter.criterion()) + ")";
        if (filter.hasText()) {
            params.put("text", filter.text());
            condition += " AND c.search @@ websearch_to_tsquery('simple', :text)";
        }
        return new Where(condition, sql.needsContents() || filter.hasText());
    }

    private List<MessageSummaryResponse> query(Where where, String order, Map<String, Object> params, int limit) {
        params.put("limit", limit + 1);
        String join = where.contents() ? " JOIN message_contents c ON c.account_id = m.account_id AND c.email_id = m.email_id" : "";
        return jdbc.sql("SELECT " + COLUMNS + " FROM messages m" + join + " WHERE " + where.condition() + " ORDER BY " + order + " LIMIT :limit")
                .params(params)
                .query((rs, row) -> new MessageSummaryResponse(rs.getLong("id"), rs.getLong("mailbox_id"), rs.getLong("uid"),
                        rs.getLong("modseq"), rs.getLong("size"), rs.getTimestamp("internal_date").toInstant(),
                        MessageFlags.names(rs.getInt("flags"), (String[]) rs.getArray("keywords").getArray()),
                        rs.getString("subject"), rs.getString("from_address")))
                .list();
    }
}
