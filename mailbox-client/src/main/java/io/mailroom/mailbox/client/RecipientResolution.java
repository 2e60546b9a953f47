package io.mailroom.mailbox.client;

import java.util.List;

/**
 * What mailbox-api says about one recipient address.
 *
 * @param address  the address asked about
 * @param status   whether mail to it can be filed here
 * @param accounts for {@link Status#DELIVERABLE}: the addresses of the accounts that receive it (one for an account or
 *                 a catch-all, several for an alias, expanded through nested aliases); empty otherwise
 * @param forwards for {@link Status#DELIVERABLE}: external addresses an alias also delivers to, which delivery-service
 *                 relays rather than files; empty otherwise (and when an older mailbox-api leaves it out)
 * @param full     those of {@code accounts} whose quota is used up right now (no message fits); empty when none is
 *                 (and when an older mailbox-api leaves it out)
 */
public record RecipientResolution(String address, Status status, List<String> accounts, List<String> forwards,
                                  List<String> full) {

    public RecipientResolution {
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        forwards = forwards == null ? List.of() : List.copyOf(forwards);
        full = full == null ? List.of() : List.copyOf(full);
    }

    /** Without quota facts: what the callers written before quotas construct. */
    public RecipientResolution(String address, Status status, List<String> accounts, List<String> forwards) {
        this(address, status, accounts, forwards, List.of());
    }

    /** Without forwards: what the callers written before aliases construct. */
    public RecipientResolution(String address, Status status, List<String> accounts) {
        this(address, status, accounts, List.of(), List.of());
    }

    /**
     * True when mail to this address can be filed nowhere now: every account it reaches is full and it has no
     * external forward (RFC 3463 4.2.2, mailbox full). An alias with one account that has room is not full.
     */
    public boolean mailboxFull() {
        return status == Status.DELIVERABLE && forwards.isEmpty() && !accounts.isEmpty()
                && full.size() == accounts.size() && full.containsAll(accounts);
    }

    public enum Status {
        /** The address belongs to one or more local accounts (or an alias with external targets only). */
        DELIVERABLE,
        /** The domain is ours but no account, alias or catch-all takes this address (SMTP 550 5.1.1). */
        UNKNOWN_USER,
        /** The domain is not ours (on MX: 554 5.7.1 relay denied). */
        NON_LOCAL_DOMAIN
    }
}
