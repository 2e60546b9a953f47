package io.mailroom.mailbox.delivery;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.ObservationPredicate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Metrics of the filing routes, the hottest calls mailbox-api serves. Spring's HTTP server observation costs more per
 * request than the filing transaction's own Java work (a per-URI timer, its tags, context propagation), so it is left
 * off for these routes; one plain timer per route takes its place ({@code mailroom_filing_requests_seconds}, tag
 * {@code call}: {@code single}, {@code batch}, {@code addressed} or {@code messages}), a counter of the copies a batch (or
 * a filing by address) filed and one of the messages a filing of many messages carried. The gateway calls under the same {@code /internal/v1/accounts/} prefix have a timer of their own
 * ({@code web.GatewayCallObservation}); every other route keeps {@code http_server_requests}.
 */
@Configuration(proxyBeanMethods = false)
class FilingObservations {

    static final String FILING_PATH_PREFIX = "/internal/v1/accounts/";
    static final String FILING_PATH_PART = "/deliveries/";
    static final String BATCH_PATH = "/internal/v1/deliveries";
    static final String ADDRESSED_PATH = "/internal/v1/deliveries/by-address";
    static final String MESSAGES_PATH = "/internal/v1/deliveries/batch";

    @Bean
    ObservationPredicate noHttpObservationOfFiling() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext server && isFiling(server.getCarrier().getRequestURI()));
    }

    @Bean
    FilingMetrics filingMetrics(MeterRegistry registry) {
        return new FilingMetrics(
                Timer.builder("mailroom.filing.requests").description("filing requests, from the controller's start to its answer")
                        .tag("call", "single").register(registry),
                Timer.builder("mailroom.filing.requests").description("filing requests, from the controller's start to its answer")
                        .tag("call", "batch").register(registry),
                Timer.builder("mailroom.filing.requests").description("filing requests, from the controller's start to its answer")
                        .tag("call", "addressed").register(registry),
                Timer.builder("mailroom.filing.requests").description("filing requests, from the controller's start to its answer")
                        .tag("call", "messages").register(registry),
                registry.counter("mailroom.filing.batch.recipients"),
                registry.counter("mailroom.filing.batch.messages"));
    }

    static boolean isFiling(String uri) {
        if (uri == null) {
            return false;
        }
        return uri.equals(BATCH_PATH) || uri.equals(ADDRESSED_PATH) || uri.equals(MESSAGES_PATH) || uri.startsWith(FILING_PATH_PREFIX) && uri.indexOf(FILING_PATH_PART, FILING_PATH_PREFIX.length()) > 0;
    }

    /** The meters of the filing routes. */
    record FilingMetrics(Timer single, Timer batch, Timer addressed, Timer messages,
                         io.micrometer.core.instrument.Counter batchRecipients,
                         io.micrometer.core.instrument.Counter batchMessages) {

        void single(long startNanos) {
            single.record(Duration.ofNanos(System.nanoTime() - startNanos));
        }

        void batch(long startNanos, int recipients) {
            batch.record(Duration.ofNanos(System.nanoTime() - startNanos));
            batchRecipients.increment(recipients);
        }

        void messages(long startNanos, int count) {
            messages.record(Duration.ofNanos(System.nanoTime() - startNanos));
            batchMessages.increment(count);
        }

        void addressed(long startNanos, int copies) {
            addressed.record(Duration.ofNanos(System.nanoTime() - startNanos));
            batchRecipients.increment(copies);
        }
    }
}
