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
    public static final String MAILBOX_EXISTS = "mailbox-exists";
    public static final String INVALID_MAILBOX_NAME = "invalid-mailbox-name";
    public static final String MAILBOX_PROTECTED = "mailbox-protected";
    public static final String RENAME_INTO_ITSELF = "rename-into-itself";
    public static final String ROLE_TAKEN = "role-taken";
    public static final String QUOTA_EXCEEDED = "quota-exceeded";
    public static final String ANNOTATION_TOO_LARGE = "annotation-too-large";
    public static final String TOO_MANY_ANNOTATIONS = "too-many-annotations";
    public static final String RANGE_NOT_SATISFIABLE = "range-not-satisfiable";
    public static final String APP_PASSWORD_EXISTS = "app-password-exists";
    public static final String ALIAS_EXISTS = "alias-exists";
    public static final String ALIAS_NOT_FOUND = "alias-not-found";
    public static final String ADDRESS_TAKEN = "address-taken";
    public static final String AUTH_FAILED = "auth-failed";
    public static final String AUTH_LOCKED = "auth-locked";
    public static final String MAILDROP_IN_USE = "maildrop-in-use";
    public static final String LOGIN_DELAY = "login-delay";
    public static final String UNAVAILABLE = "unavailable";
    public static final String INTERNAL_ERROR = "internal-error";

    private ProblemCodes() {
    }
}
