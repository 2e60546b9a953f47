package io.mailroom.mailbox.client;

import java.io.IOException;
import java.io.InputStream;

/**
 * Receives what {@link MailboxApiClient#readMessages} read: one call per UID asked, in the order asked.
 */
public interface RawMessageSink {

    /**
     * One message's raw bytes, exactly as stored. The stream is good only until this method returns (the next message
     * follows it on the same connection); what is left unread of it is skipped. Throwing ends the whole read.
     */
    void message(long uid, InputStream content) throws IOException;

    /** There is no such message (there never was, or it was expunged). */
    void missing(long uid);

    /** Not sent, to keep the answer within its byte budget: read it on its own ({@link MailboxApiClient#openMessage}). */
    void deferred(long uid);
}
