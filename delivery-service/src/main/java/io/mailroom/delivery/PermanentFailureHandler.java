package io.mailroom.delivery;

import java.util.List;

import io.mailroom.queue.QueuedMail;

/**
 * What happens to recipients that can never get their copy: the seam where non-delivery reports
 * (bounces, RFC 3464) will plug in. It is called once per processing of a message, after every
 * recipient has a final outcome and just before the message is acknowledged; a message that is
 * processed again (a redelivery after a crash) calls it again, so an implementation must be idempotent
 * per (message id, recipient). Throwing makes the whole message retry later.
 */
@FunctionalInterface
public interface PermanentFailureHandler {

    void recipientsFailed(QueuedMail mail, List<PermanentFailure> failures);
}
