package io.mailroom.mailbox.domain;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/** Mail domain names in the one form Mailroom stores and compares: ASCII (IDNA), lower case, no trailing dot. */
public final class DomainName {

    private static final Pattern LABELS = Pattern.compile(
            "(?!-)[a-z0-9-]{1,63}(?<!-)(\\.(?!-)[a-z0-9-]{1,63}(?<!-))*");

    private DomainName() {
    }

    /**
     * The canonical form of a domain name.
     *
     * @throws IllegalArgumentException when it is not a valid host name
     */
    public static String canonical(String raw) {
        if (raw == null) {
            throw new IllegalArgumentException("a domain name is required");
        }
        String name = raw.strip();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (isAscii(name)) {
            // every request names its account, so the common case skips IDNA: for an all-ASCII name toASCII
            // only checks what LABELS checks below (RFC 3490 §4, step 4 skips the conversion)
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.length() <= 253 && LABELS.matcher(lower).matches()) {
                return lower;
            }
        }
        try {
            name = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid domain name: " + raw, e);
        }
        if (name.length() > 253 || !LABELS.matcher(name).matches()) {
            throw new IllegalArgumentException("not a valid domain name: " + raw);
        }
        return name;
    }

    private static boolean isAscii(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Like {@link #canonical} but never fails: for comparing names that may be invalid (they then match nothing). */
    public static String normalize(String raw) {
        try {
            return canonical(raw);
        } catch (IllegalArgumentException e) {
            return raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        }
    }
}
