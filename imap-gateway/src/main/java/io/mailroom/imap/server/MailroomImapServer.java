package io.mailroom.imap.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.metrics.api.GaugeRegistry;

/** James's IMAP server as Mailroom runs it: observed through Micrometer, stopped without leftovers. */
final class MailroomImapServer extends IMAPServer {

    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);

    MailroomImapServer(ImapDecoder decoder, ImapEncoder encoder, ImapProcessor processor,
                       ImapMetrics imapMetrics, GaugeRegistry gaugeRegistry) {
        super(decoder, encoder, processor, imapMetrics, gaugeRegistry);
    }

    /**
     * Not registered in JMX: Mailroom is observed through Micrometer, and James's fixed MBean names
     * would collide between the two listeners, or between two application contexts in one JVM.
     */
    @Override
    protected void registerMBean() {
        // nothing to register
    }

    @Override
    protected void unregisterMBean() {
        // nothing was registered
    }

    /**
     * Called by {@link #destroy()} once the event loops are down, just before it asks the executor group
     * it made in {@link #configure} to shut down, with a two-second quiet period that nothing here needs:
     * no work is left for it, so it may stop at once (a second request is then a no-op).
     */
    @Override
    protected void postDestroy() {
        if (getExecutorGroup() != null) {
            getExecutorGroup().shutdownGracefully(0, SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * After {@link #destroy()}, which waits for the event loops but not for the executor group: wait for
     * that one as well, so that no non-daemon thread outlives the listener.
     */
    boolean awaitTermination() throws InterruptedException {
        return getExecutorGroup() == null
                || getExecutorGroup().terminationFuture().await(SHUTDOWN_TIMEOUT.toMillis());
    }
}
