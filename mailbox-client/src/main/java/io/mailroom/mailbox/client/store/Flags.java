package io.mailroom.mailbox.client.store;

import java.util.Locale;
import java.util.Set;

/**
 * Message flags as they travel in this API: IMAP spelling, system flags with their backslash, keywords as given.
 * Keywords compare case-insensitively (as {@code javax.mail.Flags} does) and keep the case they were first set in.
 */
public final class Flags {

    public static final String SEEN = "\\Seen";
    public static final String ANSWERED = "\\Answered";
    public static final String FLAGGED = "\\Flagged";
    public static final String DELETED = "\\Deleted";
    public static final String DRAFT = "\\Draft";
    /**
     * {@code \Recent} (RFC 3501 §2.3.2) is stored per message and shared by every session: a message carries it from
     * its arrival until a session clears it (James's store clears it on SELECT). RFC 9051 dropped the flag; it is kept
     * for IMAP4rev1 clients and James's conformance scripts. Tools never see it.
     */
    public static final String RECENT = "\\Recent";

    /** The system flags a message may carry. */
    public static final Set<String> SYSTEM = Set.of(SEEN, ANSWERED, FLAGGED, DELETED, DRAFT, RECENT);

    private Flags() {
    }

    public static boolean isSystem(String flag) {
        return flag.startsWith("\\");
    }

    /** The canonical spelling of a system flag in any case ({@code \SEEN} → {@code \Seen}); keywords unchanged. */
    public static String canonical(String flag) {
        if (!isSystem(flag)) {
            return flag;
        }
        String lower = flag.toLowerCase(Locale.ROOT);
        for (String system : SYSTEM) {
            if (system.toLowerCase(Locale.ROOT).equals(lower)) {
                return system;
            }
        }
        throw new IllegalArgumentException("not a system flag: " + flag);
    }
}
