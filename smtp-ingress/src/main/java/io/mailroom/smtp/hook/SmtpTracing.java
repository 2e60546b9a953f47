package io.mailroom.smtp.hook;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * Where a message's trace begins: a {@code smtp.transaction} span from MAIL to the reply to the end of DATA, and a
 * {@code mail.enqueue} producer span whose context travels with the message on the queue, so that delivery-service,
 * mailbox-api and the IMAP push join the same trace. {@link #NONE} when the application has no tracing.
 */
public record SmtpTracing(Tracer tracer, Propagator propagator) {

    public static final SmtpTracing NONE = new SmtpTracing(Tracer.NOOP, Propagator.NOOP);

    /** A new trace for one mail transaction. */
    Span startTransaction(String listener, String clientIp) {
        return tracer.spanBuilder().setNoParent()
                .name("smtp.transaction")
                .kind(Span.Kind.SERVER)
                .tag("mailroom.smtp.listener", listener)
                .tag("client.address", clientIp)
                .start();
    }

    /** The producer span of putting the message on the queue, a child of the transaction. */
    Span startEnqueue(Span transaction, String queueId) {
        return tracer.spanBuilder().setParent(transaction.context())
                .name("mail.enqueue")
                .kind(Span.Kind.PRODUCER)
                .tag("mailroom.queue.id", queueId)
                .start();
    }

    /** The propagation fields (W3C {@code traceparent}, ...) of {@code span}, empty when it is not traced. */
    Map<String, String> context(Span span) {
        Map<String, String> fields = new LinkedHashMap<>();
        propagator.inject(span.context(), fields, (carrier, key, value) -> {
            if (carrier != null && key != null && value != null) {
                carrier.put(key, value);
            }
        });
        return fields;
    }
}
