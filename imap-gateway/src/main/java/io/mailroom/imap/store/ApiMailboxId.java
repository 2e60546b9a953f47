package io.mailroom.imap.store;

import java.io.Serializable;

import org.apache.james.mailbox.model.MailboxId;

/**
 * A mailbox as mailbox-api names it: its numeric id, stable across renames and never reused. It is also the RFC 8474
 * MAILBOXID the client sees, which must be 1 to 255 characters of {@code [A-Za-z0-9_-]}: a plain number is.
 */
public record ApiMailboxId(long value) implements MailboxId, Serializable {

    public static ApiMailboxId of(long value) {
        return new ApiMailboxId(value);
    }

    public static long value(MailboxId id) {
        if (id instanceof ApiMailboxId apiId) {
            return apiId.value();
        }
        return Long.parseLong(id.serialize());
    }

    @Override
    public String serialize() {
        return Long.toString(value);
    }

    @Override
    public String toString() {
        return serialize();
    }

    public static final class Factory implements MailboxId.Factory {
        @Override
        public MailboxId fromString(String serialized) {
            return new ApiMailboxId(Long.parseLong(serialized));
        }
    }
}
