package io.mailroom.delivery;

/**
 * One recipient whose copy can never be filed.
 *
 * @param recipient the SMTP RCPT TO address
 * @param reason    why, as a bounce will say it
 * @param detail    what mailbox-api said, for logs and the bounce text
 */
public record PermanentFailure(String recipient, Reason reason, String detail) {

    /** The kinds of permanent failure, each with its RFC 3463 enhanced status code for the bounce. */
    public enum Reason {
        /** The domain is ours but the address no longer belongs to anyone (removed after SMTP accepted it). */
        UNKNOWN_USER("5.1.1"),
        /** The domain is no longer one of ours. */
        NON_LOCAL_DOMAIN("5.1.2");

        private final String enhancedStatus;

        Reason(String enhancedStatus) {
            this.enhancedStatus = enhancedStatus;
        }

        public String enhancedStatus() {
            return enhancedStatus;
        }
    }
}
