package io.mailroom.pop3.maildrop;

import java.io.IOException;

/** The message was expunged after the session listed it (by IMAP, say): "no such message" for this session. */
public class MessageGoneException extends IOException {

    public MessageGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
