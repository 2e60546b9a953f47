package io.mailroom.mailbox.message;

/**
 * What filing learns from a message's bytes, so that listings (and later IMAP ENVELOPE) need not read the blob.
 *
 * @param headerSize  bytes from the start up to and including the blank line that ends the header block
 * @param bodyLines   lines in the body (IMAP's body line count)
 * @param subject     decoded (RFC 2047), or null
 * @param fromAddress the first From mailbox's addr-spec, or null
 * @param fromName    its display name, decoded, or null
 * @param messageId   the Message-ID header, as written, or null
 */
public record ParsedMessage(int headerSize, int bodyLines, String subject, String fromAddress, String fromName,
                            String messageId) {
}
