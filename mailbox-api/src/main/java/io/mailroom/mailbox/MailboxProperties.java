package io.mailroom.mailbox;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what mailbox-api stores, and how long it keeps what it no longer needs.
 *
 * @param maxMessageSize      the largest message that may be filed or appended; larger ones are refused with 413
 * @param expungeRetention    how long expunge records are kept for QRESYNC's VANISHED (RFC 7162 §3.2.5.1); a client
 *                            that resynchronises from an older MODSEQ is told the list may be incomplete
 *                            ({@code vanishedComplete: false}) and compares UIDs instead
 * @param housekeepingInterval how often old expunge records and orphaned staged bodies are removed
 * @param stagedBlobGrace     how long a body stored ahead of its transaction may stay unreferenced before it is
 *                            collected (longer than any filing can take)
 */
@Validated
@ConfigurationProperties("mailroom.mailbox")
public record MailboxProperties(
        @NotNull @DefaultValue("50MB") DataSize maxMessageSize,
        @NotNull @DurationMin(hours = 1) @DefaultValue("30d") Duration expungeRetention,
        @NotNull @DurationMin(seconds = 1) @DefaultValue("10m") Duration housekeepingInterval,
        @NotNull @DurationMin(minutes = 5) @DefaultValue("1h") Duration stagedBlobGrace) {
}
