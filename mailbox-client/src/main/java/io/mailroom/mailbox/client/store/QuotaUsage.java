package io.mailroom.mailbox.client.store;

/**
 * An account's quota (RFC 9208: one quota root per account, resources STORAGE and MESSAGE). Usage is exact: it is
 * changed in the same transaction as the messages it counts.
 *
 * @param storageUsed   bytes of all messages in all mailboxes (a copy counts again)
 * @param storageLimit  the limit in bytes, or null for none
 * @param messagesUsed  messages in all mailboxes
 * @param messagesLimit the limit, or null for none
 */
public record QuotaUsage(long storageUsed, Long storageLimit, long messagesUsed, Long messagesLimit) {
}
