package io.mailroom.imap.server;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import org.apache.james.filesystem.api.FileSystem;

/**
 * James's file lookup, reduced to what Mailroom gives it: plain paths (and {@code file://} URLs), such
 * as the PKCS#12 keystore {@link io.mailroom.protocol.tls.TlsMaterial} writes. James's own
 * implementation resolves {@code conf/} and {@code var/} against a James server layout that a Spring
 * Boot service does not have.
 */
final class PlainPathFileSystem implements FileSystem {

    @Override
    public InputStream getResource(String url) throws IOException {
        return new FileInputStream(getFile(url));
    }

    @Override
    public File getFile(String fileURL) throws FileNotFoundException {
        File file = Path.of(stripFileProtocol(fileURL)).toFile();
        if (!file.exists()) {
            throw new FileNotFoundException(fileURL);
        }
        return file;
    }

    @Override
    public File getBasedir() {
        return Path.of("").toAbsolutePath().toFile();
    }

    private static String stripFileProtocol(String url) {
        if (url.startsWith(FILE_PROTOCOL_ABSOLUTE)) {
            return "/" + url.substring(FILE_PROTOCOL_ABSOLUTE.length());
        }
        if (url.startsWith(FILE_PROTOCOL)) {
            return url.substring(FILE_PROTOCOL.length());
        }
        return url;
    }
}
