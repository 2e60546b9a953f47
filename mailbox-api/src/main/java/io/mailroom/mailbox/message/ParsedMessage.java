package io.mailroom.mailbox.message;

import java.time.Instant;
import java.util.List;

import io.mailroom.mailbox.client.store.BodyStructure;
import io.mailroom.mailbox.client.store.Envelope;

/**
 * What filing learns from a message's bytes, once, so that listings, IMAP FETCH and searches never read the blob.
 *
 * @param headerSize    bytes from the start up to and including the blank line that ends the header block
 * @param bodyLines     lines in the body (a last line without a break counts)
 * @param subject       decoded (RFC 2047), or null
 * @param fromAddress   the first From mailbox's addr-spec, or null
 * @param fromName      its display name, decoded, or null
 * @param messageId     the Message-ID header, as written, or null
 * @param header        the raw header block (at most {@link MessageParser#MAX_HEADER} bytes)
 * @param headerText    unfolded, decoded {@code name: value} lines, for header searches
 * @param bodyText      decoded text of the text parts, for body searches (at most {@link MessageParser#MAX_BODY_TEXT})
 * @param envelope      IMAP ENVELOPE facts
 * @param structure     the MIME tree
 * @param mediaType     the top-level media type, lower case
 * @param subType       the top-level subtype, lower case
 * @param textLines     for a top-level text/* entity, line breaks in the body; null otherwise
 * @param sentDate      the Date header, or null when missing or unreadable
 * @param hasAttachment whether some part is an attachment
 * @param references    the message ids of In-Reply-To and References, for threading
 */
public record ParsedMessage(int headerSize, int bodyLines, String subject, String fromAddress, String fromName,
                            String messageId, byte[] header, String headerText, String bodyText, Envelope envelope,
                            BodyStructure structure, String mediaType, String subType, Long textLines,
                            Instant sentDate, boolean hasAttachment, List<String> references) {
}
