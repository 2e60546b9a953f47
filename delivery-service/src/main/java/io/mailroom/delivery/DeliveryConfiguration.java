package io.mailroom.delivery;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.queue.MailQueueConsumer;

@Configuration(proxyBeanMethods = false)
class DeliveryConfiguration {

    /** Replaced by the bounce sender once there is one. */
    @Bean
    @ConditionalOnMissingBean(PermanentFailureHandler.class)
    PermanentFailureHandler permanentFailureHandler() {
        return new LoggingPermanentFailureHandler();
    }

    @Bean
    DeliveryProcessor deliveryProcessor(MailboxApiClient mailboxApi, PermanentFailureHandler permanentFailures,
                                        DeliveryProperties properties, MeterRegistry registry) {
        return new DeliveryProcessor(mailboxApi, permanentFailures, properties.retry(), new DeliveryMetrics(registry),
                Clock.systemUTC());
    }

    @Bean
    QueueConsumerLifecycle queueConsumerLifecycle(MailQueueConsumer consumer, DeliveryProcessor processor) {
        return new QueueConsumerLifecycle(consumer, processor);
    }
}
