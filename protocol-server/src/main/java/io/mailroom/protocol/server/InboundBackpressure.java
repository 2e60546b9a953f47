package io.mailroom.protocol.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Stops reading from a connection while too many of its lines wait for the protocol handler.
 *
 * <p>The protocol handler runs off the I/O thread, so while it blocks (on mailbox-api, on the queue) the I/O
 * thread would keep reading and framing whatever the client sends, and the lines would pile up in the
 * handler's task queue without bound. Above {@link #HIGH_WATER_MARK} waiting lines the channel stops reading
 * (TCP flow control pushes back on the client); it reads again once the handler is down to
 * {@link #LOW_WATER_MARK}. One instance per connection; this server owns the channel's auto-read flag.
 */
final class InboundBackpressure extends ChannelInboundHandlerAdapter {

    static final int HIGH_WATER_MARK = 64;
    static final int LOW_WATER_MARK = 16;

    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();

    /** On the I/O thread: one more message is handed to the protocol handler. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waiting.incrementAndGet() >= HIGH_WATER_MARK && !paused.get()) {
            Channel channel = ctx.channel();
            // Order matters: stop reading, then say so, then look again; the handler thread may have drained
            // everything in between and would otherwise never see the flag it must clear.
            channel.config().setAutoRead(false);
            paused.set(true);
            resumeIfDrained(channel);
        }
        ctx.fireChannelRead(msg);
    }

    /** On the handler thread: the protocol handler is done with one message. */
    void processed(Channel channel) {
        waiting.decrementAndGet();
        resumeIfDrained(channel);
    }

    private void resumeIfDrained(Channel channel) {
        if (waiting.get() <= LOW_WATER_MARK && paused.compareAndSet(true, false)) {
            channel.config().setAutoRead(true);
        }
    }
}
