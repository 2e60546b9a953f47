package io.mailroom.mailbox.web;

import jakarta.servlet.http.HttpServletRequest;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Server spans for the routes that run without Spring's HTTP server observation (filing, gateway calls): one span per
 * request, continued from the caller's W3C trace context, so those requests stay in the message's or command's trace
 * at a fraction of the observation's cost. Without a tracer in the application it does nothing.
 */
@Component
public final class ServerSpans {

    private final Tracer tracer;
    private final Propagator propagator;

    public ServerSpans(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = tracer.getIfUnique(() -> Tracer.NOOP);
        this.propagator = propagator.getIfUnique(() -> Propagator.NOOP);
    }

    public boolean enabled() {
        return tracer != Tracer.NOOP;
    }

    /** Starts the request's server span, or returns {@code null} when there is no tracer. */
    public @Nullable Span start(HttpServletRequest request, String name) {
        if (!enabled()) {
            return null;
        }
        return propagator.extract(request, HttpServletRequest::getHeader)
                .name(name)
                .kind(Span.Kind.SERVER)
                .tag("http.request.method", request.getMethod())
                .start();
    }

    /** Makes the span current (for the log's trace id and child spans); {@code null} in, {@code null} out. */
    public Tracer.@Nullable SpanInScope inScope(@Nullable Span span) {
        return span == null ? null : tracer.withSpan(span);
    }
}
