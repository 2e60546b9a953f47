package io.mailroom.mailbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.mailroom.mailbox.blob.PostgresBlobStore;

/**
 * Removes what mailbox-api keeps only for a while: expunge records past {@code mailroom.mailbox.expunge-retention}
 * (raising each mailbox's floor, below which "changes since" can no longer list every removal) and bodies staged for a
 * filing that never committed. Safe to run on every replica at once: each step is idempotent.
 */
@Component
public class Housekeeping {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    private static final int BATCH = 10_000;

    private final JdbcClient jdbc;
    private final MailboxProperties properties;
    private final PostgresBlobStore blobs;

    Housekeeping(JdbcClient jdbc, MailboxProperties properties, PostgresBlobStore blobs) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.blobs = blobs;
    }

    @Scheduled(initialDelayString = "${mailroom.mailbox.housekeeping-interval:10m}",
            fixedDelayString = "${mailroom.mailbox.housekeeping-interval:10m}")
    public void run() {
        try {
            int purged = purgeExpungeRecords();
            int swept = blobs.sweep(properties.stagedBlobGrace());
            if (purged > 0 || swept > 0) {
                LOG.info("Housekeeping removed {} expunge records and {} unreferenced staged bodies", purged, swept);
            }
        } catch (RuntimeException e) {
            LOG.warn("Housekeeping failed; it runs again in {}: {}", properties.housekeepingInterval(), e.toString());
        }
    }

    /** Deletes old expunge records in batches, each batch raising the floors of the mailboxes it touched. */
    public int purgeExpungeRecords() {
        int total = 0;
        int purged;
        do {
            purged = jdbc.sql("""
                            WITH purged AS (
                                DELETE FROM expunged
                                 WHERE ctid IN (SELECT ctid FROM expunged
                                                 WHERE expunged_at < now() - make_interval(secs => :retention)
                                                 LIMIT :batch)
                                RETURNING account_id, mailbox_id, modseq),
                            floors AS (
                                UPDATE mailboxes mb SET expunged_floor = greatest(mb.expunged_floor, p.modseq)
                                  FROM (SELECT account_id, mailbox_id, max(modseq) AS modseq FROM purged
                                         GROUP BY account_id, mailbox_id) p
                                 WHERE mb.account_id = p.account_id AND mb.id = p.mailbox_id
                                RETURNING 1)
                            SELECT count(*) FROM purged""")
                    .param("retention", (double) properties.expungeRetention().toSeconds())
                    .param("batch", BATCH)
                    .query(Integer.class)
                    .single();
            total += purged;
        } while (purged == BATCH);
        return total;
    }
}
