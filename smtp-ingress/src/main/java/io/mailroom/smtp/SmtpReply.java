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
    /** Written by the listener itself before closing: RFC 5321 3.8. */
    public static final SmtpReply TOO_MANY_CONNECTIONS = new SmtpReply(421, "4.7.0", "Too many connections, try again later");
    public static final SmtpReply IDLE_TIMEOUT = new SmtpReply(421, "4.4.2", "Idle timeout, closing connection");
    /** RFC 5321 3.8: the server is going away (a rollout, a scale-down); RFC 3463 4.3.2: not accepting messages. */
    public static final SmtpReply SHUTTING_DOWN = new SmtpReply(421, "4.3.2", "Service shutting down, closing transmission channel");
    /** RFC 3463 4.4.3: directory server (mailbox-api) failure. */
    public static final SmtpReply RECIPIENT_CHECK_UNAVAILABLE =
            new SmtpReply(451, "4.4.3", "Recipient lookup temporarily unavailable, try again later");
    /** RFC 3463 4.2.2: mailbox full; every account the recipient reaches has used up its quota. */
    public static final SmtpReply MAILBOX_FULL =
            new SmtpReply(452, "4.2.2", "Mailbox full, try again later");
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
    /**
     * RFC 5321 2.3.8: a bare CR or LF in the message; it could hide a second message behind the end of this one
     * (SMTP smuggling). The connection is closed after it: where the client thinks its data ends is unknowable.
     */
    public static final SmtpReply BARE_LINE_ENDING =
            new SmtpReply(554, "5.6.0", "Bare <CR> or <LF> in message data is not allowed, closing connection");
    /** RFC 5321 4.5.3.1.6. */
    public static final SmtpReply LINE_TOO_LONG = new SmtpReply(500, "5.5.2", "Line too long");
    public static final SmtpReply COMMAND_UNRECOGNIZED = new SmtpReply(500, "5.5.1", "Command unrecognized");
    public static final SmtpReply BAD_SEQUENCE = new SmtpReply(503, "5.5.1", "Bad sequence of commands");
    public static final SmtpReply MAIL_FIRST = new SmtpReply(503, "5.5.1", "MAIL first");
    public static final SmtpReply RCPT_FIRST = new SmtpReply(503, "5.5.1", "RCPT first");
    /** RFC 3030 3: a message announced as BINARYMIME can only come with BDAT. */
    public static final SmtpReply BINARYMIME_NEEDS_BDAT = new SmtpReply(503, "5.5.1", "BINARYMIME requires BDAT");
    public static final SmtpReply DATA_AFTER_BDAT = new SmtpReply(503, "5.5.1", "DATA not allowed after BDAT");
    public static final SmtpReply BDAT_SYNTAX = new SmtpReply(501, "5.5.4", "Usage: BDAT <size> [LAST]");
    public static final SmtpReply INVALID_PARAMETER = new SmtpReply(501, "5.5.4", "Invalid parameter value");
    /** RFC 6531 3.5: an address with UTF-8 in it, in a transaction that did not ask for SMTPUTF8. */
    public static final SmtpReply UTF8_REQUIRED = new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
    /** RFC 6409 8.1 (Postfix's reject_sender_login_mismatch). */
    public static final SmtpReply SENDER_NOT_OWNED =
            new SmtpReply(553, "5.7.1", "Sender address is not owned by the authenticated user");
    public static final SmtpReply RATE_LIMITED = new SmtpReply(450, "4.7.1", "Sending rate limit exceeded, try again later");
    public static final SmtpReply AUTHENTICATION_BLOCKED =
            new SmtpReply(454, "4.7.0", "Too many failed authentication attempts, try again later");
    public static final SmtpReply TOO_MANY_ERRORS = new SmtpReply(421, "4.7.0", "Too many errors, closing connection");
    public static final SmtpReply TOO_MANY_COMMANDS = new SmtpReply(421, "4.7.0", "Too many commands, closing connection");
    public static final SmtpReply LOCAL_ERROR_PROCESSING = new SmtpReply(451, "4.3.0", "Unable to process request");

    /** {@code 250 2.0.0 <n> octets received}: a BDAT chunk that is not the last (RFC 3030 2). */
    public static SmtpReply chunkReceived(long octets) {
        return new SmtpReply(250, "2.0.0", octets + " octets received");
    }

    /** This reply as one line, for replies written before the SMTP session exists (a refused connection). */
    public String line(String hostname) {
        return code + " " + enhancedCode + " " + hostname + " " + text;
    }

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
