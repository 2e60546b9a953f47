package io.mailroom.mailbox.blob;

import java.io.InputStream;

/**
 * Message bodies, stored once per content and addressed by their SHA-256. Only the implementation knows where
 * the bytes live (PostgreSQL first, an S3-compatible store later); everything else holds just the hash.
 *
 * <p>References are counted: every {@link #put} of some content must be matched by one {@link #release} when the
 * message that holds it goes away. Both take part in the caller's transaction, so a rolled-back filing or
 * expunge leaves the counts as they were.
 */
public interface BlobStore {

    /**
     * Stores the content, or adds a reference if the same content is stored already.
     *
     * @return the content's SHA-256, lower-case hex: its address in this store
     */
    String put(byte[] content);

    /**
     * Opens the content for reading. The stream is independent of any transaction and bounded in memory, so it
     * may be handed to a slow reader.
     *
     * @throws BlobNotFoundException when there is no such blob
     */
    InputStream open(String sha256);

    /** Drops one reference; the content goes when the last reference does. */
    void release(String sha256);

    /** Asked for content that is not stored. */
    class BlobNotFoundException extends RuntimeException {
        public BlobNotFoundException(String sha256) {
            super("no blob " + sha256);
        }
    }
}
