package io.mailroom.imap.server;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.IdleRequest;
import org.apache.james.imap.message.response.ContinuationResponse;
import org.apache.james.imap.processor.IdleProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.events.MailboxEvents.Added;
import org.apache.james.mailbox.events.MailboxEvents.Expunged;
import org.apache.james.mailbox.events.MailboxEvents.FlagsUpdated;
import org.apache.james.metrics.api.MetricFactory;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;

/**
 * IDLE (RFC 2177) whose unsolicited responses are computed when an event has been applied, not before.
 *
 * <p>James 3.8.1's IDLE listener builds its response chain when the selected mailbox hands it the event, which is
 * before the selected mailbox has recorded the event: flag changes made by another session were therefore never sent
 * while idling (the FETCH list was read empty, and the pending UIDs then cleared). Deferring the chain to its
 * subscription fixes that; everything else is James's IDLE: DONE ends it, a heartbeat keeps the connection alive.
 */
final class LazyIdleProcessor extends IdleProcessor {

    private static final String DONE = "DONE";

    private Duration heartbeatInterval;
    private boolean enableIdle;

    LazyIdleProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metricFactory) {
        super(mailboxManager, factory, metricFactory);
    }

    @Override
    public void configure(ImapConfiguration imapConfiguration) {
        super.configure(imapConfiguration);
        this.heartbeatInterval = imapConfiguration.idleTimeIntervalAsDuration();
        this.enableIdle = imapConfiguration.isEnableIdle();
    }

    @Override
    protected Mono<Void> processRequestReactive(IdleRequest request, ImapSession session, Responder responder) {
        SelectedMailbox selected = session.getSelected();
        if (selected != null) {
            selected.registerIdle(new Listener(session, responder));
        }
        AtomicBoolean idleActive = new AtomicBoolean(true);
        session.pushLineHandler((lineSession, data) -> {
            String line = data.length > 2 ? new String(data, 0, data.length - 2) : "";
            if (selected != null) {
                selected.unregisterIdle();
            }
            if (DONE.equals(line.toUpperCase(Locale.US))) {
                okComplete(request, responder);
            } else {
                responder.respond(getStatusResponseFactory().taggedBad(request.getTag(), request.getCommand(),
                        new HumanReadableText("org.apache.james.imap.INVALID_CONTINUATION",
                                "failed. Continuation for IMAP IDLE was not understood. Expected 'DONE', got '" + line + "'.")));
            }
            responder.flush();
            lineSession.popLineHandler();
            idleActive.set(false);
        });
        if (enableIdle) {
            session.schedule(new Runnable() {
                @Override
                public void run() {
                    if (session.getState() != ImapSessionState.LOGOUT && idleActive.get()) {
                        StatusResponse heartbeat = getStatusResponseFactory().untaggedOk(HumanReadableText.HEARTBEAT);
                        responder.respond(heartbeat);
                        responder.flush();
                        session.schedule(this, heartbeatInterval);
                    }
                }
            }, heartbeatInterval);
        }
        responder.respond(new ContinuationResponse(HumanReadableText.IDLING));
        return unsolicitedResponses(session, responder, false);
    }

    private final class Listener implements EventListener.ReactiveEventListener {

        private final ImapSession session;
        private final Responder responder;

        Listener(ImapSession session, Responder responder) {
            this.session = session;
            this.responder = responder;
        }

        @Override
        public boolean isHandling(Event event) {
            return event instanceof Added || event instanceof Expunged || event instanceof FlagsUpdated;
        }

        @Override
        public Publisher<Void> reactiveEvent(Event event) {
            return Mono.defer(() -> unsolicitedResponses(session, responder, false))
                    .then(Mono.fromRunnable(responder::flush));
        }

        @Override
        public ExecutionMode getExecutionMode() {
            return ExecutionMode.ASYNCHRONOUS;
        }
    }
}
