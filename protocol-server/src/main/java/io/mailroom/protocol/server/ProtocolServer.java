package io.mailroom.protocol.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.NonStickyEventExecutorGroup;
import io.netty.util.concurrent.UnorderedThreadPoolEventExecutor;
import io.mailroom.protocol.tls.TlsMaterial;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.james.protocols.api.ClientAuth;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * One listener of a line-based James protocol (SMTP, POP3) on Netty: the one way the protocol services start
 * a James server.
 *
 * <p><b>Threads.</b> James runs its protocol handler, and so every hook and backend call, on the thread that
 * delivers the line. Here the I/O threads ({@code <name>-io-*}) only accept, decrypt and frame lines; the
 * protocol handler runs on a bounded pool of handler threads ({@code <name>-handler-*}), in order per
 * connection but on whichever pool thread is free (Netty's {@link NonStickyEventExecutorGroup}). A hook that
 * waits on mailbox-api therefore holds one handler thread, and neither the I/O thread nor the connections
 * that happen to share it. (A pinned executor group such as {@code DefaultEventExecutorGroup} would put every
 * connection that shares the blocked thread on hold.) While a connection's lines wait for the handler, reading
 * from it stops ({@link LineFramer}). The one exception: a line that {@link Builder#inlineCommands} says needs no
 * waiting, with no earlier line still at the handler, runs on the I/O thread itself ({@link InlineDispatch}), which
 * saves the two thread hand-offs a short command would otherwise cost.
 *
 * <p><b>Life cycle.</b> A {@link SmartLifecycle}: declared as a bean it starts once the application context is
 * ready and stops first on shutdown. Stopping closes the listening socket, then lets each connection go as the
 * {@link Builder#drain} says: a busy one (an SMTP transaction) may finish, a quiet one gets the protocol's goodbye
 * and is closed <em>after</em> the command it is processing (a message being put on the queue gets its reply);
 * all within {@link Builder#shutdownTimeout}, and finally shuts down every thread group this server made. (James's
 * {@code NettyServer} leaves a non-daemon event-loop group running after {@code unbind()}; it is not used.)
 */
public final class ProtocolServer implements SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProtocolServer.class);
    private static final int BACKLOG = 250;

    /**
     * The buffers of every connection. Not Netty 4.2's default (the adaptive allocator): on JDK 24 and later,
     * where Netty does not use {@code sun.misc.Unsafe}, it frees direct memory by closing a shared
     * {@link java.lang.foreign.Arena}, which stops every thread of the JVM for a handshake, and the adaptive
     * allocator freed memory that often (about 1.5 handshakes of ~150 threads per SMTP message in the benchmark).
     * The pooled allocator keeps its chunks and rarely frees one.
     */
    public static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private final String name;
    private final Protocol protocol;
    private final InetSocketAddress address;
    private final Encryption encryption;
    private final int maxLineLength;
    private final String startTlsCommand;
    private final Set<String> pauseFramingAfter;
    private final int idleTimeoutSeconds;
    private final String idleTimeoutReply;
    private final String tooManyConnectionsReply;
    private final ProtocolMeters meters;
    private final int maxConnections;
    private final int maxConnectionsPerIp;
    private final int ioThreads;
    private final int handlerThreads;
    private final boolean proxyRequired;
    private final ProtocolMDCContextFactory mdcContextFactory;
    private final Duration shutdownTimeout;
    private final Drain drain;
    private final InlineCommands inlineCommands;

    private final ConnectionTracker connections = new ConnectionTracker();
    private EventLoopGroup acceptorGroup;
    private EventLoopGroup ioGroup;
    private EventExecutorGroup handlerExecutor;
    private Channel serverChannel;
    private volatile boolean running;

    private ProtocolServer(Builder builder) {
        this.name = builder.name;
        this.protocol = builder.protocol;
        this.address = builder.address;
        this.encryption = encryption(builder.tlsMode, builder.tlsMaterial);
        this.maxLineLength = builder.maxLineLength;
        // Commands pipelined behind STARTTLS are refused (the CVE-2011-0411 class of injection).
        this.startTlsCommand = builder.tlsMode == TlsMode.STARTTLS ? builder.startTlsCommand : null;
        this.pauseFramingAfter = builder.pauseFramingAfter;
        this.idleTimeoutSeconds = (int) builder.idleTimeout.toSeconds();
        this.idleTimeoutReply = builder.idleTimeoutReply;
        this.tooManyConnectionsReply = builder.tooManyConnectionsReply;
        this.meters = new ProtocolMeters(builder.meterRegistry, builder.name);
        this.maxConnections = builder.maxConnections;
        this.maxConnectionsPerIp = builder.maxConnectionsPerIp;
        this.ioThreads = builder.ioThreads;
        this.handlerThreads = builder.handlerThreads;
        this.proxyRequired = builder.proxyRequired;
        this.mdcContextFactory = builder.mdcContextFactory;
        this.shutdownTimeout = builder.shutdownTimeout;
        this.drain = builder.drain;
        this.inlineCommands = builder.inlineCommands;
    }

    /**
     * @param name     names the threads and log lines of this listener, e.g. {@code smtp-submission}
     * @param protocol the James protocol (handler chain and configuration) to serve
     */
    public static Builder builder(String name, Protocol protocol) {
        return new Builder(name, protocol);
    }

    private static Encryption encryption(TlsMode mode, TlsMaterial material) {
        String[] protocols = TlsMaterial.PROTOCOLS.toArray(String[]::new);
        return switch (mode) {
            case NONE -> null;
            case STARTTLS -> Encryption.createStartTls(material.sslContext(), null, protocols, ClientAuth.NONE);
            case IMPLICIT -> Encryption.createTls(material.sslContext(), null, protocols, ClientAuth.NONE);
        };
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        acceptorGroup = new MultiThreadIoEventLoopGroup(1, threads("accept"), NioIoHandler.newFactory());
        ioGroup = new MultiThreadIoEventLoopGroup(ioThreads, threads("io"), NioIoHandler.newFactory());
        handlerExecutor = new NonStickyEventExecutorGroup(new UnorderedThreadPoolEventExecutor(handlerThreads, threads("handler")));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptorGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childHandler(new ProtocolChannelInitializer(protocol, encryption, maxLineLength, startTlsCommand,
                        pauseFramingAfter, idleTimeoutSeconds, idleTimeoutReply, proxyRequired, mdcContextFactory,
                        handlerExecutor, new ConnectionGate(name, maxConnections, maxConnectionsPerIp, proxyRequired,
                                tooManyConnectionsReply, meters), new TlsHandshakeMeter(meters), connections, inlineCommands,
                        meters));
        try {
            serverChannel = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutDownThreads(System.nanoTime() + shutdownTimeout.toNanos());
            throw new IllegalStateException("cannot listen on " + address + " for " + name + ": " + e.getMessage(), e);
        }
        running = true;
        log.info("{} listening on {} ({}, TLS {})", name, localAddress(), protocol.getName(), tlsDescription());
    }

    @Override
    public synchronized void stop() {
        if (!running && acceptorGroup == null) {
            return;
        }
        running = false;
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
        }
        closeConnections(deadline);
        shutDownThreads(deadline);
        serverChannel = null;
        log.info("{} stopped", name);
    }

    /**
     * Stops on a thread of its own, so that the listeners of a service drain their connections side by side
     * within Spring's shutdown phase instead of one after the other.
     */
    @Override
    public void stop(Runnable callback) {
        Thread.ofPlatform().name(name + "-stop").start(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        });
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The address the listener is bound to; with port 0 asked for, this holds the port the system chose. */
    public InetSocketAddress localAddress() {
        Channel channel = serverChannel;
        if (channel == null) {
            throw new IllegalStateException(name + " is not listening");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** The port the listener is bound to (the chosen one, when port 0 was asked for). */
    public int port() {
        return localAddress().getPort();
    }

    public String name() {
        return name;
    }

    /** The client connections open right now (tests). */
    List<Channel> openChannels() {
        return connections.open();
    }

    /** How many client connections are open right now. */
    public int openConnections() {
        return connections.count();
    }

    /**
     * Lets every connection go as {@link Drain} says: through its protocol handler's executor, so that each check
     * and each close runs after the command being processed (and its reply). A connection the drain calls busy is
     * asked again every {@link #DRAIN_POLL_MILLIS} ms; a quiet one gets the goodbye line and is closed. Connections
     * still open at the deadline are closed outright. Returns once every connection is torn down, so that no thread
     * group is shut down under a task.
     */
    private void closeConnections(long deadline) {
        Set<Channel> released = java.util.concurrent.ConcurrentHashMap.newKeySet();
        while (!connections.open().isEmpty() && remaining(deadline) > 0) {
            for (Channel connection : connections.open()) {
                if (!released.contains(connection)) {
                    release(connection, released);
                }
            }
            if (awaitTeardown(Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_POLL_MILLIS)))) {
                return;
            }
        }
        if (!connections.open().isEmpty()) {
            log.warn("{}: {} connections did not finish in time; closing them", name, connections.count());
            connections.open().forEach(Channel::close);
            awaitTeardown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
        }
    }

    private static final long DRAIN_POLL_MILLIS = 100;

    private void release(Channel connection, Set<Channel> released) {
        ChannelHandlerContext core = connection.pipeline().context(HandlerConstants.CORE_HANDLER);
        if (core == null) {
            released.add(connection);
            connection.close();
            return;
        }
        try {
            core.executor().execute(() -> {
                if (released.contains(connection)) {
                    return;
                }
                org.apache.james.protocols.api.ProtocolSession session =
                        connection.attr(org.apache.james.protocols.netty.BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).get()
                                instanceof org.apache.james.protocols.api.ProtocolSession protocolSession ? protocolSession : null;
                if (session != null && drain.busy(session)) {
                    return;
                }
                released.add(connection);
                String goodbye = session == null ? null : drain.goodbye(session);
                if (goodbye == null || !connection.isActive()) {
                    connection.close();
                } else {
                    connection.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(goodbye + "\r\n", java.nio.charset.StandardCharsets.UTF_8))
                            .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                }
            });
        } catch (RejectedExecutionException e) {
            released.add(connection);
            connection.close();
        }
    }

    private boolean awaitTeardown(long deadline) {
        try {
            connections.closed().get(remaining(deadline), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every connection is torn down by now: nothing hands work between the groups any more. */
    private void shutDownThreads(long deadline) {
        List<Future<?>> io = new ArrayList<>();
        if (acceptorGroup != null) {
            io.add(acceptorGroup.shutdownGracefully(0, remaining(deadline), TimeUnit.NANOSECONDS));
        }
        if (ioGroup != null) {
            io.add(ioGroup.shutdownGracefully(0, remaining(deadline), TimeUnit.NANOSECONDS));
        }
        io.forEach(future -> future.awaitUninterruptibly(remaining(deadline) + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS));
        if (handlerExecutor != null) {
            Future<?> handlers = handlerExecutor.shutdownGracefully(0, remaining(deadline), TimeUnit.NANOSECONDS);
            if (!handlers.awaitUninterruptibly(remaining(deadline) + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS)) {
                log.warn("{}: protocol handlers still busy at shutdown; interrupting them", name);
                @SuppressWarnings("deprecation")
                List<Runnable> abandoned = handlerExecutor.shutdownNow();
                handlers.awaitUninterruptibly(1, TimeUnit.SECONDS);
                log.debug("{}: {} handler tasks abandoned", name, abandoned.size());
            }
        }
        acceptorGroup = null;
        ioGroup = null;
        handlerExecutor = null;
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private DefaultThreadFactory threads(String role) {
        // Non-daemon: these threads are what keeps a protocol service serving; stop() ends them all.
        return new DefaultThreadFactory(name + "-" + role, false);
    }

    private String tlsDescription() {
        if (encryption == null) {
            return "none";
        }
        return encryption.isStartTLS() ? "STARTTLS" : "implicit";
    }

    @Override
    public String toString() {
        return "ProtocolServer[" + name + " " + address + "]";
    }

    /** Settings of one listener; only the name and the protocol are required. */
    public static final class Builder {

        private final String name;
        private final Protocol protocol;
        private InetSocketAddress address = new InetSocketAddress(0);
        private TlsMode tlsMode = TlsMode.NONE;
        private TlsMaterial tlsMaterial;
        private String startTlsCommand;
        private int maxLineLength = 8192;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private String idleTimeoutReply;
        private String tooManyConnectionsReply;
        private Set<String> pauseFramingAfter = Set.of();
        private MeterRegistry meterRegistry;
        private int maxConnections;
        private int maxConnectionsPerIp;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int handlerThreads = 32;
        private boolean proxyRequired;
        private ProtocolMDCContextFactory mdcContextFactory = new SessionMdc();
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Drain drain = Drain.SILENT;
        private InlineCommands inlineCommands;

        private Builder(String name, Protocol protocol) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a protocol server needs a name");
            }
            this.name = name;
            this.protocol = Objects.requireNonNull(protocol, "protocol");
        }

        /** Where to listen; port 0 lets the system choose (tests). Default: every interface, port 0. */
        public Builder listen(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Where to listen: a host name or address ({@code 0.0.0.0} for every interface) and a port. */
        public Builder listen(String host, int port) {
            return listen(host == null || host.isBlank() ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
        }

        /**
         * How the listener offers TLS.
         *
         * @param startTlsCommand the protocol's upgrade command ({@code STARTTLS} for SMTP, {@code STLS} for
         *                        POP3); needed for {@link TlsMode#STARTTLS} only
         */
        public Builder tls(TlsMode mode, TlsMaterial material, String startTlsCommand) {
            this.tlsMode = Objects.requireNonNull(mode, "mode");
            if (mode != TlsMode.NONE) {
                this.tlsMaterial = Objects.requireNonNull(material, "TLS material is needed for " + mode);
            }
            if (mode == TlsMode.STARTTLS && (startTlsCommand == null || startTlsCommand.isBlank())) {
                throw new IllegalArgumentException("STARTTLS needs the protocol's upgrade command (STARTTLS, STLS)");
            }
            this.startTlsCommand = startTlsCommand;
            return this;
        }

        /** The longest line accepted, CRLF included; longer lines get the protocol's "line too long" answer. */
        public Builder maxLineLength(int maxLineLength) {
            this.maxLineLength = positive(maxLineLength, "maxLineLength");
            return this;
        }

        /** A connection that sends nothing for this long is closed; zero keeps idle connections open. */
        public Builder idleTimeout(Duration idleTimeout) {
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must not be negative");
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * What a connection hears before it is closed for being idle, e.g. SMTP's
         * {@code 421 4.4.2 mx.example.com Idle timeout, closing connection}; null (the default) closes silently.
         */
        public Builder idleTimeoutReply(String line) {
            this.idleTimeoutReply = line;
            return this;
        }

        /**
         * What a connection over {@link #maxConnections} or {@link #maxConnectionsPerIp} hears before it is closed,
         * e.g. SMTP's {@code 421 4.7.0 mx.example.com Too many connections}; null (the default) closes silently.
         */
        public Builder tooManyConnectionsReply(String line) {
            this.tooManyConnectionsReply = line;
            return this;
        }

        /**
         * Commands (first word of a line, any case) after which framing waits until the protocol handler has
         * processed the line, so that the handler can say that raw bytes follow ({@link Framing#rawBytesFollow}):
         * SMTP's {@code BDAT} (RFC 3030).
         */
        public Builder pauseFramingAfter(String... commands) {
            this.pauseFramingAfter = java.util.Arrays.stream(commands).map(command -> command.toUpperCase(Locale.ROOT))
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
            return this;
        }

        /**
         * Where the listener's meters go: {@code mailroom.connections.open}, {@code mailroom.connections} (by
         * outcome), {@code mailroom.tls.handshakes} (by protocol version) and {@code mailroom.lines.inline} (lines answered on the
         * I/O thread), tagged {@code listener=<name>}. Default: nowhere.
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** At most this many connections at once; 0 for no limit. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = notNegative(maxConnections, "maxConnections");
            return this;
        }

        /** At most this many connections at once from one IP address; 0 for no limit. */
        public Builder maxConnectionsPerIp(int maxConnectionsPerIp) {
            this.maxConnectionsPerIp = notNegative(maxConnectionsPerIp, "maxConnectionsPerIp");
            return this;
        }

        /** Threads that read, decrypt and frame; they never wait on anything else. */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = positive(ioThreads, "ioThreads");
            return this;
        }

        /** Threads that run the protocol handler, hooks and backend calls: how many commands can wait at once. */
        public Builder handlerThreads(int handlerThreads) {
            this.handlerThreads = positive(handlerThreads, "handlerThreads");
            return this;
        }

        /** Expects a PROXY protocol header (HAProxy v1/v2) before anything else on each connection. */
        public Builder proxyRequired(boolean proxyRequired) {
            this.proxyRequired = proxyRequired;
            return this;
        }

        /** What the protocol handler puts in the MDC of its log lines; {@link SessionMdc} by default. */
        public Builder mdcContextFactory(ProtocolMDCContextFactory mdcContextFactory) {
            this.mdcContextFactory = Objects.requireNonNull(mdcContextFactory, "mdcContextFactory");
            return this;
        }

        /** How long stopping waits for commands in progress before it closes their connections. */
        /** How connections are let go at shutdown (default {@link Drain#SILENT}). */
        /**
         * Lines this protocol's handler may answer on the I/O thread (see {@link InlineCommands}); by default every
         * line goes to a handler thread.
         */
        public Builder inlineCommands(InlineCommands inlineCommands) {
            this.inlineCommands = inlineCommands;
            return this;
        }

        public Builder drain(Drain drain) {
            this.drain = Objects.requireNonNull(drain, "drain");
            return this;
        }

        public Builder shutdownTimeout(Duration shutdownTimeout) {
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative");
            }
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        public ProtocolServer build() {
            return new ProtocolServer(this);
        }

        private static int positive(int value, String what) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return value;
        }

        private static int notNegative(int value, String what) {
            if (value < 0) {
                throw new IllegalArgumentException(what + " must not be negative");
            }
            return value;
        }
    }
}
