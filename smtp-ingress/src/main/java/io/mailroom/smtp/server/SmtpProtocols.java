package io.mailroom.smtp.server;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.queue.MailQueue;
import io.mailroom.smtp.SmtpProperties;
import io.mailroom.smtp.hook.EnqueueMessageHook;
import io.mailroom.smtp.hook.LocalRecipientHook;
import io.mailroom.smtp.hook.MailboxApiAuthHook;
import io.mailroom.smtp.hook.RecipientDirectory;
import io.mailroom.smtp.hook.RequireAuthenticationHook;
import io.mailroom.smtp.hook.SmtpSmugglingGuard;
import io.mailroom.smtp.hook.TransactionId;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineMessageHookHandler;
import org.apache.james.protocols.smtp.core.ExpnCmdHandler;
import org.apache.james.protocols.smtp.core.HeloCmdHandler;
import org.apache.james.protocols.smtp.core.HelpCmdHandler;
import org.apache.james.protocols.smtp.core.MailCmdHandler;
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
 * <p>The chain is James's default one with two handlers left out: James's Received header (Mailroom writes
 * its own, see {@link EnqueueMessageHook}; James's looks up the client's host name in DNS on every message)
 * and the postmaster/abuse rule that accepts those local parts at <em>any</em> domain, which on MX would
 * relay. Hooks run in the order listed; within a command the first hook that answers decides.
 */
public final class SmtpProtocols {

    private final MetricFactory metricFactory;
    private final MailboxApiClient mailboxApi;
    private final MailQueue queue;
    private final SmtpProperties properties;
    private final RecipientDirectory recipients;
    private final MessageBuffer messageBuffer;
    private final Clock clock;

    public SmtpProtocols(MetricFactory metricFactory, MailboxApiClient mailboxApi, MailQueue queue,
                         SmtpProperties properties, MessageBuffer messageBuffer, Clock clock) {
        this.metricFactory = metricFactory;
        this.mailboxApi = mailboxApi;
        this.queue = queue;
        this.properties = properties;
        this.messageBuffer = messageBuffer;
        this.clock = clock;
        this.recipients = new RecipientDirectory(mailboxApi, properties.recipientCache().timeToLive(),
                properties.recipientCache().maxEntries());
    }

    public SMTPProtocol protocol(SmtpListener listener) {
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(metricFactory, false);
        chain.addAll(handlers(listener));
        chain.addAll(hooks(listener));
        try {
            chain.wireExtensibleHandlers();
        } catch (WiringException e) {
            throw new IllegalStateException("cannot assemble the SMTP handler chain for " + listener, e);
        }
        return new SMTPProtocol(chain, new SmtpListenerConfiguration(listener, properties.hostname(),
                properties.maxMessageSize().toBytes()));
    }

    private List<ProtocolHandler> handlers(SmtpListener listener) {
        List<ProtocolHandler> handlers = new ArrayList<>(List.of(
                new CommandDispatcher<SMTPSession>(),
                new WelcomeMessageHandler(),
                new EhloCmdHandler(metricFactory),
                new HeloCmdHandler(metricFactory),
                new StartTlsCmdHandler(),
                new MailCmdHandler(metricFactory),
                new RcptCmdHandler(metricFactory),
                new BufferingDataCmdHandler(metricFactory, messageBuffer),
                new RsetCmdHandler(),
                new NoopCmdHandler(),
                new QuitCmdHandler(metricFactory),
                new HelpCmdHandler(),
                new VrfyCmdHandler(),
                new ExpnCmdHandler(),
                // Data line filters, in the order each line passes them:
                new SmtpSmugglingGuard(),
                new MessageSizeLimit(),
                new DataLineMessageHookHandler(),
                new UnknownCmdHandler(metricFactory),
                new CommandHandlerResultLogger(),
                new HookResultLogger()));
        if (listener.submission()) {
            // Added before the AuthHook so that James does not add its own AuthCmdHandler.
            handlers.add(new TlsOnlyAuthCmdHandler());
        }
        return handlers;
    }

    private List<ProtocolHandler> hooks(SmtpListener listener) {
        MaxRcptHandler maxRecipients = new MaxRcptHandler();
        maxRecipients.setMaxRcpt(properties.maxRecipients());
        List<ProtocolHandler> hooks = new ArrayList<>();
        // MAIL
        if (listener.submission()) {
            hooks.add(new RequireAuthenticationHook());
        }
        hooks.add(new TransactionId());
        // RCPT: the limit first, because an accepting hook ends the RCPT hooks.
        hooks.add(maxRecipients);
        hooks.add(listener.submission() ? LocalRecipientHook.forSubmission(recipients) : LocalRecipientHook.forMx(recipients));
        // AUTH
        if (listener.submission()) {
            hooks.add(new MailboxApiAuthHook(mailboxApi));
        }
        // end of DATA: after MessageSizeLimit's own message hook, which refuses oversized messages
        hooks.add(new EnqueueMessageHook(queue, properties.hostname(), clock));
        return hooks;
    }
}
