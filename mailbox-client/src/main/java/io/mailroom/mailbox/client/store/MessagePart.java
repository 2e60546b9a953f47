package io.mailroom.mailbox.client.store;

/**
 * What a metadata fetch adds to the basic metadata of each message. Each costs more to read, so a caller asks only
 * for what the command at hand needs (FETCH FLAGS needs none; ENVELOPE needs {@link #ENVELOPE}; BODY[HEADER], header
 * searches done locally, and James's {@code FetchType.HEADERS} need {@link #HEADERS}).
 */
public enum MessagePart {
    /** {@link MessageMetadata#envelope()}. */
    ENVELOPE,
    /** {@link MessageMetadata#structure()}: the MIME tree (BODYSTRUCTURE, and James's message properties). */
    STRUCTURE,
    /** {@link MessageMetadata#header()}: the header block's raw bytes, the blank line included. */
    HEADERS
}
