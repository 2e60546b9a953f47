package io.mailroom.mailbox.security;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountService;

/**
 * Turns a JWT from the configured OpenID Connect issuer into a {@link Caller}: the signature is checked against the
 * issuer's published keys (found by discovery, cached and refreshed ahead by nimbus-jose-jwt, re-read when a token
 * names a key not seen yet), then {@code iss}, {@code aud}, {@code exp} and {@code nbf}. The admin or gateway scope
 * makes an admin tool or a service; otherwise the account claim names an existing, enabled account whose owner the
 * caller is.
 */
@Component
public class OidcAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(OidcAuthenticator.class);
    private static final long DISCOVERY_RETRY_MILLIS = 10_000;
    private static final int MAX_DOCUMENT_BYTES = 512 * 1024;

    /** The issuer's keys could not be read: the token can be neither accepted nor refused. */
    public static final class IssuerUnavailableException extends RuntimeException {
        IssuerUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final OidcProperties properties;
    private final AccountService accounts;
    private final DefaultJWTProcessor<SecurityContext> processor;

    OidcAuthenticator(OidcProperties properties, AccountService accounts) {
        this.properties = properties;
        this.accounts = accounts;
        this.processor = properties.enabled() ? processor(properties) : null;
    }

    public boolean enabled() {
        return processor != null;
    }

    /** Whether a bearer token has the shape of a JWS in compact form (three base64url parts). */
    public static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2 && token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }

    /**
     * The caller this token stands for; empty when it is not a valid token of the issuer for this audience, or names
     * no usable account.
     *
     * @throws IssuerUnavailableException when the issuer's keys cannot be fetched
     */
    public Optional<Caller> authenticate(String token) {
        if (processor == null) {
            return Optional.empty();
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (KeySourceException e) {
            throw new IssuerUnavailableException("the OIDC issuer's keys could not be read: " + e.getMessage(), e);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            log.debug("JWT refused: {}", e.getMessage());
            return Optional.empty();
        }
        Set<String> scopes = scopes(claims);
        if (scopes.contains(properties.adminScope())) {
            return Optional.of(new Caller.Admin(false));
        }
        if (scopes.contains(properties.gatewayScope())) {
            return Optional.of(new Caller.Service());
        }
        return owner(claims);
    }

    private Optional<Caller> owner(JWTClaimsSet claims) {
        Object value = claims.getClaim(properties.accountClaim());
        if (!(value instanceof String address) || address.isBlank()) {
            return Optional.empty();
        }
        if ("email".equals(properties.accountClaim()) && Boolean.FALSE.equals(claims.getClaim("email_verified"))) {
            return Optional.empty();
        }
        Optional<Account> account;
        try {
            account = accounts.find(address);
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
        return account.filter(Account::enabled).map(a -> new Caller.AccountOwner(a.id(), a.address()));
    }

    /** {@code scope} as a space-separated string (RFC 8693, RFC 9068) or {@code scp} as a list or a string. */
    static Set<String> scopes(JWTClaimsSet claims) {
        Set<String> scopes = new HashSet<>();
        for (String name : List.of("scope", "scp")) {
            Object value = claims.getClaim(name);
            if (value instanceof String text) {
                for (String scope : text.trim().split("\\s+")) {
                    if (!scope.isEmpty()) {
                        scopes.add(scope);
                    }
                }
            } else if (value instanceof Collection<?> list) {
                list.forEach(item -> scopes.add(String.valueOf(item)));
            }
        }
        return scopes;
    }

    private static DefaultJWTProcessor<SecurityContext> processor(OidcProperties properties) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, properties.timeout().toMillis());
        ResourceRetriever retriever = new DefaultResourceRetriever(timeout, timeout, MAX_DOCUMENT_BYTES);
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        // ID tokens and RFC 9068 access tokens alike
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        Set<JWSAlgorithm> algorithms = properties.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, new DiscoveredKeys(properties, retriever)));
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                Set.of(properties.audience()),
                new JWTClaimsSet.Builder().issuer(properties.issuer().toString()).build(),
                Set.of("iss", "aud", "exp"),
                null);
        verifier.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, properties.clockSkew().toSeconds()));
        processor.setJWTClaimsSetVerifier(verifier);
        return processor;
    }

    /**
     * The issuer's key set, located on first use: {@code jwks-uri} if configured, else the {@code jwks_uri} of the
     * issuer's discovery document (whose {@code issuer} must be the configured one). A failed discovery is retried at
     * most every ten seconds; until then tokens meet {@link KeySourceException}.
     */
    private static final class DiscoveredKeys implements JWKSource<SecurityContext> {

        private final OidcProperties properties;
        private final ResourceRetriever retriever;
        private final AtomicLong failedAt = new AtomicLong();
        private volatile JWKSource<SecurityContext> keys;

        DiscoveredKeys(OidcProperties properties, ResourceRetriever retriever) {
            this.properties = properties;
            this.retriever = retriever;
        }

        @Override
        public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
            return located().get(selector, context);
        }

        private JWKSource<SecurityContext> located() throws KeySourceException {
            JWKSource<SecurityContext> found = keys;
            if (found != null) {
                return found;
            }
            synchronized (this) {
                if (keys != null) {
                    return keys;
                }
                long failed = failedAt.get();
                if (failed != 0 && System.currentTimeMillis() - failed < DISCOVERY_RETRY_MILLIS) {
                    throw new KeySourceException("OIDC discovery failed less than 10 s ago");
                }
                try {
                    URL jwks = properties.jwksUri() != null ? properties.jwksUri().toURL() : discover();
                    keys = JWKSourceBuilder.create(jwks, retriever).retrying(true).build();
                    log.info("OIDC: tokens of {} are checked against the keys at {}", properties.issuer(), jwks);
                    return keys;
                } catch (IOException | ParseException | IllegalArgumentException e) {
                    failedAt.set(System.currentTimeMillis());
                    log.warn("OIDC discovery for {} failed: {}", properties.issuer(), e.toString());
                    throw new KeySourceException("OIDC discovery failed: " + e.getMessage(), e);
                }
            }
        }

        private URL discover() throws IOException, ParseException {
            String issuer = properties.issuer().toString();
            URL document = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration").toURL();
            Map<String, Object> configuration = JSONObjectUtils.parse(retriever.retrieveResource(document).getContent());
            Object declared = configuration.get("issuer");
            if (!issuer.equals(declared)) {
                throw new ParseException("the discovery document names issuer " + declared + ", not " + issuer, 0);
            }
            if (!(configuration.get("jwks_uri") instanceof String jwksUri)) {
                throw new ParseException("the discovery document has no jwks_uri", 0);
            }
            return URI.create(jwksUri).toURL();
        }
    }
}
