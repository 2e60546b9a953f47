package io.mailroom.mailbox.message;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * Several messages' raw bytes in one answer, for the POP3 gateway's read-ahead (docs/rest-api.md, "Read several
 * messages"): one account and mailbox lookup, one query for the messages and one read of their bodies instead of a
 * request per message. Bounded: at most {@value #MAX_MESSAGES} UIDs and {@value #MAX_BYTES} bytes of messages per
 * answer, all of it in memory; a large message is read with the single, streamed call.
 *
 * <p>The answer ({@value #MEDIA_TYPE}) has one entry per UID asked, in the order asked, each starting with an
 * ASCII line that ends in CRLF:
 * <pre>
 * &lt;uid&gt; &lt;size&gt;CRLF&lt;size bytes: the message, exactly as stored&gt;
 * &lt;uid&gt; missingCRLF     no such message (never was, or expunged)
 * &lt;uid&gt; deferredCRLF    not sent: it would have taken the answer past its byte budget; read it on its own
 * </pre>
 */
final class RawBatch {

    static final String MEDIA_TYPE = "application/vnd.mailroom.raw-batch";
    /** UIDs per request at most. */
    static final int MAX_MESSAGES = 64;
    /** Bytes of messages per answer at most (and the default budget). */
    static final long MAX_BYTES = 1024 * 1024;
    static final String MISSING = "missing";
    static final String DEFERRED = "deferred";

    private RawBatch() {
    }

    /**
     * @param uids     the messages wanted, in the order they should come; 1 to {@value #MAX_MESSAGES}
     * @param maxBytes the most bytes of messages the answer may carry (capped at {@value #MAX_BYTES}, the default)
     */
    record RawBatchRequest(@NotNull @Size(min = 1, max = MAX_MESSAGES) List<@NotNull @Positive Long> uids,
                   @Positive Long maxBytes) {

        long budget() {
            return maxBytes == null ? MAX_BYTES : Math.min(maxBytes, MAX_BYTES);
        }
    }

    /** One UID's part of the answer. */
    sealed interface Entry {
        long uid();
    }

    record Found(long uid, byte[] content) implements Entry {
    }

    record Missing(long uid) implements Entry {
    }

    record Deferred(long uid) implements Entry {
    }

    /** The entries framed as the class comment shows, and how many bytes that is. */
    record Framed(InputStream content, long length) {
    }

    static Framed frame(List<Entry> entries) {
        List<InputStream> parts = new ArrayList<>(entries.size() * 2);
        long length = 0;
        for (Entry entry : entries) {
            String line = switch (entry) {
                case Found found -> found.uid() + " " + found.content().length;
                case Missing missing -> missing.uid() + " " + MISSING;
                case Deferred deferred -> deferred.uid() + " " + DEFERRED;
            };
            byte[] head = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
            parts.add(new ByteArrayInputStream(head));
            length += head.length;
            if (entry instanceof Found found) {
                parts.add(new ByteArrayInputStream(found.content()));
                length += found.content().length;
            }
        }
        return new Framed(new SequenceInputStream(Collections.enumeration(parts)), length);
    }
}
