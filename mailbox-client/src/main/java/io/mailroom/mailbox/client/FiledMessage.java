package io.mailroom.mailbox.client;

/**
 * Where a filed message landed.
 *
 * @param duplicate true when this delivery id had been filed before and nothing new was stored
 */
public record FiledMessage(long messageId, long mailboxId, long uid, long modSeq, boolean duplicate) {
}
