package io.mailroom.imap.store;

import java.util.LinkedHashSet;
import java.util.Set;

import javax.mail.Flags;

import io.mailroom.mailbox.client.store.MessageMetadata;

/** Flags between James ({@link Flags}) and mailbox-api (IMAP spelling: {@code \Seen}, keywords as given). */
final class ImapFlags {

    private ImapFlags() {
    }

    static Flags toJames(Set<String> apiFlags) {
        Flags flags = new Flags();
        for (String flag : apiFlags) {
            Flags.Flag system = system(flag);
            if (system != null) {
                flags.add(system);
            } else if (!flag.startsWith("\\")) {
                flags.add(flag);
            }
        }
        return flags;
    }

    static Flags toJames(MessageMetadata message) {
        return toJames(message.flags());
    }

    static Set<String> toApi(Flags flags) {
        Set<String> api = new LinkedHashSet<>();
        for (Flags.Flag flag : flags.getSystemFlags()) {
            String name = name(flag);
            if (name != null) {
                api.add(name);
            }
        }
        for (String keyword : flags.getUserFlags()) {
            api.add(keyword);
        }
        return api;
    }

    private static Flags.Flag system(String flag) {
        return switch (flag.toLowerCase(java.util.Locale.ROOT)) {
            case "\\seen" -> Flags.Flag.SEEN;
            case "\\answered" -> Flags.Flag.ANSWERED;
            case "\\flagged" -> Flags.Flag.FLAGGED;
            case "\\deleted" -> Flags.Flag.DELETED;
            case "\\draft" -> Flags.Flag.DRAFT;
            case "\\recent" -> Flags.Flag.RECENT;
            default -> null;
        };
    }

    private static String name(Flags.Flag flag) {
        if (flag == Flags.Flag.SEEN) {
            return io.mailroom.mailbox.client.store.Flags.SEEN;
        }
        if (flag == Flags.Flag.ANSWERED) {
            return io.mailroom.mailbox.client.store.Flags.ANSWERED;
        }
        if (flag == Flags.Flag.FLAGGED) {
            return io.mailroom.mailbox.client.store.Flags.FLAGGED;
        }
        if (flag == Flags.Flag.DELETED) {
            return io.mailroom.mailbox.client.store.Flags.DELETED;
        }
        if (flag == Flags.Flag.DRAFT) {
            return io.mailroom.mailbox.client.store.Flags.DRAFT;
        }
        if (flag == Flags.Flag.RECENT) {
            return io.mailroom.mailbox.client.store.Flags.RECENT;
        }
        return null; // Flags.Flag.USER: "user flags allowed", not a flag of a message
    }
}
