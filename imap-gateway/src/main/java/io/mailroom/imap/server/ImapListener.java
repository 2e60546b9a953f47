package io.mailroom.imap.server;

import java.time.Duration;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * One IMAP listening socket (a James {@link MailroomImapServer}) as a Spring {@link SmartLifecycle}:
 * configured when the bean is made, so that a bad setting stops start-up, bound once the context is
 * ready, and on shutdown drained (no new connections, commands in progress finish, every session told
 * {@code * BYE [UNAVAILABLE]}; {@link MailroomImapServer#drain}), then unbound with every event loop and
 * executor group shut down. Both listeners of the service drain side by side ({@link #stop(Runnable)}).
 */
public final class ImapListener implements SmartLifecycle {

    private static final Logger LOGGER = LoggerFactory.getLogger(ImapListener.class);

    private final String name;
    private final MailroomImapServer server;
    private final Duration shutdownTimeout;
    private volatile boolean running;

    ImapListener(String name, MailroomImapServer server, HierarchicalConfiguration<ImmutableNode> configuration,
                 FileSystem fileSystem, Duration shutdownTimeout) {
        this.name = name;
        this.server = server;
        this.shutdownTimeout = shutdownTimeout;
        server.setFileSystem(fileSystem);
        try {
            server.configure(configuration);
        } catch (ConfigurationException e) {
            throw new IllegalStateException("invalid IMAP configuration for " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            server.init();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the IMAP listener " + name + ": " + e.getMessage(), e);
        }
        running = true;
        LOGGER.info("{} listening on {}", name, server.getListenAddresses());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        server.drain(shutdownTimeout);
        server.destroy();
        try {
            if (!server.awaitTermination()) {
                LOGGER.warn("{}: executor threads still running {} after shutdown", name, MailroomImapServer.SHUTDOWN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOGGER.info("{} stopped", name);
    }

    /** Stops on a thread of its own, so that the service's listeners drain their connections side by side. */
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
    public boolean isRunning() {
        return running;
    }

    public String name() {
        return name;
    }

    /** The port the listener is bound to (the one the system chose, when port 0 was asked for). */
    public int port() {
        if (!running) {
            throw new IllegalStateException(name + " is not listening");
        }
        return server.getListenAddresses().getFirst().getPort();
    }
}
