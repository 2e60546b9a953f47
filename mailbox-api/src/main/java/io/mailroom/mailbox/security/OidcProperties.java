package io.mailroom.mailbox.security;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * JWTs from an OpenID Connect issuer ({@code mailroom.oidc.*}), accepted beside the tokens and API keys. Off unless
 * {@code issuer} is set.
 *
 * @param issuer       the issuer URL exactly as the tokens' {@code iss} claim gives it; its keys are found through
 *                     {@code <issuer>/.well-known/openid-configuration} unless {@code jwksUri} is set
 * @param audience     the {@code aud} value a token must carry (required with {@code issuer}): the client id or
 *                     resource name the issuer uses for mailbox-api
 * @param jwksUri      the issuer's key set, when discovery is not wanted
 * @param adminScope   a scope ({@code scope} or {@code scp} claim) that makes the caller an admin tool: everything
 *                     under {@code /api/v1} except creating API keys
 * @param gatewayScope a scope that makes the caller a Mailroom service: everything under {@code /internal/v1}
 * @param accountClaim without either scope, the claim naming the account the caller owns (its own
 *                     {@code /api/v1/accounts/{address}/**}); with {@code email}, a token whose
 *                     {@code email_verified} is false is refused
 * @param algorithms   the signature algorithms accepted (asymmetric only: a shared-secret algorithm would let
 *                     anyone who knows the secret mint tokens)
 * @param clockSkew    leeway for {@code exp} and {@code nbf}
 * @param timeout      connect and read timeout for discovery and the key set
 */
@Validated
@ConfigurationProperties("mailroom.oidc")
public record OidcProperties(
        URI issuer,
        String audience,
        URI jwksUri,
        @NotNull @DefaultValue("mailroom:admin") String adminScope,
        @NotNull @DefaultValue("mailroom:gateway") String gatewayScope,
        @NotNull @DefaultValue("email") String accountClaim,
        @NotEmpty @DefaultValue({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
        List<String> algorithms,
        @NotNull @DefaultValue("60s") Duration clockSkew,
        @NotNull @DefaultValue("5s") Duration timeout) {

    /** Whether JWTs are accepted at all. */
    public boolean enabled() {
        return issuer != null && !issuer.toString().isBlank();
    }

    @AssertTrue(message = "mailroom.oidc.audience must be set with mailroom.oidc.issuer: a token minted for another client must not be accepted")
    public boolean isAudienceSetWithIssuer() {
        return !enabled() || audience != null && !audience.isBlank();
    }

    @AssertTrue(message = "mailroom.oidc.algorithms: only RS*, PS*, ES* and EdDSA are accepted")
    public boolean isAlgorithmsAsymmetric() {
        return algorithms == null || algorithms.stream().allMatch(a -> a.matches("(RS|PS|ES)(256|384|512)|EdDSA|Ed25519"));
    }
}
