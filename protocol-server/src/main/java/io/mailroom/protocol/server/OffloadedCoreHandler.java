package io.mailroom.protocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProxyInformation;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.slf4j.MDC;

/**
 * James's protocol handler as it runs here: on a handler thread rather than the I/O thread (see
 * {@link ProtocolServer}), with a transport whose STARTTLS switch is safe there, with the client address of the
 * PROXY header from the start, and telling the {@link LineFramer} when it is done with each frame.
 */
final class OffloadedCoreHandler extends BasicChannelInboundHandler {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OffloadedCoreHandler.class);

    private final LineFramer framer;

    OffloadedCoreHandler(ProtocolMDCContextFactory mdcContextFactory, Protocol protocol, Encryption encryption,
                         boolean proxyRequired, LineFramer framer) {
        super(mdcContextFactory, protocol, encryption, proxyRequired);
        this.framer = framer;
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
        int bytes = msg instanceof ByteBuf frame ? frame.readableBytes() : -1;
        try {
            super.channelRead(ctx, msg);
        } finally {
            if (bytes >= 0) {
                done(ctx.channel(), bytes);
            }
            // Handler threads serve many connections in turn: nothing a hook put in the MDC may follow the
            // thread into another connection's log lines.
            MDC.clear();
        }
    }

    /**
     * Tells the framer this frame is done, on the I/O thread: from a handler thread, as a task queued behind the ones
     * that write the frame's answer, so that a line the I/O thread answers itself ({@link InlineDispatch}) once it sees
     * nothing waiting can never get its answer out before this one.
     */
    private void done(io.netty.channel.Channel channel, int bytes) {
        if (channel.eventLoop().inEventLoop()) {
            framer.processed(channel, bytes);
            return;
        }
        try {
            channel.eventLoop().execute(() -> framer.processed(channel, bytes));
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            framer.processed(channel, bytes);
        }
    }

    /** A client that resets the connection is not an error of ours: no stack trace for it, just the close. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof java.io.IOException && !(cause instanceof io.netty.handler.codec.DecoderException)) {
            log.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    @Override
    protected ProtocolSession createSession(ChannelHandlerContext ctx) {
        ProtocolSession session = protocol.newSession(new StartTlsSafeTransport(ctx.channel(), secure, proxyRequired));
        ProxyInformation proxy = ctx.channel().attr(ConnectionGate.PROXY).get();
        if (proxy != null) {
            session.setProxyInformation(proxy);
        }
        return session;
    }
}
