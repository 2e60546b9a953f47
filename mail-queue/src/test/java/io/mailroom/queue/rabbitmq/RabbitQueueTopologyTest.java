package io.mailroom.queue.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class RabbitQueueTopologyTest {

    private final RabbitQueueTopology topology = new RabbitQueueTopology("mailroom.",
            List.of(Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMillis(1500)), 10);

    @Test
    void namesStartWithThePrefix() {
        assertThat(topology.exchange()).isEqualTo("mailroom.mail");
        assertThat(topology.inboundQueue()).isEqualTo("mailroom.inbound");
        assertThat(topology.deadLetterQueue()).isEqualTo("mailroom.dead");
        assertThat(topology.retryQueue(Duration.ofSeconds(30))).isEqualTo("mailroom.retry.30s");
        assertThat(topology.retryQueue(Duration.ofMinutes(5))).isEqualTo("mailroom.retry.5m");
        assertThat(topology.retryQueue(Duration.ofMillis(1500))).isEqualTo("mailroom.retry.1500ms");
        assertThat(topology.retryQueue(Duration.ofHours(2))).isEqualTo("mailroom.retry.2h");
    }

    @Test
    void aRetryWaitsInTheSmallestTierThatIsLongEnough() {
        assertThat(topology.tierFor(Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
        assertThat(topology.tierFor(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(topology.tierFor(Duration.ofMillis(1001))).isEqualTo(Duration.ofMillis(1500));
        assertThat(topology.tierFor(Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(30));
        assertThat(topology.tierFor(Duration.ofHours(3))).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theInboundQueueLimitsDeliveriesAndDeadLettersWhatPassesTheLimit() {
        assertThat(topology.inboundArguments()).containsEntry("x-queue-type", "quorum")
                .containsEntry("x-delivery-limit", 10)
                .containsEntry("x-dead-letter-exchange", "mailroom.mail")
                .containsEntry("x-dead-letter-routing-key", "dead")
                .containsEntry("x-dead-letter-strategy", "at-least-once");
        assertThat(topology.retryArguments(Duration.ofSeconds(30))).containsEntry("x-message-ttl", 30_000L)
                .containsEntry("x-dead-letter-routing-key", "inbound")
                .doesNotContainKey("x-delivery-limit");
    }
}
