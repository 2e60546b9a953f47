package io.mailroom.mailbox.account;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Password-guessing defences ({@code mailroom.login.*}): every failed login is answered after a growing delay, and too
 * many failures within {@code window} lock the account, or the client IP, for {@code lockout}.
 *
 * @param maxFailuresPerAccount failures of one account within the window that lock it
 * @param maxFailuresPerIp      failures from one client IP within the window that lock the IP (higher: NAT)
 * @param window                failures older than this are forgotten
 * @param lockout               how long a lock lasts
 * @param delayStep             each failure of an account adds this to the delay before its answer
 * @param maxDelay              the longest delay
 */
@Validated
@ConfigurationProperties("mailroom.login")
public record LoginProperties(
        @Min(1) @DefaultValue("5") int maxFailuresPerAccount,
        @Min(1) @DefaultValue("30") int maxFailuresPerIp,
        @NotNull @DefaultValue("15m") Duration window,
        @NotNull @DefaultValue("15m") Duration lockout,
        @NotNull @DefaultValue("500ms") Duration delayStep,
        @NotNull @DefaultValue("4s") Duration maxDelay) {
}
