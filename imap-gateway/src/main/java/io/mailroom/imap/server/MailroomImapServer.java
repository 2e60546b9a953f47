package io.mailroom.imap.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.imapserver.netty.NettyConstants;
import org.apache.james.metrics.api.GaugeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.protocol.server.QuickAck;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * James's IMAP server as Mailroom runs it: observed through Micrometer, drained before it stops ({@link #drain}), and
 * stopped without leftovers.
 */
final class MailroomImapServer extends IMAPServer {

    private static final Logger LOGGER = LoggerFactory.getLogger(MailroomImapServer.class);

    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);
    /** RFC 9051 §7.1.5 BYE with the RFC 5530 code for "try again elsewhere / later". */
    static final String GOODBYE = "* BYE [UNAVAILABLE] Server shutting down";
    private static final long DRAIN_POLL_MILLIS = 50;
    private static final AttributeKey<Boolean> RELEASED = AttributeKey.valueOf("mailroomReleased");

    /** The listening sockets James binds (it keeps them private). */
    private final ChannelGroup listening = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
    /** The client connections open now; a closed one leaves the group by itself. */
    private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);

    MailroomImapServer(ImapDecoder decoder, ImapEncoder encoder, ImapProcessor processor,
                       ImapMetrics imapMetrics, GaugeRegistry gaugeRegistry) {
        super(decoder, encoder, processor, imapMetrics, gaugeRegistry);
    }

    /**
     * Keeps hold of the listening sockets and of every client connection, for {@link #drain}; quick ACKs after each
     * flush ({@link QuickAck}).
     */
    @Override
    protected void configureBootstrap(ServerBootstrap bootstrap) {
        super.configureBootstrap(bootstrap);
        pooledBuffers(bootstrap);
        ChannelHandler james = bootstrap.config().childHandler();
        bootstrap.handler(new Track(listening));
        Track connection = new Track(connections);
        bootstrap.childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                // quick ACKs after each flush: an APPEND's literal is acknowledged at once (QuickAck)
                channel.pipeline().addLast("mailroomConnections", connection).addLast(QuickAck.NAME, QuickAck.INSTANCE)
                        .addLast(james);
            }
        });
    }

    /**
     * The connections' buffers from Netty's pooled allocator, as in every Mailroom protocol server
     * ({@link ProtocolServer#ALLOCATOR}: on JDK 24+ the default allocator's frees stop every thread of the JVM).
     */
    static ServerBootstrap pooledBuffers(ServerBootstrap bootstrap) {
        return bootstrap.childOption(ChannelOption.ALLOCATOR, ProtocolServer.ALLOCATOR);
    }

    /**
     * Lets the clients go before the listener stops (a rollout, a scale-down, SIGTERM): stops accepting connections,
     * lets every command in progress finish (an APPEND whose literal is still arriving counts), then tells each
     * session {@value #GOODBYE} and closes it, so that its client reconnects at once, to another replica, instead of
     * finding a dead socket. An idling (IDLE) or quiet session is told at once. What has not finished by
     * {@code timeout} is closed all the same.
     *
     * <p>The check and the goodbye run on the connection's event loop, which also reads its commands: once a session is
     * found quiet, its reading stops, so no new command slips in; the goodbye is queued behind any response still on
     * its way to the client.
     */
    void drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        listening.close().awaitUninterruptibly(timeout.toMillis());
        if (connections.isEmpty()) {
            return;
        }
        LOGGER.info("{}: letting {} connections go", getServiceType(), connections.size());
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            for (Channel channel : connections) {
                channel.eventLoop().execute(() -> releaseIfQuiet(channel));
            }
            if (connections.newCloseFuture().awaitUninterruptibly(DRAIN_POLL_MILLIS)) {
                break;
            }
        }
        if (!connections.isEmpty()) {
            LOGGER.warn("{}: {} connections still busy after {}; closing them", getServiceType(), connections.size(), timeout);
            for (Channel channel : connections) {
                channel.eventLoop().execute(() -> release(channel));
            }
            connections.newCloseFuture().awaitUninterruptibly(TimeUnit.SECONDS.toMillis(2));
        }
    }

    private static void releaseIfQuiet(Channel channel) {
        if (!channel.isActive() || channel.hasAttr(RELEASED) || busy(channel)) {
            return;
        }
        // nothing more is read from this client; responses already queued on the event loop go out before the goodbye
        channel.config().setAutoRead(false);
        channel.eventLoop().execute(() -> release(channel));
    }

    private static boolean busy(Channel channel) {
        ImapSession session = channel.attr(NettyConstants.IMAP_SESSION_ATTRIBUTE_KEY).get();
        Map<String, Object> literal = channel.attr(NettyConstants.FRAME_DECODE_ATTACHMENT_ATTRIBUTE_KEY).get();
        return CommandsInFlight.any(session) || (literal != null && !literal.isEmpty());
    }

    private static void release(Channel channel) {
        if (!channel.isActive() || channel.attr(RELEASED).setIfAbsent(Boolean.TRUE) != null) {
            return;
        }
        channel.writeAndFlush(Unpooled.copiedBuffer(GOODBYE + "\r\n", StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Adds each channel it sees to a group (which forgets it once closed). */
    @ChannelHandler.Sharable
    private static final class Track extends ChannelInboundHandlerAdapter {

        private final ChannelGroup group;

        Track(ChannelGroup group) {
            this.group = group;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            group.add(ctx.channel());
        }
    }

    /**
     * Not registered in JMX: Mailroom is observed through Micrometer, and James's fixed MBean names
     * would collide between the two listeners, or between two application contexts in one JVM.
     */
    @Override
    protected void registerMBean() {
        // nothing to register
    }

    @Override
    protected void unregisterMBean() {
        // nothing was registered
    }

    /**
     * Called by {@link #destroy()} once the event loops are down, just before it asks the executor group
     * it made in {@link #configure} to shut down, with a two-second quiet period that nothing here needs:
     * no work is left for it, so it may stop at once (a second request is then a no-op).
     */
    @Override
    protected void postDestroy() {
        if (getExecutorGroup() != null) {
            getExecutorGroup().shutdownGracefully(0, SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * After {@link #destroy()}, which waits for the event loops but not for the executor group: wait for
     * that one as well, so that no non-daemon thread outlives the listener.
     */
    boolean awaitTermination() throws InterruptedException {
        return getExecutorGroup() == null
                || getExecutorGroup().terminationFuture().await(SHUTDOWN_TIMEOUT.toMillis());
    }
}
