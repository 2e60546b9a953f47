package io.mailroom.imap.server;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.james.events.EventBus;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.imap.message.request.CompressRequest;
import org.apache.james.imap.message.request.ExamineRequest;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.request.IdleRequest;
import org.apache.james.imap.message.request.SelectRequest;
import org.apache.james.imap.message.request.StartTLSRequest;
import org.apache.james.imap.message.request.StoreRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.RequestAware;
import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.MDC;

import io.mailroom.imap.store.BackendCalls;

import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * James's IMAP processor chain, run off the Netty I/O threads (DESIGN.md "Threading").
 *
 * <p><b>Why here.</b> James 3.8.1 subscribes to each command's processing on the connection's I/O thread, and its
 * processors call the store both through reactive chains and through blocking methods wrapped in
 * {@code Mono.fromCallable}. The store calls mailbox-api over HTTP, which blocks. Moving the whole command to a bounded
 * scheduler ({@code subscribeOn}) covers every path at once, including the blocking ones a store-level
 * {@code subscribeOn} would miss, and keeps a slow mailbox-api from stalling the other connections of an I/O thread.
 * STARTTLS and COMPRESS stay on the I/O thread ({@link #changesThePipeline}).
 * James's per-connection linearizer still runs one command of a connection at a time, so a session's state is never
 * touched by two threads at once. Responses are written through the channel, which hands them to its event loop.
 *
 * <p>Each command ends the mailbox session's request ({@link RequestAware#endProcessingRequest}): the store's
 * per-command cache is dropped there.
 *
 * <p>Some commands run on Mailroom's processor instead of James's own: IDLE ({@link LazyIdleProcessor}), STORE
 * ({@link AtomicStoreProcessor}: one mailbox-api call, UNCHANGEDSINCE atomic) over Mailroom's store, and with
 * {@link ExpungeRecords} SELECT, EXAMINE and FETCH, whose {@code VANISHED} then comes from mailbox-api's expunge
 * records.
 *
 * <p>With {@code enableCondstore} it also turns CONDSTORE on (RFC 7162), which James 3.8.1 leaves off and does not
 * read from its configuration (unless CONDSTORE is among the disabled capabilities).
 */
public final class OffloadingImapProcessor implements ImapProcessor {

    private final ImapProcessor delegate;
    private final Scheduler scheduler;
    private final RequestAware requests;
    private final boolean enableCondstore;
    private final Map<Class<? extends ImapMessage>, ImapProcessor> overrides = new HashMap<>();
    private final AccountConnectionLimit accountLimit;

    /**
     * @param mailboxManager  the store the replacing processors work on: IDLE as {@link LazyIdleProcessor} runs it,
     *                        in place of James's; null to keep James's processors for every command
     * @param expungeRecords  VANISHED from mailbox-api's expunge records; null for James's computation
     * @param accountLimit    connections per account; null for none
     */
    public OffloadingImapProcessor(ImapProcessor delegate, Scheduler scheduler, RequestAware requests,
                                   boolean enableCondstore, MailboxManager mailboxManager, EventBus eventBus,
                                   MetricFactory metricFactory, ExpungeRecords expungeRecords,
                                   AccountConnectionLimit accountLimit) {
        this.delegate = delegate;
        this.scheduler = scheduler;
        this.requests = requests;
        this.enableCondstore = enableCondstore;
        this.accountLimit = accountLimit;
        if (mailboxManager != null) {
            overrides.put(IdleRequest.class,
                    new LazyIdleProcessor(mailboxManager, new UnpooledStatusResponseFactory(), metricFactory));
            AtomicStoreProcessor store = AtomicStoreProcessor.over(mailboxManager, metricFactory);
            if (store != null) {
                overrides.put(StoreRequest.class, store);
            }
            if (expungeRecords != null) {
                overrides.put(SelectRequest.class,
                        new RecordsSelectProcessor(mailboxManager, eventBus, metricFactory, expungeRecords));
                overrides.put(ExamineRequest.class,
                        new RecordsExamineProcessor(mailboxManager, eventBus, metricFactory, expungeRecords));
                overrides.put(FetchRequest.class, new RecordsFetchProcessor(mailboxManager, metricFactory, expungeRecords));
            }
        }
    }

    @Override
    public void process(ImapMessage message, Responder responder, ImapSession session) {
        processReactive(message, responder, session).block();
    }

    /**
     * The connection's MDC (client address, session id: the login policy of mailbox-api reads the address from it) is
     * taken along to the command thread, which starts each command with the MDC of the connection it serves.
     */
    @Override
    public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
        Map<String, String> connectionMdc = MDC.getCopyOfContextMap();
        String name = commandName(message);
        Mono<Void> command = Mono.defer(() -> {
                    BackendCalls.begin(name, session.getMailboxSession());
                    if (connectionMdc == null) {
                        MDC.clear();
                    } else {
                        MDC.setContextMap(connectionMdc);
                    }
                    ImapProcessor processor = overrides.getOrDefault(message.getClass(), delegate);
                    Responder answer = accountLimit == null ? responder : accountLimit.guard(message, session, responder);
                    return Mono.from(processor.processReactive(message, answer, session));
                })
                .doFinally(signal -> {
                    endRequest(session);
                    BackendCalls.end(session.getMailboxSession());
                });
        return CommandsInFlight.track(session, changesThePipeline(message) ? command : command.subscribeOn(scheduler));
    }

    /** The command's name for metrics: its request class without "Request" ({@code FETCH} for FETCH and UID FETCH). */
    static String commandName(ImapMessage message) {
        String name = message.getClass().getSimpleName();
        return (name.endsWith("Request") ? name.substring(0, name.length() - "Request".length()) : name)
                .toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * STARTTLS and COMPRESS write their OK and then put a handler (TLS, deflate) at the head of the channel's pipeline.
     * On the connection's own I/O thread the OK is written first, in clear; from another thread the write is only
     * queued to the event loop while the handler goes in at once, so the OK could be sent encrypted (or compressed) and
     * the client, waiting for a clear OK, would hang. Neither touches the store, so they stay on the I/O thread.
     */
    static boolean changesThePipeline(ImapMessage message) {
        return message instanceof StartTLSRequest || message instanceof CompressRequest;
    }

    private void endRequest(ImapSession session) {
        MailboxSession mailboxSession = session.getMailboxSession();
        if (mailboxSession != null) {
            requests.endProcessingRequest(mailboxSession);
        }
    }

    @Override
    public void configure(ImapConfiguration configuration) {
        ImapConfiguration effective = enableCondstore ? withCondstore(configuration) : configuration;
        delegate.configure(effective);
        overrides.values().forEach(processor -> processor.configure(effective));
    }

    static ImapConfiguration withCondstore(ImapConfiguration configuration) {
        ImmutableSet<String> disabled = configuration.getDisabledCaps().stream()
                .map(Capability::asString)
                .collect(ImmutableSet.toImmutableSet());
        ImapConfiguration.Builder builder = ImapConfiguration.builder()
                .enableIdle(configuration.isEnableIdle())
                .idleTimeInterval(configuration.getIdleTimeInterval())
                .idleTimeIntervalUnit(configuration.getIdleTimeIntervalUnit())
                .disabledCaps(disabled)
                .concurrentRequests(configuration.getConcurrentRequests())
                .maxQueueSize(configuration.getMaxQueueSize())
                .isProvisionDefaultMailboxes(configuration.isProvisionDefaultMailboxes())
                .withCustomProperties(configuration.getCustomProperties())
                .isCondstoreEnable(!disabled.contains("CONDSTORE"));
        Optional<Long> appendLimit = configuration.getAppendLimit();
        appendLimit.ifPresent(builder::appendLimit);
        return builder.build();
    }
}
