package io.mailroom.pop3.command;

import java.util.List;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerChainImpl;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.NoopCmdHandler;
import org.apache.james.protocols.pop3.core.RsetCmdHandler;
import org.apache.james.protocols.pop3.core.StatCmdHandler;
import org.apache.james.protocols.pop3.core.UnknownCmdHandler;

import io.mailroom.pop3.login.AuthCommand;
import io.mailroom.pop3.login.Login;
import io.mailroom.pop3.login.PassCommand;
import io.mailroom.pop3.login.UserCommand;
import io.mailroom.pop3.retrieval.MessageRetrieval;
import io.mailroom.pop3.retrieval.RetrCommand;
import io.mailroom.pop3.retrieval.TopCommand;

/**
 * The POP3 command set Mailroom serves: RFC 1939 (USER/PASS, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT, TOP,
 * UIDL), CAPA (RFC 2449), STLS (RFC 2595) and AUTH (RFC 5034). James 3.8.1 ships a handler for most of these
 * but no chain outside its tests; Mailroom's own handlers replace James's where the login, the maildrop lock,
 * CAPA or message retrieval need to behave differently. There is no APOP: it needs the clear-text password on
 * the server.
 */
public final class Pop3HandlerChain {

    private Pop3HandlerChain() {
    }

    public static ProtocolHandlerChainImpl create(MetricFactory metricFactory, Login login, CapaCommand.Settings capa,
                                                  MessageRetrieval retrieval) {
        List<ProtocolHandler> handlers = List.of(
                new Greeting(),
                new CommandDispatcher<POP3Session>(),
                new CommandHandlerResultLogger(),
                new CapaCommand(metricFactory, login.policy(), capa),
                new UserCommand(metricFactory, login.policy()),
                new PassCommand(metricFactory, login),
                new AuthCommand(metricFactory, login),
                new StatCmdHandler(metricFactory),
                MessageNumbers.list(metricFactory),
                MessageNumbers.uidl(metricFactory),
                new TopCommand(metricFactory, retrieval),
                new RetrCommand(metricFactory, retrieval),
                MessageNumbers.dele(metricFactory),
                new NoopCmdHandler(metricFactory),
                new RsetCmdHandler(metricFactory),
                new QuitCommand(metricFactory),
                new StlsCommand(metricFactory),
                new SessionCleanup(),
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
