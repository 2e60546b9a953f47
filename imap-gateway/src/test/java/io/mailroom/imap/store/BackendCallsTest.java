package io.mailroom.imap.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessagePage;
import io.mailroom.mailbox.client.store.UidSet;

/** How {@link BackendCalls} counts: one per HTTP request, under the command the thread runs. */
class BackendCallsTest {

    final MeterRegistry registry = new SimpleMeterRegistry();

    /**
     * A client whose fetch answers three pages, one message-less page per call, whose search fails, and which pages
     * with the interface's own fetchAll (as the HTTP client does).
     */
    final MailboxStoreClient pages = (MailboxStoreClient) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MailboxStoreClient.class}, (proxy, method, args) -> switch (method.getName()) {
                case "fetch" -> {
                    long from = ((UidSet) args[2]).ranges().getFirst().from();
                    yield new MessagePage(List.of(), from < 3 ? from + 1 : null);
                }
                case "fetchAll" -> InvocationHandler.invokeDefault(proxy, method, args);
                case "search" -> throw new IllegalStateException("mailbox-api said no");
                default -> throw new UnsupportedOperationException(method.getName());
            });

    final MailboxStoreClient counted = BackendCalls.counting(pages, () -> registry);

    @AfterEach
    void noCommand() {
        BackendCalls.end(null);
    }

    @Test
    void aPagedReadCountsEachPageUnderTheCommandOfTheThread() {
        BackendCalls.begin("FETCH", null);
        counted.fetchAll("alice@example.com", 1, UidSet.all(), FetchOptions.metadata());

        assertThat(count("FETCH", "fetch")).isEqualTo(3);
        assertThat(registry.find(BackendCalls.METER).tag("call", "fetchAll").counter()).isNull();
    }

    @Test
    void aCallOutsideACommandIsCountedAsNone() throws Exception {
        BackendCalls.begin("STORE", null);
        CompletableFuture.runAsync(() -> counted.fetch("alice@example.com", 1, UidSet.of(3), FetchOptions.metadata()))
                .get();
        BackendCalls.end(null);
        counted.fetch("alice@example.com", 1, UidSet.of(3), FetchOptions.metadata());

        assertThat(count(BackendCalls.NO_COMMAND, "fetch")).isEqualTo(2);
        assertThat(registry.find(BackendCalls.METER).tag("command", "STORE").counter()).isNull();
    }

    @Test
    void aFailedCallIsCountedAndItsExceptionPassedOn() {
        BackendCalls.begin("SEARCH", null);

        assertThatThrownBy(() -> counted.search("alice@example.com", 1, null))
                .isInstanceOf(IllegalStateException.class).hasMessage("mailbox-api said no");
        assertThat(count("SEARCH", "search")).isEqualTo(1);
    }

    private double count(String command, String call) {
        return registry.get(BackendCalls.METER).tag("command", command).tag("call", call).counter().count();
    }
}
