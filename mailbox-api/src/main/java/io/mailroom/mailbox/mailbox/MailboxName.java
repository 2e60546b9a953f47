package io.mailroom.mailbox.mailbox;

import java.util.Locale;

import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Mailbox names as Mailroom stores them: Unicode, {@code /} between hierarchy levels, INBOX always spelt {@code INBOX}
 * (RFC 9051 §5.1: INBOX is case-insensitive). Refused: empty levels (a leading, trailing or doubled {@code /}), control
 * characters, and IMAP's LIST wildcards {@code *} and {@code %}, which no client could name unambiguously.
 */
public final class MailboxName {

    public static final char DELIMITER = '/';
    public static final String INBOX = "INBOX";
    static final int MAX_LENGTH = 1000;
    static final int MAX_LEVEL_LENGTH = 255;
    static final int MAX_DEPTH = 32;

    private MailboxName() {
    }

    /**
     * The stored form of a name.
     *
     * @throws ApiProblem 400 {@code invalid-mailbox-name}
     */
    public static String canonical(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw invalid(raw, "a mailbox name is required");
        }
        if (raw.length() > MAX_LENGTH) {
            throw invalid(raw, "at most " + MAX_LENGTH + " characters");
        }
        String[] levels = raw.split("/", -1);
        if (levels.length > MAX_DEPTH) {
            throw invalid(raw, "at most " + MAX_DEPTH + " levels");
        }
        for (String level : levels) {
            if (level.isEmpty()) {
                throw invalid(raw, "an empty level (a leading, trailing or doubled '/')");
            }
            if (level.length() > MAX_LEVEL_LENGTH) {
                throw invalid(raw, "a level has at most " + MAX_LEVEL_LENGTH + " characters");
            }
            for (int i = 0; i < level.length(); i++) {
                char c = level.charAt(i);
                if (c < 0x20 || c == 0x7f || c == '*' || c == '%' || Character.isISOControl(c)) {
                    throw invalid(raw, "control characters, '*' and '%' are not allowed");
                }
            }
        }
        if (levels[0].equalsIgnoreCase(INBOX)) {
            levels[0] = INBOX;
        }
        return String.join("/", levels);
    }

    /** The names above this one, outermost first: {@code a/b/c} → {@code a}, {@code a/b}. */
    public static java.util.List<String> superiors(String name) {
        java.util.List<String> superiors = new java.util.ArrayList<>();
        int slash = name.indexOf(DELIMITER);
        while (slash > 0) {
            superiors.add(name.substring(0, slash));
            slash = name.indexOf(DELIMITER, slash + 1);
        }
        return superiors;
    }

    /** Whether {@code name} is {@code ancestor} itself or below it. */
    public static boolean within(String name, String ancestor) {
        return name.equals(ancestor) || name.startsWith(ancestor + DELIMITER);
    }

    static boolean isInbox(String name) {
        return name.toUpperCase(Locale.ROOT).equals(INBOX);
    }

    private static ApiProblem invalid(String raw, String why) {
        return new ApiProblem(org.springframework.http.HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_MAILBOX_NAME,
                "not a valid mailbox name (" + why + "): " + raw);
    }
}
