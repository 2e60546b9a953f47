package io.mailroom.mailbox.account;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * A mail client's login, relayed by a gateway.
 *
 * @param protocol {@code smtp}, {@code pop3} or {@code imap}: for logs and the login policy
 * @param remoteIp the mail client's address
 */
public record AuthenticationRequest(
        @NotNull @Size(max = 320) String username,
        @NotNull @Size(max = 1024) String password,
        @Size(max = 16) String protocol,
        @Size(max = 64) String remoteIp) {

    @Override
    public String toString() {
        return "AuthenticationRequest[username=" + username + ", protocol=" + protocol + ", remoteIp=" + remoteIp + "]";
    }
}
