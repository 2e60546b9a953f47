package io.mailroom.protocol.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The certificate, key and server {@link SSLContext} every protocol listener of a service uses, built once
 * from {@link TlsProperties}: the configured PEM pair, or the machine's self-signed certificate (made on
 * first start, reused afterwards).
 *
 * <p>James's IMAP server takes its key from a keystore file named in its configuration, so the same key is
 * also offered as a PKCS#12 file ({@link #keystoreFile()}), written on first use to a private temporary
 * file with a random password that lives only in this process.
 */
public final class TlsMaterial {

    /** The protocol versions the listeners accept; older ones are broken (RFC 8996). */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final String KEYSTORE_TYPE = "PKCS12";
    public static final String KEY_ALIAS = "mailroom";

    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final SSLContext sslContext;
    private final char[] keystorePassword;
    private Path keystoreFile;

    private TlsMaterial(PrivateKey privateKey, List<X509Certificate> chain) throws GeneralSecurityException {
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
        this.keystorePassword = randomPassword();
        this.sslContext = serverContext(keyStore());
    }

    /**
     * Loads the configured PEM pair, or the self-signed certificate kept in
     * {@link TlsProperties#selfSignedDirectory()} (making it when there is none yet).
     *
     * @throws IllegalStateException when the files cannot be read or do not belong together; a service
     *                               must not start with TLS it cannot offer
     */
    public static TlsMaterial load(TlsProperties properties) {
        Objects.requireNonNull(properties, "properties");
        try {
            if (properties.hasCertificate()) {
                List<X509Certificate> chain = PemFiles.readCertificates(properties.certificate());
                PrivateKey key = PemFiles.readPrivateKey(properties.privateKey());
                requireMatchingKey(key, chain.getFirst(), properties);
                return new TlsMaterial(key, chain);
            }
            SelfSignedCertificate.Pair pair = SelfSignedCertificate.loadOrCreate(
                    properties.selfSignedDirectory(), properties.hostname());
            return new TlsMaterial(pair.privateKey(), List.of(pair.certificate()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the TLS certificate: " + e.getMessage(), e);
        }
    }

    /** A server-side context holding this key; every listener of the service shares it. */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** The leaf certificate the listeners present. */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /** The leaf first, then any intermediates, as configured. */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    /**
     * A PKCS#12 file with the key under {@link #KEY_ALIAS}, for servers that read their key from a file
     * (James's IMAP server). Written once per process; deleted when the JVM exits.
     */
    public synchronized Path keystoreFile() {
        if (keystoreFile == null) {
            try {
                Path file = Files.createTempFile("mailroom-tls-", ".p12");
                PemFiles.restrictToOwner(file);
                file.toFile().deleteOnExit();
                try (OutputStream out = Files.newOutputStream(file)) {
                    keyStore().store(out, keystorePassword);
                }
                keystoreFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the TLS keystore file", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot write the TLS keystore file", e);
            }
        }
        return keystoreFile;
    }

    /** The password of {@link #keystoreFile()} and of the key in it. */
    public String keystorePassword() {
        return new String(keystorePassword);
    }

    public String keystoreType() {
        return KEYSTORE_TYPE;
    }

    private KeyStore keyStore() throws GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance(KEYSTORE_TYPE);
        try {
            keyStore.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        keyStore.setKeyEntry(KEY_ALIAS, privateKey, keystorePassword, chain.toArray(X509Certificate[]::new));
        return keyStore;
    }

    private SSLContext serverContext(KeyStore keyStore) throws GeneralSecurityException {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, keystorePassword);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    /** A key and certificate that do not belong together would only fail at the first handshake: fail at start-up. */
    private static void requireMatchingKey(PrivateKey key, X509Certificate certificate, TlsProperties properties)
            throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "mailroom".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the private key in " + properties.privateKey()
                    + " does not belong to the certificate in " + properties.certificate());
        }
    }

    private static char[] randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }
}
