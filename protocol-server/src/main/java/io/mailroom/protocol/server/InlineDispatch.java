package io.mailroom.protocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.FastThreadLocal;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.HandlerConstants;

/**
 * On the I/O thread, just in front of James's protocol handler (which runs on the handler threads): runs the protocol
 * handler right here for a line that {@link InlineCommands} says needs no waiting, and passes every other line on to
 * the handler threads as before. Only a line with nothing framed ahead of it still unprocessed ({@link LineFramer}
 * counts them; a handler thread counts its line done on the I/O thread, after the tasks that write its answer) and
 * no reply held back is run here, so neither a line nor its answer ever overtakes an earlier one. One instance per
 * connection.
 */
final class InlineDispatch extends ChannelInboundHandlerAdapter {

    static final String NAME = "mailroom-inline-dispatch";
    /** Set while a line runs inline on this thread ({@link InlineCommands#runningInline}). */
    static final FastThreadLocal<Boolean> RUNNING = new FastThreadLocal<>();

    private final InlineCommands commands;
    private final LineFramer framer;
    private final ProtocolMeters meters;

    InlineDispatch(InlineCommands commands, LineFramer framer, ProtocolMeters meters) {
        this.commands = commands;
        this.framer = framer;
        this.meters = meters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf line && framer.waitingFrames() == 1) {
            ProtocolSession session = (ProtocolSession) ctx.channel().attr(BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).get();
            ChannelHandlerContext core = ctx.pipeline().context(HandlerConstants.CORE_HANDLER);
            if (session != null && core != null && core.handler() instanceof OffloadedCoreHandler handler
                    && !holdsReplies(session) && commands.answersAtOnce(session, line)) {
                meters.inlineLine();
                runInline(handler, core, line);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** A reply held back (a failed login's delay) goes out later: a line answered now would overtake it. */
    private static boolean holdsReplies(ProtocolSession session) {
        return session instanceof ProtocolSessionImpl impl && impl.getProtocolTransport() instanceof StartTlsSafeTransport transport
                && transport.holdsReplies();
    }

    /** What Netty would do on the handler thread, here: the handler's read, and its own exception handling. */
    private static void runInline(OffloadedCoreHandler handler, ChannelHandlerContext core, ByteBuf line) throws Exception {
        RUNNING.set(Boolean.TRUE);
        try {
            handler.channelRead(core, line);
        } catch (Throwable failure) {
            handler.exceptionCaught(core, failure);
        } finally {
            RUNNING.remove();
        }
    }
}
