package io.mailroom.mailbox.domain;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** @param name the domain, e.g. {@code example.com}; stored in lower case (IDNs in their ASCII form) */
public record CreateDomainRequest(@NotBlank @Size(max = 253) String name) {
}
