package io.mailroom.mailbox.client;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where mailbox-api is and how long to wait for it.
 *
 * @param baseUrl        mailbox-api's HTTP root
 * @param connectTimeout how long to wait for a TCP connection
 * @param readTimeout    how long one call may take; for {@link MailboxApiClient#openMessage} how long to wait for
 *                       the response headers and, after that, for each read of the body to make progress
 */
@Validated
@ConfigurationProperties("mailroom.mailbox-api")
public record MailboxApiProperties(
        @NotNull @DefaultValue("http://localhost:8080") URI baseUrl,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration readTimeout) {
}
