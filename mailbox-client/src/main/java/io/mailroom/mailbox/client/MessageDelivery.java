package io.mailroom.mailbox.client;

/**
 * One message of {@link MailboxApiClient#fileEach}: the raw RFC 5322 bytes (stored unchanged) and whose INBOX they go
 * to under which delivery id.
 */
public record MessageDelivery(FilingRecipient recipient, byte[] content) {
}
