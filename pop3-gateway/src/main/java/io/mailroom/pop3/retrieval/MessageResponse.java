package io.mailroom.pop3.retrieval;

import java.io.InputStream;

import org.apache.james.protocols.api.StreamResponse;
import org.apache.james.protocols.pop3.POP3Response;

/**
 * {@code +OK}, then a staged message whose bytes already carry the dot-stuffing and the terminating line
 * (unlike James's {@code POP3StreamResponse}, which adds them while the I/O thread reads).
 */
final class MessageResponse extends POP3Response implements StreamResponse {

    private final SpooledMessage message;

    MessageResponse(String description, SpooledMessage message) {
        super(OK_RESPONSE, description);
        this.message = message;
    }

    @Override
    public InputStream getStream() {
        return message;
    }
}
