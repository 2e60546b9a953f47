package io.mailroom.mailbox.client;

import java.util.List;

/**
 * What mailbox-api says about one recipient address.
 *
 * @param address  the address asked about
 * @param status   whether mail to it can be filed here
 * @param accounts for {@link Status#DELIVERABLE}: the addresses of the accounts that receive it (one for
 *                 an account, several for an alias); empty otherwise
 */
public record RecipientResolution(String address, Status status, List<String> accounts) {

    public enum Status {
        /** The address belongs to one or more local accounts. */
        DELIVERABLE,
        /** The domain is ours but no account or alias has this address (SMTP 550 5.1.1). */
        UNKNOWN_USER,
        /** The domain is not ours (on MX: 554 5.7.1 relay denied). */
        NON_LOCAL_DOMAIN
    }
}
