package io.mailroom.protocol.server;

import java.util.Optional;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.ConnectionLimitUpstreamHandler;
import org.apache.james.protocols.netty.ConnectionPerIpLimitUpstreamHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.apache.james.protocols.netty.TimeoutHandler;

/**
 * One connection's pipeline, top-down: the connection tracker, connection limits, PROXY header, TLS (implicit TLS only; STARTTLS
 * adds it later), the line framer with its maximum length, back-pressure, chunked writes, the idle timeout,
 * and James's protocol handler on the handler executor. The handler names are James's
 * ({@link HandlerConstants}): James's transport and framer look handlers up by them.
 */
@ChannelHandler.Sharable
final class ProtocolChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final String BACKPRESSURE_HANDLER = "backpressure";

    private final Protocol protocol;
    private final Encryption encryption;
    private final ChannelHandlerFactory framerFactory;
    private final int idleTimeoutSeconds;
    private final boolean proxyRequired;
    private final ProtocolMDCContextFactory mdcContextFactory;
    private final EventExecutorGroup handlerExecutor;
    // James's limit handlers count across connections, so one instance serves the whole listener.
    private final Optional<ConnectionLimitUpstreamHandler> connectionLimit;
    private final Optional<ConnectionPerIpLimitUpstreamHandler> connectionPerIpLimit;
    private final ConnectionTracker connections;

    ProtocolChannelInitializer(Protocol protocol, Encryption encryption, ChannelHandlerFactory framerFactory,
                               int idleTimeoutSeconds, int maxConnections, int maxConnectionsPerIp,
                               boolean proxyRequired, ProtocolMDCContextFactory mdcContextFactory,
                               EventExecutorGroup handlerExecutor, ConnectionTracker connections) {
        this.protocol = protocol;
        this.encryption = encryption;
        this.framerFactory = framerFactory;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.proxyRequired = proxyRequired;
        this.mdcContextFactory = mdcContextFactory;
        this.handlerExecutor = handlerExecutor;
        this.connectionLimit = ConnectionLimitUpstreamHandler.forCount(maxConnections);
        this.connectionPerIpLimit = ConnectionPerIpLimitUpstreamHandler.forCount(maxConnectionsPerIp);
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(ConnectionTracker.NAME, connections);
        connectionLimit.ifPresent(handler -> pipeline.addLast(HandlerConstants.CONNECTION_LIMIT_HANDLER, handler));
        connectionPerIpLimit.ifPresent(handler -> pipeline.addLast(HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER, handler));
        if (proxyRequired) {
            pipeline.addLast(HandlerConstants.PROXY_HANDLER, new HAProxyMessageDecoder());
        }
        if (encryption != null && !encryption.isStartTLS()) {
            pipeline.addLast(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
        }
        pipeline.addLast(HandlerConstants.FRAMER, framerFactory.create(pipeline));
        InboundBackpressure backpressure = new InboundBackpressure();
        pipeline.addLast(BACKPRESSURE_HANDLER, backpressure);
        pipeline.addLast(HandlerConstants.CHUNK_HANDLER, new ChunkedWriteHandler());
        if (idleTimeoutSeconds > 0) {
            pipeline.addLast(HandlerConstants.TIMEOUT_HANDLER, new TimeoutHandler(idleTimeoutSeconds));
        }
        pipeline.addLast(handlerExecutor, HandlerConstants.CORE_HANDLER,
                new OffloadedCoreHandler(mdcContextFactory, protocol, encryption, proxyRequired, backpressure));
    }
}
