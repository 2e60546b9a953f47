package io.mailroom.protocol.server;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Ends a connection on which nothing has been read or written for a while, with the protocol's goodbye line
 * when it has one (SMTP: {@code 421 4.4.2 … idle timeout}, RFC 5321 4.5.3.2.7). Counting writes as activity
 * keeps a client that waits for a slow reply from being taken for an idle one.
 */
final class IdleTimeout extends IdleStateHandler {

    private final byte[] goodbye;

    IdleTimeout(int seconds, String goodbyeLine) {
        super(0, 0, seconds);
        this.goodbye = goodbyeLine == null ? null : (goodbyeLine + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
        if (event.state() != IdleState.ALL_IDLE) {
            return;
        }
        if (goodbye != null && ctx.channel().isActive()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(goodbye)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
