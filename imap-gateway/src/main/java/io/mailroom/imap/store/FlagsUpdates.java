package io.mailroom.imap.store;

import java.lang.reflect.Field;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;

import io.mailroom.mailbox.client.store.FlagUpdate;

/**
 * Reads what a James {@link FlagsUpdateCalculator} would do, so that mailbox-api can do it to a whole UID set in one
 * call (and under its own lock) instead of the gateway reading every message and writing it back. James 3.8.1 keeps
 * the calculator's flags and mode private and offers no accessors; its fields are read once by name, and a unit test
 * pins that.
 */
final class FlagsUpdates {

    private static final Field PROVIDED_FLAGS = field("providedFlags");
    private static final Field MODE = field("mode");

    private FlagsUpdates() {
    }

    static FlagUpdate toApi(FlagsUpdateCalculator calculator) {
        try {
            return toApi((Flags) PROVIDED_FLAGS.get(calculator), (MessageManager.FlagsUpdateMode) MODE.get(calculator));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read James's FlagsUpdateCalculator", e);
        }
    }

    static FlagUpdate toApi(Flags flags, MessageManager.FlagsUpdateMode mode) {
        FlagUpdate.Mode apiMode = switch (mode) {
            case ADD -> FlagUpdate.Mode.ADD;
            case REMOVE -> FlagUpdate.Mode.REMOVE;
            case REPLACE -> FlagUpdate.Mode.REPLACE;
        };
        return new FlagUpdate(apiMode, ImapFlags.toApi(flags));
    }

    private static Field field(String name) {
        try {
            Field field = FlagsUpdateCalculator.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError("James's FlagsUpdateCalculator has no field " + name
                    + ": this gateway needs James 3.8.1");
        }
    }
}
