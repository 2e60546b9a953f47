package io.mailroom.smtp.server;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.queue.MailQueue;
import io.mailroom.smtp.SmtpProperties;
import io.mailroom.smtp.hook.AuthThrottle;
import io.mailroom.smtp.hook.EnqueueMemory;
import io.mailroom.smtp.hook.EnqueueMessageHook;
import io.mailroom.smtp.hook.LocalRecipientHook;
import io.mailroom.smtp.hook.MailboxApiAuthHook;
import io.mailroom.smtp.hook.RecipientDirectory;
import io.mailroom.smtp.hook.RequireAuthenticationHook;
import io.mailroom.smtp.hook.SenderAddresses;
import io.mailroom.smtp.hook.SenderOwnershipHook;
import io.mailroom.smtp.hook.SendingRate;
import io.mailroom.smtp.hook.SendingRateHook;
import io.mailroom.smtp.hook.SmtpMetrics;
import io.mailroom.smtp.hook.SmtpSmugglingGuard;
import io.mailroom.smtp.hook.SmtpTracing;
import io.mailroom.smtp.hook.TransactionId;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.core.ExpnCmdHandler;
import org.apache.james.protocols.smtp.core.HeloCmdHandler;
import org.apache.james.protocols.smtp.core.HelpCmdHandler;
import org.apache.james.protocols.smtp.core.NoopCmdHandler;
import org.apache.james.protocols.smtp.core.QuitCmdHandler;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.apache.james.protocols.smtp.core.RsetCmdHandler;
import org.apache.james.protocols.smtp.core.UnknownCmdHandler;
import org.apache.james.protocols.smtp.core.VrfyCmdHandler;
import org.apache.james.protocols.smtp.core.WelcomeMessageHandler;
import org.apache.james.protocols.smtp.core.esmtp.EhloCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.StartTlsCmdHandler;
import org.apache.james.protocols.smtp.core.fastfail.MaxRcptHandler;
import org.apache.james.protocols.smtp.core.log.HookResultLogger;

/**
 * Assembles James's SMTP handler chain for each kind of listener, with Mailroom's policies as hooks.
 *
 * <p>The chain is James's default one with these changes: Mailroom's own Received header (James's looks up the
 * client's host name in DNS on every message), no postmaster/abuse rule (it accepts those local parts at
 * <em>any</em> domain, which on MX would relay), message data spooled rather than held in memory, and the
 * extensions James lacks (SMTPUTF8, CHUNKING/BDAT, DSN, enhanced status codes on every reply). Hooks run in
 * the order listed; within a command the first hook that answers decides.
 */
public final class SmtpProtocols {

    private final MetricFactory metricFactory;
    private final MeterRegistry meterRegistry;
    private final MailboxApiClient mailboxApi;
    private final MailQueue queue;
    private final SmtpProperties properties;
    private final RecipientDirectory recipients;
    private final MessageBuffer messageBuffer;
    private final EnqueueMemory enqueueMemory;
    private final SendingRate sendingRate;
    private final AuthThrottle authThrottle;
    private final SenderAddresses senderAddresses;
    private final Clock clock;
    private final SmtpTracing tracing;

    public SmtpProtocols(MetricFactory metricFactory, MeterRegistry meterRegistry, MailboxApiClient mailboxApi,
                         MailQueue queue, SmtpProperties properties, MessageBuffer messageBuffer,
                         SenderAddresses senderAddresses, Clock clock) {
        this(metricFactory, meterRegistry, mailboxApi, queue, properties, messageBuffer, senderAddresses, clock, SmtpTracing.NONE);
    }

