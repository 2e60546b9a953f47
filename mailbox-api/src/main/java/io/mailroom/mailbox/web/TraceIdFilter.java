package io.mailroom.mailbox.web;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.slf4j.MDC;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the caller's trace id ({@code X-Trace-Id}) in the MDC under {@code traceId} for every log line of the
 * request, or else the id of the request's trace (the span the HTTP observation or the filing trace filter opened
 * before this filter runs), or else a new one, and echoes it in the response. A value that does not look like an id
 * is replaced, so a caller cannot forge log lines through it. The Mailroom services send the same id in both headers.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class TraceIdFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-Trace-Id";
    public static final String MDC_KEY = "traceId";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Tracer tracer;

    public TraceIdFilter(ObjectProvider<Tracer> tracer) {
        this.tracer = tracer.getIfUnique(() -> Tracer.NOOP);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String traceId = request.getHeader(HEADER);
        if (traceId == null || !VALID.matcher(traceId).matches()) {
            Span current = tracer.currentSpan();
            traceId = current != null && !current.context().traceId().isEmpty() ? current.context().traceId()
                    : UUID.randomUUID().toString().replace("-", "");
        }
        String previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, traceId);
        response.setHeader(HEADER, traceId);
        try {
            chain.doFilter(request, response);
        } finally {
            if (previous == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, previous);
            }
        }
    }
}
