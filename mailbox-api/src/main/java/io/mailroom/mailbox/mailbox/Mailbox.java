package io.mailroom.mailbox.mailbox;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A mailbox (IMAP folder). Its name is the full hierarchical name with {@code /} as the delimiter.
 *
 * <p>The database key is (account_id, id) so that the table can be distributed by account; {@code id} alone
 * comes from an identity sequence and is unique, which is all JPA needs. UIDNEXT and HIGHESTMODSEQ are written
 * only by the atomic SQL in {@link MailboxCounters}, never through this entity.
 */
@Entity
@Table(name = "mailboxes")
public class Mailbox {

    @Column(name = "account_id", nullable = false, updatable = false)
    private long accountId;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false)
    private String name;

    @Enumerated(EnumType.STRING)
    private MailboxRole role;

    @Column(name = "uid_validity", nullable = false, updatable = false)
    private long uidValidity;

    @Column(name = "uid_next", nullable = false, updatable = false)
    private long uidNext;

    @Column(name = "highest_modseq", nullable = false, updatable = false)
    private long highestModSeq;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected Mailbox() {
    }

    Mailbox(long accountId, String name, MailboxRole role, long uidValidity) {
        this.accountId = accountId;
        this.name = name;
        this.role = role;
        this.uidValidity = uidValidity;
        this.uidNext = 1;
        this.highestModSeq = MailboxCounters.INITIAL_MODSEQ;
        this.createdAt = Instant.now();
    }

    public long accountId() {
        return accountId;
    }

    public Long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public MailboxRole role() {
        return role;
    }

    public long uidValidity() {
        return uidValidity;
    }
}
