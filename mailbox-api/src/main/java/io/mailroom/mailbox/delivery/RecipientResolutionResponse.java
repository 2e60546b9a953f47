package io.mailroom.mailbox.delivery;

import java.util.List;

/** Mirrors mailbox-client's {@code RecipientResolution}. */
public record RecipientResolutionResponse(String address, Status status, List<String> accounts) {

    public enum Status {
        DELIVERABLE, UNKNOWN_USER, NON_LOCAL_DOMAIN
    }
}
