package io.mailroom.queue.support;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailProcessor;
import io.mailroom.queue.QueuedMail;

/**
 * Hands one message to the processor the way both adapters must: with the trace id in the MDC, and
 * turning a thrown exception (or a null answer) into a retry, as {@link MailProcessor} promises.
 * Shared by the adapters; not an API for applications.
 */
public final class MailDispatcher {

    /** The MDC key every Mailroom log pattern prints. */
    public static final String TRACE_ID = "traceId";

    private static final Logger LOG = LoggerFactory.getLogger(MailDispatcher.class);

    private final MailProcessor processor;
    private final Duration errorRetryDelay;

    public MailDispatcher(MailProcessor processor, Duration errorRetryDelay) {
        this.processor = processor;
        this.errorRetryDelay = errorRetryDelay;
    }

    /** The dead-letter reason of a message that was handed out {@code times} times in a row and never finished. */
    public static String poisonReason(int times) {
        return "delivered " + times + " times in a row without an outcome (the consumer crashed, was killed or lost "
                + "the message each time): treated as a poison message";
    }

    public Disposition dispatch(QueuedMail mail, int attempt) {
        String previous = MDC.get(TRACE_ID);
        MDC.put(TRACE_ID, mail.traceId());
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
        } finally {
            if (previous == null) {
                MDC.remove(TRACE_ID);
            } else {
                MDC.put(TRACE_ID, previous);
            }
        }
    }
}
