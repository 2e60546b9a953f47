package io.mailroom.protocol.server;

import io.netty.channel.ChannelHandlerContext;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.apache.james.util.MDCBuilder;

/**
 * What the protocol handler puts in the MDC of its log lines: protocol, client IP (the one in the PROXY header
 * when there is one), session id, user.
 *
 * <p>James's standard factory also adds the client's host name, which is a reverse DNS lookup on every
 * connection: a blocking call with no bound of ours. This one leaves it out. Protocols extend
 * {@link #withContext} to add their own keys (SMTP adds the transaction's trace id).
 */
public class SessionMdc implements ProtocolMDCContextFactory {

    @Override
    public MDCBuilder onBound(Protocol protocol, ChannelHandlerContext ctx) {
        return MDCBuilder.create()
                .addToContext(MDCBuilder.PROTOCOL, protocol.getName())
                .addToContext(MDCBuilder.IP, ConnectionGate.ip(ConnectionGate.clientAddress(ctx.channel())));
    }

    @Override
    public MDCBuilder withContext(ProtocolSession session) {
        return ProtocolMDCContextFactory.from(session);
    }
}
