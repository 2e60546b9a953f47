package io.mailroom.mailbox.delivery;

/**
 * Mirrors mailbox-client's {@code FiledMessage}.
 *
 * @param duplicate true when this delivery id had been filed before and nothing new was stored
 */
public record FiledMessageResponse(long messageId, long mailboxId, long uid, long modSeq, boolean duplicate) {
}
