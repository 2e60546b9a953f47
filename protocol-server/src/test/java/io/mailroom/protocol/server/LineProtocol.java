package io.mailroom.protocol.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.ProtocolConfigurationImpl;
import org.apache.james.protocols.api.ProtocolImpl;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.StartTlsResponse;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerChainImpl;

/**
 * A tiny line protocol for testing the server wiring, in the James way (a handler chain with a connect
 * handler and a line handler): {@code PING}, {@code BLOCK} (waits until the test releases it),
 * {@code THREAD} (names the thread that runs the handler), {@code INLINE?} ({@link InlineCommands#runningInline}), {@code TLS?}, {@code STARTTLS}, {@code QUIT}, {@code IP}
 * (the client's address), {@code RAW n} (n bytes of data follow).
 */
final class LineProtocol extends ProtocolImpl {

    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch blocked = new CountDownLatch(1);

    LineProtocol() {
        this(new ProtocolHandlerChainImpl());
    }

    private LineProtocol(ProtocolHandlerChainImpl chain) {
        super(chain, new ProtocolConfigurationImpl("mailroom-test") {
        });
        chain.add((ConnectHandler<ProtocolSession>) session -> new Line("* ready", false));
        chain.add((LineHandler<ProtocolSession>) this::onLine);
        try {
            chain.wireExtensibleHandlers();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String getName() {
        return "LINE";
    }

    private Response onLine(ProtocolSession session, byte[] bytes) {
        String line = new String(bytes, StandardCharsets.US_ASCII).trim();
        if (line.toUpperCase().startsWith("RAW ")) {
            return raw(session, Integer.parseInt(line.substring(4)));
        }
        return switch (line.toUpperCase()) {
            case "IP" -> new Line("+" + session.getRemoteAddress().getAddress().getHostAddress(), false);
            case "PING" -> new Line("+PONG", false);
            case "THREAD" -> new Line("+" + Thread.currentThread().getName(), false);
            case "INLINE?" -> new Line("+" + InlineCommands.runningInline(), false);
            case "TLS?" -> new Line("+" + session.isTLSStarted(), false);
            case "STARTTLS" -> new StartTls("+GO");
            case "BLOCK" -> {
                blocked.countDown();
                try {
                    yield new Line(release.await(30, TimeUnit.SECONDS) ? "+RELEASED" : "-TIMEOUT", false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    yield new Line("-INTERRUPTED", false);
                }
            }
            case "QUIT" -> new Line("+BYE", true);
            default -> new Line("-UNKNOWN " + line, false);
        };
    }

    /** {@code RAW n}: the next n bytes are data; answers with them, CR and LF spelled out. */
    private Response raw(ProtocolSession session, int count) {
        Framing.rawBytesFollow(session, count);
        StringBuilder received = new StringBuilder();
        int[] remaining = {count};
        session.pushLineHandler((LineHandler<ProtocolSession>) (s, chunk) -> {
            remaining[0] -= chunk.length;
            received.append(new String(chunk, StandardCharsets.US_ASCII).replace("\r", "<CR>").replace("\n", "<LF>"));
            if (remaining[0] > 0) {
                return null;
            }
            s.popLineHandler();
            return new Line("+GOT " + received, false);
        });
        return null;
    }

    record Line(String text, boolean isEndSession) implements Response {

        @Override
        public String getRetCode() {
            return text.substring(0, 1);
        }

        @Override
        public List<CharSequence> getLines() {
            return List.of(text);
        }
    }

    record StartTls(String text) implements StartTlsResponse {

        @Override
        public String getRetCode() {
            return "+";
        }

        @Override
        public List<CharSequence> getLines() {
            return List.of(text);
        }

        @Override
        public boolean isEndSession() {
            return false;
        }
    }
}
