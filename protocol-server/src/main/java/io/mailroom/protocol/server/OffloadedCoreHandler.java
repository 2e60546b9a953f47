package io.mailroom.protocol.server;

import io.netty.channel.ChannelHandlerContext;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.slf4j.MDC;

/**
 * James's protocol handler as it runs here: on a handler thread rather than the I/O thread (see
 * {@link ProtocolServer}), with a transport whose STARTTLS switch is safe there, and telling
 * {@link InboundBackpressure} when it is done with each line.
 */
final class OffloadedCoreHandler extends BasicChannelInboundHandler {

    private final InboundBackpressure backpressure;

    OffloadedCoreHandler(ProtocolMDCContextFactory mdcContextFactory, Protocol protocol, Encryption encryption,
                         boolean proxyRequired, InboundBackpressure backpressure) {
        super(mdcContextFactory, protocol, encryption, proxyRequired);
        this.backpressure = backpressure;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        try {
            super.channelActive(ctx);
        } finally {
            MDC.clear();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        try {
            super.channelRead(ctx, msg);
        } finally {
            backpressure.processed(ctx.channel());
            // Handler threads serve many connections in turn: nothing a hook put in the MDC may follow the
            // thread into another connection's log lines.
            MDC.clear();
        }
    }

    @Override
    protected ProtocolSession createSession(ChannelHandlerContext ctx) {
        return protocol.newSession(new StartTlsSafeTransport(ctx.channel(), secure, proxyRequired));
    }
}
