package io.mailroom.mailbox.client;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The service-to-service token that mailbox-api's {@code /internal/v1} API asks for.
 *
 * @param token the bearer token (environment variable {@code MAILROOM_INTERNAL_TOKEN})
 */
@Validated
@ConfigurationProperties("mailroom.internal")
public record InternalTokenProperties(
        @NotBlank(message = "must be set (environment variable MAILROOM_INTERNAL_TOKEN): mailbox-api refuses calls without it")
        String token) {

    @Override
    public String toString() {
        return "InternalTokenProperties[token=****]";
    }
}
