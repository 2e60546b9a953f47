package io.mailroom.protocol.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.NettyProtocolTransport;

/**
 * James's transport, with the STARTTLS switch made safe for a protocol handler that runs off the I/O thread.
 *
 * <p>James writes the "ready to start TLS" reply and then adds the TLS handler to the pipeline. On the I/O
 * thread nothing can be read between the two; from another thread, the client's TLS hello could arrive
 * before the TLS handler is in place and be taken for a command. Doing both in one task on the channel's
 * event loop restores James's ordering: the reply goes out in clear text, and every byte read afterwards
 * passes through TLS.
 */
final class StartTlsSafeTransport extends NettyProtocolTransport {

    private final Channel channel;
    private final Encryption encryption;

    StartTlsSafeTransport(Channel channel, Encryption encryption, boolean proxyRequired) {
        super(channel, encryption, proxyRequired);
        this.channel = channel;
        this.encryption = encryption;
    }

    @Override
    protected void writeToClient(byte[] bytes, ProtocolSession session, boolean startTLS) {
        if (!startTLS) {
            super.writeToClient(bytes, session, false);
            return;
        }
        // The framer refuses anything after a STARTTLS line until injection detection is off; turning it off
        // before handing over to the event loop makes the change visible to the I/O thread.
        session.stopDetectingCommandInjection();
        channel.eventLoop().execute(() -> {
            channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
            channel.pipeline().addFirst(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
        });
    }
}
