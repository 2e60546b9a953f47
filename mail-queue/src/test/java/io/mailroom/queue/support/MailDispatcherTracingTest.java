package io.mailroom.queue.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import io.mailroom.queue.Disposition;
import io.mailroom.queue.QueuedMail;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** The consumer side of a trace: a queued message's trace context is continued around its processing. */
class MailDispatcherTracingTest {

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
    private final OtelTracer tracer = new OtelTracer(provider.get("test"), new OtelCurrentTraceContext(), event -> { });
    private final OtelPropagator propagator = new OtelPropagator(
            ContextPropagators.create(W3CTraceContextPropagator.getInstance()), provider.get("test"));
    private final MailDispatcher.Tracing tracing = new MailDispatcher.Tracing(tracer, propagator);

    @AfterEach
    void close() {
        provider.close();
    }

    @Test
    void processingContinuesTheTraceSmtpIngressStarted() {
        Span smtp = tracer.nextSpan().name("smtp.transaction").start();
        Map<String, String> context = new HashMap<>();
        propagator.inject(smtp.context(), context, Map::put);
        smtp.end();
        QueuedMail mail = mail(smtp.context().traceId()).withTraceContext(context);
        AtomicReference<String> traceIdInside = new AtomicReference<>();
        AtomicReference<String> mdcInside = new AtomicReference<>();

        Disposition disposition = new MailDispatcher((m, attempt) -> {
            traceIdInside.set(tracer.currentSpan().context().traceId());
            mdcInside.set(MDC.get(MailDispatcher.TRACE_ID));
            return Disposition.done();
        }, Duration.ofSeconds(1), tracing).dispatch(mail, 2);

        assertThat(disposition).isInstanceOf(Disposition.Done.class);
        assertThat(traceIdInside.get()).as("the processor runs inside the continued trace").isEqualTo(smtp.context().traceId());
        assertThat(mdcInside.get()).isEqualTo(smtp.context().traceId());
        SpanData deliver = exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals("mail.deliver")).findFirst().orElseThrow();
        assertThat(deliver.getTraceId()).isEqualTo(smtp.context().traceId());
        assertThat(deliver.getParentSpanId()).isEqualTo(smtp.context().spanId());
        assertThat(deliver.getAttributes().asMap().toString()).contains("mailroom.delivery.attempt=2", "mailroom.queue.id=q-1");
        assertThat(tracer.currentSpan()).as("the scope is closed afterwards").isNull();
        assertThat(MDC.get(MailDispatcher.TRACE_ID)).isNull();
    }

    @Test
    void aMessageWithoutContextStartsATraceOfItsOwnAndAFailureIsStillARetry() {
        Disposition disposition = new MailDispatcher((m, attempt) -> {
            throw new IllegalStateException("mailbox-api down");
        }, Duration.ofSeconds(7), tracing).dispatch(mail("t-1"), 1);

        assertThat(disposition).isInstanceOf(Disposition.Retry.class);
        assertThat(((Disposition.Retry) disposition).delay()).isEqualTo(Duration.ofSeconds(7));
        List<SpanData> spans = exported.getFinishedSpanItems();
        assertThat(spans).hasSize(1);
        assertThat(spans.get(0).getParentSpanContext().isValid()).isFalse();
    }

    private static QueuedMail mail(String traceId) {
        return new QueuedMail("q-1", traceId, "a@example.com", List.of("b@example.com"), Instant.now(),
                "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