    public SmtpProtocols(MetricFactory metricFactory, MeterRegistry meterRegistry, MailboxApiClient mailboxApi,
                         MailQueue queue, SmtpProperties properties, MessageBuffer messageBuffer,
                         SenderAddresses senderAddresses, Clock clock, SmtpTracing tracing) {
        this.tracing = tracing;
        this.metricFactory = metricFactory;
        this.meterRegistry = meterRegistry;
        this.mailboxApi = mailboxApi;
        this.queue = queue;
        this.properties = properties;
        this.messageBuffer = messageBuffer;
        this.senderAddresses = senderAddresses;
        this.clock = clock;
        // refreshes are blocking HTTP calls: a virtual thread each, never a core of the common pool
        this.recipients = new RecipientDirectory(mailboxApi, properties.recipientCache().timeToLive(),
                properties.recipientCache().staleFor(), properties.recipientCache().maxEntries(),
                com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
                java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("recipient-refresh-", 0).factory()));
        this.enqueueMemory = new EnqueueMemory(properties.spool().enqueueMemoryOrDefault(), properties.spool().enqueueWait());
        this.sendingRate = new SendingRate(properties.maxMessagesPerHour(), clock);
        SmtpProperties.AuthFailures auth = properties.authFailures();
        this.authThrottle = new AuthThrottle(auth.maxPerIp(), auth.maxPerAccount(), auth.delay(), auth.block());
    }

    public SMTPProtocol protocol(SmtpListener listener) {
        SmtpMetrics metrics = new SmtpMetrics(meterRegistry, listener.serverName());
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(metricFactory, false);
        chain.addAll(handlers(listener, metrics));
        chain.addAll(hooks(listener, metrics));
        try {
            chain.wireExtensibleHandlers();
        } catch (WiringException e) {
            throw new IllegalStateException("cannot assemble the SMTP handler chain for " + listener, e);
        }
        return new MailroomSmtpProtocol(chain, new SmtpListenerConfiguration(listener, properties.hostname(),
                properties.maxMessageSize().toBytes()));
    }

    private List<ProtocolHandler> handlers(SmtpListener listener, SmtpMetrics metrics) {
        DataEndHandler dataEnd = new DataEndHandler();
        List<ProtocolHandler> handlers = new ArrayList<>(List.of(
                new SmtpCommandDispatcher(properties.maxCommandsPerConnection()),
                new WelcomeMessageHandler(),
                new EhloCmdHandler(metricFactory),
                new HeloCmdHandler(metricFactory),
                new StartTlsCmdHandler(),
                new SmtpMailCmdHandler(metricFactory),
                new RcptCmdHandler(metricFactory),
                new SmtpDataCmdHandler(metricFactory, messageBuffer),
                new BdatCmdHandler(messageBuffer, dataEnd, properties.maxMessageSize().toBytes()),
                new RsetCmdHandler(),
                new NoopCmdHandler(),
                new QuitCmdHandler(metricFactory),
                new HelpCmdHandler(),
                new VrfyCmdHandler(),
                new ExpnCmdHandler(),
                // Data line filters, in the order each line passes them:
                new SmtpSmugglingGuard(metrics),
                new MessageSizeLimit(metrics),
                dataEnd,
                new UnknownCmdHandler(metricFactory),
                new SmtpReplyPolicy(properties.maxErrors()),
                new CommandHandlerResultLogger(),
                new HookResultLogger()));
        if (listener.submission()) {
            // Added before the AuthHook so that James does not add its own AuthCmdHandler.
            handlers.add(new TlsOnlyAuthCmdHandler());
        }
        return handlers;
    }

    private List<ProtocolHandler> hooks(SmtpListener listener, SmtpMetrics metrics) {
        MaxRcptHandler maxRecipients = new MaxRcptHandler();
        maxRecipients.setMaxRcpt(properties.maxRecipients());
        List<ProtocolHandler> hooks = new ArrayList<>();
        // EHLO, MAIL parameters, disconnect
        hooks.add(new EsmtpParameters());
        // MAIL
        if (listener.submission()) {
            hooks.add(new RequireAuthenticationHook());
            hooks.add(new SenderOwnershipHook(senderAddresses, recipients));
            hooks.add(new SendingRateHook(sendingRate, metrics));
        }
        hooks.add(new TransactionId(tracing, listener.serverName()));
        // RCPT: the limit first, because an accepting hook ends the RCPT hooks.
        hooks.add(maxRecipients);
        hooks.add(listener.submission() ? LocalRecipientHook.forSubmission(recipients, metrics)
                : LocalRecipientHook.forMx(recipients, metrics));
        // AUTH
        if (listener.submission()) {
            hooks.add(new MailboxApiAuthHook(mailboxApi, authThrottle, metrics));
        }
        // end of DATA: after MessageSizeLimit's own message hook, which refuses oversized messages
        hooks.add(new EnqueueMessageHook(queue, properties.hostname(), clock, enqueueMemory, sendingRate, metrics, tracing));
        return hooks;
    }
}
