package io.mailroom.pop3.command;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;

/**
 * The replies Mailroom adds to James's own, with the extended response codes of RFC 2449 §8 and
 * RFC 3206 that clients use to tell a wrong password from a server that should be retried later.
 */
public final class Pop3Replies {

    /** RFC 3206 §4: the failure is due to the credentials (or their use), not to the server. */
    public static final String AUTH = "[AUTH]";
    /** RFC 3206 §5: a temporary problem on the server side; the client should try again later. */
    public static final String SYS_TEMP = "[SYS/TEMP]";

    public static final Response AUTHENTICATION_FAILED =
            err(AUTH + " Authentication failed").immutable();
    public static final Response PLAINTEXT_DISALLOWED =
            err(AUTH + " Plaintext authentication is not allowed on an unencrypted connection: use STLS first").immutable();
    public static final Response TEMPORARILY_LOCKED =
            err(SYS_TEMP + " Too many failed logins, try again later").immutable();
    public static final Response MAILBOX_UNAVAILABLE =
            err(SYS_TEMP + " The mailbox is temporarily unavailable, try again later").immutable();

    private Pop3Replies() {
    }

    static POP3Response err(String text) {
        return new POP3Response(POP3Response.ERR_RESPONSE, text);
    }
}
