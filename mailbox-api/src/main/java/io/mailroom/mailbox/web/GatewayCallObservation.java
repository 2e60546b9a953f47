package io.mailroom.mailbox.web;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.ObservationPredicate;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Metrics and spans of the gateway calls ({@code /internal/v1/accounts/**}): every IMAP and POP3 command is one of
 * them, so their per-request overhead bounds what a gateway can serve. Spring's HTTP server observation (a context
 * object, its key-values, the tracing and meter handlers, an active-requests timer) cost about a tenth of a gateway
 * call's CPU, so it is left off for these routes as it is for filing ({@code delivery.FilingObservations}, which also
 * owns the filing route under the same prefix). In its place this filter records one plain timer,
 * {@code mailroom.gateway.requests} with the tags {@code method}, {@code route} (the matched route pattern, so the
 * series stay few) and {@code status}, and opens one server span per call, continued from the caller's W3C trace
 * context and named like Spring's ({@code http post /internal/v1/accounts/{address}/…}), so the gateway calls stay in
 * traces and {@link TraceIdFilter} still finds the trace id for the log lines.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayCallObservation {

    public static final String TIMER = "mailroom.gateway.requests";
    static final String PREFIX = "/internal/v1/accounts/";
    /** The filing route under the same prefix, timed by delivery's own filter. */
    private static final String FILING_PART = "/deliveries/";
    /** The route tag of a call no handler took (refused credentials, unknown path). */
    static final String NO_ROUTE = "none";

    static boolean isGatewayCall(String uri) {
        return uri != null && uri.startsWith(PREFIX) && uri.indexOf(FILING_PART, PREFIX.length()) < 0;
    }

    @Bean
    ObservationPredicate noHttpObservationOfGatewayCalls() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && isGatewayCall(server.getCarrier().getRequestURI()));
    }

    @Bean
    GatewayCallFilter gatewayCallFilter(MeterRegistry registry, ServerSpans spans) {
        return new GatewayCallFilter(registry, spans);
    }

    /** Runs before {@link TraceIdFilter}, so the span is current when the log's trace id is chosen. */
    @Order(Ordered.HIGHEST_PRECEDENCE + 2)
    static final class GatewayCallFilter extends OncePerRequestFilter {

        private final MeterRegistry registry;
        private final ServerSpans spans;
        /** The timers by method, route and status: a map look-up per call instead of building a meter id. */
        private final ConcurrentMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();

        GatewayCallFilter(MeterRegistry registry, ServerSpans spans) {
            this.registry = registry;
            this.spans = spans;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return !isGatewayCall(request.getRequestURI());
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            long start = System.nanoTime();
            String method = request.getMethod();
            Span span = spans.start(request, "http " + method.toLowerCase(Locale.ROOT));
            int status = 500;
            try (Tracer.SpanInScope scope = spans.inScope(span)) {
                chain.doFilter(request, response);
                status = response.getStatus();
            } catch (IOException | ServletException | RuntimeException e) {
                if (span != null) {
                    span.error(e);
                }
                throw e;
            } finally {
                String route = route(request);
                timers.computeIfAbsent(new TimerKey(method, route, status), this::timer)
                        .record(Duration.ofNanos(System.nanoTime() - start));
                if (span != null) {
                    span.name("http " + method.toLowerCase(Locale.ROOT) + " " + route)
                            .tag("http.route", route)
                            .tag("http.response.status_code", String.valueOf(status))
                            .end();
                }
            }
        }

        private static String route(HttpServletRequest request) {
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            return pattern == null ? NO_ROUTE : pattern.toString();
        }

        private Timer timer(TimerKey key) {
            return Timer.builder(TIMER)
                    .description("gateway calls (/internal/v1/accounts/**), from the first filter to the answer")
                    .tag("method", key.method())
                    .tag("route", key.route())
                    .tag("status", String.valueOf(key.status()))
                    .register(registry);
        }
    }

    private record TimerKey(String method, String route, int status) {
    }
}
