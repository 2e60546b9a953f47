package io.mailroom.queue;

/** The queue did not durably accept a message: the sender must be told to try again later. */
public class QueueUnavailableException extends Exception {

    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
