package io.mailroom.mailbox.client;

/**
 * The credentials were refused. {@link #temporary()} is true when the account or client IP is
 * locked out for a while (answer POP3 {@code [SYS/TEMP]} / SMTP 454 rather than a plain failure).
 */
public class AuthenticationFailedException extends MailboxApiException {

    private final boolean temporary;

    public AuthenticationFailedException(int status, String code, String message, boolean temporary) {
        super(status, code, message);
        this.temporary = temporary;
    }

    public boolean temporary() {
        return temporary;
    }
}
