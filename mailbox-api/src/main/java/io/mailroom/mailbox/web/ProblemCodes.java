package io.mailroom.mailbox.web;

/**
 * The stable {@code code} of every problem document mailbox-api answers with. Clients branch on these, so they
 * never change meaning; {@code docs/errors.md} lists them with their HTTP status.
 */
public final class ProblemCodes {

    public static final String VALIDATION = "validation";
    public static final String BAD_REQUEST = "bad-request";
    public static final String INVALID_CURSOR = "invalid-cursor";
    public static final String INVALID_ADDRESS = "invalid-address";
    public static final String UNAUTHENTICATED = "unauthenticated";
    public static final String FORBIDDEN = "forbidden";
    public static final String NOT_FOUND = "not-found";
    public static final String METHOD_NOT_ALLOWED = "method-not-allowed";
    public static final String NOT_ACCEPTABLE = "not-acceptable";
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type";
    public static final String DOMAIN_EXISTS = "domain-exists";
    public static final String DOMAIN_NOT_FOUND = "domain-not-found";
    public static final String ACCOUNT_EXISTS = "account-exists";
    public static final String ACCOUNT_NOT_FOUND = "account-not-found";
    public static final String MAILBOX_NOT_FOUND = "mailbox-not-found";
    public static final String MESSAGE_NOT_FOUND = "message-not-found";
    public static final String MESSAGE_TOO_LARGE = "message-too-large";
    public static final String AUTH_FAILED = "auth-failed";
    public static final String AUTH_LOCKED = "auth-locked";
    public static final String UNAVAILABLE = "unavailable";
    public static final String INTERNAL_ERROR = "internal-error";

    private ProblemCodes() {
    }
}
