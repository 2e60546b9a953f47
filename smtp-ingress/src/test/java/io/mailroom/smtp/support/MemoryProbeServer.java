package io.mailroom.smtp.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.queue.MailQueue;
import io.mailroom.smtp.SmtpIngressApplication;
import io.mailroom.smtp.server.SmtpServers;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * smtp-ingress in a JVM of its own (the memory test starts it with a small heap): the MX listener on a free
 * port, mailbox-api in memory, and a queue that takes each message and lets it go. Prints
 * {@code LISTENING <port>}; on {@code REPORT} from standard input prints how many messages and bytes it queued
 * and the most heap that was still in use after a garbage collection; {@code EXIT} stops it.
 */
public final class MemoryProbeServer {

    private static final AtomicLong queued = new AtomicLong();
    private static final AtomicLong queuedBytes = new AtomicLong();
    private static final AtomicLong peakAfterGc = new AtomicLong();

    private MemoryProbeServer() {
    }

    /** Not a @Configuration: the application's component scan would pick it up in every test context. */
    static class StandIns {

        @Bean
        MailQueue mailQueue() {
            return mail -> {
                queued.incrementAndGet();
                queuedBytes.addAndGet(mail.content().length);
            };
        }

        @Bean
        InMemoryMailboxApi mailboxApiClient() {
            InMemoryMailboxApi mailboxApi = new InMemoryMailboxApi();
            mailboxApi.domain("example.test").account("bob@example.test", "x");
            return mailboxApi;
        }
    }

    public static void main(String[] args) throws Exception {
        watchGarbageCollections();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SmtpIngressApplication.class, StandIns.class)
                .web(WebApplicationType.NONE)
                .run(args);
        ProtocolServer mx = context.getBean(SmtpServers.MX, ProtocolServer.class);
        System.out.println("LISTENING " + mx.port());
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command = commands.readLine(); command != null; command = commands.readLine()) {
            if (command.equals("REPORT")) {
                System.gc();
                System.out.println("REPORT " + queued.get() + " " + queuedBytes.get() + " " + peakAfterGc.get()
                        + " " + Runtime.getRuntime().maxMemory());
            } else if (command.equals("EXIT")) {
                break;
            }
        }
        context.close();
        System.exit(0);
    }

    private static void watchGarbageCollections() {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                    long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                            .filter(pool -> pool.getKey().contains("Eden") || pool.getKey().contains("Survivor") || pool.getKey().contains("Old"))
                            .mapToLong(pool -> pool.getValue().getUsed()).sum();
                    peakAfterGc.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
    }

}
