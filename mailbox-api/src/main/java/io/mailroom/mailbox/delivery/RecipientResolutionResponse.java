package io.mailroom.mailbox.delivery;

import java.util.List;

/**
 * Mirrors mailbox-client's {@code RecipientResolution}.
 *
 * @param forwards external addresses an alias delivers to (for delivery-service to relay)
 */
public record RecipientResolutionResponse(String address, Status status, List<String> accounts, List<String> forwards) {

    public enum Status {
        DELIVERABLE, UNKNOWN_USER, NON_LOCAL_DOMAIN
    }
}
