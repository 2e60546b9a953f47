package io.mailroom.mailbox.message;

import java.io.InputStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * A raw message as an HTTP answer: the exact stored bytes, streamed, whole or one byte range (RFC 9110 §14: a single
 * {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}; anything else is 416).
 */
final class RawMessageResponses {

    static final String MESSAGE_RFC822 = "message/rfc822";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** Opens {@code length} bytes from {@code offset}. */
    @FunctionalInterface
    interface Opener {
        InputStream open(long offset, long length);
    }

    private RawMessageResponses() {
    }

    static ResponseEntity<Resource> of(RawMessage raw) {
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(MESSAGE_RFC822))
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .contentLength(raw.size())
                .body(resource(raw.content(), raw.size()));
    }

    /** The whole message, or the range the request asks for. */
    static ResponseEntity<Resource> of(long size, String rangeHeader, Opener opener) {
        if (rangeHeader == null || rangeHeader.isBlank()) {
            return of(new RawMessage(opener.open(0, size), size));
        }
        Matcher range = RANGE.matcher(rangeHeader.strip());
        if (!range.matches() || range.group(1).isEmpty() && range.group(2).isEmpty()) {
            throw unsatisfiable(size); // several ranges, or not bytes: refused rather than half-understood
        }
        long first;
        long last;
        try {
            if (range.group(1).isEmpty()) {
                long suffix = Long.parseLong(range.group(2));
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(range.group(1));
                last = range.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(range.group(2)), size - 1);
            }
        } catch (NumberFormatException tooBig) {
            throw unsatisfiable(size);
        }
        if (first >= size || last < first) {
            throw unsatisfiable(size);
        }
        long length = last - first + 1;
        return ResponseEntity.status(HttpStatus.PARTIAL_CONTENT)
                .contentType(MediaType.parseMediaType(MESSAGE_RFC822))
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .header(HttpHeaders.CONTENT_RANGE, "bytes " + first + "-" + last + "/" + size)
                .contentLength(length)
                .body(resource(opener.open(first, length), length));
    }

    private static Resource resource(InputStream content, long length) {
        return new InputStreamResource(content) {
            @Override
            public long contentLength() {
                return length; // the stream can be read once only: never read it to learn its length
            }
        };
    }

    private static ApiProblem unsatisfiable(long size) {
        return new ApiProblem(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, ProblemCodes.RANGE_NOT_SATISFIABLE,
                "the message has " + size + " bytes", Map.of("size", size));
    }
}
