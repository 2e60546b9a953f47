package io.mailroom.mailbox.account;

/** Mirrors mailbox-client's {@code AuthenticatedAccount}. */
public record AuthenticatedAccountResponse(long accountId, String address) {
}
