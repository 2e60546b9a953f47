package io.mailroom.smtp.hook;

import java.util.Locale;

/**
 * Which envelope senders an authenticated account may use on submission (RFC 6409 8.1), before mailbox-api is asked.
 * Mailroom's default allows the account's own address; {@link SenderOwnershipHook} then allows the addresses whose
 * mail reaches the account (aliases, a catch-all) as mailbox-api resolves them.
 */
@FunctionalInterface
public interface SenderAddresses {

    /** The account's own address, and nothing else. */
    SenderAddresses ACCOUNT_ADDRESS_ONLY = (account, sender) -> account.toLowerCase(Locale.ROOT).equals(sender.toLowerCase(Locale.ROOT));

    /**
     * @param account the address the client authenticated as
     * @param sender  the MAIL FROM address (never the null sender)
     */
    boolean mayUse(String account, String sender);
}
