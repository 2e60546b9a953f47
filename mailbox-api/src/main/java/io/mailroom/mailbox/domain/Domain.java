package io.mailroom.mailbox.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A mail domain this installation receives mail for. */
@Entity
@Table(name = "domains")
public class Domain {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, updatable = false)
    private String name;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "catch_all_account_id")
    private Long catchAllAccountId;

    protected Domain() {
    }

    Domain(String name) {
        this.name = name;
        this.createdAt = Instant.now();
    }

    public Long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The account that receives mail for unknown local parts of this domain, or null. */
    public Long catchAllAccountId() {
        return catchAllAccountId;
    }

    void catchAll(Long accountId) {
        this.catchAllAccountId = accountId;
    }
}
