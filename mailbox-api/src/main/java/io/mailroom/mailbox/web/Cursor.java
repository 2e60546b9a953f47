package io.mailroom.mailbox.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque pagination cursors. A cursor names the last key a page returned; the next page starts after it. Clients
 * must not build or parse them: the encoding may change (the version prefix lets it).
 */
public final class Cursor {

    private static final String VERSION = "1:";

    private Cursor() {
    }

    public static String encode(long lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((VERSION + lastKey).getBytes(StandardCharsets.US_ASCII));
    }

    /** The key to start after; {@code 0} (before every key) when there is no cursor. */
    public static long decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (!text.startsWith(VERSION)) {
                throw invalid(cursor);
            }
            long key = Long.parseLong(text.substring(VERSION.length()));
            if (key < 0) {
                throw invalid(cursor);
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw invalid(cursor);
        }
    }

    private static ApiProblem invalid(String cursor) {
        return new ApiProblem(org.springframework.http.HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_CURSOR,
                "this cursor was not issued by this API: " + cursor);
    }
}
