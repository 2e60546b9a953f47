package io.mailroom.protocol.server;

import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.stream.ChunkedStream;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.NettyProtocolTransport;

/**
 * James's transport, with the STARTTLS switch made safe for a protocol handler that runs off the I/O thread,
 * and with replies that can be held back for a while without holding a thread.
 *
 * <p>James writes the "ready to start TLS" reply and then adds the TLS handler to the pipeline. On the I/O
 * thread nothing can be read between the two; from another thread, the client's TLS hello could arrive
 * before the TLS handler is in place and be taken for a command. Doing both in one task on the channel's
 * event loop restores James's ordering: the reply goes out in clear text, and every byte read afterwards
 * passes through TLS.
 *
 * <p>{@link #delayReplies} holds back every reply (and a close) written before the delay ends, in order: a
 * failed login is answered only after a pause, and the handler thread is free meanwhile. Streamed replies keep that
 * order too. A reply with no lines writes nothing (a streamed reply may carry its status line in its stream, so
 * that the two go out as one write).
 */
final class StartTlsSafeTransport extends NettyProtocolTransport {

    private final Channel channel;
    private final Encryption encryption;
    // guarded by this
    private long delayedUntil;
    private int delayedWrites;

    StartTlsSafeTransport(Channel channel, Encryption encryption, boolean proxyRequired) {
        super(channel, encryption, proxyRequired);
        this.channel = channel;
        this.encryption = encryption;
    }

    Channel channel() {
        return channel;
    }

    /** True while replies are held back ({@link #delayReplies}): a reply written now would go out later. */
    synchronized boolean holdsReplies() {
        return delayedWrites > 0 || delayedUntil - System.nanoTime() > 0;
    }

    /** Replies written from now until {@code delay} has passed go out when it has, in the order written. */
    synchronized void delayReplies(Duration delay) {
        delayedUntil = Math.max(delayedUntil, System.nanoTime() + delay.toNanos());
    }

    @Override
    protected void writeToClient(byte[] bytes, ProtocolSession session, boolean startTLS) {
        if (startTLS) {
            // The framer refuses anything after a STARTTLS line until injection detection is off; turning it off
            // before handing over to the event loop makes the change visible to the I/O thread.
            session.stopDetectingCommandInjection();
            inOrder(() -> {
                channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
                channel.pipeline().addFirst(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
            }, true);
            return;
        }
        if (bytes.length == 0) {
            return; // an empty write would still be a task on the event loop and a flush
        }
        inOrder(() -> channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)), false);
    }

    @Override
    protected void writeToClient(InputStream in, ProtocolSession session, boolean startTLS) {
        if (startTLS || in instanceof FileInputStream) {
            super.writeToClient(in, session, startTLS); // James's own way: TLS switch, or a file region
            return;
        }
        inOrder(() -> channel.writeAndFlush(new ChunkedStream(in)), false);
    }

    @Override
    protected void close() {
        inOrder(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE), false);
    }

    private void inOrder(Runnable write, boolean onEventLoop) {
        synchronized (this) {
            long wait = delayedUntil - System.nanoTime();
            if (wait > 0 || delayedWrites > 0) {
                // Behind a delayed write, everything waits its turn: scheduled tasks with later or equal
                // deadlines run after it.
                delayedWrites++;
                channel.eventLoop().schedule(() -> {
                    try {
                        write.run();
                    } finally {
                        synchronized (this) {
                            delayedWrites--;
                        }
                    }
                }, Math.max(0, wait), TimeUnit.NANOSECONDS);
                return;
            }
        }
        if (onEventLoop) {
            channel.eventLoop().execute(write);
        } else {
            write.run();
        }
    }
}
