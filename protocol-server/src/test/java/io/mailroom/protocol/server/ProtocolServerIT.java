package io.mailroom.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.mailroom.protocol.tls.TlsMaterial;
import io.mailroom.protocol.tls.TlsProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

class ProtocolServerIT {

    @TempDir
    static Path tlsDirectory;
    static TlsMaterial tls;

    private final List<ProtocolServer> servers = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();

    @BeforeAll
    static void loadTls() {
        tls = TlsMaterial.load(TlsProperties.selfSigned(tlsDirectory, "localhost"));
    }

    @AfterEach
    void stopEverything() {
        clients.forEach(Client::closeQuietly);
        servers.forEach(ProtocolServer::stop);
    }

    @Test
    void twoServersStopWithoutLeavingThreadsBehind() throws Exception {
        Set<Thread> before = nonDaemonThreads();
        ProtocolServer plain = start(ProtocolServer.builder("leak-plain", new LineProtocol()));
        ProtocolServer implicit = start(ProtocolServer.builder("leak-tls", new LineProtocol()).tls(TlsMode.IMPLICIT, tls, null));

        Client plainClient = connect(plain);
        plainClient.expect("* ready");
        plainClient.send("PING").expect("+PONG");
        Client tlsClient = connectTls(implicit);
        tlsClient.expect("* ready");
        tlsClient.send("TLS?").expect("+true");
        assertThat(threadNames()).anyMatch(name -> name.startsWith("leak-plain-io"))
                .anyMatch(name -> name.startsWith("leak-tls-handler"));

        plain.stop();
        implicit.stop();

        assertThat(plain.isRunning()).isFalse();
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(threadNames()).noneMatch(name -> name.startsWith("leak-"));
            assertThat(nonDaemonThreads()).isSubsetOf(before);
        });
        assertThat(plainClient.readLine()).isNull();
    }

    @Test
    void asBeansTheyStartWithTheContextAndStopWithIt() throws Exception {
        Set<Thread> before = nonDaemonThreads();
        ProtocolServer one;
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.registerBean("one", ProtocolServer.class,
                    () -> ProtocolServer.builder("bean-one", new LineProtocol()).listen("127.0.0.1", 0).build());
            context.registerBean("two", ProtocolServer.class,
                    () -> ProtocolServer.builder("bean-two", new LineProtocol()).listen("127.0.0.1", 0).build());
            context.refresh();

            one = context.getBean("one", ProtocolServer.class);
            assertThat(one.isRunning()).isTrue();
            assertThat(context.getBean("two", ProtocolServer.class).isRunning()).isTrue();
            Client client = connect(one);
            client.expect("* ready");
            client.send("PING").expect("+PONG");
        }

        assertThat(one.isRunning()).isFalse();
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(threadNames()).noneMatch(name -> name.startsWith("bean-"));
            assertThat(nonDaemonThreads()).isSubsetOf(before);
        });
    }

    @Test
    void aBlockedHandlerDoesNotHoldUpAnotherConnectionOnTheSameIoThread() throws Exception {
        LineProtocol protocol = new LineProtocol();
        ProtocolServer server = start(ProtocolServer.builder("blocking", protocol).ioThreads(1).handlerThreads(4));

        Client blocked = connect(server);
        blocked.expect("* ready");
        blocked.send("BLOCK");
        assertThat(protocol.blocked.await(10, TimeUnit.SECONDS)).isTrue();

        Client other = connect(server);
        other.expect("* ready");
        other.send("PING").expect("+PONG");
        assertThat(other.send("THREAD").readLine()).startsWith("+blocking-handler-");

        protocol.release.countDown();
        blocked.expect("+RELEASED");
        blocked.send("PING").expect("+PONG");
    }

    @Test
    void linesTheProtocolMarksAsQuickRunOnTheIoThreadAndEveryOtherOnAHandlerThread() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        ProtocolServer server = start(ProtocolServer.builder("inline", new LineProtocol()).meterRegistry(meters)
                .inlineCommands((session, line) -> line.toString(StandardCharsets.US_ASCII).startsWith("THREAD")));
        Client client = connect(server);
        client.expect("* ready");

        assertThat(client.send("THREAD").readLine()).startsWith("+inline-io-");
        client.send("INLINE?").expect("+false");
        // the handler thread counts a line as done just after its answer went out: the next may still find it busy
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(client.send("THREAD").readLine()).startsWith("+inline-io-"));
        client.send("PING").expect("+PONG");
        assertThat(meters.get(ProtocolMeters.INLINE).tag("listener", "inline").counter().count()).isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void aQuickLineNeverOvertakesOneStillAtTheHandler() throws Exception {
        LineProtocol protocol = new LineProtocol();
        ProtocolServer server = start(ProtocolServer.builder("no-overtaking", protocol)
                .inlineCommands((session, line) -> line.toString(StandardCharsets.US_ASCII).startsWith("INLINE?")));
        Client client = connect(server);
        client.expect("* ready");

        client.send("BLOCK");
        assertThat(protocol.blocked.await(10, TimeUnit.SECONDS)).isTrue();
        client.send("INLINE?");
        Thread.sleep(300); // time enough to frame it over loopback, and to answer it, were it answered at once
        assertThat(client.ready()).as("nothing answered while BLOCK runs").isFalse();
        protocol.release.countDown();

        client.expect("+RELEASED");
        client.expect("+false");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> client.send("INLINE?").expect("+true"));
    }

    @Test
    void connectionsTakeTheirBuffersFromThePooledAllocator() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("pooled", new LineProtocol()));

        Client client = connect(server);
        client.expect("* ready");
        client.send("PING").expect("+PONG");

        assertThat(server.openChannels()).hasSize(1).allSatisfy(channel -> {
            assertThat(channel.config().getAllocator()).isSameAs(io.netty.buffer.PooledByteBufAllocator.DEFAULT);
            assertThat(channel.alloc()).isInstanceOf(io.netty.buffer.PooledByteBufAllocator.class);
        });
    }

    @Test
    void linesPipelinedBehindABlockedCommandAreAllAnsweredInOrder() throws Exception {
        LineProtocol protocol = new LineProtocol();
        ProtocolServer server = start(ProtocolServer.builder("pipelining", protocol).handlerThreads(2));
        Client client = connect(server);
        client.expect("* ready");

        int pings = LineFramer.HIGH_WATER_MARK * 20;
        client.write("BLOCK\r\n" + "PING\r\n".repeat(pings) + "THREAD\r\n");
        assertThat(protocol.blocked.await(10, TimeUnit.SECONDS)).isTrue();
        protocol.release.countDown();

        client.expect("+RELEASED");
        for (int i = 0; i < pings; i++) {
            client.expect("+PONG");
        }
        assertThat(client.readLine()).startsWith("+pipelining-handler-");
    }

    @Test
    void startTlsUpgradesTheConnection() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("starttls", new LineProtocol()).tls(TlsMode.STARTTLS, tls, "STARTTLS"));
        Client client = connect(server);
        client.expect("* ready");
        client.send("TLS?").expect("+false");

        client.send("STARTTLS").expect("+GO");
        Client secured = client.startTls(server);
        secured.send("TLS?").expect("+true");
        secured.send("PING").expect("+PONG");
    }

    @Test
    void commandsPipelinedBehindStartTlsAreRefused() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("injection", new LineProtocol()).tls(TlsMode.STARTTLS, tls, "STARTTLS"));
        Client client = connect(server);
        client.expect("* ready");

        client.write("STARTTLS\r\nPING\r\n");

        assertThat(client.readLine()).isNotEqualTo("+GO");
        assertThat(client.readLine()).isNull();
    }

    @Test
    void stoppingLetsTheCommandInProgressAnswerBeforeClosing() throws Exception {
        LineProtocol protocol = new LineProtocol();
        ProtocolServer server = start(ProtocolServer.builder("graceful", protocol).shutdownTimeout(Duration.ofSeconds(20)));
        int port = server.port();
        Client client = connect(server);
        client.expect("* ready");
        client.send("BLOCK");
        assertThat(protocol.blocked.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
        await().atMost(Duration.ofSeconds(10)).until(() -> !accepts(port));
        assertThat(stopping).isNotDone();

        protocol.release.countDown();
        client.expect("+RELEASED");
        assertThat(client.readLine()).isNull();
        stopping.get(20, TimeUnit.SECONDS);
    }

    @Test
    void limitsConnectionsPerIp() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("limited", new LineProtocol()).maxConnectionsPerIp(1));
        Client first = connect(server);
        first.expect("* ready");

        Client second = connect(server);

        assertThat(second.readLine()).isNull();
        first.send("PING").expect("+PONG");
    }

    @Test
    void closesIdleConnections() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("idle", new LineProtocol()).idleTimeout(Duration.ofSeconds(1)));
        Client client = connect(server);
        client.expect("* ready");

        await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
        assertThat(client.readLine()).isNull();
    }

    @Test
    void bytesAfterAPausingCommandReachTheHandlerAsTheyAreAndLinesResumeAfterThem() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("raw", new LineProtocol()).pauseFramingAfter("raw"));
        Client client = connect(server);
        client.expect("* ready");

        // Pipelined in one write: neither the bare LF inside the data nor the line ending it stops the data early.
        client.write("RAW 10\r\nab\r\ncd\nefgPING\r\nRAW 3\r\nRAWPING\r\n");

        client.expect("+GOT ab<CR><LF>cd<LF>efg");
        client.expect("+PONG");
        client.expect("+GOT RAW");
        client.expect("+PONG");
    }

    @Test
    void aRefusedConnectionHearsWhy() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("refusing", new LineProtocol()).maxConnectionsPerIp(1)
                .tooManyConnectionsReply("-ERR too many connections"));
        Client first = connect(server);
        first.expect("* ready");

        Client second = connect(server);

        second.expect("-ERR too many connections");
        assertThat(second.readLine()).isNull();
        first.send("PING").expect("+PONG");
    }

    @Test
    void anIdleConnectionHearsGoodbye() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("idle-reply", new LineProtocol()).idleTimeout(Duration.ofSeconds(1))
                .idleTimeoutReply("-ERR idle"));
        Client client = connect(server);
        client.expect("* ready");

        client.expect("-ERR idle");
        assertThat(client.readLine()).isNull();
    }

    @Test
    void behindAProxyTheClientIsTheOneInTheProxyHeaderForTheProtocolAndTheLimits() throws Exception {
        ProtocolServer server = start(ProtocolServer.builder("proxied", new LineProtocol()).proxyRequired(true)
                .maxConnectionsPerIp(1).tooManyConnectionsReply("-ERR too many connections"));

        Client v1 = connect(server);
        v1.write("PROXY TCP4 203.0.113.7 192.0.2.1 56324 25\r\n");
        v1.expect("* ready");
        v1.send("IP").expect("+203.0.113.7");

        Client v2 = connect(server);
        v2.socket.getOutputStream().write(proxyV2(new byte[] {(byte) 198, 51, 100, 9}, new byte[] {(byte) 192, 0, 2, 1}, 40000, 25));
        v2.expect("* ready");
        v2.send("IP").expect("+198.51.100.9");

        Client again = connect(server);
        again.write("PROXY TCP4 203.0.113.7 192.0.2.1 56325 25\r\n");
        again.expect("-ERR too many connections");
        assertThat(again.readLine()).isNull();
    }

    /** A PROXY protocol v2 header for TCP over IPv4 (HAProxy's proxy-protocol.txt, section 2.2). */
    static byte[] proxyV2(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(16 + 12);
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21); // version 2, PROXY
        header.put((byte) 0x11); // TCP over IPv4
        header.putShort((short) 12);
        header.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort);
        return header.array();
    }

    private ProtocolServer start(ProtocolServer.Builder builder) {
        ProtocolServer server = builder.listen("127.0.0.1", 0).build();
        servers.add(server);
        server.start();
        assertThat(server.isRunning()).isTrue();
        assertThat(server.port()).isPositive();
        return server;
    }

    private Client connect(ProtocolServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(15_000);
        Client client = new Client(socket);
        clients.add(client);
        return client;
    }

    private Client connectTls(ProtocolServer server) throws Exception {
        SSLSocket socket = (SSLSocket) trustingContext().getSocketFactory().createSocket("127.0.0.1", server.port());
        socket.setSoTimeout(15_000);
        socket.startHandshake();
        Client client = new Client(socket);
        clients.add(client);
        return client;
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket()) {
            ignored.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static SSLContext trustingContext() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
    }

    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && !thread.isDaemon())
                .collect(Collectors.toSet());
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).toList();
    }

    private final class Client {

        private final Socket socket;
        private final BufferedReader reader;
        private final OutputStream out;

        Client(Socket socket) throws IOException {
            this.socket = socket;
            this.reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.out = socket.getOutputStream();
        }

        boolean ready() throws IOException {
            return reader.ready();
        }

        Client send(String line) throws IOException {
            write(line + "\r\n");
            return this;
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String readLine() throws IOException {
            try {
                return reader.readLine();
            } catch (java.net.SocketException e) {
                return null; // reset by the server: closed as far as the test is concerned
            }
        }

        void expect(String line) throws IOException {
            assertThat(readLine()).isEqualTo(line);
        }

        Client startTls(ProtocolServer server) throws Exception {
            SSLSocket secured = (SSLSocket) trustingContext().getSocketFactory()
                    .createSocket(socket, "localhost", server.port(), true);
            secured.setSoTimeout(15_000);
            secured.startHandshake();
            Client client = new Client(secured);
            clients.add(client);
            return client;
        }

        void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
