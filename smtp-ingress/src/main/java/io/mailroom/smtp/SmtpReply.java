package io.mailroom.smtp;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/**
 * An SMTP reply of Mailroom's own: reply code (RFC 5321 4.2), enhanced status code (RFC 3463) and text.
 * Every reply that a Mailroom hook or handler gives is one of the constants here, so that they can be read,
 * documented and tested in one place.
 */
public record SmtpReply(int code, String enhancedCode, String text) {

    // 2xx
    public static final SmtpReply AUTHENTICATED = new SmtpReply(235, "2.7.0", "Authentication successful");
    /** Followed by " as <queue id>" (see {@link #withSuffix}). */
    public static final SmtpReply QUEUED = new SmtpReply(250, "2.0.0", "Ok: queued");

    // 4xx: try again later
    /** RFC 3463 4.4.3: directory server (mailbox-api) failure. */
    public static final SmtpReply RECIPIENT_CHECK_UNAVAILABLE =
            new SmtpReply(451, "4.4.3", "Recipient lookup temporarily unavailable, try again later");
    /** RFC 3463 4.3.0: other mail system problem, here: the queue did not take the message. */
    public static final SmtpReply QUEUE_UNAVAILABLE =
            new SmtpReply(451, "4.3.0", "Temporary queue failure, try again later");
    public static final SmtpReply LOCAL_ERROR = new SmtpReply(451, "4.3.0", "Local error in processing, try again later");
    /** RFC 4954 6: temporary authentication failure. */
    public static final SmtpReply AUTHENTICATION_UNAVAILABLE =
            new SmtpReply(454, "4.7.0", "Temporary authentication failure, try again later");

    // 5xx: do not try again
    /** RFC 3463 5.1.1: bad destination mailbox address. */
    public static final SmtpReply UNKNOWN_USER = new SmtpReply(550, "5.1.1", "No such user here");
    /** RFC 3463 5.7.1: delivery not authorized; the domain is not ours and the client may not relay. */
    public static final SmtpReply RELAY_DENIED = new SmtpReply(554, "5.7.1", "Relay access denied");
    /** RFC 4954 6: authentication required (submission, RFC 6409). */
    public static final SmtpReply AUTHENTICATION_REQUIRED = new SmtpReply(530, "5.7.0", "Authentication required");
    /** RFC 4954 6: invalid credentials. */
    public static final SmtpReply AUTHENTICATION_FAILED = new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
    /** RFC 4954 6: encryption required for the requested mechanism (AUTH before STARTTLS). */
    public static final SmtpReply ENCRYPTION_REQUIRED =
            new SmtpReply(538, "5.7.11", "Encryption required for requested authentication mechanism");
    /** RFC 1870 6 and RFC 3463 5.3.4: message too big for the system. */
    public static final SmtpReply MESSAGE_TOO_BIG =
            new SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    /** A line ending that could hide a second message behind the end of this one (SMTP smuggling). */
    public static final SmtpReply BARE_LINE_FEED =
            new SmtpReply(554, "5.5.2", "Bare <LF> before end of data is not allowed, closing connection");

    public String codeString() {
        return Integer.toString(code);
    }

    public String description() {
        return enhancedCode + " " + text;
    }

    public SmtpReply withSuffix(String suffix) {
        return new SmtpReply(code, enhancedCode, text + suffix);
    }

    /** This reply as a hook's answer: OK for 2xx, DENYSOFT for 4xx, DENY for 5xx. */
    public HookResult hookResult() {
        HookReturnCode returnCode = code < 400 ? HookReturnCode.ok()
                : code < 500 ? HookReturnCode.denySoft()
                : HookReturnCode.deny();
        return HookResult.builder().hookReturnCode(returnCode).smtpReturnCode(codeString()).smtpDescription(description()).build();
    }

    public Response response() {
        return new SMTPResponse(codeString(), description());
    }

    /** This reply, after which the server closes the connection. */
    public Response responseThenDisconnect() {
        SMTPResponse response = new SMTPResponse(codeString(), description());
        response.setEndSession(true);
        return response;
    }

    @Override
    public String toString() {
        return code + " " + description();
    }
}
