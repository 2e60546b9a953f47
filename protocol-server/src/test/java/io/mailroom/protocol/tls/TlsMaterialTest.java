package io.mailroom.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {

    @TempDir
    Path directory;

    @Test
    void makesASelfSignedCertificateForTheHostAndLocalhostOnFirstStart() throws Exception {
        TlsMaterial material = TlsMaterial.load(TlsProperties.selfSigned(directory, "mail.example.test"));

        X509Certificate certificate = material.certificate();
        assertThat(SelfSignedCertificate.names(certificate)).containsExactlyInAnyOrder("mail.example.test", "localhost", "127.0.0.1");
        assertThat(certificate.getSubjectX500Principal().getName()).contains("CN=mail.example.test");
        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("RSA");
        Duration validity = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        assertThat(validity).isBetween(Duration.ofDays(365), Duration.ofDays(366));
        assertThat(certificate.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(364)));
        certificate.verify(certificate.getPublicKey());

        Path key = directory.resolve(SelfSignedCertificate.PRIVATE_KEY_FILE);
        assertThat(Files.readString(directory.resolve(SelfSignedCertificate.CERTIFICATE_FILE))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(key)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(material.sslContext().getProtocol()).isEqualTo("TLS");
    }

    @Test
    void reusesTheSelfSignedCertificateOnLaterStarts() {
        TlsMaterial first = TlsMaterial.load(TlsProperties.selfSigned(directory, "mail.example.test"));
        TlsMaterial second = TlsMaterial.load(TlsProperties.selfSigned(directory, "mail.example.test"));

        assertThat(second.certificate()).isEqualTo(first.certificate());
    }

    @Test
    void makesANewCertificateWhenTheHostNameChanged() throws Exception {
        TlsMaterial first = TlsMaterial.load(TlsProperties.selfSigned(directory, "old.example.test"));
        TlsMaterial second = TlsMaterial.load(TlsProperties.selfSigned(directory, "new.example.test"));

        assertThat(second.certificate()).isNotEqualTo(first.certificate());
        assertThat(SelfSignedCertificate.names(second.certificate()).contains("new.example.test")).isTrue();
    }

    @Test
    void servicesStartingTogetherShareOneCertificate() throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(5);
        try {
            List<Future<TlsMaterial>> starts = IntStream.range(0, 5)
                    .mapToObj(i -> starters.submit(() -> TlsMaterial.load(TlsProperties.selfSigned(directory, "mail.example.test"))))
                    .toList();
            X509Certificate firstCertificate = starts.getFirst().get().certificate();
            for (Future<TlsMaterial> start : starts) {
                assertThat(start.get().certificate()).isEqualTo(firstCertificate);
            }
        } finally {
            starters.shutdownNow();
        }
        try (var files = Files.list(directory)) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void usesThePemPairGivenInTheProperties() throws Exception {
        SelfSignedCertificate.Pair pair = SelfSignedCertificate.generate("given.example.test");
        Path certificate = directory.resolve("given.crt");
        Path key = directory.resolve("given.key");
        Files.writeString(certificate, PemFiles.encode("CERTIFICATE", pair.certificate().getEncoded()));
        Files.writeString(key, PemFiles.encode("PRIVATE KEY", pair.privateKey().getEncoded()));

        TlsMaterial material = TlsMaterial.load(TlsProperties.pem(certificate, key));

        assertThat(material.certificate()).isEqualTo(pair.certificate());
        assertThat(material.certificateChain()).containsExactly(pair.certificate());
    }

    @Test
    void refusesAKeyThatDoesNotBelongToTheCertificate() throws Exception {
        Path certificate = directory.resolve("given.crt");
        Path key = directory.resolve("other.key");
        Files.writeString(certificate, PemFiles.encode("CERTIFICATE", SelfSignedCertificate.generate("a.example.test").certificate().getEncoded()));
        Files.writeString(key, PemFiles.encode("PRIVATE KEY", SelfSignedCertificate.generate("b.example.test").privateKey().getEncoded()));

        assertThatThrownBy(() -> TlsMaterial.load(TlsProperties.pem(certificate, key)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not belong");
    }

    @Test
    void wantsTheCertificateAndTheKeyTogether() {
        assertThatThrownBy(() -> new TlsProperties(directory.resolve("cert.pem"), null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("together");
    }

    @Test
    void offersTheKeyAsAPkcs12FileForJamesImap() throws Exception {
        TlsMaterial material = TlsMaterial.load(TlsProperties.selfSigned(directory, "mail.example.test"));

        Path file = material.keystoreFile();
        KeyStore keyStore = KeyStore.getInstance(material.keystoreType());
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, material.keystorePassword().toCharArray());
        }
        assertThat(keyStore.getCertificate(TlsMaterial.KEY_ALIAS)).isEqualTo(material.certificate());
        assertThat(keyStore.getKey(TlsMaterial.KEY_ALIAS, material.keystorePassword().toCharArray())).isNotNull();
        assertThat(material.keystoreFile()).isEqualTo(file);
    }
}
