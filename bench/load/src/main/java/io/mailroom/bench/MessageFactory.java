package io.mailroom.bench;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Test messages of a given total size: a few headers unique to each message (Message-ID, Subject) and a shared
 * plain-text body cut to size. Lines are 78 octets with CRLF and never start with a dot, so DATA needs no
 * dot-stuffing; the terminating {@code .} line is not part of the message.
 */
final class MessageFactory {

    private static final String WORDS = "alpha beta gamma delta mail server queue message folder fetch store "
            + "quarterly report meeting agenda budget release schedule invoice review the of and to in is that ";

    private final String runId;
    private final int size;
    private final String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now());

    MessageFactory(String runId, int size) {
        this.runId = runId;
        this.size = size;
    }

    byte[] message(int index, List<String> recipients) {
        String to = recipients.size() == 1 ? "<" + recipients.getFirst() + ">" : "undisclosed-recipients:;";
        String headers = "From: Mailroom bench <bench@example.test>\r\n"
                + "To: " + to + "\r\n"
                + "Subject: bench " + runId + " " + index + "\r\n"
                + "Date: " + date + "\r\n"
                + "Message-ID: <bench." + runId + "." + index + "@example.test>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "\r\n";
        byte[] head = headers.getBytes(StandardCharsets.US_ASCII);
        byte[] body = body(Math.max(2, size - head.length));
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private byte[] cachedBody;

    /** The same body for every message of a run; computed once (workers share it read-only after that). */
    private synchronized byte[] body(int length) {
        if (cachedBody == null || cachedBody.length != length) {
            cachedBody = text(length);
        }
        return cachedBody;
    }

    static byte[] text(int length) {
        byte[] out = new byte[length];
        int w = 0;
        int column = 0;
        for (int i = 0; i < length; i++) {
            boolean lineEnd = column == 76 || i >= length - 2;
            if (lineEnd && i <= length - 2) {
                out[i] = '\r';
                out[++i] = '\n';
                column = 0;
                continue;
            }
            char ch = WORDS.charAt(w++ % WORDS.length());
            out[i] = (byte) (column == 0 && ch == '.' ? 'x' : ch);
            column++;
        }
        return out;
    }
}
