package io.mailroom.mailbox.delivery;

import java.util.List;

/**
 * Mirrors mailbox-client's {@code RecipientResolution}.
 *
 * @param forwards external addresses an alias delivers to (for delivery-service to relay)
 * @param full     those of {@code accounts} whose quota (storage or message count) is used up right now: no message
 *                 fits (smtp-ingress answers {@code 452 4.2.2} when every account of a recipient is full)
 */
public record RecipientResolutionResponse(String address, Status status, List<String> accounts, List<String> forwards,
                                          List<String> full) {

    public enum Status {
        DELIVERABLE, UNKNOWN_USER, NON_LOCAL_DOMAIN
    }
}
