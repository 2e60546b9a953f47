package io.mailroom.mailbox.domain;

import java.time.Instant;

public record DomainResponse(long id, String name, Instant createdAt) {

    static DomainResponse of(Domain domain) {
        return new DomainResponse(domain.id(), domain.name(), domain.createdAt());
    }
}
