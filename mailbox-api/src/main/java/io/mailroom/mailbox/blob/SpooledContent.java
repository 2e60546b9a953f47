package io.mailroom.mailbox.blob;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A message's raw bytes, read once from the request and kept where they can be read again as often as filing needs
 * (parsing, storing): in memory when small, in a temporary file when large, so a 50 MB message never sits in the heap.
 * Its SHA-256 is computed on the way in. Close it to delete the file.
 */
public final class SpooledContent implements AutoCloseable {

    /** Above this, the bytes go to a temporary file. */
    static final int MEMORY_THRESHOLD = 1024 * 1024;

    private final byte[] bytes;
    private final Path file;
    private final long size;
    private final String sha256;

    private SpooledContent(byte[] bytes, Path file, long size, String sha256) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
        this.sha256 = sha256;
    }

    public static SpooledContent of(byte[] content) {
        return new SpooledContent(content, null, content.length, Sha256.hex(content));
    }

    /**
     * Reads the stream to its end, or until more than {@code maxSize} bytes came.
     *
     * @throws TooLargeException when the stream holds more than {@code maxSize} bytes (nothing is kept)
     */
    public static SpooledContent read(InputStream in, long maxSize) throws IOException {
        MessageDigest digest = newDigest();
        ByteArrayOutputStream memory = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        Path file = null;
        OutputStream out = null;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxSize) {
                    throw new TooLargeException(maxSize);
                }
                digest.update(buffer, 0, n);
                if (out == null && memory.size() + n > MEMORY_THRESHOLD) {
                    file = Files.createTempFile("mailroom-message-", ".eml");
                    out = Files.newOutputStream(file);
                    memory.writeTo(out);
                    memory = null;
                }
                if (out != null) {
                    out.write(buffer, 0, n);
                } else {
                    memory.write(buffer, 0, n);
                }
            }
            if (out != null) {
                out.close();
                out = null;
            }
            String hex = HexFormat.of().formatHex(digest.digest());
            return file != null ? new SpooledContent(null, file, total, hex) : new SpooledContent(memory.toByteArray(), null, total, hex);
        } catch (IOException | RuntimeException e) {
            if (out != null) {
                out.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
            throw e;
        }
    }

    public long size() {
        return size;
    }

    public String sha256() {
        return sha256;
    }

    /** A fresh stream over all the bytes; the caller closes it. */
    public InputStream open() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code length} bytes (or all, when fewer). */
    public byte[] prefix(int length) {
        if (bytes != null) {
            return java.util.Arrays.copyOf(bytes, (int) Math.min(length, size));
        }
        try (InputStream in = open()) {
            return in.readNBytes(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the temporary directory is cleaned by the system eventually
            }
        }
    }

    /** Cloned for every content: {@code MessageDigest.getInstance} looks the provider up each time (~1 % of a filing). */
    private static final MessageDigest PROTOTYPE;

    static {
        try {
            PROTOTYPE = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static MessageDigest newDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException("every JDK has SHA-256", impossible);
            }
        }
    }

    /** The content is larger than allowed. */
    public static final class TooLargeException extends IOException {
        private final long maxSize;

        TooLargeException(long maxSize) {
            super("the content is larger than " + maxSize + " bytes");
            this.maxSize = maxSize;
        }

        public long maxSize() {
            return maxSize;
        }
    }
}
