package io.mailroom.mailbox.message;

import java.util.Collection;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.quota.QuotaService;

/**
 * What every removal of message rows owes afterwards, in the removing transaction: the quota usage, the content facts
 * no message refers to any more, and one blob reference per row (in ascending hash order, the lock order of blobs).
 */
@Component
public class Removals {

    private final JdbcClient jdbc;
    private final BlobStore blobs;
    private final QuotaService quota;

    Removals(JdbcClient jdbc, BlobStore blobs, QuotaService quota) {
        this.jdbc = jdbc;
        this.blobs = blobs;
        this.quota = quota;
    }

    /** One removed message row. */
    public record Removed(long uid, long emailId, String blobSha256, long size) {
    }

    /** The columns a {@code DELETE … RETURNING} must return for {@link #row}. */
    public static final String RETURNING = "uid, email_id, blob_sha256, size";

    public static Removed row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Removed(rs.getLong("uid"), rs.getLong("email_id"), rs.getString("blob_sha256"), rs.getLong("size"));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void settle(long accountId, Collection<Removed> removed) {
        if (removed.isEmpty()) {
            return;
        }
        quota.remove(accountId, removed.stream().mapToLong(Removed::size).sum(), removed.size());
        Long[] emailIds = removed.stream().map(Removed::emailId).distinct().toArray(Long[]::new);
        jdbc.sql("""
                        DELETE FROM message_contents c
                         WHERE c.account_id = ? AND c.email_id = ANY(?)
                           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = c.account_id AND m.email_id = c.email_id)""")
                .params(accountId, emailIds)
                .update();
        List<String> hashes = removed.stream().map(Removed::blobSha256).sorted().toList();
        hashes.forEach(blobs::release);
    }
}
