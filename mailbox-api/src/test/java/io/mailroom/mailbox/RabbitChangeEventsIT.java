package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.events.MailboxEventSubscriber;
import io.mailroom.mailbox.client.events.MailboxEventsProperties;
import io.mailroom.mailbox.client.events.RabbitEventSubscriber;
import io.mailroom.testsupport.TestBroker;
import io.mailroom.testsupport.TestRabbit;

/** Change events in a distributed deployment: mailbox-api publishes to a RabbitMQ topic exchange, routing key by account. */
class RabbitChangeEventsIT extends MailboxApiITBase {

    private static final TestBroker BROKER = TestRabbit.newBroker();
    private static final String EXCHANGE = BROKER.namePrefix() + "events";

    @DynamicPropertySource
    static void rabbit(DynamicPropertyRegistry registry) {
        registry.add("mailroom.events.type", () -> "rabbitmq");
        registry.add("mailroom.events.rabbitmq.host", BROKER::host);
        registry.add("mailroom.events.rabbitmq.port", BROKER::port);
        registry.add("mailroom.events.rabbitmq.username", BROKER::username);
        registry.add("mailroom.events.rabbitmq.password", BROKER::password);
        registry.add("mailroom.events.rabbitmq.exchange", () -> EXCHANGE);
    }

    @Test
    void publishesCommittedChangesToTheAccountsRoutingKey() {
        String account = newAccount();
        String other = newAccount();
        long accountId = jdbc.sql("SELECT id FROM accounts WHERE address = ?").param(account).query(Long.class).single();
        List<MailboxChangeEvent> events = new CopyOnWriteArrayList<>();
        try (MailboxEventSubscriber subscriber = new RabbitEventSubscriber(new MailboxEventsProperties.Rabbitmq(
                BROKER.host(), BROKER.port(), BROKER.username(), BROKER.password(), "/", EXCHANGE), Duration.ofMillis(500), null)) {
            await().atMost(Duration.ofSeconds(10)).until(subscriber::connected);
            subscriber.subscribe(new AuthenticatedAccount(accountId, account), events::add);

            file(other, "not-mine", message("other", "b"));
            file(account, "mine", message("mine", "b"));
            // from the commit (the filing's answer) to the event: the filing itself may be slow on a loaded machine
            long filedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> !events.isEmpty());
            long latencyMillis = (System.nanoTime() - filedAt) / 1_000_000;

            assertThat(latencyMillis).isLessThan(1000);
            assertThat(events).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(MailboxChangeEvent.Kind.MESSAGES_ADDED);
                assertThat(event.accountId()).isEqualTo(accountId);
                assertThat(event.uids()).containsExactly(1L);
                assertThat(event.modSeq()).isEqualTo(2);
            });
            await().atMost(Duration.ofSeconds(2)).until(() ->
                    jdbc.sql("SELECT count(*) FROM event_outbox").query(Long.class).single() == 0);
        }
    }
}
