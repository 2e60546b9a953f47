package io.mailroom.smtp.hook;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.RecipientResolution;
import io.mailroom.smtp.SmtpReply;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which recipients a listener accepts (RFC 5321 4.1.1.3, RCPT).
 *
 * <p>On MX only local recipients: mailbox-api says whether an address is an account or alias here
 * (accepted), an unknown user of one of our domains (550 5.1.1) or not ours at all (554 5.7.1: an MX does
 * not relay). When mailbox-api cannot answer, 451 4.4.3 makes the sending server try again later.
 *
 * <p>On submission the client has authenticated, and any recipient is accepted: remote ones wait on the
 * queue for the outbound relay.
 */
public final class LocalRecipientHook implements RcptHook {

    private static final Logger log = LoggerFactory.getLogger(LocalRecipientHook.class);

    private final RecipientDirectory directory;
    private final boolean submission;

    private LocalRecipientHook(RecipientDirectory directory, boolean submission) {
        this.directory = directory;
        this.submission = submission;
    }

    /** For MX: only addresses mailbox-api knows. */
    public static LocalRecipientHook forMx(RecipientDirectory directory) {
        return new LocalRecipientHook(directory, false);
    }

    /** For submission: any address, from an authenticated client. */
    public static LocalRecipientHook forSubmission(RecipientDirectory directory) {
        return new LocalRecipientHook(directory, true);
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress recipient) {
        if (submission) {
            return session.getUsername() != null ? HookResult.OK : SmtpReply.AUTHENTICATION_REQUIRED.hookResult();
        }
        try {
            RecipientResolution resolution = directory.resolve(recipient.asString());
            return switch (resolution.status()) {
                case DELIVERABLE -> HookResult.OK;
                case UNKNOWN_USER -> SmtpReply.UNKNOWN_USER.hookResult();
                case NON_LOCAL_DOMAIN -> SmtpReply.RELAY_DENIED.hookResult();
            };
        } catch (MailboxApiUnavailableException e) {
            log.warn("Cannot check recipient {}: mailbox-api unavailable ({})", recipient.asString(), e.getMessage());
            return SmtpReply.RECIPIENT_CHECK_UNAVAILABLE.hookResult();
        } catch (MailboxApiException e) {
            log.error("mailbox-api refused the recipient look-up for {}: {} {}", recipient.asString(), e.status(), e.code(), e);
            return SmtpReply.LOCAL_ERROR.hookResult();
        }
    }
}
