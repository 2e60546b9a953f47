package io.mailroom.smtp.hook;

import io.mailroom.smtp.SmtpReply;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;

/** An authenticated account over its hourly message limit gets 450 4.7.1 at MAIL until it has room again. */
public final class SendingRateHook implements MailHook {

    private final SendingRate rate;
    private final SmtpMetrics metrics;

    public SendingRateHook(SendingRate rate, SmtpMetrics metrics) {
        this.rate = rate;
        this.metrics = metrics;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() != null && !rate.allows(session.getUsername().asString())) {
            metrics.messageRejected("rate-limited");
            return SmtpReply.RATE_LIMITED.hookResult();
        }
        return HookResult.DECLINED;
    }
}
