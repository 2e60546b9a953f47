package io.mailroom.mailbox.client.store;

import java.util.Objects;
import java.util.Set;

/**
 * A STORE (RFC 9051 §6.4.6): add, remove or replace flags.
 *
 * @param mode  {@code +FLAGS}, {@code -FLAGS} or {@code FLAGS}
 * @param flags system flags and keywords in IMAP spelling ({@link Flags})
 */
public record FlagUpdate(Mode mode, Set<String> flags) {

    public enum Mode {
        ADD, REMOVE, REPLACE
    }

    public FlagUpdate {
        Objects.requireNonNull(mode, "mode");
        flags = flags == null ? Set.of() : Set.copyOf(flags);
    }

    public static FlagUpdate add(String... flags) {
        return new FlagUpdate(Mode.ADD, Set.of(flags));
    }

    public static FlagUpdate remove(String... flags) {
        return new FlagUpdate(Mode.REMOVE, Set.of(flags));
    }

    public static FlagUpdate replace(String... flags) {
        return new FlagUpdate(Mode.REPLACE, Set.of(flags));
    }
}
