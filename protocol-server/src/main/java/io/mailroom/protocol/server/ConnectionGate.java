package io.mailroom.protocol.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import org.apache.james.protocols.api.ProxyInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a connection through to the protocol handler, or turns it away: at most so many connections at once in
 * total and from one client address, counted by the address of the client itself, so behind a load balancer
 * that sends a PROXY protocol header (HAProxy v1/v2) the address in that header.
 *
 * <p>With PROXY protocol the protocol handler learns of the connection only once the header has arrived, so
 * that its greeting, its log lines and its policies all see the real client. A turned-away client gets the
 * protocol's refusal line (SMTP: {@code 421 4.7.0 …}) when one is configured, then the connection is closed;
 * the protocol handler never sees it. One instance serves every connection of a listener.
 */
@ChannelHandler.Sharable
final class ConnectionGate extends ChannelInboundHandlerAdapter {

    static final String NAME = "connectionGate";
    /** The client as the PROXY header named it. */
    static final AttributeKey<ProxyInformation> PROXY = AttributeKey.valueOf("mailroom.proxy");
    private static final AttributeKey<String> ADMITTED_IP = AttributeKey.valueOf("mailroom.admittedIp");
    private static final AttributeKey<String> COUNTED_IP = AttributeKey.valueOf("mailroom.countedIp");

    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final String name;
    private final int maxConnections;
    private final int maxConnectionsPerIp;
    private final boolean proxyRequired;
    private final byte[] refusal;
    private final ProtocolMeters meters;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, Integer> perIp = new ConcurrentHashMap<>();

    ConnectionGate(String name, int maxConnections, int maxConnectionsPerIp, boolean proxyRequired, String refusalLine,
                   ProtocolMeters meters) {
        this.name = name;
        this.maxConnections = maxConnections;
        this.maxConnectionsPerIp = maxConnectionsPerIp;
        this.proxyRequired = proxyRequired;
        this.refusal = refusalLine == null ? null : (refusalLine + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.meters = meters;
    }

    /** The client's address: the one in the PROXY header when there was one, else the socket's peer. */
    static InetSocketAddress clientAddress(Channel channel) {
        ProxyInformation proxy = channel.attr(PROXY).get();
        if (proxy != null) {
            return proxy.getSource();
        }
        SocketAddress remote = channel.remoteAddress();
        return remote instanceof InetSocketAddress inet ? inet : null;
    }

    static String ip(InetSocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!proxyRequired) {
            admit(ctx);
        }
        // else: wait for the PROXY header (the idle timeout ends a connection that never sends one)
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage header) {
            try {
                if (header.proxiedProtocol() == HAProxyProxiedProtocol.TCP4 || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP6) {
                    ctx.channel().attr(PROXY).set(new ProxyInformation(
                            new InetSocketAddress(header.sourceAddress(), header.sourcePort()),
                            new InetSocketAddress(header.destinationAddress(), header.destinationPort())));
                }
                // LOCAL / UNKNOWN (a load balancer's own health check): the connection is the proxy's own.
            } finally {
                header.release();
            }
            if (ctx.channel().attr(ADMITTED_IP).get() == null) {
                admit(ctx);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String counted = ctx.channel().attr(COUNTED_IP).getAndSet(null);
        if (counted != null) {
            total.decrementAndGet();
            perIp.computeIfPresent(counted, (ip, count) -> count <= 1 ? null : count - 1);
        }
        // The protocol handler hears of the end only of connections it heard of the start of.
        if (ctx.channel().attr(ADMITTED_IP).get() != null) {
            meters.closed();
            ctx.fireChannelInactive();
        }
    }

    private void admit(ChannelHandlerContext ctx) {
        String ip = ip(clientAddress(ctx.channel()));
        int connections = total.incrementAndGet();
        int fromIp = perIp.merge(ip, 1, Integer::sum);
        ctx.channel().attr(COUNTED_IP).set(ip);
        String refusedBecause = maxConnections > 0 && connections > maxConnections ? "max-connections"
                : maxConnectionsPerIp > 0 && fromIp > maxConnectionsPerIp ? "max-connections-per-ip"
                : null;
        if (refusedBecause != null) {
            log.warn("{}: connection from {} refused ({}: {} in total, {} from this address)", name, ip, refusedBecause,
                    connections, fromIp);
            meters.refused(refusedBecause);
            if (refusal != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(refusal)).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
            return;
        }
        ctx.channel().attr(ADMITTED_IP).set(ip);
        meters.opened();
        ctx.fireChannelActive();
    }

    int open() {
        return total.get();
    }
}
