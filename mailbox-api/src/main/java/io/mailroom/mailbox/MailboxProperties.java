package io.mailroom.mailbox;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what mailbox-api stores.
 *
 * @param maxMessageSize the largest message that may be filed; larger ones are refused with 413
 */
@Validated
@ConfigurationProperties("mailroom.mailbox")
public record MailboxProperties(@NotNull @DefaultValue("50MB") DataSize maxMessageSize) {
}
