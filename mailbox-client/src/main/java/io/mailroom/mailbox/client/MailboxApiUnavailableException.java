package io.mailroom.mailbox.client;

/** mailbox-api did not answer in time, could not be reached, or failed (5xx): try again later. */
public class MailboxApiUnavailableException extends RuntimeException {

    public MailboxApiUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
