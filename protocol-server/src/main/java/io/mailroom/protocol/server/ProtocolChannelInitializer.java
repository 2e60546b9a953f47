package io.mailroom.protocol.server;

import java.util.Set;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;

/**
 * One connection's pipeline, top-down: the connection tracker, quick ACKs after each flush ({@link QuickAck}), the
 * PROXY header decoder, TLS (implicit TLS
 * only; STARTTLS adds it later, first in the pipeline), the line framer (maximum line length, raw bytes,
 * back-pressure), the connection gate (limits, PROXY client address), the TLS handshake meter, chunked writes,
 * the idle timeout, the inline dispatch when the protocol has {@link InlineCommands}, and James's protocol handler on
 * the handler executor. The handler names are James's
 * ({@link HandlerConstants}) where James's transport looks handlers up by them.
 */
@ChannelHandler.Sharable
final class ProtocolChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final Protocol protocol;
    private final Encryption encryption;
    private final int maxLineLength;
    private final String startTlsCommand;
    private final Set<String> pauseFramingAfter;
    private final int idleTimeoutSeconds;
    private final String idleTimeoutReply;
    private final boolean proxyRequired;
    private final ProtocolMDCContextFactory mdcContextFactory;
    private final EventExecutorGroup handlerExecutor;
    // Shared by every connection of the listener: they count across connections.
    private final ConnectionGate gate;
    private final TlsHandshakeMeter tlsMeter;
    private final ConnectionTracker connections;
    /** Null: every line goes to the handler threads. */
    private final InlineCommands inlineCommands;
    private final ProtocolMeters meters;

    ProtocolChannelInitializer(Protocol protocol, Encryption encryption, int maxLineLength, String startTlsCommand,
                               Set<String> pauseFramingAfter, int idleTimeoutSeconds, String idleTimeoutReply,
                               boolean proxyRequired, ProtocolMDCContextFactory mdcContextFactory,
                               EventExecutorGroup handlerExecutor, ConnectionGate gate, TlsHandshakeMeter tlsMeter,
                               ConnectionTracker connections, InlineCommands inlineCommands, ProtocolMeters meters) {
        this.protocol = protocol;
        this.encryption = encryption;
        this.maxLineLength = maxLineLength;
        this.startTlsCommand = startTlsCommand;
        this.pauseFramingAfter = pauseFramingAfter;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.idleTimeoutReply = idleTimeoutReply;
        this.proxyRequired = proxyRequired;
        this.mdcContextFactory = mdcContextFactory;
        this.handlerExecutor = handlerExecutor;
        this.gate = gate;
        this.tlsMeter = tlsMeter;
        this.connections = connections;
        this.inlineCommands = inlineCommands;
        this.meters = meters;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(ConnectionTracker.NAME, connections);
        pipeline.addLast(QuickAck.NAME, QuickAck.INSTANCE);
        if (proxyRequired) {
            pipeline.addLast(HandlerConstants.PROXY_HANDLER, new HAProxyMessageDecoder());
        }
        if (encryption != null && !encryption.isStartTLS()) {
            pipeline.addLast(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
        }
        LineFramer framer = new LineFramer(maxLineLength, startTlsCommand, pauseFramingAfter);
        pipeline.addLast(HandlerConstants.FRAMER, framer);
        pipeline.addLast(ConnectionGate.NAME, gate);
        if (encryption != null) {
            pipeline.addLast(TlsHandshakeMeter.NAME, tlsMeter);
        }
        pipeline.addLast(HandlerConstants.CHUNK_HANDLER, new ChunkedWriteHandler());
        if (idleTimeoutSeconds > 0) {
            pipeline.addLast(HandlerConstants.TIMEOUT_HANDLER, new IdleTimeout(idleTimeoutSeconds, idleTimeoutReply));
        }
        if (inlineCommands != null) {
            pipeline.addLast(InlineDispatch.NAME, new InlineDispatch(inlineCommands, framer, meters));
        }
        pipeline.addLast(handlerExecutor, HandlerConstants.CORE_HANDLER,
                new OffloadedCoreHandler(mdcContextFactory, protocol, encryption, proxyRequired, framer));
    }
}
