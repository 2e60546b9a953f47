package io.mailroom.mailbox.client;

/** The account a mail client logged in as. */
public record AuthenticatedAccount(long accountId, String address) {
}
