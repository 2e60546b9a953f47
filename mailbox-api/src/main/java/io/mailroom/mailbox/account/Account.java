package io.mailroom.mailbox.account;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A mail account: an address, its credentials, its mailboxes. Its id is the key every other table of account
 * data carries ({@code account_id}).
 */
@Entity
@Table(name = "accounts")
public class Account {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "domain_id", nullable = false, updatable = false)
    private long domainId;

    @Column(nullable = false, updatable = false)
    private String address;

    @Column(name = "display_name")
    private String displayName;

    @Column(name = "password_hash", nullable = false)
    private String passwordHash;

    @Column(nullable = false)
    private boolean enabled;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected Account() {
    }

    /** An account read with plain JDBC on the hot paths: detached, for reading only. */
    static Account read(long id, long domainId, String address, String displayName, String passwordHash, boolean enabled,
                        Instant createdAt) {
        Account account = new Account(domainId, address, displayName, passwordHash);
        account.id = id;
        account.enabled = enabled;
        account.createdAt = createdAt;
        return account;
    }

    Account(long domainId, String address, String displayName, String passwordHash) {
        this.domainId = domainId;
        this.address = address;
        this.displayName = displayName;
        this.passwordHash = passwordHash;
        this.enabled = true;
        this.createdAt = Instant.now();
    }

    void update(String newDisplayName, Boolean newEnabled, String newPasswordHash) {
        if (newDisplayName != null) {
            this.displayName = newDisplayName.isEmpty() ? null : newDisplayName;
        }
        if (newEnabled != null) {
            this.enabled = newEnabled;
        }
        if (newPasswordHash != null) {
            this.passwordHash = newPasswordHash;
        }
    }

    public Long id() {
        return id;
    }

    public long domainId() {
        return domainId;
    }

    public String address() {
        return address;
    }

    public String displayName() {
        return displayName;
    }

    String passwordHash() {
        return passwordHash;
    }

    public boolean enabled() {
        return enabled;
    }

    public Instant createdAt() {
        return createdAt;
    }
}
