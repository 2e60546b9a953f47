package io.mailroom.mailbox.client.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EventFormatTest {

    private static final MailboxChangeEvent ADDED = new MailboxChangeEvent(7, 3, "a@example.com", 11,
            MailboxChangeEvent.Kind.MESSAGES_ADDED, List.of(118L), 240, null, Instant.parse("2026-11-27T02:13:06.120Z"));

    @Test
    void theTraceContextTravelsWhenThereIsOne() {
        MailboxChangeEvent traced = new MailboxChangeEvent(ADDED.eventId(), ADDED.accountId(), ADDED.account(),
                ADDED.mailboxId(), ADDED.kind(), ADDED.uids(), ADDED.modSeq(), null, ADDED.at(),
                Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));

        String json = EventFormat.write(traced);

        assertThat(json).contains("\"traceContext\":{\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}");
        assertThat(EventFormat.read(json)).isEqualTo(traced);
    }

    @Test
    void anUntracedEventIsWhatItWasBeforeTracesAndOldEventsStillRead() {
        String json = EventFormat.write(ADDED);

        assertThat(json).doesNotContain("traceContext");
        assertThat(EventFormat.read(json)).isEqualTo(ADDED);
        assertThat(EventFormat.read(json).traceContext()).isEmpty();
    }
}
