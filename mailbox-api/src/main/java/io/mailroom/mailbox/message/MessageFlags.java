package io.mailroom.mailbox.message;

import java.util.ArrayList;
import java.util.List;

/**
 * IMAP system flags (RFC 9051 §2.3.2) as the bits of the {@code messages.flags} column. {@code \Recent} is not
 * stored: it belongs to an IMAP session, not to the message. Keywords live beside, in {@code keywords}.
 */
public final class MessageFlags {

    public static final int SEEN = 1;
    public static final int ANSWERED = 1 << 1;
    public static final int FLAGGED = 1 << 2;
    public static final int DELETED = 1 << 3;
    public static final int DRAFT = 1 << 4;

    private static final int[] BITS = {SEEN, ANSWERED, FLAGGED, DELETED, DRAFT};
    private static final String[] NAMES = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"};

    private MessageFlags() {
    }

    /** The flags in IMAP spelling: system flags first, then keywords. */
    public static List<String> names(int flags, String[] keywords) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < BITS.length; i++) {
            if ((flags & BITS[i]) != 0) {
                names.add(NAMES[i]);
            }
        }
        if (keywords != null) {
            names.addAll(List.of(keywords));
        }
        return names;
    }
}
