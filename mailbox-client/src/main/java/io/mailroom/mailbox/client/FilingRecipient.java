package io.mailroom.mailbox.client;

/**
 * One recipient of {@link MailboxApiClient#fileMessages}.
 *
 * @param account    the account's address
 * @param deliveryId stable for this message and this recipient (queue message id + recipient): filing it again
 *                   changes nothing
 */
public record FilingRecipient(String account, String deliveryId) {
}
