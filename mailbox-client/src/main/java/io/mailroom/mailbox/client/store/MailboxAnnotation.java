package io.mailroom.mailbox.client.store;

/**
 * One METADATA entry of a mailbox (RFC 5464), James's {@code MailboxAnnotation}.
 *
 * @param key   the entry name, e.g. {@code /private/comment} or {@code /shared/vendor/x/y}: starts with {@code /private}
 *              or {@code /shared}; compared case-insensitively
 * @param value the value; null to remove the entry when setting
 */
public record MailboxAnnotation(String key, String value) {

    /** How far below the keys asked for to look (RFC 5464 §4.2.2 DEPTH). */
    public enum Depth {
        /** Only the keys themselves. */
        ZERO,
        /** The keys and their immediate children. */
        ONE,
        /** The keys and everything below them. */
        INFINITY
    }
}
