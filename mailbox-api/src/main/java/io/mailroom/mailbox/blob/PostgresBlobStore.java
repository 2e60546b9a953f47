package io.mailroom.mailbox.blob;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.core.support.SqlBinaryValue;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Blobs in the {@code blobs} table. The content column is stored uncompressed out of line
 * ({@code STORAGE EXTERNAL}, see the migration), so {@link #open} can read it slice by slice with
 * {@code substring}: a 50 MB message is never held in memory whole, and no connection is held between slices.
 */
@Component
public class PostgresBlobStore implements BlobStore {

    static final int SLICE = 256 * 1024;
    /** Bodies above this are staged before their transaction ({@code MessageWriter}), so put only counts them. */
    static final long STAGED_ABOVE = 1024 * 1024;

    private final JdbcClient jdbc;

    PostgresBlobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public String put(SpooledContent content) {
        return put(content, 1);
    }

    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public String put(SpooledContent content, int references) {
        if (references < 1) {
            throw new IllegalArgumentException("references must be positive: " + references);
        }
        String sha256 = content.sha256();
        // a large body was staged before the transaction (or is shared): count the references without shipping it again
        if (content.size() > STAGED_ABOVE
                && jdbc.sql("UPDATE blobs SET ref_count = ref_count + ? WHERE sha256 = ?").params(references, sha256).update() > 0) {
            return sha256;
        }
        try (InputStream in = content.open()) {
            // one statement for a small body, new or not; a stream of known length for a large one, which the driver
            // sends as it reads it, never as one array in the heap
            jdbc.sql("""
                            INSERT INTO blobs (sha256, size, content, ref_count) VALUES (?, ?, ?, ?)
                            ON CONFLICT (sha256) DO UPDATE SET ref_count = blobs.ref_count + EXCLUDED.ref_count""")
                    .param(1, sha256)
                    .param(2, content.size())
                    .param(3, new SqlBinaryValue(in, content.size()))
                    .param(4, references)
                    .update();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sha256;
    }

    @Override
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public void stage(SpooledContent content) {
        boolean stored = jdbc.sql("SELECT 1 FROM blobs WHERE sha256 = ?").param(content.sha256()).query(Integer.class)
                .optional().isPresent();
        if (stored) {
            return;
        }
        try (InputStream in = content.open()) {
            jdbc.sql("""
                            INSERT INTO blobs (sha256, size, content, ref_count) VALUES (?, ?, ?, 0)
                            ON CONFLICT (sha256) DO NOTHING""")
                    .param(1, content.sha256())
                    .param(2, content.size())
                    .param(3, new SqlBinaryValue(in, content.size()))
                    .update();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Deletes staged content that no transaction referenced within the grace period (its filing failed or died). */
    public int sweep(java.time.Duration grace) {
        return jdbc.sql("""
                        DELETE FROM blobs b
                         WHERE b.ref_count <= 0 AND b.created_at < now() - make_interval(secs => ?)
                           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.blob_sha256 = b.sha256)""")
                .param((double) grace.toSeconds())
                .update();
    }

    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean addReference(String sha256) {
        return jdbc.sql("UPDATE blobs SET ref_count = ref_count + 1 WHERE sha256 = ?").param(sha256).update() > 0;
    }

    @Override
    public InputStream open(String sha256) {
        return open(sha256, 0, Long.MAX_VALUE);
    }

    @Override
    public InputStream open(String sha256, long offset, long length) {
        long size = jdbc.sql("SELECT size FROM blobs WHERE sha256 = ?")
                .param(sha256)
                .query(Long.class)
                .optional()
                .orElseThrow(() -> new BlobNotFoundException(sha256));
        long start = Math.min(Math.max(0, offset), size);
        long end = length >= size - start ? size : start + length;
        return new SlicedStream(sha256, start, end);
    }

    /** One query for all of them: {@code content} is stored uncompressed out of line, so this reads just those rows. */
    @Override
    public Map<String, byte[]> readAll(Collection<String> sha256s) {
        if (sha256s.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> contents = new HashMap<>();
        jdbc.sql("SELECT sha256, content FROM blobs WHERE sha256 = ANY(?)")
                .param(sha256s.stream().distinct().toArray(String[]::new))
                .query(rs -> {
                    contents.put(rs.getString(1), rs.getBytes(2));
                });
        return contents;
    }

    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public void release(String sha256) {
        jdbc.sql("UPDATE blobs SET ref_count = ref_count - 1 WHERE sha256 = ?").param(sha256).update();
        jdbc.sql("DELETE FROM blobs WHERE sha256 = ? AND ref_count <= 0").param(sha256).update();
    }

    /** Reads a blob a slice at a time, one short query per slice. */
    private final class SlicedStream extends InputStream {

        private final String sha256;
        private final long size;
        private long position;
        private byte[] slice = new byte[0];
        private int offset;

        /** Reads bytes {@code start} (included) to {@code end} (excluded). */
        SlicedStream(String sha256, long start, long end) {
            this.sha256 = sha256;
            this.position = start;
            this.size = end;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return slice[offset++] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int off, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(length, slice.length - offset);
            System.arraycopy(slice, offset, buffer, off, n);
            offset += n;
            return n;
        }

        @Override
        public int available() {
            return slice.length - offset;
        }

        private boolean fill() throws IOException {
            if (offset < slice.length) {
                return true;
            }
            if (position >= size) {
                return false;
            }
            int length = (int) Math.min(SLICE, size - position);
            // substring() on bytea counts from 1
            byte[] next = jdbc.sql("SELECT substring(content FROM ?::int FOR ?::int) FROM blobs WHERE sha256 = ?")
                    .params(position + 1, length, sha256)
                    .query(byte[].class)
                    .optional()
                    .orElseThrow(() -> new IOException("blob " + sha256 + " was deleted while it was being read"));
            if (next.length == 0) {
                throw new IOException("blob " + sha256 + " is shorter than expected (" + size + " bytes)");
            }
            slice = next;
            offset = 0;
            position += next.length;
            return true;
        }
    }
}
