package io.mailroom.protocol.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import jdk.net.ExtendedSocketOptions;

/**
 * Turns Linux's TCP quick-ACK mode back on after every flush of an answer, as Dovecot does after each of its writes.
 *
 * <p>Once a connection has answered quickly a few times, Linux takes it for interactive ("ping-pong") and delays
 * the ACK of what the client sends next by up to 40 ms, hoping to carry it on the next answer. A client that writes
 * twice before it reads, with Nagle's algorithm on (the default of Python's imaplib and of many others), then waits
 * for that ACK before its second write leaves: an IMAP APPEND sends the literal, then its closing CRLF, and the server
 * can answer only after the CRLF. Every such APPEND took 40 ms more than the server's own work; Dovecot's took none.
 * With quick-ACK mode on after the server has written, the literal is acknowledged at once and the CRLF follows.
 *
 * <p>Sits at the head of the pipeline, behind no handler that writes (TLS or compression added in front of it later
 * pass their output on within the same flush), so when {@code ctx.flush()} returns the answer is in the socket. On
 * channels that have no such option (not NIO, not Linux) it does nothing.
 */
@ChannelHandler.Sharable
public final class QuickAck extends ChannelOutboundHandlerAdapter {

    public static final String NAME = "quickAck";
    public static final QuickAck INSTANCE = new QuickAck();

    private static final ChannelOption<Boolean> TCP_QUICKACK = NioChannelOption.of(ExtendedSocketOptions.TCP_QUICKACK);

    private QuickAck() {
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        enable(ctx.channel());
    }

    /** Asks for quick ACKs on {@code channel}; false where the channel cannot (closed, not a Linux NIO socket). */
    static boolean enable(Channel channel) {
        if (!channel.isOpen()) {
            return false;
        }
        try {
            return channel.config().setOption(TCP_QUICKACK, Boolean.TRUE);
        } catch (RuntimeException e) {
            return false; // the socket closed meanwhile: there is nothing left to acknowledge
        }
    }
}
