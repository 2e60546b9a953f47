package io.mailroom.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client pattern that met Linux's delayed ACKs: a command, the server's "+" go-ahead, then a literal and its
 * closing CRLF in two writes with Nagle's algorithm on (as Python's imaplib APPENDs), the answer only after the CRLF.
 * Over real loopback sockets.
 */
class QuickAckIT {

    private static final int ROUNDS = 30;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aLiteralAndItsCrlfInTwoWritesAreNotHeldByADelayedAck() throws Exception {
        Channel server = literalServer();
        long[] rounds = literalRounds(server);
        // with the ACK delayed, every round waits for Linux's delayed-ACK timer (40 ms at least); without, ~0.1 ms
        assertThat(median(rounds) / 1_000_000.0).as("median round, ms, of %s", Arrays.toString(rounds)).isLessThan(20);
    }

    @Test
    void theOptionIsSetOnLoopbackSocketsAndIgnoredWhereThereIsNone() throws Exception {
        Channel server = literalServer();
        try (Socket client = new Socket()) {
            client.connect(server.localAddress());
            client.getOutputStream().write("A\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(client.getInputStream())).isEqualTo("+");
            Channel accepted = Accepted.last;
            assertThat(QuickAck.enable(accepted)).as("TCP_QUICKACK on a Linux NIO socket").isTrue();
        }
        EmbeddedChannel embedded = new EmbeddedChannel(QuickAck.INSTANCE);
        assertThat(QuickAck.enable(embedded)).isFalse();
        embedded.writeAndFlush(Unpooled.copiedBuffer("still written\r\n", StandardCharsets.US_ASCII));
        ByteBuf out = embedded.readOutbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("still written\r\n");
        out.release();
        embedded.finishAndReleaseAll();
    }

    /** Nanoseconds from each literal's first write to its answer. */
    private static long[] literalRounds(Channel server) throws Exception {
        long[] rounds = new long[ROUNDS];
        byte[] literal = "x".repeat(1200).getBytes(StandardCharsets.US_ASCII);
        try (Socket client = new Socket()) {
            client.setTcpNoDelay(false);
            client.connect(server.localAddress());
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            for (int i = 0; i < ROUNDS; i++) {
                out.write("A\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(in)).isEqualTo("+");
                long start = System.nanoTime();
                out.write(literal);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(in)).isEqualTo("OK 1200");
                rounds[i] = System.nanoTime() - start;
            }
        }
        return rounds;
    }

    /** The literal protocol behind {@link QuickAck} (without it, each round here took ~45 ms on Linux 6.18). */
    private Channel literalServer() throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(QuickAck.NAME, QuickAck.INSTANCE)
                                .addLast(new Accepted(), new LiteralProtocol());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private static String readLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            assertThat(c).as("end of stream").isNotNegative();
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static final class Accepted extends io.netty.channel.ChannelInboundHandlerAdapter {
        static volatile Channel last;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            last = ctx.channel();
            ctx.fireChannelActive();
        }
    }

    /** "A" CRLF is answered "+"; then everything up to the next CRLF is the literal, answered "OK n". */
    private static final class LiteralProtocol extends SimpleChannelInboundHandler<ByteBuf> {
        private final StringBuilder pending = new StringBuilder();
        private boolean inLiteral;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            pending.append(msg.toString(StandardCharsets.US_ASCII));
            int end;
            while ((end = pending.indexOf("\r\n")) >= 0) {
                String line = pending.substring(0, end);
                pending.delete(0, end + 2);
                String answer = inLiteral ? "OK " + line.length() : "+";
                inLiteral = !inLiteral;
                ctx.writeAndFlush(Unpooled.copiedBuffer(answer + "\r\n", StandardCharsets.US_ASCII));
            }
        }
    }
}
