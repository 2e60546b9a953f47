package io.mailroom.imap.store;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.mailbox.model.MessageId;

/**
 * A message's content as mailbox-api names it: its emailId, which a copy or a move keeps (RFC 8474 EMAILID, James's
 * {@link MessageId}).
 *
 * <p>James asks its factory for a new id before it stores a message; that id is only a placeholder (negative, so it
 * can never be mistaken for a real one): the message mapper answers with the emailId mailbox-api assigned.
 */
public record ApiMessageId(long value) implements MessageId {

    public static long value(MessageId id) {
        if (id instanceof ApiMessageId apiId) {
            return apiId.value();
        }
        return Long.parseLong(id.serialize());
    }

    @Override
    public String serialize() {
        return Long.toString(value);
    }

    /** Placeholders are not: they name nothing in mailbox-api. */
    @Override
    public boolean isSerializable() {
        return value > 0;
    }

    @Override
    public String toString() {
        return serialize();
    }

    public static final class Factory implements MessageId.Factory {

        private final AtomicLong placeholders = new AtomicLong();

        @Override
        public MessageId fromString(String serialized) {
            return new ApiMessageId(Long.parseLong(serialized));
        }

        @Override
        public MessageId generate() {
            return new ApiMessageId(-placeholders.incrementAndGet());
        }
    }
}
