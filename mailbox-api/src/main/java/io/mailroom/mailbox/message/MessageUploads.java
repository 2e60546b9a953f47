package io.mailroom.mailbox.message;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.mailroom.mailbox.MailboxProperties;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/** Reads a raw message from a request body, within the size limit, into memory or a spool file (never both whole). */
@Component
public class MessageUploads {

    private final MailboxProperties properties;

    MessageUploads(MailboxProperties properties) {
        this.properties = properties;
    }

    /**
     * The body, refusing more than {@code mailroom.mailbox.max-message-size}: before reading it where the length is
     * declared, else as soon as the limit is passed. The caller closes the result.
     *
     * @throws ApiProblem 413 {@code message-too-large}, 400 {@code validation} for an empty body
     */
    public SpooledContent read(HttpServletRequest request) throws IOException {
        return read(request.getInputStream(), request.getContentLengthLong());
    }

    /** {@link #read(HttpServletRequest)} for a message that comes as a stream of its own (a part of a multipart body). */
    public SpooledContent read(java.io.InputStream in, long declaredLength) throws IOException {
        long max = properties.maxMessageSize().toBytes();
        if (declaredLength > max) {
            throw tooLarge(max);
        }
        SpooledContent content;
        try {
            content = SpooledContent.read(in, max);
        } catch (SpooledContent.TooLargeException e) {
            throw tooLarge(max);
        }
        if (content.size() == 0) {
            content.close();
            throw ApiProblem.validation("the message is empty");
        }
        return content;
    }

    private static ApiProblem tooLarge(long max) {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, ProblemCodes.MESSAGE_TOO_LARGE,
                "the message is larger than the " + max + " bytes this server accepts", Map.of("maxSize", max));
    }
}
