package io.mailroom.protocol.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/** Counts TLS handshakes by the protocol version they agreed on (implicit TLS and STARTTLS alike). */
@ChannelHandler.Sharable
final class TlsHandshakeMeter extends ChannelInboundHandlerAdapter {

    static final String NAME = "tlsHandshakeMeter";

    private final ProtocolMeters meters;

    TlsHandshakeMeter(ProtocolMeters meters) {
        this.meters = meters;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            meters.tlsHandshake(completion.isSuccess() && ssl != null ? ssl.engine().getSession().getProtocol() : "failed");
        }
        super.userEventTriggered(ctx, event);
    }
}
