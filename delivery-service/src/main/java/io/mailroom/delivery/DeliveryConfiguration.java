package io.mailroom.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.delivery.dsn.DsnComposer;
import io.mailroom.delivery.dsn.DsnSender;
import io.mailroom.delivery.relay.OutboundTransport;
import io.mailroom.delivery.relay.SmtpRelayTransport;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.MailQueueAdmin;
import io.mailroom.queue.MailQueueConsumer;

@Configuration(proxyBeanMethods = false)
class DeliveryConfiguration {

    /** The relay host when one is configured; otherwise remote recipients wait (4.3.5). */
    @Bean
    @ConditionalOnMissingBean(OutboundTransport.class)
    OutboundTransport outboundTransport(DeliveryProperties properties) {
        return properties.relay().configured()
                ? new SmtpRelayTransport(properties.relay(), reportingMta(properties))
                : OutboundTransport.NONE;
    }

    @Bean
    DeliveryProcessor deliveryProcessor(MailboxApiClient mailboxApi, OutboundTransport transport, MailQueue queue,
                                        DeliveryProperties properties, MeterRegistry registry) {
        Clock clock = Clock.systemUTC();
        DsnSender notifications = queue::enqueue;
        DsnComposer composer = new DsnComposer(reportingMta(properties), properties.returnContentLimit().toBytes(), clock);
        return new DeliveryProcessor(mailboxApi, transport, notifications, composer, properties,
                new DeliveryMetrics(registry), clock);
    }

    @Bean
    QueueGauges queueGauges(ObjectProvider<MailQueueAdmin> admin, DeliveryProperties properties, MeterRegistry registry) {
        return new QueueGauges(admin::getIfAvailable, properties.statsInterval(), registry);
    }

    @Bean
    QueueConsumerLifecycle queueConsumerLifecycle(MailQueueConsumer consumer, DeliveryProcessor processor) {
        return new QueueConsumerLifecycle(consumer, processor);
    }

    static String reportingMta(DeliveryProperties properties) {
        if (properties.hostname() != null && !properties.hostname().isBlank()) {
            return properties.hostname().trim();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
