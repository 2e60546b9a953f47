package io.mailroom.delivery;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.queue.QueuedMail;

/** Until bounces exist: a permanent failure is logged (with the trace id, from the MDC) and nothing else. */
class LoggingPermanentFailureHandler implements PermanentFailureHandler {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingPermanentFailureHandler.class);

    @Override
    public void recipientsFailed(QueuedMail mail, List<PermanentFailure> failures) {
        for (PermanentFailure failure : failures) {
            LOG.warn("Message {} from <{}> cannot be delivered to <{}>: {} {} ({}); no bounce is sent yet",
                    mail.id(), mail.envelopeFrom(), failure.recipient(), failure.reason().enhancedStatus(),
                    failure.reason(), failure.detail());
        }
    }
}
