package io.mailroom.mailbox.account;

import java.time.Instant;

public record AccountResponse(long id, String address, String displayName, boolean enabled, Instant createdAt) {

    static AccountResponse of(Account account) {
        return new AccountResponse(account.id(), account.address(), account.displayName(), account.enabled(), account.createdAt());
    }
}
