package io.mailroom.mailbox.blob;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.jdbc.core.simple.JdbcClient;
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

    private final JdbcClient jdbc;

    PostgresBlobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public String put(byte[] content) {
        String sha256 = Sha256.hex(content);
        // the common duplicate case (one message, many recipients) must not ship the content again
        int referenced = jdbc.sql("UPDATE blobs SET ref_count = ref_count + 1 WHERE sha256 = ?")
                .param(sha256)
                .update();
        if (referenced == 0) {
            jdbc.sql("""
                            INSERT INTO blobs (sha256, size, content, ref_count) VALUES (?, ?, ?, 1)
                            ON CONFLICT (sha256) DO UPDATE SET ref_count = blobs.ref_count + 1""")
                    .params(sha256, (long) content.length, content)
                    .update();
        }
        return sha256;
    }

    @Override
    public InputStream open(String sha256) {
        long size = jdbc.sql("SELECT size FROM blobs WHERE sha256 = ?")
                .param(sha256)
                .query(Long.class)
                .optional()
                .orElseThrow(() -> new BlobNotFoundException(sha256));
        return new SlicedStream(sha256, size);
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

        SlicedStream(String sha256, long size) {
            this.sha256 = sha256;
            this.size = size;
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
                throw new IOException("blob " + sha256 + " is shorter than its recorded size " + size);
            }
            slice = next;
            offset = 0;
            position += next.length;
            return true;
        }
    }
}
