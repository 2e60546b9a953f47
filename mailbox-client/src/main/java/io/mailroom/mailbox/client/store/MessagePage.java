package io.mailroom.mailbox.client.store;

import java.util.List;

/**
 * One page of a metadata fetch.
 *
 * @param messages in ascending UID order
 * @param nextUid  null when the set has been read to its end; otherwise fetch again with
 *                 {@code uids.startingAt(nextUid)} for the rest
 */
public record MessagePage(List<MessageMetadata> messages, Long nextUid) {

    public MessagePage {
        messages = List.copyOf(messages);
    }
}
