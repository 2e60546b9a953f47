package io.mailroom.mailbox.message;

import java.util.List;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** @param uids the UIDs to remove; ones already gone are ignored */
public record ExpungeRequest(@NotNull @Size(max = 100_000) List<@NotNull @Positive Long> uids) {
}
