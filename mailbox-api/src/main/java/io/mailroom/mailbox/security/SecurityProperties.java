package io.mailroom.mailbox.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The two bearer tokens mailbox-api accepts. Both are required: without them the service refuses to start
 * rather than run open or half-locked.
 *
 * @param admin    {@code mailroom.admin.token} (environment {@code MAILROOM_ADMIN_TOKEN}): tools, everything under
 *                 {@code /api/v1}
 * @param internal {@code mailroom.internal.token} (environment {@code MAILROOM_INTERNAL_TOKEN}): the other Mailroom
 *                 services, everything under {@code /internal/v1}
 */
@Validated
@ConfigurationProperties("mailroom")
public record SecurityProperties(@Valid @DefaultValue Token admin, @Valid @DefaultValue Token internal) {

    /** One bearer token. */
    public record Token(
            @NotBlank(message = "must be set: mailbox-api will not start without both MAILROOM_ADMIN_TOKEN and MAILROOM_INTERNAL_TOKEN")
            String token) {

        @Override
        public String toString() {
            return "Token[****]";
        }
    }

    /** One token for both audiences would let a service act as an admin (and the reverse). */
    @AssertTrue(message = "mailroom.admin.token and mailroom.internal.token must differ: they grant different rights")
    public boolean isTokensDistinct() {
        if (admin.token() == null || admin.token().isBlank()) {
            return true; // reported as missing instead
        }
        return !admin.token().equals(internal.token());
    }
}
