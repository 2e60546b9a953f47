package io.mailroom.mailbox.client;

/**
 * mailbox-api refused a request (4xx). {@link #code()} is the stable problem code from the
 * RFC 9457 problem details body, e.g. {@code message-not-found}, {@code account-not-found}.
 */
public class MailboxApiException extends RuntimeException {

    private final int status;
    private final String code;

    public MailboxApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
