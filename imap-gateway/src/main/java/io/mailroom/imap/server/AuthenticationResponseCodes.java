package io.mailroom.imap.server;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.encode.ImapResponseComposer;
import org.apache.james.imap.message.response.ImmutableStatusResponse;

/**
 * Adds the RFC 5530 response codes to James's LOGIN / AUTHENTICATE refusals, which 3.8.1 sends bare:
 * {@code [AUTHENTICATIONFAILED]} for wrong credentials, {@code [PRIVACYREQUIRED]} for a login refused
 * before TLS, {@code [UNAVAILABLE]} when mailbox-api could not be asked, {@code [LIMIT]} when the account holds
 * too many connections ({@link AccountConnectionLimit}). Clients use them to decide
 * whether to ask their user for a new password. (James's response code type cannot carry these
 * names, hence an encoder rather than a status-response factory.)
 */
final class AuthenticationResponseCodes implements ImapEncoder {

    static final String AUTHENTICATIONFAILED = "AUTHENTICATIONFAILED";
    static final String PRIVACYREQUIRED = "PRIVACYREQUIRED";
    static final String UNAVAILABLE = "UNAVAILABLE";
    static final String LIMIT = "LIMIT";

    private static final Map<String, String> CODES = Map.of(
            HumanReadableText.INVALID_LOGIN.getKey(), AUTHENTICATIONFAILED,
            HumanReadableText.AUTHENTICATION_FAILED.getKey(), AUTHENTICATIONFAILED,
            HumanReadableText.DISABLED_LOGIN.getKey(), PRIVACYREQUIRED,
            HumanReadableText.GENERIC_FAILURE_DURING_PROCESSING.getKey(), UNAVAILABLE,
            AccountConnectionLimit.TOO_MANY_CONNECTIONS.getKey(), LIMIT);
    private static final Set<String> AUTHENTICATION_COMMANDS = Set.of("LOGIN", "AUTHENTICATE");

    private final ImapEncoder delegate;

    AuthenticationResponseCodes(ImapEncoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public void encode(ImapMessage message, ImapResponseComposer composer) throws IOException {
        String code = codeFor(message);
        if (code == null) {
            delegate.encode(message, composer);
            return;
        }
        ImmutableStatusResponse response = (ImmutableStatusResponse) message;
        composer.tag(response.getTag())
                .message(response.getServerResponseType().getCodeAsBytes())
                .openSquareBracket()
                .message(code)
                .closeSquareBracket()
                .commandName(response.getCommand())
                .message(response.getTextKey().getDefaultValue())
                .end();
    }

    private static String codeFor(ImapMessage message) {
        if (!(message instanceof ImmutableStatusResponse response)
                || response.getServerResponseType() != StatusResponse.Type.NO
                || response.getTag() == null
                || response.getResponseCode() != null
                || response.getCommand() == null
                || !AUTHENTICATION_COMMANDS.contains(response.getCommand().getName())) {
            return null;
        }
        return CODES.get(response.getTextKey().getKey());
    }
}
