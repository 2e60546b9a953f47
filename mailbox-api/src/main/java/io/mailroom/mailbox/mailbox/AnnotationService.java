package io.mailroom.mailbox.mailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.client.store.MailboxAnnotation;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Mailbox METADATA (RFC 5464): entries under {@code /private} and {@code /shared}, keys compared case-insensitively,
 * with limits on a value's size and on entries per mailbox (answered as {@code [METADATA MAXSIZE]} and
 * {@code [METADATA TOOMANY]}).
 */
@Service
public class AnnotationService {

    public static final int MAX_VALUE_BYTES = 64 * 1024;
    public static final int MAX_ENTRIES = 200;
    /** RFC 5464 §3.2: entry names are slash-separated, no wildcards, no control characters. */
    private static final Pattern KEY = Pattern.compile("/(private|shared)(/[^/*%\\x00-\\x1f\\x7f]+)+");

    private final JdbcClient jdbc;
    private final MailboxService mailboxes;

    AnnotationService(JdbcClient jdbc, MailboxService mailboxes) {
        this.jdbc = jdbc;
        this.mailboxes = mailboxes;
    }

    @Transactional(readOnly = true)
    public List<MailboxAnnotation> get(long accountId, long mailboxId, Set<String> keys, MailboxAnnotation.Depth depth) {
        mailboxes.requireExists(accountId, mailboxId);
        List<MailboxAnnotation> all = jdbc.sql("SELECT key, value FROM annotations WHERE account_id = ? AND mailbox_id = ? ORDER BY key")
                .params(accountId, mailboxId)
                .query((rs, row) -> new MailboxAnnotation(rs.getString("key"), rs.getString("value")))
                .list();
        if (keys == null || keys.isEmpty()) {
            return all;
        }
        List<MailboxAnnotation> selected = new ArrayList<>();
        for (MailboxAnnotation annotation : all) {
            for (String raw : keys) {
                String key = raw.toLowerCase(Locale.ROOT);
                String below = annotation.key().startsWith(key + "/") ? annotation.key().substring(key.length() + 1) : null;
                boolean match = annotation.key().equals(key)
                        || below != null && (depth == MailboxAnnotation.Depth.INFINITY
                        || depth == MailboxAnnotation.Depth.ONE && below.indexOf('/') < 0);
                if (match) {
                    selected.add(annotation);
                    break;
                }
            }
        }
        return selected;
    }

    /** Sets and removes (null value) entries, all or none. */
    @Transactional
    public void set(long accountId, long mailboxId, List<MailboxAnnotation> annotations) {
        mailboxes.lockedName(accountId, mailboxId);
        for (MailboxAnnotation annotation : annotations) {
            String key = annotation.key() == null ? "" : annotation.key().toLowerCase(Locale.ROOT);
            if (!KEY.matcher(key).matches()) {
                throw ApiProblem.validation("not a METADATA entry name under /private or /shared: " + annotation.key());
            }
            if (annotation.value() == null) {
                jdbc.sql("DELETE FROM annotations WHERE account_id = ? AND mailbox_id = ? AND key = ?")
                        .params(accountId, mailboxId, key)
                        .update();
                continue;
            }
            int bytes = annotation.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > MAX_VALUE_BYTES) {
                throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemCodes.ANNOTATION_TOO_LARGE,
                        "a METADATA value has at most " + MAX_VALUE_BYTES + " bytes", Map.of("maxSize", MAX_VALUE_BYTES));
            }
            jdbc.sql("""
                            INSERT INTO annotations (account_id, mailbox_id, key, value) VALUES (?, ?, ?, ?)
                            ON CONFLICT (account_id, mailbox_id, key) DO UPDATE SET value = excluded.value""")
                    .params(accountId, mailboxId, key, annotation.value().replace("\u0000", ""))
                    .update();
        }
        long count = jdbc.sql("SELECT count(*) FROM annotations WHERE account_id = ? AND mailbox_id = ?")
                .params(accountId, mailboxId)
                .query(Long.class)
                .single();
        if (count > MAX_ENTRIES) {
            throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemCodes.TOO_MANY_ANNOTATIONS,
                    "a mailbox has at most " + MAX_ENTRIES + " METADATA entries", Map.of("maxEntries", MAX_ENTRIES));
        }
    }
}
