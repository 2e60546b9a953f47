package io.mailroom.mailbox.delivery;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.mailroom.mailbox.web.ServerSpans;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The filing routes have no HTTP server observation ({@link FilingObservations}), so they would fall out of a message's
 * trace; this filter keeps them in it at a fraction of the cost: one {@code mail.file} server span, continued from the
 * caller's W3C trace context (delivery-service's call), around the request and so around the filing transaction's
 * commit. Nothing is done when the application has no tracer.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class FilingTraceFilter extends OncePerRequestFilter {

    private final ServerSpans spans;

    FilingTraceFilter(ServerSpans spans) {
        this.spans = spans;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !spans.enabled() || !FilingObservations.isFiling(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean batch = FilingObservations.BATCH_PATH.equals(request.getRequestURI())
                || FilingObservations.ADDRESSED_PATH.equals(request.getRequestURI())
                || FilingObservations.MESSAGES_PATH.equals(request.getRequestURI());
        Span span = spans.start(request, batch ? "mail.file batch" : "mail.file");
        try (Tracer.SpanInScope scope = spans.inScope(span)) {
            chain.doFilter(request, response);
            span.tag("http.response.status_code", String.valueOf(response.getStatus()));
        } catch (IOException | ServletException | RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }
}
