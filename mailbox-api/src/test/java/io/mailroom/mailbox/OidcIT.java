package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * JWTs from an OpenID Connect issuer: a real HTTP issuer (discovery document and key set) started by the test, tokens
 * signed with its key. The admin and gateway scopes and the account claim map to the same rights as the tokens and
 * API keys; every way a token can be wrong ends in 401.
 */
class OidcIT extends MailboxApiITBase {

    private static final String AUDIENCE = "mailbox-api";
    private static final RSAKey KEY = rsaKey("key-1");
    /** Not published: a token it signs must be refused even when it claims the published key's id. */
    private static final RSAKey FORGER = rsaKey("key-1");
    private static final AtomicInteger KEY_SET_READS = new AtomicInteger();
    private static final HttpServer ISSUER = issuer();
    private static final String ISSUER_URL = "http://127.0.0.1:" + ISSUER.getAddress().getPort() + "/realms/mail";

    @DynamicPropertySource
    static void oidc(DynamicPropertyRegistry registry) {
        registry.add("mailroom.oidc.issuer", () -> ISSUER_URL);
        registry.add("mailroom.oidc.audience", () -> AUDIENCE);
    }

    @AfterAll
    static void stopIssuer() {
        ISSUER.stop(0);
    }

    @Test
    void theAdminScopeReachesTheToolsApiButNotKeyCreationNorTheGatewayApi() {
        String token = bearer(claims().claim("scope", "openid mailroom:admin").build(), KEY);

        assertThat(get("/api/v1/domains", token).status()).isEqualTo(200);
        assertThat(post("/api/v1/api-keys", token, Map.of("name", "x", "scope", "ADMIN")).status()).isEqualTo(403);
        assertThat(get("/internal/v1/accounts/" + newAccount() + "/maildrop", token).status()).isEqualTo(403);
    }

    @Test
    void theGatewayScopeAsAListReachesTheGatewayApiOnly() {
        String address = newAccount();
        String token = bearer(claims().claim("scp", List.of("mailroom:gateway")).build(), KEY);

        assertThat(get("/internal/v1/accounts/" + address + "/maildrop", token).status()).isEqualTo(200);
        assertThat(get("/api/v1/domains", token).status()).isEqualTo(403);
    }

    @Test
    void anAccountOwnersTokenReachesItsOwnAccountAndNoOther() {
        String alice = newAccount();
        String bob = newAccount();
        String token = bearer(claims().claim("email", alice.toUpperCase(java.util.Locale.ROOT))
                .claim("email_verified", true).build(), KEY);

        assertThat(get("/api/v1/accounts/" + alice + "/mailboxes", token).status()).isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + bob + "/mailboxes", token).status()).isEqualTo(403);
        assertThat(get("/api/v1/domains", token).status()).isEqualTo(403);
        assertThat(get("/internal/v1/accounts/" + alice + "/maildrop", token).status()).isEqualTo(403);
    }

    @Test
    void everyWrongTokenIsUnauthenticated() {
        String alice = newAccount();
        String path = "/api/v1/accounts/" + alice + "/mailboxes";
        JWTClaimsSet good = claims().claim("email", alice).build();
        assertThat(get(path, bearer(good, KEY)).status()).as("positive control").isEqualTo(200);

        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("expired", bearer(claims().claim("email", alice)
                .expirationTime(Date.from(Instant.now().minusSeconds(600))).build(), KEY));
        refused.put("not yet valid", bearer(claims().claim("email", alice)
                .notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build(), KEY));
        refused.put("other audience", bearer(claims().claim("email", alice).audience("another-client").build(), KEY));
        refused.put("other issuer", bearer(claims().claim("email", alice).issuer("http://evil.example/realms/mail").build(), KEY));
        refused.put("no expiry", bearer(claims().claim("email", alice).expirationTime(null).build(), KEY));
        refused.put("signed by an unpublished key", bearer(good, FORGER));
        refused.put("HMAC with the public key as secret", hmacWithPublicKey(good));
        refused.put("alg none", unsigned(good));
        refused.put("tampered claims", tamper(bearer(claims().claim("email", newAccount()).build(), KEY), good));
        refused.put("email not verified", bearer(claims().claim("email", alice).claim("email_verified", false).build(), KEY));
        refused.put("unknown account", bearer(claims().claim("email", "nobody@" + newDomain()).build(), KEY));
        refused.put("no account claim", bearer(claims().build(), KEY));
        refused.put("admin scope in the wrong claim", bearer(claims().claim("roles", "mailroom:admin").build(), KEY));
        refused.put("not a JWT", "Bearer abc.def");

        refused.forEach((why, token) -> {
            Response response = get(path, token);
            assertThat(response.status()).as(why).isEqualTo(401);
            assertThat(response.code()).as(why).isEqualTo("unauthenticated");
        });
    }

    @Test
    void aDisabledAccountsTokenStopsWorking() {
        String alice = newAccount();
        String token = bearer(claims().claim("email", alice).build(), KEY);
        assertThat(get("/api/v1/accounts/" + alice + "/mailboxes", token).status()).isEqualTo(200);

        Response disabled = send("PATCH", "/api/v1/accounts/" + alice, admin(), "application/json",
                "{\"enabled\":false}".getBytes(StandardCharsets.UTF_8));

        assertThat(disabled.status()).as(disabled.text()).isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + alice + "/mailboxes", token).status()).isEqualTo(401);
    }

    @Test
    void theKeySetIsReadOnceAndCachedNotPerRequest() {
        String token = bearer(claims().claim("scope", "mailroom:admin").build(), KEY);
        assertThat(get("/api/v1/domains", token).status()).isEqualTo(200);
        int reads = KEY_SET_READS.get();

        for (int i = 0; i < 20; i++) {
            assertThat(get("/api/v1/domains", bearer(claims().claim("scope", "mailroom:admin").build(), KEY)).status()).isEqualTo(200);
        }

        assertThat(reads).isPositive();
        assertThat(KEY_SET_READS.get()).isEqualTo(reads);
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER_URL)
                .audience(AUDIENCE)
                .subject(UUID.randomUUID().toString())
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(300)));
    }

    private static String bearer(JWTClaimsSet claims, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return "Bearer " + jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The classic confusion attack: HS256 keyed with the issuer's public key bytes. */
    private static String hmacWithPublicKey(JWTClaimsSet claims) {
        try {
            byte[] secret = KEY.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KEY.getKeyID()).build(), claims);
            jwt.sign(new MACSigner(secret));
            return "Bearer " + jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unsigned(JWTClaimsSet claims) {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();
        String payload = Base64URL.encode(claims.toString()).toString();
        return "Bearer " + header + "." + payload + ".";
    }

    /** A valid token's signature over other claims. */
    private static String tamper(String signedBearer, JWTClaimsSet claims) {
        String[] parts = signedBearer.substring("Bearer ".length()).split("\\.");
        return "Bearer " + parts[0] + "." + Base64URL.encode(claims.toString()) + "." + parts[2];
    }

    private static RSAKey rsaKey(String id) {
        try {
            return new RSAKeyGenerator(2048).keyID(id).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer issuer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/mail";
            server.createContext("/realms/mail/.well-known/openid-configuration", exchange -> respond(exchange,
                    "{\"issuer\":\"" + base + "\",\"jwks_uri\":\"" + base + "/keys\"}"));
            server.createContext("/realms/mail/keys", exchange -> {
                KEY_SET_READS.incrementAndGet();
                respond(exchange, new JWKSet(KEY.toPublicJWK()).toString());
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
