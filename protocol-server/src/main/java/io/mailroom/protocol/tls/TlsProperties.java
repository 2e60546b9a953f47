package io.mailroom.protocol.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the protocol services get their TLS certificate ({@code mailroom.tls.*}).
 *
 * <p>Give {@code certificate} and {@code private-key} together to use a real certificate (PEM chain, leaf
 * first, and a PEM PKCS#8 key). Give neither and a self-signed certificate for {@code hostname} is made on
 * first start in {@code self-signed-directory} and reused afterwards: this is what the single-machine
 * default runs with.
 *
 * @param certificate         PEM certificate chain, leaf first; optional
 * @param privateKey          PEM private key (PKCS#8, unencrypted) of the leaf; optional
 * @param selfSignedDirectory where the self-signed certificate and key are kept (default {@code ./data/tls})
 * @param hostname            the name the self-signed certificate is issued to (default: this machine's host name)
 */
@ConfigurationProperties("mailroom.tls")
public record TlsProperties(Path certificate,
                            Path privateKey,
                            @DefaultValue("./data/tls") Path selfSignedDirectory,
                            String hostname) {

    public TlsProperties {
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException(
                    "mailroom.tls.certificate and mailroom.tls.private-key must be given together (or neither, for a self-signed certificate)");
        }
        if (selfSignedDirectory == null) {
            selfSignedDirectory = Path.of("data", "tls");
        }
        if (hostname == null || hostname.isBlank()) {
            hostname = localHostName();
        }
    }

    /** A self-signed certificate for this machine, kept in {@code directory}. */
    public static TlsProperties selfSigned(Path directory, String hostname) {
        return new TlsProperties(null, null, directory, hostname);
    }

    /** The given PEM certificate chain and key. */
    public static TlsProperties pem(Path certificate, Path privateKey) {
        return new TlsProperties(certificate, privateKey, null, null);
    }

    /** True when a certificate and key were given; false when a self-signed one is used. */
    public boolean hasCertificate() {
        return certificate != null;
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // A container without a resolvable host name still needs a certificate for localhost.
            return "localhost";
        }
    }
}
