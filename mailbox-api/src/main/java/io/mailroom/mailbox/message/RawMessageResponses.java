package io.mailroom.mailbox.message;

import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** A raw message as an HTTP answer: the exact stored bytes, streamed. */
final class RawMessageResponses {

    static final String MESSAGE_RFC822 = "message/rfc822";

    private RawMessageResponses() {
    }

    static ResponseEntity<Resource> of(RawMessage raw) {
        Resource body = new InputStreamResource(raw.content()) {
            @Override
            public long contentLength() {
                return raw.size(); // the stream can be read once only: never read it to learn its length
            }
        };
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(MESSAGE_RFC822))
                .contentLength(raw.size())
                .body(body);
    }
}
