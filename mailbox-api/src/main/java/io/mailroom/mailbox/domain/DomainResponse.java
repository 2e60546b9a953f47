package io.mailroom.mailbox.domain;

import java.time.Instant;

/** @param catchAll the address of the account that receives mail for unknown local parts, or null */
public record DomainResponse(long id, String name, String catchAll, Instant createdAt) {
}
