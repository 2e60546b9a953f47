package io.mailroom.delivery.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Lets an admin request through only with {@code Authorization: Bearer <mailroom.delivery.admin-token>}, compared
 * in constant time. Without a configured token the admin endpoint refuses everyone.
 */
class AdminTokenInterceptor implements HandlerInterceptor {

    private static final String BEARER = "Bearer ";

    private final byte[] token;

    AdminTokenInterceptor(String token) {
        this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (token != null && header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && MessageDigest.isEqual(token, header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"mailroom-admin\"");
        throw new AdminProblem(HttpStatus.UNAUTHORIZED, AdminProblem.UNAUTHENTICATED, token == null
                ? "the admin endpoint is off: set mailroom.delivery.admin-token (MAILROOM_ADMIN_TOKEN)"
                : "a valid admin bearer token is required");
    }
}
