package io.mailroom.smtp.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.RecipientResolution;

class RecipientDirectoryTest {

    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private final RecipientResolution[] answer = {resolution("first")};

    /** mailbox-api's recipient resolution, counting calls, answering {@link #answer} or failing while {@link #down}. */
    private final MailboxApiClient mailboxApi = (MailboxApiClient) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MailboxApiClient.class}, (proxy, method, args) -> {
                if (!method.getName().equals("resolveRecipient")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                calls.incrementAndGet();
                if (down.get()) {
                    throw new MailboxApiUnavailableException("mailbox-api down", null);
                }
                return answer[0];
            });

    private final RecipientDirectory directory = new RecipientDirectory(mailboxApi, Duration.ofSeconds(60),
            Duration.ofMinutes(5), 100, nanos::get, Runnable::run);

    @Test
    void anAnswerIsReusedThenRefreshedAndTheFreshOneGiven() {
        assertThat(directory.resolve("Bob@Example.test")).isEqualTo(resolution("first"));
        assertThat(directory.resolve("bob@example.TEST".toLowerCase())).isEqualTo(resolution("first"));
        assertThat(calls).hasValue(1);

        answer[0] = resolution("second");
        advance(Duration.ofSeconds(61));
        // refresh-ahead: the read after the time to live triggers the refresh (here run at once)
        directory.resolve("bob@example.test");
        assertThat(calls).hasValue(2);
        assertThat(directory.resolve("bob@example.test")).isEqualTo(resolution("second"));
    }

    @Test
    void whileMailboxApiIsDownAKnownAnswerIsUsedForStaleForAndThenTheFailureShows() {
        directory.resolve("bob@example.test");
        down.set(true);

        advance(Duration.ofSeconds(61));
        assertThat(directory.resolve("bob@example.test")).as("stale but usable").isEqualTo(resolution("first"));
        advance(Duration.ofMinutes(4));
        assertThat(directory.resolve("bob@example.test")).isEqualTo(resolution("first"));
        assertThatThrownBy(() -> directory.resolve("new@example.test"))
                .as("an address never resolved fails at once").isInstanceOf(MailboxApiUnavailableException.class);

        advance(Duration.ofMinutes(2));
        assertThatThrownBy(() -> directory.resolve("bob@example.test"))
                .as("after time to live + stale-for the failure reaches RCPT").isInstanceOf(MailboxApiUnavailableException.class);

        down.set(false);
        assertThat(directory.resolve("bob@example.test")).isEqualTo(resolution("first"));
    }

    @Test
    void aZeroTimeToLiveAsksEveryTime() {
        RecipientDirectory uncached = new RecipientDirectory(mailboxApi, Duration.ZERO, Duration.ofMinutes(5), 100,
                nanos::get, Runnable::run);
        uncached.resolve("bob@example.test");
        uncached.resolve("bob@example.test");
        assertThat(calls).hasValue(2);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static RecipientResolution resolution(String marker) {
        return new RecipientResolution(marker + "@example.test", RecipientResolution.Status.DELIVERABLE, List.of(), List.of(), List.of());
    }
}
