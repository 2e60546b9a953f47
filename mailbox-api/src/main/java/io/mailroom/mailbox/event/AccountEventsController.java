package io.mailroom.mailbox.event;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.swagger.v3.oas.annotations.Operation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.events.EventSubscription;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.events.MailboxEventSubscriber;

/**
 * An account's change events as Server-Sent Events, for internal tools: each event is the JSON of
 * {@link MailboxChangeEvent} with {@code event:} its kind and {@code id:} its outbox id. A comment line every
 * {@link #HEARTBEAT} keeps proxies from closing an idle stream. After the stream's source lost and regained its
 * connection, a {@code RESYNC_NEEDED} event says that changes may have been missed: re-read, or use the gateway API's
 * "changes since". A client too slow to keep up is disconnected rather than allowed to hold events in memory.
 */
@RestController
class AccountEventsController {

    private static final Logger LOG = LoggerFactory.getLogger(AccountEventsController.class);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final int BUFFER = 1000;

    private final AccountService accounts;
    private final MailboxEventSubscriber events;

    AccountEventsController(AccountService accounts, MailboxEventSubscriber events) {
        this.accounts = accounts;
        this.events = events;
    }

    @Operation(summary = "The account's change events as a Server-Sent Events stream")
    @GetMapping(path = "/api/v1/accounts/{address}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@PathVariable String address) {
        Account account = accounts.require(address);
        SseEmitter emitter = new SseEmitter(0L); // open until the client leaves; heartbeats find out when it has
        BlockingQueue<MailboxChangeEvent> queue = new ArrayBlockingQueue<>(BUFFER);
        EventSubscription subscription = events.subscribe(new AuthenticatedAccount(account.id(), account.address()), event -> {
            if (!queue.offer(event)) {
                emitter.completeWithError(new IOException("the client does not keep up with its events"));
            }
        });
        Thread sender = Thread.ofVirtual().name("sse-" + account.address()).start(() -> {
            try {
                emitter.send(SseEmitter.event().comment("events of " + account.address()));
                while (!Thread.currentThread().isInterrupted()) {
                    MailboxChangeEvent event = queue.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                    if (event == null) {
                        emitter.send(SseEmitter.event().comment("heartbeat"));
                    } else {
                        emitter.send(SseEmitter.event().id(Long.toString(event.eventId())).name(event.kind().name())
                                .data(event, MediaType.APPLICATION_JSON));
                    }
                }
            } catch (IOException | IllegalStateException e) {
                LOG.debug("SSE client of {} left: {}", account.address(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                subscription.close();
            }
        });
        Runnable stop = () -> {
            subscription.close();
            sender.interrupt();
        };
        emitter.onCompletion(stop);
        emitter.onTimeout(stop);
        emitter.onError(error -> stop.run());
        return emitter;
    }
}
