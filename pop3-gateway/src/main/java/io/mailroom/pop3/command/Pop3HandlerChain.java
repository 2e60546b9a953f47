package io.mailroom.pop3.command;

import java.util.List;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerChainImpl;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.CapaCmdHandler;
import org.apache.james.protocols.pop3.core.DeleCmdHandler;
import org.apache.james.protocols.pop3.core.ListCmdHandler;
import org.apache.james.protocols.pop3.core.NoopCmdHandler;
import org.apache.james.protocols.pop3.core.QuitCmdHandler;
import org.apache.james.protocols.pop3.core.RsetCmdHandler;
import org.apache.james.protocols.pop3.core.StatCmdHandler;
import org.apache.james.protocols.pop3.core.UnknownCmdHandler;

import io.mailroom.mailbox.client.MailboxApiClient;

/**
 * The POP3 command set Mailroom serves: RFC 1939 (USER/PASS, STAT, LIST, RETR, DELE, NOOP, RSET,
 * QUIT, TOP, UIDL), CAPA (RFC 2449) and STLS (RFC 2595). James 3.8.1 ships these handlers but no
 * chain outside its tests; the order below is the order of the CAPA lines.
 *
 * <p>There is no APOP and no AUTH (SASL): both would need James pieces that 3.8.1 does not have for
 * POP3, and USER/PASS over TLS is what every client offers.
 */
public final class Pop3HandlerChain {

    private Pop3HandlerChain() {
    }

    public static ProtocolHandlerChainImpl create(MetricFactory metricFactory, MailboxApiClient client,
                                                  PlaintextAuthPolicy policy) {
        List<ProtocolHandler> handlers = List.of(
                new Greeting(),
                new CommandDispatcher<POP3Session>(),
                new CommandHandlerResultLogger(),
                new CapaCmdHandler(metricFactory),
                new UserCommand(metricFactory, policy),
                new PassCommand(metricFactory, client, policy),
                new ExtendedCapabilities(),
                new StatCmdHandler(metricFactory),
                new ListCmdHandler(metricFactory),
                new UidlCommand(metricFactory),
                new TopCommand(metricFactory),
                new RetrCommand(metricFactory),
                new DeleCmdHandler(metricFactory),
                new NoopCmdHandler(metricFactory),
                new RsetCmdHandler(metricFactory),
                new QuitCmdHandler(metricFactory),
                new StlsCommand(metricFactory),
                new UnknownCmdHandler());
        ProtocolHandlerChainImpl chain = new ProtocolHandlerChainImpl();
        chain.addAll(handlers);
        try {
            chain.wireExtensibleHandlers();
        } catch (WiringException e) {
            throw new IllegalStateException("the POP3 handler chain does not wire", e);
        }
        return chain;
    }
}
