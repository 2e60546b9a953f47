package io.mailroom.mailbox.client.store;

/**
 * What a mailbox is for: INBOX and the special uses of RFC 6154 §2. An account has at most one mailbox per role; the
 * name is only the default, since users may rename.
 */
public enum MailboxRole {
    INBOX(null),
    SENT("\\Sent"),
    DRAFTS("\\Drafts"),
    TRASH("\\Trash"),
    JUNK("\\Junk"),
    ARCHIVE("\\Archive");

    private final String specialUse;

    MailboxRole(String specialUse) {
        this.specialUse = specialUse;
    }

    /** The RFC 6154 attribute for LIST, or null for INBOX (which IMAP names by itself). */
    public String specialUse() {
        return specialUse;
    }
}
