package io.mailroom.imap.server;

import java.io.IOException;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.message.response.StatusResponse.ResponseCode;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.encode.ImapResponseComposer;
import org.apache.james.imap.message.response.ImmutableStatusResponse;

/**
 * Writes CONDSTORE's {@code [MODIFIED set]} (RFC 7162 §3.1.3, {@code "MODIFIED" SP sequence-set}) as the RFC spells
 * it. James 3.8.1 gives the code a number and writes {@code [MODIFIED 0 2:4]}, which a client reads as a malformed
 * set (or as message 0).
 */
final class ModifiedResponseCode implements ImapEncoder {

    static final String MODIFIED = "MODIFIED";

    private final ImapEncoder delegate;

    ModifiedResponseCode(ImapEncoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public void encode(ImapMessage message, ImapResponseComposer composer) throws IOException {
        if (!(message instanceof ImmutableStatusResponse response)
                || response.getResponseCode() == null
                || !MODIFIED.equals(response.getResponseCode().getCode())) {
            delegate.encode(message, composer);
            return;
        }
        ResponseCode code = response.getResponseCode();
        if (response.getTag() == null) {
            composer.untagged();
        } else {
            composer.tag(response.getTag());
        }
        composer.message(response.getServerResponseType().getCodeAsBytes())
                .openSquareBracket()
                .message(MODIFIED);
        for (String set : code.getParameters()) {
            composer.message(set);
        }
        composer.closeSquareBracket();
        if (response.getCommand() != null) {
            composer.commandName(response.getCommand());
        }
        composer.message(response.getTextKey().getDefaultValue()).end();
    }
}
