package io.mailroom.mailbox.mailbox;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Allocates UIDVALIDITY, UIDs and MODSEQs with single atomic statements. Each allocation row-locks the mailbox
 * until the caller's transaction ends, so concurrent writers to one mailbox (delivery-service, the IMAP gateway,
 * any replica) queue up there: UIDs and MODSEQs are never handed out twice and become visible in ascending
 * order, which is what IMAP clients rely on (RFC 9051 §2.3.1.1, RFC 7162 §3.1).
 */
@Component
public class MailboxCounters {

    /** RFC 7162 mod-sequences are positive, so an empty mailbox starts at 1 and the first change takes 2. */
    public static final long INITIAL_MODSEQ = 1;

    /** One new message's UID and MODSEQ. */
    public record Allocation(long uid, long modSeq) {
    }

    private final JdbcClient jdbc;

    MailboxCounters(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A UIDVALIDITY for a new mailbox of this account: the current time in seconds, or one more than the
     * account's last one if that is not smaller. Strictly increasing per account, so a mailbox deleted and
     * re-created under the same name never gets its old value back; fits IMAP's 32 bits until 2106.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long nextUidValidity(long accountId) {
        return jdbc.sql("""
                        UPDATE accounts
                           SET last_uid_validity = GREATEST(last_uid_validity + 1, floor(extract(epoch FROM clock_timestamp()))::bigint)
                         WHERE id = ?
                        RETURNING last_uid_validity""")
                .param(accountId)
                .query(Long.class)
                .single();
    }

    /** The next UID and a new MODSEQ for a message added to the mailbox; empty if there is no such mailbox. */
    @Transactional(propagation = Propagation.MANDATORY)
    public java.util.Optional<Allocation> allocateUid(long accountId, long mailboxId) {
        return jdbc.sql("""
                        UPDATE mailboxes
                           SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
                         WHERE account_id = ? AND id = ?
                        RETURNING uid_next - 1 AS uid, highest_modseq AS mod_seq""")
                .params(accountId, mailboxId)
                .query((rs, row) -> new Allocation(rs.getLong("uid"), rs.getLong("mod_seq")))
                .optional();
    }

    /**
     * The next {@code count} UIDs and as many new MODSEQs, for messages added together (a COPY); empty if there is no
     * such mailbox. The i-th message gets {@code uid + i} and {@code modSeq + i}.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public java.util.Optional<Allocation> allocateUids(long accountId, long mailboxId, int count) {
        return jdbc.sql("""
                        UPDATE mailboxes
                           SET uid_next = uid_next + :count, highest_modseq = highest_modseq + :count
                         WHERE account_id = :account AND id = :mailbox AND uid_next + :count <= 4294967296
                        RETURNING uid_next - :count AS uid, highest_modseq - :count + 1 AS mod_seq""")
                .param("count", count)
                .param("account", accountId)
                .param("mailbox", mailboxId)
                .query((rs, row) -> new Allocation(rs.getLong("uid"), rs.getLong("mod_seq")))
                .optional();
    }

    /** Takes {@code count} new MODSEQs at once and returns the highest; the others are the ones just below it. */
    @Transactional(propagation = Propagation.MANDATORY)
    public long allocateModSeqs(long accountId, long mailboxId, int count) {
        return jdbc.sql("""
                        UPDATE mailboxes SET highest_modseq = highest_modseq + ?
                         WHERE account_id = ? AND id = ?
                        RETURNING highest_modseq""")
                .params(count, accountId, mailboxId)
                .query(Long.class)
                .single();
    }

    /** The mailbox's HIGHESTMODSEQ as it stands. */
    public long highestModSeq(long accountId, long mailboxId) {
        return jdbc.sql("SELECT highest_modseq FROM mailboxes WHERE account_id = ? AND id = ?")
                .params(accountId, mailboxId)
                .query(Long.class)
                .single();
    }

    /** Locks the mailbox against other writers until the transaction ends; false if there is no such mailbox. */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean lock(long accountId, long mailboxId) {
        return jdbc.sql("SELECT id FROM mailboxes WHERE account_id = ? AND id = ? FOR UPDATE")
                .params(accountId, mailboxId)
                .query(Long.class)
                .optional()
                .isPresent();
    }
}
