package io.mailroom.mailbox.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

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
    String put(SpooledContent content);

    /**
     * {@link #put(SpooledContent)} for several references at once (one message filed for several recipients): the
     * content is stored once and counted {@code references} times.
     */
    String put(SpooledContent content, int references);

    /**
     * Stores large content ahead of the transaction that will reference it, outside any transaction, so that the
     * upload holds no lock another writer waits for. Unreferenced staged content is collected after a grace period;
     * {@link #put} in the transaction then only counts the reference (or stores the content again should it have gone).
     */
    void stage(SpooledContent content);

    /** {@link #put(SpooledContent)} for content already in memory. */
    default String put(byte[] content) {
        return put(SpooledContent.of(content));
    }

    /**
     * Adds one reference to content that is stored already (a copy of a message).
     *
     * @return false when there is no such blob (its last reference went meanwhile)
     */
    boolean addReference(String sha256);

    /**
     * Opens the content for reading. The stream is independent of any transaction and bounded in memory, so it
     * may be handed to a slow reader.
     *
     * @throws BlobNotFoundException when there is no such blob
     */
    InputStream open(String sha256);

    /** Opens {@code length} bytes from {@code offset}, like {@link #open} (an HTTP range). */
    InputStream open(String sha256, long offset, long length);

    /**
     * The whole content of several blobs, for content the caller knows to be small (it bounds the total, which is held
     * in memory): by hash, each hash once; a hash that has no blob is not in the answer. This default opens one after
     * the other; a store that can read several in one round trip does so (the gateways' batch reads, one query for
     * many messages).
     */
    default Map<String, byte[]> readAll(Collection<String> sha256s) {
        Map<String, byte[]> contents = new HashMap<>();
        for (String sha256 : sha256s) {
            if (contents.containsKey(sha256)) {
                continue;
            }
            try (InputStream in = open(sha256)) {
                contents.put(sha256, in.readAllBytes());
            } catch (BlobNotFoundException gone) {
                // not stored (any more): left out
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return contents;
    }

    /** Drops one reference; the content goes when the last reference does. */
    void release(String sha256);

    /** Asked for content that is not stored. */
    class BlobNotFoundException extends RuntimeException {
        public BlobNotFoundException(String sha256) {
            super("no blob " + sha256);
        }
    }
}
