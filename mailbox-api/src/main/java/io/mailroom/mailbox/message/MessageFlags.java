package io.mailroom.mailbox.message;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.mailroom.mailbox.client.store.Flags;
import io.mailroom.mailbox.web.ApiProblem;

/**
 * IMAP system flags (RFC 9051 §2.3.2) as the bits of the {@code messages.flags} column; keywords live beside, in
 * {@code keywords}. {@code \Recent} is stored too (see {@link Flags#RECENT}) but only the store API shows it: tools see
 * the flags a user set.
 */
public final class MessageFlags {

    public static final int SEEN = 1;
    public static final int ANSWERED = 1 << 1;
    public static final int FLAGGED = 1 << 2;
    public static final int DELETED = 1 << 3;
    public static final int DRAFT = 1 << 4;
    public static final int RECENT = 1 << 5;

    /** A keyword longer than this is refused: no client needs one, and they are stored in every message row. */
    public static final int MAX_KEYWORD_LENGTH = 128;
    public static final int MAX_KEYWORDS = 64;

    private static final int[] BITS = {SEEN, ANSWERED, FLAGGED, DELETED, DRAFT, RECENT};
    private static final String[] NAMES = {Flags.SEEN, Flags.ANSWERED, Flags.FLAGGED, Flags.DELETED, Flags.DRAFT, Flags.RECENT};

    private MessageFlags() {
    }

    /** The flags in IMAP spelling for tools: system flags first, then keywords; no {@code \Recent}. */
    public static List<String> names(int flags, String[] keywords) {
        List<String> names = new ArrayList<>(all(flags & ~RECENT, keywords));
        return names;
    }

    /** Every flag, {@code \Recent} included, for the store API. */
    public static Set<String> all(int flags, String[] keywords) {
        Set<String> names = new LinkedHashSet<>();
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

    /** The bit of a system flag in any case, or 0 for a keyword. */
    public static int bit(String flag) {
        if (!flag.startsWith("\\")) {
            return 0;
        }
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(flag)) {
                return BITS[i];
            }
        }
        throw ApiProblem.validation("not a system flag: " + flag);
    }

    /** Flags as the columns hold them. */
    public record Parsed(int bits, List<String> keywords) {

        /** Applies a STORE to a message's current flags; keywords compare case-insensitively and keep their first case. */
        public Parsed apply(io.mailroom.mailbox.client.store.FlagUpdate.Mode mode, int oldBits, String[] oldKeywords) {
            List<String> current = oldKeywords == null ? new ArrayList<>() : new ArrayList<>(List.of(oldKeywords));
            return switch (mode) {
                case REPLACE -> this;
                case ADD -> {
                    for (String keyword : keywords) {
                        if (current.stream().noneMatch(k -> k.equalsIgnoreCase(keyword))) {
                            current.add(keyword);
                        }
                    }
                    yield new Parsed(oldBits | bits, current);
                }
                case REMOVE -> {
                    current.removeIf(k -> keywords.stream().anyMatch(k::equalsIgnoreCase));
                    yield new Parsed(oldBits & ~bits, current);
                }
            };
        }
    }

    /**
     * Reads flags in IMAP spelling.
     *
     * @throws ApiProblem {@code validation} for an unknown system flag or a keyword that is not an IMAP atom
     */
    public static Parsed parse(Collection<String> flags) {
        int bits = 0;
        List<String> keywords = new ArrayList<>();
        for (String flag : flags == null ? List.<String>of() : flags) {
            if (flag == null || flag.isEmpty()) {
                throw ApiProblem.validation("an empty flag");
            }
            int bit = bit(flag);
            if (bit != 0) {
                bits |= bit;
                continue;
            }
            if (!isAtom(flag)) {
                throw ApiProblem.validation("not a keyword (an IMAP atom of at most " + MAX_KEYWORD_LENGTH + " characters): " + flag);
            }
            if (keywords.stream().noneMatch(k -> k.equalsIgnoreCase(flag))) {
                keywords.add(flag);
            }
        }
        if (keywords.size() > MAX_KEYWORDS) {
            throw ApiProblem.validation("at most " + MAX_KEYWORDS + " keywords per message");
        }
        return new Parsed(bits, keywords);
    }

    /** RFC 9051 §9 {@code atom}: printable ASCII without {@code ( ) { SP % * " \ ]}. */
    public static boolean isAtom(String keyword) {
        if (keyword.length() > MAX_KEYWORD_LENGTH) {
            return false;
        }
        for (int i = 0; i < keyword.length(); i++) {
            char c = keyword.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "(){%*\"\\]".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    static String lower(String keyword) {
        return keyword.toLowerCase(Locale.ROOT);
    }
}
