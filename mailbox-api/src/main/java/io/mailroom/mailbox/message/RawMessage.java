package io.mailroom.mailbox.message;

import java.io.InputStream;

/** A message's bytes, open for reading, and how many there are. */
record RawMessage(InputStream content, long size) {
}
