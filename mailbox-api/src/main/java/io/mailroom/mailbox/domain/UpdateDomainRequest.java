package io.mailroom.mailbox.domain;

import jakarta.validation.constraints.Size;

/** @param catchAll an account of this domain to receive mail for unknown local parts; empty to remove the catch-all */
public record UpdateDomainRequest(@Size(max = 320) String catchAll) {
}
