package io.mailroom.pop3;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;

/**
 * The replies Mailroom adds to James's own, with the extended response codes of RFC 2449 §8 and RFC 3206
 * that clients use to tell a wrong password from a server that should be retried later, or from a
 * maildrop that another session holds.
 */
public final class Pop3Replies {

    /** RFC 3206 §4: the failure is due to the credentials (or their use), not to the server. */
    public static final String AUTH = "[AUTH]";
    /** RFC 3206 §5: a temporary problem on the server side; the client should try again later. */
    public static final String SYS_TEMP = "[SYS/TEMP]";
    /** RFC 2449 §8.1.1: the maildrop is locked by another session. */
    public static final String IN_USE = "[IN-USE]";
    /** RFC 2449 §8.1.2: the account logged in too recently (LOGIN-DELAY). */
    public static final String LOGIN_DELAY = "[LOGIN-DELAY]";

    public static final Response AUTHENTICATION_FAILED =
            err(AUTH + " Authentication failed").immutable();
    public static final Response PLAINTEXT_DISALLOWED =
            err(AUTH + " Plaintext authentication is not allowed on an unencrypted connection: use STLS first").immutable();
    public static final Response TEMPORARILY_LOCKED =
            err(SYS_TEMP + " Too many failed logins, try again later").immutable();
    public static final Response MAILBOX_UNAVAILABLE =
            err(SYS_TEMP + " The mailbox is temporarily unavailable, try again later").immutable();
    public static final Response MAILDROP_IN_USE =
            err(IN_USE + " The mailbox is in use by another POP3 session").immutable();
    public static final Response LOGGED_IN =
            new POP3Response(POP3Response.OK_RESPONSE, "Logged in").immutable();
    public static final Response NOT_IN_TRANSACTION =
            err("Log in first").immutable();
    public static final Response NO_SUCH_MESSAGE =
            err("No such message").immutable();

    private Pop3Replies() {
    }

    public static POP3Response err(String text) {
        return new POP3Response(POP3Response.ERR_RESPONSE, text);
    }

    public static POP3Response ok(String text) {
        return new POP3Response(POP3Response.OK_RESPONSE, text);
    }
}
