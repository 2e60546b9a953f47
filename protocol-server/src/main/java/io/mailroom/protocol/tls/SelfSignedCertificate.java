package io.mailroom.protocol.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-signed certificate of the single-machine default: made once, kept as two PEM files and reused
 * by every service on the machine, so that a client that trusted it once keeps trusting it.
 *
 * <p>Five services start at the same moment on one machine. A lock file (plus a lock inside this JVM, because
 * a JVM may not hold two locks on one file) makes one of them generate while the others wait and then
 * read what it wrote; each file is written to a temporary file first and renamed into place.
 */
final class SelfSignedCertificate {

    static final String CERTIFICATE_FILE = "selfsigned-certificate.pem";
    static final String PRIVATE_KEY_FILE = "selfsigned-private-key.pem";
    private static final String LOCK_FILE = ".selfsigned.lock";

    static final Duration VALIDITY = Duration.ofDays(365);
    /** Renew a little before expiry, so that no client meets an expired certificate during a long run. */
    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofDays(30);
    /** Clients with a clock a little behind must not see a certificate from the future. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

    private static final Object JVM_LOCK = new Object();
    private static final Logger log = LoggerFactory.getLogger(SelfSignedCertificate.class);

    private SelfSignedCertificate() {
    }

    record Pair(PrivateKey privateKey, X509Certificate certificate) {
    }

    /** Loads the certificate kept in {@code directory}, making (or renewing) it first when needed. */
    static Pair loadOrCreate(Path directory, String hostname) throws IOException, GeneralSecurityException {
        Files.createDirectories(directory);
        Path certificateFile = directory.resolve(CERTIFICATE_FILE);
        Path keyFile = directory.resolve(PRIVATE_KEY_FILE);
        synchronized (JVM_LOCK) {
            try (FileChannel lockChannel = FileChannel.open(directory.resolve(LOCK_FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (Files.exists(certificateFile) && Files.exists(keyFile)) {
                    Pair existing = new Pair(PemFiles.readPrivateKey(keyFile),
                            PemFiles.readCertificates(certificateFile).getFirst());
                    if (usable(existing.certificate(), hostname)) {
                        log.info("Using the self-signed TLS certificate in {} (expires {})",
                                certificateFile, existing.certificate().getNotAfter().toInstant());
                        return existing;
                    }
                    log.info("The self-signed TLS certificate in {} expires soon or does not name {}: making a new one",
                            certificateFile, hostname);
                }
                Pair created = generate(hostname);
                // Key first: a certificate file next to a key that does not match it would be worse than none.
                PemFiles.writeAtomically(keyFile, PemFiles.encode("PRIVATE KEY", created.privateKey().getEncoded()), true);
                PemFiles.writeAtomically(certificateFile, PemFiles.encode("CERTIFICATE", created.certificate().getEncoded()), false);
                log.info("Made a self-signed TLS certificate for {} in {} (valid until {})",
                        hostname, certificateFile, created.certificate().getNotAfter().toInstant());
                return created;
            }
        }
    }

    static Pair generate(String hostname) throws GeneralSecurityException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keyPair = generator.generateKeyPair();

        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Mailroom (self-signed)")
                .addRDN(BCStyle.CN, hostname)
                .build();
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, new SecureRandom());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), subject, keyPair.getPublic());
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(hostname));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate())));
            return new Pair(keyPair.getPrivate(), certificate);
        } catch (CertIOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot make a self-signed certificate for " + hostname, e);
        }
    }

    private static GeneralNames subjectAlternativeNames(String hostname) {
        List<GeneralName> names = new ArrayList<>();
        names.add(isIpLiteral(hostname)
                ? new GeneralName(GeneralName.iPAddress, hostname)
                : new GeneralName(GeneralName.dNSName, hostname));
        if (!"localhost".equalsIgnoreCase(hostname)) {
            names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        }
        if (!"127.0.0.1".equals(hostname)) {
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static boolean usable(X509Certificate certificate, String hostname) throws CertificateParsingException {
        boolean fresh = certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE_EXPIRY));
        return fresh && names(certificate).contains(normalise(hostname));
    }

    static List<String> names(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> alternativeNames = certificate.getSubjectAlternativeNames();
        if (alternativeNames == null) {
            return List.of();
        }
        return alternativeNames.stream()
                .map(entry -> normalise(entry.get(1).toString()))
                .toList();
    }

    private static String normalise(String name) {
        if (isIpLiteral(name)) {
            try {
                return InetAddress.getByName(name).getHostAddress();
            } catch (IOException e) {
                return name;
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static boolean isIpLiteral(String name) {
        return IP_LITERAL.matcher(name).matches();
    }
}
