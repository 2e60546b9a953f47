package io.mailroom.mailbox.delivery;

import java.io.Serializable;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

import org.springframework.data.domain.Persistable;

/**
 * The record that a delivery id has been filed, and where it went: what makes filing idempotent. It keeps the
 * result itself rather than a reference to the message, because it must outlive the message: a redelivered
 * queue message for mail the user has already deleted must not bring the mail back.
 */
@Entity
@Table(name = "deliveries")
@IdClass(Delivery.Key.class)
public class Delivery implements Persistable<Delivery.Key> {

    @Id
    @Column(name = "account_id")
    private long accountId;

    @Id
    @Column(name = "delivery_id")
    private String deliveryId;

    @Column(name = "message_id", nullable = false)
    private long messageId;

    @Column(name = "mailbox_id", nullable = false)
    private long mailboxId;

    @Column(nullable = false)
    private long uid;

    @Column(nullable = false)
    private long modseq;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Transient
    private boolean fresh = true;

    protected Delivery() {
    }

    Delivery(long accountId, String deliveryId, long messageId, long mailboxId, long uid, long modseq) {
        this.accountId = accountId;
        this.deliveryId = deliveryId;
        this.messageId = messageId;
        this.mailboxId = mailboxId;
        this.uid = uid;
        this.modseq = modseq;
        this.createdAt = Instant.now();
    }

    @Override
    public Key getId() {
        return new Key(accountId, deliveryId);
    }

    /** Assigned keys: tell Spring Data that a new record is new, so it inserts without looking first. */
    @Override
    public boolean isNew() {
        return fresh;
    }

    @PostLoad
    @PostPersist
    void stored() {
        fresh = false;
    }

    FiledMessageResponse result(boolean duplicate) {
        return new FiledMessageResponse(messageId, mailboxId, uid, modseq, duplicate);
    }

    /** The primary key: delivery ids are unique per account. */
    public record Key(long accountId, String deliveryId) implements Serializable {
    }
}
