package io.mailroom.mailbox.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

class OidcAuthenticatorTest {

    private static final List<String> ALGORITHMS = List.of("RS256", "ES256");

    @Test
    void anUnreachableIssuerIsUnavailableNotARefusal() throws Exception {
        String issuer = "http://127.0.0.1:" + closedPort() + "/realms/mail";
        OidcAuthenticator oidc = new OidcAuthenticator(properties(issuer, "api"), null);
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k").build(),
                new JWTClaimsSet.Builder().issuer(issuer).audience("api").expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        jwt.sign(new RSASSASigner(key));

        assertThat(oidc.enabled()).isTrue();
        assertThatThrownBy(() -> oidc.authenticate(jwt.serialize())).isInstanceOf(OidcAuthenticator.IssuerUnavailableException.class);
        long start = System.nanoTime();
        assertThatThrownBy(() -> oidc.authenticate(jwt.serialize()))
                .as("a second try within 10 s does not wait for the issuer again")
                .isInstanceOf(OidcAuthenticator.IssuerUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void offWithoutAnIssuer() {
        OidcAuthenticator oidc = new OidcAuthenticator(properties(null, null), null);

        assertThat(oidc.enabled()).isFalse();
        assertThat(oidc.authenticate("a.b.c")).isEmpty();
    }

    @Test
    void scopesComeFromScopeStringsAndScpListsAlike() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("scope", " openid  mailroom:admin ")
                .claim("scp", List.of("mailroom:gateway")).build();

        assertThat(OidcAuthenticator.scopes(claims)).containsExactlyInAnyOrder("openid", "mailroom:admin", "mailroom:gateway");
    }

    @Test
    void onlyCompactJwsShapesAreTakenForJwts() {
        assertThat(OidcAuthenticator.looksLikeJwt("eyJh.eyJz.c2ln")).isTrue();
        assertThat(OidcAuthenticator.looksLikeJwt("eyJh.eyJz.")).isFalse();
        assertThat(OidcAuthenticator.looksLikeJwt("a.b.c.d")).isFalse();
        assertThat(OidcAuthenticator.looksLikeJwt("mrk_1_abc")).isFalse();
    }

    @Test
    void anIssuerNeedsAnAudienceAndSymmetricAlgorithmsAreRefused() {
        assertThat(properties("https://id.example/realms/x", null).isAudienceSetWithIssuer()).isFalse();
        assertThat(properties("https://id.example/realms/x", "api").isAudienceSetWithIssuer()).isTrue();
        assertThat(new OidcProperties(null, null, null, "a", "g", "email", List.of("HS256"), Duration.ZERO, Duration.ofSeconds(1))
                .isAlgorithmsAsymmetric()).isFalse();
        assertThat(properties(null, null).isAlgorithmsAsymmetric()).isTrue();
    }

    private static OidcProperties properties(String issuer, String audience) {
        return new OidcProperties(issuer == null ? null : URI.create(issuer), audience, null, "mailroom:admin",
                "mailroom:gateway", "email", ALGORITHMS, Duration.ofSeconds(60), Duration.ofSeconds(2));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
