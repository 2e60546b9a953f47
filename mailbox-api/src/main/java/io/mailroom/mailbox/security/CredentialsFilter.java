package io.mailroom.mailbox.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.mailroom.mailbox.account.CredentialService;
import io.mailroom.mailbox.account.LoginPolicy;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Establishes who calls: the bootstrap admin token, the internal token, an API key ({@code Bearer mrk_…}), a JWT
 * from the configured OpenID Connect issuer ({@link OidcAuthenticator}), or an account's own address and password or
 * app password (HTTP Basic). Requests to {@code /api/**} and {@code /internal/**} without valid credentials end here with 401. What
 * a caller may do is decided later, by {@link AccessInterceptor}, on the route Spring MVC actually matched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class CredentialsFilter extends OncePerRequestFilter {

    private static final String BEARER = "Bearer ";
    private static final String BASIC = "Basic ";
    private static final String REALM = "realm=\"mailroom\"";

    private final TokenMatcher adminToken;
    private final TokenMatcher internalToken;
    private final CredentialService credentials;
    private final ApiKeyService apiKeys;
    private final OidcAuthenticator oidc;
    private final ProblemWriter problems;

    CredentialsFilter(SecurityProperties properties, CredentialService credentials, ApiKeyService apiKeys,
                      OidcAuthenticator oidc, ProblemWriter problems) {
        this.adminToken = new TokenMatcher(properties.admin().token());
        this.internalToken = new TokenMatcher(properties.internal().token());
        this.credentials = credentials;
        this.apiKeys = apiKeys;
        this.oidc = oidc;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        boolean internal = path.startsWith("/internal/");
        boolean guarded = internal || path.startsWith("/api/");
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (!guarded) {
            chain.doFilter(request, response);
            return;
        }
        if (authorization == null || authorization.isBlank()) {
            challenge(response, internal, "this resource needs credentials");
            return;
        }
        Optional<Caller> caller;
        try {
            caller = identify(authorization, request.getRemoteAddr());
        } catch (OidcAuthenticator.IssuerUnavailableException e) {
            response.addHeader(HttpHeaders.RETRY_AFTER, "10");
            problems.write(response, HttpStatus.SERVICE_UNAVAILABLE, ProblemCodes.UNAVAILABLE,
                    "the token's issuer could not be reached to check it; try again shortly");
            return;
        }
        if (caller.isEmpty()) {
            challenge(response, internal, "the credentials were not accepted");
            return;
        }
        request.setAttribute(Caller.REQUEST_ATTRIBUTE, caller.get());
        chain.doFilter(request, response);
    }

    private Optional<Caller> identify(String authorization, String remoteIp) {
        if (regionMatches(authorization, BEARER)) {
            String token = authorization.substring(BEARER.length()).trim();
            if (token.startsWith(ApiKeyService.PREFIX)) {
                return apiKeys.authenticate(token);
            }
            // evaluate both comparisons every time, so timing does not tell which token was close
            boolean admin = adminToken.matches(token);
            boolean service = internalToken.matches(token);
            if (admin) {
                return Optional.of(new Caller.Admin(true));
            }
            if (service) {
                return Optional.of(new Caller.Service());
            }
            return oidc.enabled() && OidcAuthenticator.looksLikeJwt(token) ? oidc.authenticate(token) : Optional.empty();
        }
        if (regionMatches(authorization, BASIC)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            try {
                return credentials.verify(decoded.substring(0, colon), decoded.substring(colon + 1), "http", remoteIp)
                        .map(account -> new Caller.AccountOwner(account.accountId(), account.address()));
            } catch (LoginPolicy.LoginLockedException locked) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static boolean regionMatches(String header, String scheme) {
        return header.regionMatches(true, 0, scheme, 0, scheme.length());
    }

    private void challenge(HttpServletResponse response, boolean internal, String detail) throws IOException {
        response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer " + REALM);
        if (!internal) {
            response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic " + REALM + ", charset=\"UTF-8\"");
        }
        problems.write(response, HttpStatus.UNAUTHORIZED, ProblemCodes.UNAUTHENTICATED, detail);
    }
}
