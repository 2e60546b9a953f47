package io.mailroom.queue.support;

import java.time.Duration;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailProcessor;
import io.mailroom.queue.QueuedMail;

/**
 * Hands one message to the processor the way both adapters must: with the trace id in the MDC, inside a
 * {@code mail.deliver} span that continues the trace smtp-ingress started (its context travels in
 * {@link QueuedMail#traceContext()}), and turning a thrown exception (or a null answer) into a retry, as
 * {@link MailProcessor} promises. Shared by the adapters; not an API for applications.
 */
public final class MailDispatcher {

    /** The MDC key every Mailroom log pattern prints. */
    public static final String TRACE_ID = "traceId";

    private static final Logger LOG = LoggerFactory.getLogger(MailDispatcher.class);

    private final MailProcessor processor;
    private final Duration errorRetryDelay;
    private final Tracing tracing;

    public MailDispatcher(MailProcessor processor, Duration errorRetryDelay) {
        this(processor, errorRetryDelay, Tracing.NONE);
    }

    public MailDispatcher(MailProcessor processor, Duration errorRetryDelay, Tracing tracing) {
        this.processor = processor;
        this.errorRetryDelay = errorRetryDelay;
        this.tracing = tracing;
    }

    /** The tracer and the propagator that reads a message's trace context; {@link #NONE} traces nothing. */
    public record Tracing(Tracer tracer, Propagator propagator) {

        public static final Tracing NONE = new Tracing(Tracer.NOOP, Propagator.NOOP);
    }

    /** The dead-letter reason of a message that was handed out {@code times} times in a row and never finished. */
    public static String poisonReason(int times) {
        return "delivered " + times + " times in a row without an outcome (the consumer crashed, was killed or lost "
                + "the message each time): treated as a poison message";
    }

    public Disposition dispatch(QueuedMail mail, int attempt) {
        Span span = tracing.propagator().extract(mail.traceContext(), (fields, key) -> fields.get(key))
                .name("mail.deliver")
                .kind(Span.Kind.CONSUMER)
                .tag("mailroom.queue.id", mail.id())
                .tag("mailroom.delivery.attempt", String.valueOf(attempt))
                .tag("mailroom.recipients", String.valueOf(mail.recipients().size()))
                .start();
        String previous = MDC.get(TRACE_ID);
        try (Tracer.SpanInScope scope = tracing.tracer().withSpan(span)) {
            // after the scope opened: tracing puts its own trace id under the same key, which is this one when traced
            MDC.put(TRACE_ID, mail.traceId());
            Disposition disposition = dispatchInScope(mail, attempt);
            span.tag("mailroom.disposition", disposition.getClass().getSimpleName());
            return disposition;
        } finally {
            span.end();
            if (previous == null) {
                MDC.remove(TRACE_ID);
            } else {
                MDC.put(TRACE_ID, previous);
            }
        }
    }

    private Disposition dispatchInScope(QueuedMail mail, int attempt) {
        try {
            Disposition disposition = processor.process(mail, attempt);
            if (disposition == null) {
                LOG.error("Processor returned no disposition for queued message {} (attempt {}); retrying in {}",
                        mail.id(), attempt, errorRetryDelay);
                return Disposition.retry(errorRetryDelay, "processor returned no disposition");
            }
            return disposition;
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            LOG.warn("Processing queued message {} failed (attempt {}); retrying in {}", mail.id(), attempt,
                    errorRetryDelay, e);
            return Disposition.retry(errorRetryDelay, "processor failed: " + e);
        }
    }
}
