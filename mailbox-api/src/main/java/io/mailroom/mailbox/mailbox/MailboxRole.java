package io.mailroom.mailbox.mailbox;

/**
 * What a mailbox is for: INBOX and the special uses of RFC 6154 (§2). Each account has at most one mailbox per
 * role; the name is only the default, since users may rename.
 */
public enum MailboxRole {
    INBOX("INBOX", null),
    SENT("Sent", "\\Sent"),
    DRAFTS("Drafts", "\\Drafts"),
    TRASH("Trash", "\\Trash"),
    JUNK("Junk", "\\Junk"),
    ARCHIVE("Archive", "\\Archive");

    private final String defaultName;
    private final String specialUse;

    MailboxRole(String defaultName, String specialUse) {
        this.defaultName = defaultName;
        this.specialUse = specialUse;
    }

    /** The name a new account's mailbox gets. */
    public String defaultName() {
        return defaultName;
    }

    /** The RFC 6154 attribute, or null for INBOX (which IMAP names by itself). */
    public String specialUse() {
        return specialUse;
    }
}
